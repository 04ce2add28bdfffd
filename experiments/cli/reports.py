"""``cohesim compare`` and ``cohesim report``: paired scenario comparisons and reports.

Thin commands over :mod:`cohesim.analysis`. Both write their output folder atomically: it
appears complete or not at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..scenario import ScenarioError, load_scenario
from .errors import bad_input, err
from .progress import progress_bar

# The runs, the results store and the analysis (mesa, pandas, matplotlib) are imported when a
# command runs, not for its --help.
if TYPE_CHECKING:
    from ..runs import RunResult

LANG = click.Choice(["en", "fr"])


def _folder_name(index: int, name: str) -> str:
    return f"{index:02d}-" + re.sub(r"[^\w.-]", "_", name)


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--replicates", "-r", default=10, show_default=True, type=click.IntRange(2))
@click.option("--steps", type=click.IntRange(1), help="Years per run [default: each scenario's].")
@click.option(
    "--seed", default=20260101, show_default=True, type=click.IntRange(0), help="Root seed."
)
@click.option(
    "--window",
    type=click.IntRange(1),
    help="Policy years averaged into each final value [default: the scenarios' "
    "metrics.final_window].",
)
@click.option("--out", type=click.Path(path_type=Path), help="Output folder.")
@click.option("--lang", type=LANG, default="en", show_default=True, help="Report language.")
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
def compare(
    scenarios: tuple[Path, ...],
    replicates: int,
    steps: int | None,
    seed: int,
    window: int | None,
    out: Path | None,
    lang: str,
    overwrite: bool,
) -> None:
    """Run SCENARIOS on the same seeds and compare each with the first.

    Replicate r of every scenario starts from the same seed (common random numbers, derived from
    --seed). For each metric: the mean and 95 % confidence interval per scenario, the paired
    difference to the first scenario with its interval, and Cohen's d_z.

    Writes OUT/comparison.csv, OUT/report.html (self-contained, opens offline), OUT/figures/,
    OUT/tables/ (CSV and Parquet) and every run under OUT/runs/, so that `cohesim report OUT`
    can rebuild the report. Example:

        cohesim compare scenarios/baseline.toml scenarios/matching_fund.toml -r 10 --lang fr
    """
    from cohesim.analysis.comparison import (
        common_window,
        comparison_manifest,
        run_comparison,
        unique_names,
    )
    from cohesim.analysis.report import comparison_report

    from ..results import ResultsError, atomic_folder, check_output_folder, write_run

    with bad_input(ScenarioError, ResultsError, ValueError):
        loaded = [load_scenario(path) for path in scenarios]
        names = unique_names(loaded)
        if window is None:
            window = common_window(loaded)
        if out is None:
            out = Path("results") / "comparisons" / "-vs-".join(dict.fromkeys(names))
        check_output_folder(out, overwrite)
    folders = [f"runs/{_folder_name(i, n)}" for i, n in enumerate(names)]
    total = len(loaded) * replicates
    with (
        bad_input(ResultsError, OSError, prefix="cannot write the comparison: "),
        atomic_folder(out, overwrite) as staging,
        progress_bar("compare", "runs", disable=not err.is_terminal) as bar,
    ):
        task = bar.add_task("runs", total=total)

        def keep(name: str, replicate: int, result: RunResult) -> None:
            folder = staging / folders[names.index(name)] / f"replicate-{replicate:03d}"
            write_run(result, folder)
            bar.advance(task)

        comparison = run_comparison(
            loaded, replicates=replicates, steps=steps, seed=seed, window=window, keep=keep
        )
        report = comparison_report(comparison, lang)
        report.write(staging)
        report.tables["comparison"].to_csv(staging / "comparison.csv", index=False)
        text = json.dumps(comparison_manifest(comparison, folders), indent=2)
        (staging / "manifest.json").write_text(text + "\n", encoding="utf-8")
    click.echo(f"{total} runs compared → {out / 'report.html'}")


@click.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--out", type=click.Path(path_type=Path), help="Report folder [default: FOLDER/report]."
)
@click.option("--lang", type=LANG, default="en", show_default=True, help="Report language.")
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    help="Outcome analysed in a sweep (repeatable) [default: cooperation_rate and gini].",
)
@click.option(
    "--target",
    default="gini>q75",
    show_default=True,
    help="Runs PRIM looks for: METRIC>VALUE or METRIC<VALUE, VALUE a number or qNN (percentile).",
)
@click.option(
    "--min-coverage",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="PRIM's box covers at least this share of the target runs.",
)
@click.option(
    "--window",
    type=click.IntRange(1),
    help="Comparisons: policy years averaged into each final value [default: the comparison's].",
)
@click.option("--overwrite", is_flag=True, help="Replace the report folder if it exists.")
def report(
    folder: Path,
    out: Path | None,
    lang: str,
    metrics: tuple[str, ...],
    target: str,
    min_coverage: float,
    window: int | None,
    overwrite: bool,
) -> None:
    """Write the report of FOLDER: a sweep folder or a comparison folder.

    For a sweep: main effects, heat maps (grid designs), Sobol' indices (sobol designs) or Morris
    μ*/σ (morris designs) and scenario discovery with PRIM. For a comparison (made by `cohesim
    compare`): the comparison report again, e.g. in the other language. Example:

        cohesim report results/sweeps/engineering_vs_funding --target "cooperation_rate<0.2"
    """
    from cohesim.analysis.comparison import read_comparison
    from cohesim.analysis.report import comparison_report
    from cohesim.analysis.sweep_report import SWEEP_METRICS, sweep_report

    from ..results import ResultsError, atomic_folder, check_output_folder

    out = out if out is not None else folder / "report"
    with bad_input(ResultsError, ValueError, OSError):
        if not folder.is_dir():
            raise ResultsError(f"{folder}: no such folder")
        manifest_path = folder / "manifest.json"
        try:
            kind = json.loads(manifest_path.read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        if kind not in ("sweep", "comparison"):
            raise ResultsError(
                f"{folder}: not a sweep or comparison folder "
                f"(no readable {manifest_path.name} of kind 'sweep' or 'comparison')"
            )
        check_output_folder(out, overwrite)
        if kind == "comparison":
            made = comparison_report(read_comparison(folder), lang, window)
        else:
            made = sweep_report(folder, lang, tuple(metrics) or SWEEP_METRICS, target, min_coverage)
        with atomic_folder(out, overwrite) as staging:
            made.write(staging)
            if kind == "comparison":
                made.tables["comparison"].to_csv(staging / "comparison.csv", index=False)
    click.echo(f"report → {out / 'report.html'}")
