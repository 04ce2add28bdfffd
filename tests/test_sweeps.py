"""Sweeps end to end: real worker processes, a real Dask cluster, real SIGKILLs.

Every sweep here runs the small classroom region for a few years, so that a whole sweep takes
about a second of work; chunks are made small where a test needs many of them.
"""

import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from cohesim.experiments import ExperimentError, load_experiment, load_runs, run_sweep
from cohesim.experiments.cli.progress import SweepSpeed
from cohesim.experiments.results import ResultsError
from cohesim.experiments.sweep import SweepProgress
from cohesim.experiments.sweep_store import read_manifest

from helpers import BIN, COHESIM, copy_scenarios, free_port, invoke, write

WAIT = 90.0  # upper bound on any wait for a process or a file (seconds)

EXPERIMENT = """
name = "small"
scenarios = ["../scenarios/classroom.toml", "../scenarios/classroom_fermi.toml"]
design = "grid"
replicates = 3
seed = 7
steps = 3

[parameters]
"engineering.state_support" = [0.0, 0.25, 0.5]
"funding.matching_share" = { min = 0.0, max = 0.8, count = 3 }
"""
FERMI = 'extends = "classroom.toml"\nname = "classroom_fermi"\n[update]\nrule = "fermi"\n'


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A working folder with the shipped scenarios, a variant, and the small experiment."""
    root = tmp_path_factory.mktemp("project")
    copy_scenarios(root)
    (root / "scenarios" / "classroom_fermi.toml").write_text(FERMI)
    (root / "experiments").mkdir()
    (root / "experiments" / "small.toml").write_text(EXPERIMENT)
    return root


@pytest.fixture(scope="module")
def reference(project, tmp_path_factory) -> pd.DataFrame:
    """The small experiment swept on one local worker: what every other way must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    run_sweep(project / "experiments" / "small.toml", out, workers=1)
    return comparable(out)


def comparable(folder: Path) -> pd.DataFrame:
    """The runs table without timings, which differ run to run."""
    runs = load_runs(folder)
    assert runs["run_id"].is_unique
    return runs.drop(columns=["wall_seconds"])


def stop(process: subprocess.Popen) -> None:
    """End a process started in its own session, and everything it started; wait for it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):  # children left behind by a dead leader
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def dask_cluster():
    """A real `dask scheduler` and `dask worker` (2 processes) on 127.0.0.1, torn down after."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = []
    try:
        started.append(
            subprocess.Popen(
                [
                    *(BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port)),
                    *("--dashboard-address", "127.0.0.1:0", "--no-show"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        started.append(
            subprocess.Popen(
                [
                    *(BIN / "dask", "worker", address, "--host", "127.0.0.1", "--nworkers", "2"),
                    *("--nthreads", "1", "--no-dashboard"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=WAIT)
        yield address
    finally:
        for process in reversed(started):
            stop(process)


# ---------------------------------------------------------------------------
# Same results whatever runs them
# ---------------------------------------------------------------------------


def test_reference_sweep_is_complete_and_seeded_per_run(reference):
    assert len(reference) == 2 * 9 * 3
    assert (reference["status"] == "ok").all()
    assert reference["seed"].is_unique
    assert set(reference["scenario"]) == {"classroom", "classroom_fermi"}
    assert list(reference["run_id"]) == list(range(len(reference)))


def test_two_workers_give_the_same_runs(project, reference, tmp_path):
    reports = []
    out = run_sweep(
        project / "experiments" / "small.toml", tmp_path / "two", workers=2, progress=reports.append
    )
    pd.testing.assert_frame_equal(comparable(out), reference)
    assert read_manifest(out)["sessions"][-1]["workers"] == 2
    check_live_progress(reports, len(reference))


def test_a_dask_cluster_gives_the_same_runs(project, reference, tmp_path, dask_cluster):
    reports = []
    out = run_sweep(
        project / "experiments" / "small.toml",
        tmp_path / "dask",
        scheduler=dask_cluster,
        progress=reports.append,
    )
    pd.testing.assert_frame_equal(comparable(out), reference)
    assert read_manifest(out)["sessions"][-1]["executor"] == "dask"
    check_live_progress(reports, len(reference))


def check_live_progress(reports: list[SweepProgress], total: int) -> None:
    """Progress came as runs finished (not once at the end), and feeds a speed and time left."""
    done = [r.done for r in reports]
    assert done[0] == 0 and done[-1] == total and done == sorted(done)
    assert len(set(done)) > 2  # reported along the way
    assert {r.total for r in reports} == {total}
    ticks = iter(range(1000))
    speed = SweepSpeed(clock=lambda: float(next(ticks)))  # one second per reading
    for report in reports:
        speed.update(report.done, report.resumed, report.total)
    assert speed.runs_per_second is not None and speed.runs_per_second > 0
    assert speed.left() == 0.0  # all done


def test_a_dask_worker_killed_midway_does_not_lose_runs(project, reference, tmp_path, dask_cluster):
    from distributed import Client

    with Client(dask_cluster, timeout="30s") as client:
        pids = list(client.run(os.getpid).values())
    killed = []

    def kill_one(progress):
        if progress.done >= 2 and not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    out = run_sweep(
        project / "experiments" / "small.toml",
        tmp_path / "killed",
        scheduler=dask_cluster,
        progress=kill_one,
        chunk_seconds=0.02,
    )
    assert killed
    pd.testing.assert_frame_equal(comparable(out), reference)
    with Client(dask_cluster, timeout="30s") as client:  # the nanny replaced it
        client.wait_for_workers(2, timeout=WAIT)


def test_a_local_worker_killed_midway_is_replaced(project, reference, tmp_path):
    import psutil

    killed = []

    def kill_one(progress):
        if progress.done >= 2 and not killed:
            # the pool's workers: leaves of this process tree, but not the module's Dask
            # scheduler (also a leaf), which later tests still use
            workers = [
                p
                for p in psutil.Process().children(recursive=True)
                if not p.children()
                and "resource_tracker" not in " ".join(p.cmdline())
                and "dask" not in " ".join(p.cmdline())
            ]
            workers[0].kill()
            killed.append(workers[0].pid)

    out = run_sweep(
        project / "experiments" / "small.toml",
        tmp_path / "local-killed",
        workers=2,
        progress=kill_one,
        chunk_seconds=0.02,
    )
    assert killed
    pd.testing.assert_frame_equal(comparable(out), reference)


# ---------------------------------------------------------------------------
# Crashes and resume
# ---------------------------------------------------------------------------

SWEEP_IN_CHILD = (
    "import sys; from cohesim.experiments import run_sweep; "
    "run_sweep(sys.argv[1], sys.argv[2], workers=2, resume=True, chunk_seconds=0.01)"
)


def chunks_in(folder: Path) -> int:
    return len(list((folder / "runs").glob("chunk-*.parquet")))


def test_sigkill_at_random_points_then_resume_equals_an_uninterrupted_sweep(
    project, reference, tmp_path
):
    out = tmp_path / "crashed"
    experiment = project / "experiments" / "small.toml"
    chooser = random.Random(20260101)
    kills = 0
    for _ in range(3):
        target = chunks_in(out) + chooser.randint(1, 4) if out.exists() else chooser.randint(1, 4)
        child = subprocess.Popen(
            [sys.executable, "-c", SWEEP_IN_CHILD, experiment, out], start_new_session=True
        )
        try:
            deadline = time.monotonic() + WAIT
            while child.poll() is None and time.monotonic() < deadline:
                if out.exists() and chunks_in(out) >= target:
                    os.killpg(child.pid, signal.SIGKILL)
                    kills += 1
                    break
                time.sleep(0.005)
            child.wait(timeout=WAIT)
        finally:
            stop(child)
    assert kills >= 2, "the sweep finished before it could be killed: make it longer"
    assert len(load_runs(out)) < len(reference)
    done = subprocess.run(
        [COHESIM, "sweep", experiment, "--out", out, "--resume", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 0, done.stderr
    pd.testing.assert_frame_equal(comparable(out), reference)
    manifest = read_manifest(out)
    assert manifest["counts"] == {"total": 54, "ok": 54, "error": 0, "missing": 0}
    assert manifest["status"] == "complete"


def test_a_partial_chunk_never_counts(project, reference, tmp_path):
    out = run_sweep(project / "experiments" / "small.toml", tmp_path / "partial", workers=1)
    # What a sweep killed while writing leaves: a temporary file, and a chunk whose runs are
    # not in runs/ (its time series was written first).
    first = sorted((out / "runs").glob("chunk-*.parquet"))[-1]
    (out / "runs" / f".{first.name}.123.partial").write_bytes(first.read_bytes()[:100])
    first.rename(out / "timeseries" / first.name)
    run_sweep(project / "experiments" / "small.toml", out, workers=1, resume=True)
    pd.testing.assert_frame_equal(comparable(out), reference)
    assert not list(out.rglob("*.partial"))


def test_resume_refuses_a_changed_experiment(project, tmp_path):
    out = run_sweep(project / "experiments" / "small.toml", tmp_path / "changed", workers=1)
    changed = write(
        project / "experiments" / "small_changed.toml",
        EXPERIMENT.replace("replicates = 3", "replicates = 4"),
    )
    done = subprocess.run(
        [COHESIM, "sweep", changed, "--out", out, "--resume"],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert done.returncode == 2
    assert "started from a different experiment (changed: replicates)" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_existing_folder_needs_resume_or_overwrite(project, tmp_path, reference):
    experiment = project / "experiments" / "small.toml"
    out = run_sweep(experiment, tmp_path / "twice", workers=1)
    # the Python API's messages name no command-line flag
    with pytest.raises(ResultsError, match="already exists; resume that sweep") as refused:
        run_sweep(experiment, out, workers=1)
    assert "--" not in str(refused.value)
    with pytest.raises(ValueError, match="resume and overwrite exclude each other"):
        run_sweep(experiment, out, workers=1, resume=True, overwrite=True)
    (out / "note.txt").write_text("from the first sweep")
    again = run_sweep(experiment, out, workers=1, overwrite=True)
    assert again == out and not (out / "note.txt").exists()
    pd.testing.assert_frame_equal(comparable(out), reference)
    assert [p.name for p in tmp_path.iterdir()] == ["twice"]  # the old folder is gone
    # outside the working folder, the manifest records the file's name, not this machine's path
    assert read_manifest(out)["experiment_file"] == "small.toml"


# ---------------------------------------------------------------------------
# Failing runs
# ---------------------------------------------------------------------------


def test_a_point_that_raises_is_recorded_and_the_rest_completes(project, tmp_path):
    # Three métropoles among two urban centres: the model's parameters reject that point.
    experiment = write(
        project / "experiments" / "failing.toml",
        'name = "failing"\nscenario = "../scenarios/classroom.toml"\nseed = 1\nsteps = 2\n'
        'replicates = 2\n[parameters]\n"geometry.n_metropoles" = [0, 1, 3]\n',
    )
    done = subprocess.run(
        [COHESIM, "sweep", experiment, "--out", tmp_path / "failing", "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert done.returncode == 3, done.stderr
    assert "4 ok, 2 failed, 0 missing of 6 runs" in done.stdout
    runs = load_runs(tmp_path / "failing")
    failed = runs[runs["status"] == "error"]
    assert list(failed["geometry.n_metropoles"]) == [3, 3]
    assert failed["error"].str.contains("n_metropoles = 3 exceeds n_urban = 2").all()
    assert failed["gini"].isna().all()
    ok = runs[runs["status"] == "ok"]
    assert ok["error"].isna().all() and ok["gini"].notna().all()


UNGUARDED = """
from cohesim.experiments import run_sweep

run_sweep("experiments/tiny.toml", "out", workers=1)  # no `if __name__ == "__main__":`
print("the script went on as if the sweep had worked")
"""
TINY = """
name = "tiny"
scenario = "../scenarios/classroom.toml"
design = "grid"
replicates = 2
seed = 1
steps = 1

[parameters]
"funding.matching_share" = [0.0]
"""


def test_a_script_without_a_main_guard_fails_loudly(tmp_path):
    # issue "what a newcomer hit": run_sweep in a plain script recorded every run as lost
    # (workers import the script again and start sweeps of their own) and exited 0
    copy_scenarios(tmp_path)
    write(tmp_path / "experiments" / "tiny.toml", TINY)
    script = write(tmp_path / "script.py", UNGUARDED)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode != 0
    assert "went on" not in done.stdout
    assert "every run of the sweep" in done.stderr
    assert 'if __name__ == "__main__":' in done.stderr


def test_the_command_line_names_its_flags_where_python_does_not(project, tmp_path):
    experiment = project / "experiments" / "small.toml"
    out = run_sweep(experiment, tmp_path / "once", workers=1)
    refused = invoke("sweep", experiment, "--out", out, "--workers", "1")
    assert refused.exit_code == 2
    assert "pass --resume to finish that sweep, --overwrite to replace it" in refused.stderr
    both = invoke("sweep", experiment, "--out", out, "--resume", "--overwrite")
    assert both.exit_code == 2 and "exclude each other" in both.stderr


def test_a_run_past_its_timeout_is_an_error_row_and_the_sweep_goes_on(project, tmp_path):
    # issue "users' first hour": one hung parameter point held a sweep forever
    experiment = write(
        project / "experiments" / "slow.toml",
        'name = "slow"\nscenario = "../scenarios/classroom.toml"\nseed = 1\nsteps = 3\n'
        "timeout = 600\n"
        '[parameters]\n"geometry.n" = [30, 40]\n',
    )
    assert load_experiment(experiment).timeout == 600.0
    within = invoke("sweep", experiment, "--out", tmp_path / "ok", "--workers", "1")
    assert within.exit_code == 0, within.stderr
    # --timeout overrides the file's; no run can take less than a nanosecond
    past = ("--out", tmp_path / "late", "--workers", "1", "--timeout", "1e-9")
    result = invoke("sweep", experiment, *past)
    assert result.exit_code == 3, result.stderr  # runs failed, every one recorded
    runs = load_runs(tmp_path / "late")
    assert list(runs["status"]) == ["error", "error"]
    assert all(e.startswith("timeout: past 1e-09 s after 1 of 3 steps") for e in runs["error"])


def test_a_bad_timeout_is_refused(project):
    bad = write(
        project / "experiments" / "bad_timeout.toml",
        'scenario = "../scenarios/classroom.toml"\nseed = 1\ntimeout = -3\n'
        '[parameters]\n"geometry.n" = [30]\n',
    )
    with pytest.raises(
        ExperimentError, match="timeout = -3 is not allowed: expected a number of seconds"
    ):
        load_experiment(bad)


@pytest.mark.parametrize("quiet", [False, True])
def test_the_progress_bar_shows_on_a_terminal_unless_quiet(project, tmp_path, monkeypatch, quiet):
    from rich.console import Console

    from cohesim.experiments.cli.errors import err

    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    monkeypatch.setattr(err, "is_interactive", True)  # decided when the console was made
    experiment = project / "experiments" / "small.toml"
    flags = ("--quiet",) if quiet else ()
    result = invoke("sweep", experiment, "--out", tmp_path / "bar", "--workers", "1", *flags)
    assert result.exit_code == 0, result.stderr
    assert ("runs/s" in result.stderr) is not quiet
    assert ("54/54" in result.stderr) is not quiet


def test_no_progress_bar_when_stderr_is_not_a_terminal(project, tmp_path):
    result = invoke("sweep", project / "experiments" / "small.toml", "--out", tmp_path / "b")
    assert result.exit_code == 0, result.stderr
    assert "runs/s" not in result.stderr and result.stderr.strip() == ""


def _files(root: Path) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob("*")}


def test_a_dry_run_prints_the_size_and_an_estimate_and_writes_nothing(
    project, tmp_path, monkeypatch
):
    monkeypatch.chdir(project)  # where the default folder, results/sweeps/small, would go
    before = _files(project)
    result = invoke("sweep", "experiments/small.toml", "--dry-run", "--workers", "2")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "small: grid design, 2 scenarios × 9 points × 3 replicates = 54 runs"
    assert lines[1] == "executor: local, 2 workers"
    assert lines[2].startswith("timed 3 runs here, one at a time: ")
    assert re.match(r"estimated time: \d+:\d\d:\d\d \(54 runs × [\d.]+ s / 2\)", lines[3])
    assert "nothing written" in lines[-1] and "results/sweeps/small" in lines[-1]
    assert _files(project) == before
    elsewhere = invoke("sweep", "experiments/small.toml", "--dry-run", "--out", tmp_path / "d")
    assert elsewhere.exit_code == 0 and not (tmp_path / "d").exists()


def test_a_dry_run_on_a_dask_cluster_counts_its_workers(project, tmp_path, dask_cluster):
    experiment = project / "experiments" / "small.toml"
    args = ("--dry-run", "--scheduler", dask_cluster, "--out", tmp_path / "d")
    result = invoke("sweep", experiment, *args)
    assert result.exit_code == 0, result.stderr
    assert f"executor: dask, 2 workers at {dask_cluster}" in result.stdout
    assert not (tmp_path / "d").exists()


def test_the_estimate_scales_the_timed_runs_over_the_workers():
    from cohesim.experiments.sweep_estimate import SweepEstimate

    estimate = SweepEstimate(
        "e", "grid", 1, 10, 3, 30, {"executor": "local", "workers": 4}, (1.0, 2.0, 3.0), 0
    )
    assert estimate.seconds_per_run == 2.0
    assert estimate.seconds == 8 * 2.0  # 30 runs on 4 workers: 8 rounds
    assert "estimated time: 0:00:16 (30 runs × 2.00 s / 4)" in "\n".join(estimate.lines())
