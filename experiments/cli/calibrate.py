"""``cohesim calibrate``: rejection ABC on a calibration sweep, written out ready for the docs.

A thin command over :func:`cohesim.analysis.calibration.calibrate`. Given an experiment file it
first runs (or finishes) that sweep; given a sweep folder it only reads it. Its output folder
appears complete or not at all.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from ..experiment_file import Experiment, ExperimentError, load_experiment
from .errors import INTERRUPTED, bad_input, err, fail
from .progress import progress_bar

# The sweep and the results store (pandas, pyarrow, the model) are imported when the command
# runs, not for `cohesim calibrate --help`.
if TYPE_CHECKING:
    from ..sweep import SweepProgress


@click.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output folder [default: SWEEP/calibration].",
)
@click.option(
    "--quantile",
    default=0.1,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="Share of the design's points accepted: the closest to the targets.",
)
@click.option("--fit", "fit_scenario", help="Scenario fitted [default: the sweep's first].")
@click.option(
    "--holdout",
    metavar="FITTED:TESTED",
    help="Hold-out pair of scenarios [default: the sweep's second and third, if it has three].",
)
@click.option(
    "--reruns",
    default=20,
    show_default=True,
    type=click.IntRange(0),
    help="Accepted runs run again (closest first) for the checks the runs table lacks.",
)
@click.option(
    "--screening",
    type=click.Path(path_type=Path),
    help="A Morris sweep folder, or its experiment file (run first), for the screening table.",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    help="Local worker processes when a sweep must run [default: all cores].",
)
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
def calibrate(
    source: Path,
    out: Path | None,
    quantile: float,
    fit_scenario: str | None,
    holdout: str | None,
    reruns: int,
    screening: Path | None,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Fit the calibration targets by rejection ABC on SOURCE (sweep folder or experiment file).

    An experiment file is swept first into results/sweeps/NAME (finished if interrupted, read
    as is if complete). The output folder holds calibration.md (fit, posterior, hold-out and
    screening tables for docs/calibration.md), defaults.toml (the accepted medians, to paste
    into the declarations) and the tables as CSV.
    """
    from cohesim.analysis.calibration import calibrate as run_calibration
    from cohesim.analysis.calibration import calibration_markdown, defaults_toml, unreached

    from ..results import ResultsError, atomic_folder, check_output_folder

    pair = _pair(holdout)
    folder, experiment = _sweep_folder(source)
    out = out if out is not None else folder / "calibration"
    with bad_input(ResultsError):
        check_output_folder(out, overwrite)  # before any run
    screened = None
    if screening is not None:
        screened, screening_experiment = _sweep_folder(screening)
        if screening_experiment is not None:
            _sweep(screening_experiment, screened, workers)
    if experiment is not None:
        _sweep(experiment, folder, workers)
    with bad_input(ResultsError, ValueError):
        result = run_calibration(
            folder,
            quantile=quantile,
            fit_scenario=fit_scenario,
            holdout=pair,
            reruns=reruns,
            screening=screened,
        )
        with atomic_folder(out, overwrite) as staging:
            (staging / "calibration.md").write_text(calibration_markdown(result), "utf-8")
            (staging / "defaults.toml").write_text(defaults_toml(result), "utf-8")
            result.fit.to_csv(staging / "fit.csv", index=False)
            result.posterior.to_csv(staging / "posterior.csv", index=False)
            result.accepted_runs.to_csv(staging / "accepted_runs.csv", index=False)
            if result.holdout_fit is not None:
                result.holdout_fit.to_csv(staging / "holdout.csv", index=False)
            if result.screening is not None:
                result.screening.to_csv(staging / "screening.csv", index=False)
    a = result.acceptance
    click.echo(
        f"{len(a.accepted)} of {len(a.distance)} points accepted (distance ≤ {a.threshold:.3g})"
        f" → {out}"
    )
    missed = unreached(result)
    if missed:
        err.print(f"warning: no accepted run reaches the target {', '.join(missed)}")


def _pair(holdout: str | None) -> tuple[str, str] | None:
    if holdout is None:
        return None
    fitted, _, tested = holdout.partition(":")
    if not fitted or not tested:
        fail(f"--holdout {holdout!r}: expected FITTED:TESTED, two scenario names of the sweep")
    return fitted, tested


def _sweep_folder(source: Path) -> tuple[Path, Experiment | None]:
    """The sweep folder ``source`` names, and its experiment when ``source`` is a file to run."""
    if source.is_dir():
        return source, None
    if not source.exists():
        fail(f"{source}: no such sweep folder or experiment file")
    with bad_input(ExperimentError):
        experiment = load_experiment(source)
    return Path("results") / "sweeps" / experiment.name, experiment


def _sweep(experiment: Experiment, folder: Path, workers: int | None) -> None:
    """Run the experiment's sweep into ``folder``, or finish it; a complete one runs nothing."""
    from ..executors import ExecutorError
    from ..results import ResultsError
    from ..sweep import SweepError, run_sweep

    with (
        bad_input(ResultsError, ExecutorError),
        progress_bar(experiment.name, "runs", disable=not err.is_terminal) as bar,
    ):
        task = bar.add_task("sweep", total=None)

        def show(p: SweepProgress) -> None:
            bar.update(task, total=p.total, completed=p.done)

        try:
            run_sweep(experiment, folder, workers=workers, resume=True, progress=show)
        except SweepError as error:
            bar.stop()
            fail(str(error))
        except KeyboardInterrupt:
            bar.stop()
            err.print(f"interrupted: run the same command again to finish {escape(str(folder))}")
            sys.exit(INTERRUPTED)
