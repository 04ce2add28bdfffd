"""``cohesim run``: one run of a scenario, written as a results folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from cohesim.model.labels import label

from ..scenario import ScenarioError, load_scenario, parse_assignment
from .errors import bad_input
from .errors import out as stdout
from .progress import progress_bar

# The run and its results (mesa, numba, pandas) are imported when the command runs, not for
# `cohesim run --help`.
if TYPE_CHECKING:
    from ..runs import RunResult

SUMMARY_METRICS = (
    "cooperation_rate",
    "cooperation_rate_pop",
    "gini",
    "theil",
    "theil_between",
    "theil_within",
    "urban_rural_gap",
    "welfare_mean",
    "structures_active",
    "edge_coverage",
    "public_spending_cumulative",
)
"""The outcomes the summary shows (named as cohesim.model.outcomes declares them), then access."""
WHOLE_NUMBERS = ("welfare_mean", "structures_active", "public_spending_cumulative")


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option(
    "--steps", type=click.IntRange(0), help="Years to simulate [default: the scenario's run.steps]."
)
@click.option(
    "--seed", type=click.IntRange(0), help="Seed of the run [default: the scenario's run.seed]."
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a parameter, e.g. --set game.attacker_share=0.8 (repeatable).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output folder [default: results/NAME-seedS-TIMESTAMP].",
)
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table.")
def run(
    scenario: Path,
    steps: int | None,
    seed: int | None,
    assignments: tuple[str, ...],
    out: Path | None,
    overwrite: bool,
    quiet: bool,
) -> None:
    """Run SCENARIO once and write its results folder.

    The folder holds timeseries.parquet (one row per year), territories.parquet (one row per
    territory at the end), inventory.parquet (one row per cooperation structure ever formed),
    memberships.parquet (one row per membership ever held), manifest.json (resolved scenario,
    seed, versions, git commit), summary.png and map.png. It appears only once complete.
    """
    from ..results import ResultsError, check_output_folder, write_run
    from ..runs import run_scenario

    with bad_input(ScenarioError, ResultsError):
        overrides = dict(parse_assignment(a) for a in assignments)
        loaded = load_scenario(scenario, overrides)
        loaded = loaded.with_parameters(
            **{k: v for k, v in (("run.steps", steps), ("run.seed", seed)) if v is not None}
        )
        p = loaded.parameters
        if out is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            out = Path("results") / f"{loaded.name}-seed{p.run.seed}-{stamp}"
        check_output_folder(out, overwrite)

    with progress_bar(loaded.name, "years", disable=quiet) as progress:
        task = progress.add_task("run", total=p.run.steps)
        result = run_scenario(loaded, on_step=lambda _: progress.advance(task))

    # matplotlib only when writing
    from cohesim.analysis.plots import structure_links, summary_figure, territory_map

    def figures(folder: Path) -> None:
        summary_figure(result.timeseries, folder / "summary.png", title=loaded.name)
        links = structure_links(result.inventory, result.memberships)
        territory_map(result.territories, folder / "map.png", title=loaded.name, links=links)

    with bad_input(ResultsError, OSError, prefix="cannot write results: "):
        write_run(result, out, overwrite=overwrite, figures=figures)
    if not quiet:
        _print_summary(result, out)


def _print_summary(result: RunResult, folder: Path) -> None:
    from cohesim.model.outcomes import final_window_rows, outcome_label

    ts = result.timeseries
    first, final = ts.iloc[0], result.final_values()
    years = final_window_rows(ts, result.window)["year"]
    span = f"years {int(years.iloc[0])}–{int(years.iloc[-1])}" if len(years) > 1 else "last year"
    table = Table(
        title=f"{result.scenario.name}: seed {result.seed}, {result.steps} years",
        caption=f"final value: mean over {span} (metrics.final_window = {result.window}); "
        "totals and β-convergence in the last year (docs/analysis.md)",
    )
    table.add_column("metric")
    table.add_column(f"year {int(first['year'])}", justify="right")
    table.add_column("final value", justify="right")
    access = [c for c in ts.columns if c.startswith("access_")]
    for column in (*SUMMARY_METRICS, *access):
        if column not in ts:  # validation reductions record cooperation only
            continue
        digits = ",.0f" if column in WHOLE_NUMBERS else ".3f"
        label = outcome_label(column, "en")
        table.add_row(label, format(first[column], digits), format(final[column], digits))
    stdout.print(table)
    if result.scenario.parameters.reduced:
        # a validation reduction is read against published shares averaged over late steps
        mean, sd, window = result.final_window()
        stdout.print(
            f"cooperators, mean over the last {window} steps: {mean:.4f} (SD {sd:.4f})",
            highlight=False,
        )
        stdout.print(
            f"{result.scenario.parameters.geometry.source} reduction: {len(result.territories)} "
            f"players in {result.wall_seconds:.2f} s → {escape(str(folder))}",
            highlight=False,
        )
        return
    stdout.print(_inventory_table(result))
    stdout.print(
        f"{len(result.territories)} territories in {result.wall_seconds:.2f} s → "
        f"{escape(str(folder))}",
        highlight=False,
    )


def _inventory_table(result: RunResult) -> Table:
    """The recensement by kind: formed, still active, dissolved, mean life, state funding."""
    inventory = result.inventory
    table = Table(title="Inventory of cooperation structures (recensement)")
    for column in ("kind", "formed", "active", "dissolved", "mean life (yr)", "state funding (€)"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    end_year = int(result.timeseries["year"].iloc[-1])
    for kind in inventory["kind"].cat.categories:
        rows = inventory[inventory["kind"] == kind]
        ended = rows["year_dissolved"].notna()
        life = rows["year_dissolved"].fillna(end_year) - rows["year_formed"]
        table.add_row(
            label(kind, "en"),
            str(len(rows)),
            str(int((~ended).sum())),
            str(int(ended.sum())),
            f"{life.mean():.1f}" if len(rows) else "–",
            f"{rows['funding_received'].sum():,.0f}",
        )
    return table
