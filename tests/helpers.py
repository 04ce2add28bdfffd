"""What several test modules need: the checkout's paths, a project copy, small builders.

Import with ``from helpers import ...`` (pytest puts this folder on ``sys.path``).
"""

import shutil
import socket
import sys
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from cohesim.experiments.cli import main
from cohesim.model import Parameters, metrics_kernels
from cohesim.model.outcomes import WELFARE_FLOOR

REPO_ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = REPO_ROOT / "scenarios"
SHIPPED_SCENARIOS = sorted(SCENARIOS.glob("*.toml"))
SHIPPED_EXPERIMENTS = sorted((SCENARIOS / "experiments").glob("*.toml"))
# The console scripts installed beside this Python (cohesim, dask).
BIN = Path(sys.executable).parent
COHESIM = BIN / "cohesim"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The pairwise contest alone, without cooperation structures.
NO_STRUCTURES = {"structures": {"enabled": False}}


def params(**groups) -> Parameters:
    """Default parameters with some groups changed, e.g. ``params(update={"rule": "fermi"})``.

    Levers are in force from the first year (no burn-in) unless ``run`` says otherwise.
    """
    return Parameters.model_validate({"run": {"burn_in": 0}, **groups})


def copy_scenarios(root: Path) -> Path:
    """Copy the shipped scenarios (and their data) to ``root/scenarios``, as in a checkout."""
    return Path(shutil.copytree(SCENARIOS, root / "scenarios"))


def write(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (making its folder); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args):
    """Run ``cohesim ARGS`` in-process; stdout and stderr are kept apart."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    # an unexpected exception would be swallowed by CliRunner: make it visible
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def free_port() -> int:
    """A TCP port on 127.0.0.1 that no one listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metrics_row(welfare, population, kind, access=None) -> dict[str, float]:
    """A year's metrics of territories made by hand, with no edges and no structures.

    The compiled pass the model records with (:func:`cohesim.model.metrics_kernels.record`),
    on two service domains, ``access`` (N, 2) 0.5 everywhere unless given; at step 0.
    """
    n = len(welfare)
    floored = np.maximum(welfare, WELFARE_FLOOR)
    log_w = np.log(floored)
    then = log_w.astype(np.float32)
    out = np.full(len(metrics_kernels.columns(("a", "b"))), -1.0)
    access = np.full((n, 2), 0.5) if access is None else np.asarray(access, dtype=float)
    metrics_kernels.record(
        out,
        floored,
        np.argsort(floored),
        log_w,
        float(np.std(log_w)),
        then,
        then,
        0,
        0,
        0,
        np.asarray(welfare, dtype=float),
        read_only(np.asarray(population, dtype=float)),
        np.asarray(kind, dtype=np.int8),
        np.zeros(n, dtype=bool),
        np.zeros(0, dtype=bool),
        np.zeros(0, dtype=np.int64),
        np.zeros(n),
        np.zeros(n),
        read_only(access),
        access.mean(axis=1),
        np.zeros(metrics_kernels.N_PUBLIC),
        tuple(np.zeros(0, dtype=dtype) for dtype in (np.int8, np.int32, np.int32)),
        tuple(np.zeros(0, dtype=np.int32) for _ in range(3)),
        np.zeros(0, dtype=bool),
        np.zeros(0, dtype=bool),
        np.zeros(0, dtype=bool),
        0,
    )
    return dict(zip(metrics_kernels.columns(("a", "b")), out, strict=True))


def read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view, as the model passes the metrics kernel (one compiled version)."""
    view = array.view()
    view.flags.writeable = False
    return view
