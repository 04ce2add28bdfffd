"""What a worker does: run a chunk of sweep runs and return their rows.

A chunk carries everything its runs need (the base scenarios, each run's overrides and seed), so
any worker can run it, in any order, any number of times, with the same result. A run that raises
becomes a row with ``status = "error"`` and the message; it never stops the chunk.

The sweep's parent process imports this module to plan chunks and read what comes back, but never
runs a model: the model (mesa, numba, scipy) is imported by :func:`run_chunk`, in the workers, so
that the parent starts in a fraction of the time and its workers' start overlaps its own setup.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .runs import RegionCache
    from .scenario import Scenario


@dataclass(frozen=True)
class RunSpec:
    """One run: its id, coordinates in the design, seed and parameter values."""

    run_id: int
    scenario_index: int
    point_id: int
    replicate: int
    seed: int
    overrides: dict[str, Any]


@dataclass
class Chunk:
    """Runs sent to a worker together; ``attempts`` counts workers lost while running it."""

    scenarios: tuple[Scenario, ...]
    steps: tuple[int, ...]
    runs: list[RunSpec]
    timeseries: bool = False
    territories: bool = False
    timeout: float | None = None  # seconds each run may take
    attempts: int = 0


@dataclass
class ChunkResult:
    """Rows of a finished chunk: one per run, plus per-step and per-territory rows if asked."""

    runs: list[dict[str, Any]]
    timeseries: list[pd.DataFrame] = field(default_factory=list)
    territories: list[pd.DataFrame] = field(default_factory=list)


WORKER_MODULES = ("cohesim.experiments.runs", "cohesim.model.outcomes")
"""What :func:`run_chunk` imports on its first call: a local pool's forkserver imports them once."""


@functools.cache
def worker_regions() -> RegionCache:
    """The regions of this worker: consecutive runs on the same region and seed build it once."""
    from .runs import RegionCache

    return RegionCache()


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run every run of a chunk; never raises for a failing run."""
    from cohesim.model.outcomes import final_values

    from .runs import build_model

    result = ChunkResult(runs=[])
    for spec in chunk.runs:
        row: dict[str, Any] = {"run_id": spec.run_id}
        clock = time.perf_counter()
        try:
            scenario = chunk.scenarios[spec.scenario_index].with_parameters(
                **spec.overrides,
                **{"run.seed": spec.seed, "run.steps": chunk.steps[spec.scenario_index]},
            )
            model = build_model(scenario, worker_regions())
            _run_within(model, scenario.parameters.run.steps, chunk.timeout, clock)
            frame = model.metrics_frame()
            row.update(final_values(frame, scenario.parameters.metrics.final_window))
            row.update(status="ok", error=None)
            if chunk.timeseries:
                result.timeseries.append(frame.assign(run_id=spec.run_id))
            if chunk.territories:
                result.territories.append(model.territories_frame().assign(run_id=spec.run_id))
        except RunTimeout as error:
            row.update(status="error", error=f"timeout: {error}")
        except Exception as error:  # a failing run is data, not a reason to stop
            row.update(status="error", error=f"{type(error).__name__}: {error}")
        row["wall_seconds"] = time.perf_counter() - clock
        result.runs.append(row)
    return result


class RunTimeout(Exception):
    """A run that went past its experiment's ``timeout``."""


def _run_within(model: Any, steps: int, timeout: float | None, started: float) -> None:
    """Step ``model`` ``steps`` times; :class:`RunTimeout` once ``timeout`` seconds have passed.

    The deadline is checked between steps (a step is a fraction of a second even for large
    regions), which works the same in local workers and Dask threads, where no signal can
    interrupt a run.
    """
    for step in range(steps):
        model.step()
        if timeout is not None and time.perf_counter() - started > timeout:
            raise RunTimeout(f"past {timeout:g} s after {step + 1} of {steps} steps")


def start_worker() -> None:
    """Initialise a local pool worker: leave Ctrl-C to the parent, exit if the parent dies.

    A parent killed with SIGKILL closes no pipe the worker waits on; the worker is re-parented
    instead, which a watchdog thread notices, so that orphaned workers do not linger.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    first_parent = os.getppid()

    def watch() -> None:
        while os.getppid() == first_parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="cohesim-parent-watch", daemon=True).start()
