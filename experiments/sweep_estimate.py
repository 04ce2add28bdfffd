"""What a sweep would do, without doing it: its size, where it would run, how long it would take.

``cohesim sweep --dry-run`` prints this. The time is measured, not guessed: a few runs spread
over the design (first, last and evenly between, so that a factor such as the number of
territories is sampled across its range) are run here, in this process, and their mean time is
scaled to the whole sweep over the workers. Nothing is written.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .chunks import run_chunk
from .executors import local_workers, make_executor
from .experiment_file import Experiment, load_experiment
from .sweep import SweepPlan

TIMED_RUNS = 3
"""Runs a dry run times by default."""


@dataclass(frozen=True)
class SweepEstimate:
    """The size of a sweep, what would run it and the time a few timed runs predict."""

    name: str
    design: str
    scenarios: int
    points: int
    replicates: int
    runs: int
    executor: dict[str, Any]  # as the sweep's manifest would record it
    timed: tuple[float, ...]  # seconds of each timed run
    failed: int  # timed runs that ended in an error (timed all the same)

    @property
    def workers(self) -> int:
        """Runs that go on at once."""
        return max(1, int(self.executor.get("workers") or 1))

    @property
    def seconds_per_run(self) -> float:
        """Mean time of the timed runs."""
        return float(np.mean(self.timed))

    @property
    def seconds(self) -> float:
        """Estimated wall time of the whole sweep: runs × mean time / workers, in rounds."""
        return math.ceil(self.runs / self.workers) * self.seconds_per_run

    def lines(self) -> list[str]:
        """What ``cohesim sweep --dry-run`` prints."""
        e = self.executor
        where = f"{e['executor']}, {self.workers} worker{'s' if self.workers != 1 else ''}"
        if e["executor"] == "dask":
            where += f" at {e['scheduler']}"
        timed = len(self.timed)
        spread = f"{min(self.timed):.2f}–{max(self.timed):.2f} s" if timed > 1 else ""
        lines = [
            f"{self.name}: {self.design} design, {self.scenarios} scenario"
            f"{'s' if self.scenarios != 1 else ''} × {self.points} points × "
            f"{self.replicates} replicates = {self.runs} runs",
            f"executor: {where}",
            f"timed {timed} run{'s' if timed != 1 else ''} here, one at a time: "
            f"{self.seconds_per_run:.2f} s per run" + (f" ({spread})" if spread else ""),
            f"estimated time: {_clock(self.seconds)} ({self.runs} runs × "
            f"{self.seconds_per_run:.2f} s / {self.workers}), plus the workers' start-up",
        ]
        if self.failed:
            lines.append(
                f"{self.failed} of the timed runs failed: the sweep would record them as errors"
            )
        return lines


def estimate_sweep(
    experiment: str | Path | Experiment,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    timeout: float | None = None,
    timed: int = TIMED_RUNS,
) -> SweepEstimate:
    """Size a sweep and time ``timed`` of its runs here, writing nothing.

    ``workers``, ``scheduler`` and ``timeout`` are those :func:`~.sweep.run_sweep` would get; a
    scheduler is contacted only to count its worker threads.

    Raises
    ------
    ExperimentError, ExecutorError
        Bad experiment, or a scheduler that cannot be reached.
    """
    if timed < 1:
        raise ValueError(f"timed = {timed}: time at least one run")
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    if timeout is not None:
        experiment = dataclasses.replace(experiment, timeout=float(timeout))
    plan = SweepPlan(experiment)
    if scheduler is None:
        described: dict[str, Any] = {"executor": "local", "workers": local_workers(workers)}
    else:
        cluster = make_executor(workers, scheduler)
        try:
            described = cluster.describe()
        finally:
            cluster.close()
    ids = np.unique(np.linspace(0, plan.total - 1, min(timed, plan.total)).round().astype(int))
    rows = run_chunk(plan.chunk(ids.tolist())).runs
    return SweepEstimate(
        name=experiment.name,
        design=experiment.design,
        scenarios=plan.shape[0],
        points=plan.shape[1],
        replicates=plan.shape[2],
        runs=plan.total,
        executor=described,
        timed=tuple(float(row["wall_seconds"]) for row in rows),
        failed=sum(row["status"] != "ok" for row in rows),
    )


def _clock(seconds: float) -> str:
    """``1:02:03`` for 3723 seconds."""
    hours, rest = divmod(math.ceil(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
