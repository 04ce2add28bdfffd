"""Parameter sweeps: every run of an experiment, on a local pool or a Dask cluster, resumable.

Runs are numbered ``run_id = (scenario_index · points + point_id) · replicates + replicate`` and
seeded from ``SeedSequence(seed, spawn_key=(scenario_index, point_id, replicate))``, so what a run
computes depends on nothing but the experiment: not on the executor, the number of workers, the
order in which runs finish or how often the sweep was interrupted.

The parent process only plans chunks and writes what comes back: it holds a few chunks in flight
and nothing else, so its memory does not grow with the number of runs.
"""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cohesim.model.outcomes import recorded

from .chunks import Chunk, ChunkResult, RunSpec
from .designs import design_points
from .executors import DaskCluster, LocalPool, WorkerLost, make_executor
from .experiment_file import Experiment, load_experiment
from .results import final_values_entry
from .scenario import portable_paths
from .sweep_store import RUNS, SweepFolder, new_session

# A chunk whose worker died this many times is split into single runs; a single run lost this
# many times is recorded as an error rather than retried forever.
MAX_ATTEMPTS = 3
ID_COLUMNS = (
    ("run_id", pa.int64()),
    ("scenario", pa.string()),
    ("scenario_index", pa.int32()),
    ("point_id", pa.int64()),
    ("replicate", pa.int32()),
    ("seed", pa.int64()),
)
STATUS_COLUMNS = (("status", pa.string()), ("error", pa.string()), ("wall_seconds", pa.float64()))
ARROW_TYPES = {"float": pa.float64(), "int": pa.int64(), "bool": pa.bool_(), "choice": pa.string()}


@dataclass(frozen=True)
class SweepProgress:
    """Where a sweep stands: runs done (ok or error) and failed, of ``total``."""

    total: int
    done: int
    failed: int
    resumed: int  # runs already done when this session started


def run_seed(root: int, scenario_index: int, point_id: int, replicate: int) -> int:
    """The seed of one run, derived from the root seed and the run's coordinates.

    Examples
    --------
    >>> run_seed(1, 0, 0, 0) == run_seed(1, 0, 0, 0) != run_seed(1, 0, 0, 1)
    True
    """
    sequence = np.random.SeedSequence(root, spawn_key=(scenario_index, point_id, replicate))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))  # run.seed < 2**63


class SweepPlan:
    """The runs of an experiment: design points, ids, seeds, and the columns of the runs table."""

    def __init__(self, experiment: Experiment):
        self.experiment = experiment
        self.points = design_points(experiment)
        self.shape = (len(experiment.scenarios), len(self.points), experiment.replicates)
        self.total = math.prod(self.shape)
        self._values = {path: self.points[path].tolist() for path in self.points.columns}
        self.schema = self._schema()

    def spec(self, run_id: int) -> RunSpec:
        """A run's coordinates, seed and parameter values."""
        s, p, r = (int(i) for i in np.unravel_index(run_id, self.shape))
        return RunSpec(
            run_id=int(run_id),
            scenario_index=s,
            point_id=p,
            replicate=r,
            seed=run_seed(self.experiment.seed, s, p, r),
            overrides={path: values[p] for path, values in self._values.items()},
        )

    def chunk(self, run_ids: list[int]) -> Chunk:
        """A chunk of runs, carrying what a worker needs to run them."""
        e = self.experiment
        return Chunk(
            scenarios=e.scenarios,
            steps=tuple(e.steps_of(i) for i in range(len(e.scenarios))),
            runs=[self.spec(i) for i in run_ids],
            timeseries=e.record_timeseries,
            territories=e.record_territories,
            timeout=e.timeout,
        )

    def runs_table(self, chunk: Chunk, rows: list[dict[str, Any]]) -> pa.Table:
        """The runs table of a finished chunk, in the sweep's fixed schema."""
        by_id = {row["run_id"]: row for row in rows}
        names = self.experiment.scenarios
        records = []
        for spec in chunk.runs:
            row = by_id[spec.run_id]
            records.append(
                {
                    "run_id": spec.run_id,
                    "scenario": names[spec.scenario_index].name,
                    "scenario_index": spec.scenario_index,
                    "point_id": spec.point_id,
                    "replicate": spec.replicate,
                    "seed": spec.seed,
                    **spec.overrides,
                    **row,
                }
            )
        return pa.Table.from_pylist(records, schema=self.schema)

    def _schema(self) -> pa.Schema:
        factors = [(f.path, ARROW_TYPES[f.kind]) for f in self.experiment.factors]
        metrics = [(name, pa.float64()) for name in self._metric_names()]
        return pa.schema([*ID_COLUMNS, *factors, *metrics, *STATUS_COLUMNS])

    def windows(self) -> int | list[int]:
        """Each scenario's ``metrics.final_window`` (one number if they agree)."""
        windows = [s.parameters.metrics.final_window for s in self.experiment.scenarios]
        return windows[0] if len(set(windows)) == 1 else windows

    def _metric_names(self) -> list[str]:
        """Outcomes the scenarios' models record (cohesim.model.outcomes): their final values."""
        names: dict[str, None] = {}
        for scenario in self.experiment.scenarios:
            names.update(dict.fromkeys(recorded(scenario.parameters)))
        return list(names)


def run_sweep(
    experiment: str | Path | Experiment,
    out: str | Path | None = None,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    overwrite: bool = False,
    timeout: float | None = None,
    progress: Callable[[SweepProgress], None] | None = None,
    chunk_seconds: float = 1.0,
) -> Path:
    """Run every run of an experiment and return the folder holding the results.

    Parameters
    ----------
    experiment
        An experiment file, or an :class:`Experiment` already loaded.
    out
        The sweep folder [default: ``results/sweeps/NAME``].
    workers
        Local worker processes [default: all cores]; not with ``scheduler``.
    scheduler
        Address of a Dask scheduler (``tcp://HOST:PORT``) to run on instead.
    resume
        Continue the sweep in ``out``: only the runs missing there are run.
    timeout
        Seconds each run may take, instead of the experiment file's ``timeout``: a run past it
        is recorded as an error whose message starts with ``timeout``, and the sweep goes on.
    overwrite
        Start afresh in ``out`` even if it exists: the old folder is moved aside (hidden, beside
        it) and deleted once the new sweep has finished; not with ``resume``.
    progress
        Called with a :class:`SweepProgress` as chunks finish.
    chunk_seconds
        Work sent to a worker at once, in seconds of runs (about 1 s keeps the overhead per
        chunk, ~6 ms on Dask, near 1% while keeping workers evenly busy).

    Returns
    -------
    Path
        The sweep folder: ``runs/``, ``manifest.json`` (with ``counts``), ``design.parquet``.

    Raises
    ------
    ExperimentError, ResultsError, ExecutorError
        Bad experiment, unusable output folder, or an executor that cannot start; all before
        any run.
    SweepError
        Every run was lost (the workers died before running any), or ``run_sweep`` was called
        by a worker importing the caller's script again: see :class:`SweepError`.
    """
    if _importing_main_again():
        raise SweepError(
            "run_sweep was called while a worker process imported the calling script to start: "
            'the script must call it under `if __name__ == "__main__":` (docs/sweeps.md)'
        )
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other: finish the sweep, or replace it")
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    if timeout is not None:
        if not timeout > 0:
            raise ValueError(f"timeout = {timeout!r}: expected a number of seconds above 0")
        experiment = dataclasses.replace(experiment, timeout=float(timeout))
    out = Path(out) if out is not None else Path("results") / "sweeps" / experiment.name
    plan = SweepPlan(experiment)
    file = portable_paths([experiment.file])[0] if experiment.file else None
    # The executor first: a scheduler that cannot be reached must not leave a folder behind.
    executor = make_executor(workers, scheduler)
    replaced = out.parent / f".{out.name}.replaced-{os.getpid()}"
    if overwrite and out.exists():
        out.rename(replaced)  # kept until the new sweep is done: nothing is lost on a crash
    try:
        folder = SweepFolder.open(
            out,
            experiment.resolved(),
            plan.points,
            resume=resume,
            experiment_file=file,
            final_values=final_values_entry(plan.windows()),
        )
    except BaseException:
        executor.close()
        if replaced.exists() and not out.exists():  # the new folder never started
            replaced.rename(out)
        raise
    started = datetime.now(UTC)
    status = "interrupted"
    try:
        done = np.zeros(plan.total, dtype=bool)
        done[folder.completed_runs()] = True
        failed = _counts(folder, plan.total)["error"]
        _Driver(plan, folder, executor, done, failed, progress, chunk_seconds).run()
        status = "complete"
    finally:
        described = executor.describe()
        executor.close()
        try:
            counts = _counts(folder, plan.total)
            if status == "complete" and counts["missing"]:
                status = "incomplete"
            folder.record_session(new_session(described, started), counts, status)
        finally:
            folder.close()
    if replaced.exists():
        shutil.rmtree(replaced)
    if status == "complete" and counts["ok"] == 0 and _all_lost(out):
        raise SweepError(
            f"every run of the sweep in {out} was lost: the workers died before running any. "
            "If run_sweep is called from a script, call it under "
            '`if __name__ == "__main__":` (the workers import the script again to start); '
            "the runs table has each worker's error"
        )
    return out


class SweepError(RuntimeError):
    """A sweep that ran nothing: every run was lost, or it was started from a worker.

    Local workers start by importing the script that started the sweep again (the
    ``forkserver`` and ``spawn`` start methods): a script that calls :func:`run_sweep` outside
    ``if __name__ == "__main__":`` makes each worker start a sweep of its own instead of
    running runs, and every run is lost.
    """


def _importing_main_again() -> bool:
    """Whether this call comes from a worker process running the main script to start."""
    import multiprocessing
    import traceback

    if multiprocessing.current_process().name == "MainProcess":
        return False
    return any(frame.name == "_fixup_main_from_path" for frame in traceback.extract_stack())


def _all_lost(out: Path) -> bool:
    """Whether every run recorded in the sweep folder ``out`` failed because its worker died."""
    import pyarrow.parquet as pq

    errors = [
        error
        for path in sorted((out / RUNS).glob("chunk-*.parquet"))
        for error in pq.read_table(path, columns=["error"]).column(0).to_pylist()
    ]
    return bool(errors) and all((e or "").startswith("WorkerLost") for e in errors)


def _counts(folder: SweepFolder, total: int) -> dict[str, int]:
    import pyarrow.parquet as pq

    ok = error = 0
    for path in sorted((folder.path / RUNS).glob("chunk-*.parquet")):
        status = pq.read_table(path, columns=["status"]).column(0).to_pylist()
        ok += status.count("ok")
        error += len(status) - status.count("ok")
    return {"total": total, "ok": ok, "error": error, "missing": total - ok - error}


class _Driver:
    """Keeps the executor busy with chunks, writes what comes back, sends lost chunks again."""

    def __init__(
        self,
        plan: SweepPlan,
        folder: SweepFolder,
        executor: LocalPool | DaskCluster,
        done: np.ndarray,
        failed: int,
        progress: Callable[[SweepProgress], None] | None,
        chunk_seconds: float,
    ):
        self.plan, self.folder, self.executor = plan, folder, executor
        self.progress = progress
        self.chunk_seconds = chunk_seconds
        self.missing = np.flatnonzero(~done)
        self.cursor = 0  # next index into self.missing to hand out
        self.retry: deque[Chunk] = deque()
        self.in_flight: dict[Any, Chunk] = {}
        self.resumed = int(done.sum())
        self.finished = self.resumed
        self.failed = failed
        self.run_seconds = 0.0  # summed over the runs seen, to size chunks
        self.runs_seen = 0

    def run(self) -> None:
        self._report()
        while True:
            self._fill()
            if not self.in_flight:
                return
            for future in self.executor.wait(list(self.in_flight), timeout=0.5):
                chunk = self.in_flight.pop(future)
                try:
                    result = self.executor.result(future)
                except WorkerLost as lost:
                    self._lost(chunk, str(lost))
                    continue
                self._write(chunk, result)

    def _fill(self) -> None:
        while len(self.in_flight) < self.executor.capacity():
            chunk = self.retry.popleft() if self.retry else self._next_chunk()
            if chunk is None:
                return
            self.in_flight[self.executor.submit(chunk)] = chunk

    def _next_chunk(self) -> Chunk | None:
        remaining = len(self.missing) - self.cursor
        if remaining <= 0:
            return None
        size = min(self._chunk_size(remaining), remaining)
        ids = self.missing[self.cursor : self.cursor + size].tolist()
        self.cursor += size
        return self.plan.chunk(ids)

    def _chunk_size(self, remaining: int) -> int:
        if not self.runs_seen:
            return 1  # the first runs measure how long a run takes
        per_run = max(self.run_seconds / self.runs_seen, 1e-6)
        by_time = math.ceil(self.chunk_seconds / per_run)
        # Near the end, smaller chunks (down to a quarter of the target) keep workers finishing
        # together instead of one worker running the last big chunk alone.
        slots = max(1, self.executor.capacity())
        fair = math.ceil(remaining / slots)
        return max(1, min(by_time, max(fair, math.ceil(by_time / 4))))

    def _lost(self, chunk: Chunk, reason: str) -> None:
        chunk.attempts += 1
        if chunk.attempts < MAX_ATTEMPTS:
            self.retry.append(chunk)
        elif len(chunk.runs) > 1:  # find the run that kills its worker: send them one by one
            for spec in chunk.runs:
                single = self.plan.chunk([spec.run_id])
                self.retry.append(single)
        else:
            message = (
                f"WorkerLost: the worker running this run died {chunk.attempts} times: {reason}"
            )
            rows = [
                {"run_id": s.run_id, "status": "error", "error": message, "wall_seconds": None}
                for s in chunk.runs
            ]
            self._write(chunk, ChunkResult(runs=rows))

    def _write(self, chunk: Chunk, result: ChunkResult) -> None:
        runs = self.plan.runs_table(chunk, result.runs)
        self.folder.write_chunk(runs, _frames(result.timeseries), _frames(result.territories))
        self.finished += len(result.runs)
        self.failed += sum(row["status"] != "ok" for row in result.runs)
        for row in result.runs:
            if row["wall_seconds"] is not None:
                self.run_seconds += row["wall_seconds"]
                self.runs_seen += 1
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(SweepProgress(self.plan.total, self.finished, self.failed, self.resumed))


def _frames(frames: list[pd.DataFrame]) -> pa.Table | None:
    if not frames:
        return None
    frame = pd.concat(frames, ignore_index=True)
    first = ["run_id", *(c for c in frame.columns if c != "run_id")]
    return pa.Table.from_pandas(frame[first], preserve_index=False)
