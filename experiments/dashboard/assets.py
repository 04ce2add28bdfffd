"""The dashboard's front-end files, installed locally so that a classroom works offline.

A SolaraViz page loads a few JavaScript and CSS packages through solara's asset proxy, which
serves them from a cache folder and downloads only what is missing there (so offline, a missing
file leaves the page blank). This module fills that folder with ``npm pack``, taking the exact
package versions from the installed solara's own templates, so they always match.

The folder is solara's: ``$SOLARA_ASSETS_PROXY_CACHE_DIR`` if set, else ``share/solara/cdn``
inside the Python environment. ``cohesim dashboard`` fills it on its first start
(:func:`prepare_assets`): with npm when it is there, else by letting solara's proxy fetch the
files from its CDN when that answers. They can also be installed beforehand with::

    cohesim docs dashboard-assets

(npm must be on the PATH and reach its registry; nothing else is downloaded.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import tempfile
import urllib.request
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

# Where solara names the packages it loads: its page template, the grid layout SolaraViz uses,
# and its settings (font-awesome). The vuetify 3 app is skipped: ipyvuetify < 3 is pinned.
SOURCES = (
    "server/templates/solara.html.j2",
    "widgets/vue/gridlayout.vue",
    "server/settings.py",
)
PACKAGE_AT_VERSION = re.compile(r"((?:@[a-z0-9-]+/)?[a-z0-9.-]+)@(\d+\.\d+\.\d+[\w.-]*)/")
SKIPPED = ("@widgetti/solara-vuetify3-app",)


class AssetsError(RuntimeError):
    """The assets cannot be installed (npm missing or failing)."""


def cache_dir() -> Path:
    """The folder solara's asset proxy serves from."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def required_assets() -> list[str]:
    """``package@version`` of every front-end package the dashboard page loads, sorted."""
    solara_root = files("solara")
    found: set[str] = set()
    for source in SOURCES:
        text = (solara_root / source).read_text(encoding="utf-8")
        for name, version in PACKAGE_AT_VERSION.findall(text):
            if name not in SKIPPED:
                found.add(f"{name}@{version}")
    if not found:
        raise AssetsError("found no asset names in solara's templates: has solara changed?")
    return sorted(found)


def missing_assets(folder: Path | None = None) -> list[str]:
    """The required packages not yet in ``folder`` (solara's cache folder when None)."""
    folder = folder or cache_dir()
    return [spec for spec in required_assets() if not (folder / spec / "package.json").is_file()]


def install_assets(
    folder: Path | None = None, progress: Callable[[str], None] | None = None
) -> list[str]:
    """Fetch the missing packages with ``npm pack`` and unpack each as ``folder/name@version``.

    ``progress`` is told of each package as its download starts ("fetching 2/4 requirejs@2.3.6").

    Returns
    -------
    list of str
        The packages installed now (empty when all were there).
    """
    folder = folder or cache_dir()
    missing = missing_assets(folder)
    if not missing:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsError("npm is not on the PATH: install Node.js (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory() as scratch:
        for number, spec in enumerate(missing, start=1):
            if progress is not None:
                progress(f"fetching {number}/{len(missing)} {spec}")
            done = subprocess.run(
                [npm, "pack", "--silent", "--pack-destination", scratch, spec],
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise AssetsError(f"npm pack {spec} failed:\n{done.stderr.strip()}")
            # npm names a tarball @scope/name@1.2.3 → scope-name-1.2.3.tgz
            name, version = spec.rsplit("@", 1)
            tarball = Path(scratch) / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
            if not tarball.is_file():
                raise AssetsError(f"npm pack did not produce {tarball.name}: {done.stdout!r}")
            _unpack(tarball, folder / spec)
    return missing


CDN_TIMEOUT_SECONDS = 10
"""How long to wait for solara's CDN before calling it unreachable."""


def cdn_url() -> str:
    """Where solara's asset proxy downloads what its cache folder lacks (``$SOLARA_ASSETS_CDN``)."""
    from solara import settings

    return str(settings.assets.cdn)


def cdn_problem(spec: str) -> str | None:
    """Why solara's CDN cannot serve package ``spec`` (None when it answers for it)."""
    url = f"{cdn_url().rstrip('/')}/{spec}/package.json"
    try:
        with urllib.request.urlopen(url, timeout=CDN_TIMEOUT_SECONDS) as response:
            if response.status < 400:
                return None
            return f"{url} answered HTTP {response.status}"
    except (OSError, ValueError) as error:
        return f"{url}: {error}"


def prepare_assets(progress: Callable[[str], None]) -> str:
    """Make the front-end files available before the dashboard starts, as far as this machine can.

    With npm, the missing packages are installed into the cache folder (telling ``progress`` of
    each). Without npm, or if npm fails, solara's own proxy can fetch them from its CDN while
    the first page loads (and cache them), provided the CDN answers.

    Returns
    -------
    str
        ``"present"``, ``"installed"`` (by npm) or ``"cdn"`` (solara's proxy will fetch them).

    Raises
    ------
    AssetsError
        If the files are missing and neither npm nor the CDN can provide them; the message
        gives both reasons.
    """
    missing = missing_assets()
    if not missing:
        return "present"
    folder = cache_dir()
    progress(
        f"the dashboard's front-end files are not in {folder} yet "
        f"({len(missing)} packages): fetching them once"
    )
    try:
        install_assets(folder, progress)
        return "installed"
    except AssetsError as error:
        npm_problem = str(error)
    progress(f"npm could not fetch them ({npm_problem.splitlines()[0]}); trying solara's CDN")
    problem = cdn_problem(missing[0])
    if problem is None:
        progress(f"solara will fetch them from {cdn_url()} as the page first loads")
        return "cdn"
    raise AssetsError(
        f"the dashboard's front-end files are not installed ({', '.join(missing)}) and this "
        f"machine cannot fetch them: {npm_problem}; and solara's CDN does not answer "
        f"({problem}). On a machine with npm and access to its registry, run "
        "`cohesim docs dashboard-assets` (see docs/dashboard.md)"
    )


def _unpack(tarball: Path, target: Path) -> None:
    """Unpack an npm tarball (whose files sit under ``package/``) into ``target``, atomically."""
    staging = target.with_name(f".{target.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarball) as archive:
        archive.extractall(staging, filter="data")
    shutil.rmtree(target, ignore_errors=True)
    (staging / "package").rename(target)
    shutil.rmtree(staging)
