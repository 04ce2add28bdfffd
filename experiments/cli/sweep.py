"""``cohesim sweep``: run an experiment file's runs on local cores or a Dask cluster."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from ..experiment_file import Experiment, ExperimentError, load_experiment
from .errors import INTERRUPTED, RUNS_FAILED, bad_input, err, fail
from .progress import SweepSpeed, SweepSpeedColumn, progress_bar

# The sweep machinery (pandas, pyarrow, the model in its workers) is imported when the command
# runs, not for `cohesim sweep --help`.
if TYPE_CHECKING:
    from ..sweep import SweepProgress


@click.command()
@click.argument("experiment", type=click.Path(path_type=Path))
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Local worker processes [default: all cores]. Not with --scheduler.",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="Run on the Dask cluster of this scheduler instead of local processes.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Sweep folder [default: results/sweeps/NAME].",
)
@click.option("--resume", is_flag=True, help="Finish the sweep in --out: run only what is missing.")
@click.option(
    "--overwrite", is_flag=True, help="Replace the sweep folder if it exists (not with --resume)."
)
@click.option(
    "--timeout",
    type=click.FloatRange(0, min_open=True),
    metavar="SECONDS",
    help="Seconds each run may take [default: the experiment file's timeout, else none]; a run "
    "past it is recorded as an error 'timeout' and the sweep goes on.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print the design size, the executor and a time estimated from a few runs timed "
    "here; run nothing else and write nothing.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress bar (there is none when stderr is not a terminal).",
)
def sweep(
    experiment: Path,
    workers: int | None,
    scheduler: str | None,
    out: Path | None,
    resume: bool,
    overwrite: bool,
    timeout: float | None,
    dry_run: bool,
    quiet: bool,
) -> None:
    """Run every run of EXPERIMENT (a TOML experiment file) and write a sweep folder.

    The folder holds runs/*.parquet (one row per run: ids, seed, the varied parameters, each
    outcome's final value, status and error), manifest.json and design.parquet. Chunks appear
    whole as they finish; after a crash or Ctrl-C, run the same command with --resume.

    Exit codes: 0 every run ok, 3 some runs failed (their errors are in the runs table),
    2 bad input, 130 interrupted.
    """
    from ..executors import ExecutorError
    from ..results import ResultsError
    from ..sweep import SweepError, run_sweep
    from ..sweep_store import read_manifest

    if resume and overwrite:
        fail("--resume and --overwrite exclude each other: finish the sweep, or replace it")
    with bad_input(ExperimentError):
        loaded = load_experiment(experiment)
    folder = out if out is not None else Path("results") / "sweeps" / loaded.name
    if dry_run:
        _dry_run(loaded, folder, workers, scheduler, timeout, resume or overwrite, quiet)
        return
    speed = SweepSpeed()
    counted = "runs, [red]{task.fields[failed]} failed[/]"
    with (
        bad_input(ExperimentError, ResultsError, ExecutorError),
        progress_bar(
            loaded.name,
            counted,
            disable=quiet or not err.is_terminal,
            extra=(SweepSpeedColumn(speed),),
        ) as bar,
    ):
        task = bar.add_task("sweep", total=None, failed=0)

        def show(p: SweepProgress) -> None:
            speed.update(p.done, p.resumed, p.total)
            bar.update(task, total=p.total, completed=p.done, failed=p.failed)

        try:
            run_sweep(
                loaded,
                folder,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                overwrite=overwrite,
                timeout=timeout,
                progress=show,
            )
        except SweepError as error:  # every run lost: nothing to report but why
            bar.stop()
            fail(str(error), code=RUNS_FAILED)
        except KeyboardInterrupt:
            bar.stop()
            err.print(f"interrupted: finish it with `--resume --out {escape(str(folder))}`")
            sys.exit(INTERRUPTED)
    counts = read_manifest(folder)["counts"]
    click.echo(
        f"{counts['ok']} ok, {counts['error']} failed, {counts['missing']} missing "
        f"of {counts['total']} runs → {folder}"
    )
    if counts["error"] or counts["missing"]:
        sys.exit(RUNS_FAILED)


def _dry_run(
    experiment: Experiment,
    folder: Path,
    workers: int | None,
    scheduler: str | None,
    timeout: float | None,
    replacing: bool,
    quiet: bool,
) -> None:
    """Print what the sweep would do and how long it would take; write nothing."""
    from ..executors import ExecutorError
    from ..sweep_estimate import TIMED_RUNS, estimate_sweep

    spinner = err.status(f"timing {TIMED_RUNS} runs") if err.is_terminal and not quiet else None
    with bad_input(ExperimentError, ExecutorError), spinner or nullcontext():
        estimate = estimate_sweep(experiment, workers=workers, scheduler=scheduler, timeout=timeout)
    for line in estimate.lines():
        click.echo(line)
    taken = folder.exists() and not replacing
    advice = " (it exists: add --resume or --overwrite)" if taken else ""
    click.echo(f"dry run: nothing written; the sweep would write {folder}{advice}")
