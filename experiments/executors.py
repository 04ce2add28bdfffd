"""Where chunks run: a local process pool, or a Dask distributed cluster.

Both give the sweep the same four operations: how many chunks to keep in flight, submit a chunk,
wait for some to finish, and take a finished chunk's result — or learn that the worker running
it was lost (:class:`WorkerLost`), in which case the sweep sends the chunk again. Workers stay
alive across chunks, so each pays the cost of importing the model (about two seconds) once;
the process that submits chunks never imports it.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import socket
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from typing import Any
from urllib.parse import urlsplit

from .chunks import WORKER_MODULES, Chunk, ChunkResult, run_chunk, start_worker

CONNECT_TIMEOUT = "20s"


class WorkerLost(RuntimeError):
    """The worker running a chunk died (killed, out of memory, node lost) before answering."""


class ExecutorError(ValueError):
    """An executor that cannot be started (e.g. a scheduler that cannot be reached)."""


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class LocalPool:
    """A pool of worker processes on this machine.

    Workers start with ``forkserver`` where available (else ``spawn``) through a context object:
    the global start method is left alone, and no worker inherits the parent's threads or locks.
    A pool broken by a dead worker is replaced by a new one.
    """

    def __init__(self, workers: int | None = None):
        self.workers = workers or default_workers()
        methods = multiprocessing.get_all_start_methods()
        self._context: BaseContext
        if "forkserver" in methods:
            self._context = multiprocessing.get_context("forkserver")
            # The server imports the model once; workers fork from it ready to run, instead of
            # each paying the import (about two seconds, and more when started side by side).
            self._context.set_forkserver_preload([run_chunk.__module__, *WORKER_MODULES])
            # Started now, the server imports while this process plans the design and opens the
            # sweep folder, instead of after (the first chunk's submit waits for it).
            forkserver.ensure_running()
        else:
            self._context = multiprocessing.get_context("spawn")
        self._pool = self._start()
        self._pool_of: dict[cf.Future, cf.ProcessPoolExecutor] = {}

    def describe(self) -> dict[str, Any]:
        """What ran the sweep, for the manifest."""
        return {"executor": "local", "workers": self.workers}

    def capacity(self) -> int:
        """Chunks to keep in flight: one running and one waiting per worker."""
        return 2 * self.workers

    def submit(self, chunk: Chunk) -> cf.Future:
        """Send a chunk to the pool."""
        future = self._pool.submit(run_chunk, chunk)
        self._pool_of[future] = self._pool
        return future

    def wait(self, futures: list[cf.Future], timeout: float) -> set[cf.Future]:
        """The futures among ``futures`` that are done, waiting at most ``timeout`` seconds."""
        done, _ = cf.wait(futures, timeout=timeout, return_when=cf.FIRST_COMPLETED)
        return done

    def result(self, future: cf.Future) -> ChunkResult:
        """The chunk's rows; :class:`WorkerLost` if its worker died."""
        pool = self._pool_of.pop(future)
        try:
            return future.result()
        except cf.process.BrokenProcessPool as error:
            if pool is self._pool:  # the first loss seen from this pool: replace it
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
            raise WorkerLost(f"a worker process died ({error})") from None
        except Exception as error:  # e.g. a result that cannot be pickled back
            raise WorkerLost(f"{type(error).__name__}: {error}") from None

    def close(self) -> None:
        """Stop the workers (they finish nothing more)."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _start(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            self.workers, mp_context=self._context, initializer=start_worker
        )


class DaskCluster:
    """A Dask distributed cluster reached through its scheduler (``tcp://host:8786``).

    Dask itself reschedules the tasks of a worker that dies; a task whose workers died too often
    (Dask's ``allowed-failures``) comes back as :class:`WorkerLost` and is sent again.
    """

    def __init__(self, address: str):
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - distributed is a dependency
            raise ExecutorError(
                "--scheduler needs dask[distributed]: pip install 'dask[distributed]'"
            ) from None
        self.address = address
        _check_reachable(address)
        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {address}: {error}; start one with "
                "`dask scheduler` and check the address (tcp://HOST:PORT)"
            ) from None

    def describe(self) -> dict[str, Any]:
        """What ran the sweep, for the manifest."""
        return {"executor": "dask", "scheduler": self.address, "workers": self._threads()}

    def capacity(self) -> int:
        """Chunks to keep in flight: two per worker thread (at least two while none is up)."""
        return 2 * max(1, self._threads())

    def submit(self, chunk: Chunk) -> Any:
        """Send a chunk to the cluster (``pure=False``: two equal chunks are two tasks)."""
        return self._client.submit(run_chunk, chunk, pure=False)

    def wait(self, futures: list[Any], timeout: float) -> set[Any]:
        """The futures among ``futures`` that are done, waiting at most ``timeout`` seconds."""
        from distributed import wait

        try:
            with self._client.as_current():  # not the default client: say which one
                done, _ = wait(futures, timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        return set(done)

    def result(self, future: Any) -> ChunkResult:
        """The chunk's rows; :class:`WorkerLost` if the cluster lost it."""
        try:
            return future.result()
        except Exception as error:  # KilledWorker, CommClosedError, a lost scheduler...
            raise WorkerLost(f"{type(error).__name__}: {error}") from None
        finally:
            future.release()

    def close(self) -> None:
        """Cancel what is still queued and disconnect (the cluster keeps running)."""
        self._client.close()

    def _threads(self) -> int:
        workers = self._client.scheduler_info().get("workers", {})
        return sum(w.get("nthreads", 1) for w in workers.values())


def _check_reachable(address: str) -> None:
    """Fail fast on a closed port (Dask's client retries until its timeout, 20 s)."""
    parsed = urlsplit(address)
    if parsed.scheme != "tcp" or not parsed.hostname or not parsed.port:
        if "://" not in address:
            raise ExecutorError(f"--scheduler {address}: expected tcp://HOST:PORT")
        return  # tls://, ucx://...: let Dask check
    try:
        socket.create_connection((parsed.hostname, parsed.port), timeout=5).close()
    except OSError as error:
        raise ExecutorError(
            f"cannot reach the Dask scheduler at {address}: {error}; start one with "
            "`dask scheduler` and check the address (tcp://HOST:PORT)"
        ) from None


def make_executor(workers: int | None, scheduler: str | None) -> LocalPool | DaskCluster:
    """A Dask cluster if ``scheduler`` is given, else a local pool of ``workers`` processes."""
    if scheduler is not None:
        if workers is not None:
            raise ExecutorError(
                "--workers is for the local pool; with --scheduler the cluster's workers run the "
                "sweep (start more with `dask worker`)"
            )
        return DaskCluster(scheduler)
    return LocalPool(local_workers(workers))


def local_workers(workers: int | None) -> int:
    """The local pool's size: ``workers``, checked, or all cores."""
    if workers is not None and workers < 1:
        raise ExecutorError(f"--workers = {workers}: expected at least 1")
    return workers or default_workers()
