"""The sweep folder: Parquet chunks that appear whole or not at all, a manifest, a design table.

Layout of ``DIR``::

    manifest.json        resolved experiment, fingerprint, design, versions, git commit, counts
    design.parquet       one row per parameter point (point_id and one column per factor)
    runs/chunk-N.parquet one row per run: ids, seed, factors, final values, status, error, time
    timeseries/chunk-N.parquet   one row per run per step (if recorded)
    territories/chunk-N.parquet  one row per run per territory at the end (if recorded)

A chunk is written under a hidden temporary name, flushed to disk and renamed: a sweep killed
midway leaves at worst a temporary file, which never counts and is removed on resume. The runs
chunk is renamed last, so a run is done exactly when its row is in ``runs/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .results import ResultsError, git_commit, package_versions

MANIFEST = "manifest.json"
DESIGN = "design.parquet"
RUNS, TIMESERIES, TERRITORIES = "runs", "timeseries", "territories"
TABLES = (RUNS, TIMESERIES, TERRITORIES)
PARTIAL_SUFFIX = ".partial"
LOCK = ".lock"


def fingerprint(resolved: dict[str, Any], points: pd.DataFrame) -> str:
    """A hash of everything that decides the runs: the resolved experiment and every point."""
    digest = hashlib.sha256(json.dumps(resolved, sort_keys=True).encode())
    digest.update(points.to_json(orient="split", double_precision=15).encode())
    return digest.hexdigest()


class SweepFolder:
    """An open sweep folder, locked against a second sweep writing into it."""

    def __init__(self, path: Path, manifest: dict[str, Any], lock: Any):
        self.path = path
        self.manifest = manifest
        self._lock = lock
        self._next = 1 + max((_chunk_number(p) for p in self._chunk_files()), default=0)

    @classmethod
    def open(
        cls,
        path: Path,
        resolved: dict[str, Any],
        points: pd.DataFrame,
        *,
        resume: bool,
        experiment_file: str | None,
        final_values: dict[str, Any] | None = None,
    ) -> SweepFolder:
        """Start a new sweep folder, or reopen one to resume it (refused if its experiment differs).

        ``final_values`` says how the runs table's outcome values were measured (manifest).

        Raises
        ------
        ResultsError
            If the folder holds something else, another sweep is writing into it, or (with
            ``resume``) it was started from a different experiment.
        """
        key = fingerprint(resolved, points)
        manifest_path = path / MANIFEST
        existing = path.exists() and (
            not path.is_dir() or any(p.name != LOCK for p in path.iterdir())
        )
        if existing and not resume:
            raise ResultsError(
                f"{path}: already exists; resume that sweep to finish it, overwrite it, or "
                "choose another output folder"
            )
        if existing and not manifest_path.is_file():
            raise ResultsError(
                f"{path}: not a sweep folder (no {MANIFEST}); choose another output folder"
            )
        path.mkdir(parents=True, exist_ok=True)
        lock = _lock(path)
        if existing:
            manifest = _read_manifest(path)
            if manifest.get("fingerprint") != key:
                lock.close()
                changed = _changed_keys(manifest.get("experiment", {}), resolved)
                what = ", ".join(changed) if changed else "the design points (a different SALib?)"
                raise ResultsError(
                    f"{path}: was started from a different experiment (changed: {what}); "
                    "restore the experiment file to resume, or run it into another output folder"
                )
        else:
            manifest = {
                "kind": "sweep",
                "experiment_file": experiment_file,
                "fingerprint": key,
                "experiment": resolved,
                "design": {**resolved["design"], "points": len(points), "table": DESIGN},
                "final_values": final_values,
                "sessions": [],
                "status": "running",
            }
            _write_manifest(path, manifest)
        if not (path / DESIGN).is_file():
            _write_atomic(path / DESIGN, lambda tmp: points.reset_index().to_parquet(tmp))
        for table in TABLES:
            (path / table).mkdir(exist_ok=True)
        folder = cls(path, manifest, lock)
        folder._clean()
        return folder

    def completed_runs(self) -> np.ndarray:
        """Ids of the runs whose rows are in ``runs/`` (done, whether ok or error)."""
        ids = [
            pq.read_table(p, columns=["run_id"]).column(0).to_numpy()
            for p in sorted((self.path / RUNS).glob("chunk-*.parquet"))
        ]
        return np.concatenate(ids) if ids else np.empty(0, dtype=np.int64)

    def write_chunk(
        self, runs: pa.Table, timeseries: pa.Table | None, territories: pa.Table | None
    ) -> None:
        """Write one chunk's tables; the runs table last, as the mark that the chunk is done."""
        name = f"chunk-{self._next:06d}.parquet"
        self._next += 1
        for table, data in ((TIMESERIES, timeseries), (TERRITORIES, territories), (RUNS, runs)):
            if data is not None and data.num_rows:
                _write_atomic(self.path / table / name, lambda tmp, d=data: pq.write_table(d, tmp))

    def record_session(self, session: dict[str, Any], counts: dict[str, int], status: str) -> None:
        """Write the manifest with this session's details and the counts found on disk."""
        self.manifest["sessions"] = [*self.manifest.get("sessions", []), session]
        self.manifest["counts"] = counts
        self.manifest["status"] = status
        _write_manifest(self.path, self.manifest)

    def close(self) -> None:
        """Release the folder's lock."""
        self._lock.close()

    def _chunk_files(self) -> Iterator[Path]:
        for table in TABLES:
            yield from (self.path / table).glob("chunk-*.parquet")

    def _clean(self) -> None:
        """Remove what a killed sweep left: temporary files, and tables of unfinished chunks."""
        done = {p.name for p in (self.path / RUNS).glob("chunk-*.parquet")}
        for leftover in self.path.glob(f".*{PARTIAL_SUFFIX}"):
            leftover.unlink()
        for table in TABLES:
            for leftover in (self.path / table).glob(f".*{PARTIAL_SUFFIX}"):
                leftover.unlink()
            if table != RUNS:
                for orphan in (self.path / table).glob("chunk-*.parquet"):
                    if orphan.name not in done:
                        orphan.unlink()


def new_session(executor: dict[str, Any], started: datetime) -> dict[str, Any]:
    """The manifest entry of one sweep session (a sweep resumed twice has three)."""
    return {
        **executor,
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "versions": package_versions(),  # SALib and Dask included
        "git_commit": git_commit(),
    }


def load_runs(folder: str | Path) -> pd.DataFrame:
    """The runs of a sweep folder, one row per run, sorted by ``run_id``.

    Examples
    --------
    >>> runs = load_runs("results/sweeps/engineering_vs_funding")  # doctest: +SKIP
    >>> runs.groupby("engineering.state_support")["cooperation_rate"].mean()  # doctest: +SKIP
    """
    return _load(folder, RUNS)


def load_timeseries(folder: str | Path) -> pd.DataFrame:
    """The per-step rows of a sweep that recorded them (``[record] timeseries = true``)."""
    return _load(folder, TIMESERIES, sort=["run_id", "step"])


def load_territories(folder: str | Path) -> pd.DataFrame:
    """The per-territory rows of a sweep that recorded them (``[record] territories = true``)."""
    return _load(folder, TERRITORIES, sort=["run_id", "id"])


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """A sweep folder's manifest."""
    return _read_manifest(Path(folder))


def _load(folder: str | Path, table: str, sort: list[str] | None = None) -> pd.DataFrame:
    path = Path(folder)
    if not (path / MANIFEST).is_file():
        raise ResultsError(f"{path}: not a sweep folder (no {MANIFEST})")
    files = sorted((path / table).glob("chunk-*.parquet"))
    if not files:
        if table != RUNS:
            raise ResultsError(f"{path}: no {table} recorded (set [record] {table} = true)")
        return pd.DataFrame(columns=["run_id"])
    try:
        frame = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    except Exception as error:  # pyarrow raises several types for damaged files
        raise ResultsError(f"{path / table}: unreadable chunk: {error}") from None
    return frame.sort_values(sort or ["run_id"], kind="stable").reset_index(drop=True)


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ResultsError(f"{path / MANIFEST}: unreadable manifest: {error}") from None


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    _write_atomic(path / MANIFEST, lambda tmp: Path(tmp).write_text(text, "utf-8"))


def _changed_keys(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    keys = sorted(set(old) | set(new))
    return [k for k in keys if old.get(k) != new.get(k)]


def _chunk_number(path: Path) -> int:
    try:
        return int(path.stem.removeprefix("chunk-"))
    except ValueError:
        return 0


def _lock(path: Path) -> Any:
    """Hold an exclusive lock on the folder; the system drops it if this process dies."""
    handle = (path / LOCK).open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ResultsError(f"{path}: another sweep is writing into this folder") from None
    return handle


def _write_atomic(target: Path, write: Any) -> None:
    """Write through ``write(temporary path)``, flush it to disk, then rename it into place."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}{PARTIAL_SUFFIX}")
    try:
        write(str(tmp))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
