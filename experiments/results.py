"""The results store for single runs: one folder per run, written atomically, read back checked.

A run folder holds ``timeseries.parquet`` (one row per step), ``territories.parquet`` (one row
per territory at the end), ``inventory.parquet`` (one row per cooperation structure ever formed),
``memberships.parquet`` (one row per membership ever held), ``manifest.json`` (resolved scenario,
seed, versions, git commit, times) and ``summary.png``. Files are written into a hidden sibling
folder that is renamed into place only when complete, so a run killed midway never leaves a
folder that looks finished.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from cohesim.model.outcomes import OUTCOMES

if TYPE_CHECKING:
    from .runs import RunResult

TABLES = ("timeseries", "territories", "inventory", "memberships")
RUN_FILES = (*(f"{table}.parquet" for table in TABLES), "manifest.json")
PACKAGES = (
    "cohesim",
    "mesa",
    "numpy",
    "numba",
    "scipy",
    "pandas",
    "pyarrow",
    "pydantic",
    "matplotlib",
    "SALib",
    "dask",
    "distributed",
)


class ResultsError(ValueError):
    """An output folder that cannot be written or a results folder that cannot be read."""


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages results depend on."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str | None:
    """The commit of the cohesim source tree (with ``-dirty`` if modified), None outside git."""
    source = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(source), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(source), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def final_values_entry(window: int | list[int]) -> dict[str, Any]:
    """How a results folder's final values were measured, for its manifest.

    ``window`` is ``metrics.final_window``: one number, or one per scenario of a sweep.
    """
    last = sorted(o.name for o in OUTCOMES.values() if o.reported == "final" and not o.derived)
    return {
        "window_years": window,
        "definition": (
            "each outcome's mean over the last window_years policy years of the run (year >= 0 "
            "after a step: burn-in and initial state excluded; fewer years if the run has "
            f"fewer), but the last year's value for {', '.join(last)} (docs/analysis.md, "
            "'Final values')"
        ),
    }


def manifest(result: RunResult) -> dict[str, Any]:
    """Everything needed to know what produced a run folder."""
    return {
        "kind": "run",
        "scenario": result.scenario.resolved(),
        "seed": result.seed,
        "steps": result.steps,
        "territories": len(result.territories),
        "final_values": final_values_entry(result.window),
        "versions": package_versions(),
        "git_commit": git_commit(),
        "started": result.started.isoformat(),
        "finished": result.finished.isoformat(),
        "wall_seconds": result.wall_seconds,
    }


def check_output_folder(out: Path, overwrite: bool = False) -> None:
    """Refuse, before any work is done, an output folder that would lose or mix results."""
    if out.exists() and not overwrite:
        raise ResultsError(
            f"{out}: already exists; choose another output folder, or ask to overwrite it"
        )
    if out.exists() and not out.is_dir():
        raise ResultsError(f"{out}: exists and is not a folder")


@contextlib.contextmanager
def atomic_folder(out: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden temporary folder that becomes ``out`` only if the block succeeds."""
    check_output_folder(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        if out.exists():  # overwriting: move the old folder aside, then swap
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_run(
    result: RunResult,
    out: Path,
    *,
    overwrite: bool = False,
    figures: Callable[[Path], None] | None = None,
) -> Path:
    """Write a run folder atomically; ``figures(folder)`` may add figures before it is sealed."""
    with atomic_folder(out, overwrite) as folder:
        for table in TABLES:
            getattr(result, table).to_parquet(folder / f"{table}.parquet", index=False)
        if figures is not None:
            figures(folder)
        # the manifest last: a folder with a manifest is complete
        text = json.dumps(manifest(result), indent=2, ensure_ascii=False)
        (folder / "manifest.json").write_text(text + "\n", encoding="utf-8")
    return out


@dataclass(frozen=True)
class RunFolder:
    """A run folder read back from disk."""

    path: Path
    timeseries: pd.DataFrame
    territories: pd.DataFrame
    inventory: pd.DataFrame
    memberships: pd.DataFrame
    manifest: dict[str, Any]


def read_run(path: str | Path) -> RunFolder:
    """Read a run folder, with a clear error if it is missing, incomplete or corrupt."""
    path = Path(path)
    if not path.is_dir():
        raise ResultsError(f"{path}: no such run folder")
    missing = [name for name in RUN_FILES if not (path / name).is_file()]
    if missing:
        raise ResultsError(f"{path}: not a complete run folder (missing {', '.join(missing)})")
    try:
        info = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ResultsError(f"{path / 'manifest.json'}: unreadable manifest: {error}") from None
    tables = {}
    for name in TABLES:
        try:
            tables[name] = pd.read_parquet(path / f"{name}.parquet")
        except Exception as error:  # pyarrow raises several types for damaged files
            raise ResultsError(f"{path / name}.parquet: unreadable table: {error}") from None
    return RunFolder(path, **tables, manifest=info)
