"""The ``cohesim`` command line: a thin layer over the Python API.

Exit codes: 0 success, 2 bad input (scenario, option, output folder), 1 unexpected failure,
3 a sweep finished with failed runs.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cohesim.model.parameters import Parameters

from .analysis_commands import compare, report
from .results import ResultsError, check_output_folder, write_run
from .runs import RunResult, run_scenario
from .scenario import ScenarioError, load_scenario, parse_assignment
from .sweep_command import sweep

BAD_INPUT = 2
SUMMARY_METRICS = (
    ("cooperation_rate", "cooperators (share of territories)"),
    ("cooperation_rate_pop", "cooperators (share of population)"),
    ("gini", "Gini of welfare"),
    ("theil", "Theil of welfare"),
    ("theil_between", "  between kinds"),
    ("theil_within", "  within kinds"),
    ("urban_rural_gap", "urban / rural mean welfare"),
    ("welfare_mean", "mean welfare (€/inh./yr)"),
    ("structures_active", "cooperation structures active"),
    ("edge_coverage", "partnerships inside a structure"),
    ("public_spending_cumulative", "public money spent so far (€)"),
)
WHOLE_NUMBERS = ("welfare_mean", "structures_active", "public_spending_cumulative")

err = Console(stderr=True)
out = Console()


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="cohesim")
def main() -> None:
    """Simulate territories that exchange services and choose to cooperate or compete.

    Start with `cohesim run scenarios/baseline.toml`. Scenario files are TOML; `cohesim params`
    lists every parameter they can set, with its default, range and meaning.
    """


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(scenarios: tuple[Path, ...]) -> None:
    """Check scenario files without running them (exit 0 if all are valid, 2 otherwise)."""
    failed = False
    for path in scenarios:
        try:
            scenario = load_scenario(path)
        except ScenarioError as error:
            failed = True
            for problem in error.problems:
                err.print(
                    f"[bold red]invalid:[/] {escape(problem)}", highlight=False, soft_wrap=True
                )
            continue
        p = scenario.parameters
        out.print(
            f"[green]ok[/] {escape(str(path))}: {escape(repr(scenario.name))}, "
            f"{_where(p)}, "
            f"{p.run.steps} {'steps' if p.reduced else 'years'}, rule {p.update.rule}",
            highlight=False,
        )
    if failed:
        sys.exit(BAD_INPUT)


def _where(p: Parameters) -> str:
    """Where a scenario's territories come from, in a few words."""
    if p.geometry.source == "france":
        return f"French {'EPCI' if p.france.level == 'epci' else 'communes'}"
    if p.geometry.source == "lattice":
        return f"{p.graph.side**2} territories on a {p.graph.side} × {p.graph.side} torus"
    if p.geometry.source == "synthetic":
        return f"{p.geometry.n} territories"
    return f"{p.geometry.n} territories ({p.geometry.source})"


@main.command()
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
    territory at the end), manifest.json (resolved scenario, seed, versions, git commit) and
    summary.png and map.png. It appears only once complete.
    """
    try:
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
    except (ScenarioError, ResultsError) as error:
        _fail(str(error))

    with Progress(
        TextColumn(f"[bold]{loaded.name}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("years"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("run", total=p.run.steps)
        result = run_scenario(loaded, on_step=lambda _: progress.advance(task))

    from cohesim.analysis.figures import summary_figure  # matplotlib only when writing
    from cohesim.analysis.maps import structure_links, territory_map

    def figures(folder: Path) -> None:
        summary_figure(result.timeseries, folder / "summary.png", title=loaded.name)
        links = structure_links(result.inventory, result.memberships)
        territory_map(result.territories, folder / "map.png", title=loaded.name, links=links)

    try:
        write_run(result, out, overwrite=overwrite, figures=figures)
    except (ResultsError, OSError) as error:
        _fail(f"cannot write results: {error}")
    if not quiet:
        _print_summary(result, out)


def _print_summary(result: RunResult, folder: Path) -> None:
    ts = result.timeseries
    first, last = ts.iloc[0], ts.iloc[-1]
    table = Table(title=f"{result.scenario.name}: seed {result.seed}, {result.steps} years")
    table.add_column("metric")
    table.add_column(f"step {int(first['step'])}", justify="right")
    table.add_column(f"step {int(last['step'])}", justify="right")
    access = [
        (c, f"access to {c.removeprefix('access_')}") for c in ts.columns if c.startswith("access_")
    ]
    for column, label in (*SUMMARY_METRICS, *access):
        if column not in ts:  # validation reductions record cooperation only
            continue
        digits = ",.0f" if column in WHOLE_NUMBERS else ".3f"
        table.add_row(label, format(first[column], digits), format(last[column], digits))
    out.print(table)
    mean, sd, window = result.final_window()
    out.print(
        f"cooperators, mean over the last {window} steps: {mean:.4f} (SD {sd:.4f})",
        highlight=False,
    )
    if result.scenario.parameters.reduced:
        out.print(
            f"{result.scenario.parameters.geometry.source} reduction: {len(result.territories)} "
            f"players in {result.wall_seconds:.2f} s → {escape(str(folder))}",
            highlight=False,
        )
        return
    out.print(_inventory_table(result))
    out.print(
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
            kind,
            str(len(rows)),
            str(int((~ended).sum())),
            str(int(ended.sum())),
            f"{life.mean():.1f}" if len(rows) else "–",
            f"{rows['funding_received'].sum():,.0f}",
        )
    return table


@main.command()
@click.option("--markdown", is_flag=True, help="Print the reference page (docs/parameters.md).")
def params(markdown: bool) -> None:
    """List every parameter: path, default, range, unit, meaning (★ = policy lever)."""
    from cohesim.model.parameters import parameter_table

    from .parameter_reference import markdown_reference

    if markdown:
        click.echo(markdown_reference(), nl=False)
        return
    group = None
    for info in parameter_table():
        table, key = info.path.rsplit(".", 1)
        if table != group:
            group = table
            click.echo(f"\n[{table}]")
        star = " ★" if info.lever else ""
        unit = f" {info.unit}" if info.unit else ""
        click.echo(f"  {key}{star} = {info.default!r}{unit}   ({info.allowed()})")
        click.echo(f"      {info.meaning}")


@main.command()
@click.option(
    "--sizes",
    default="1000,35000,350000",
    show_default=True,
    help="Numbers of territories, comma-separated.",
)
@click.option("--steps", default=3, show_default=True, type=click.IntRange(1), help="Timed steps.")
@click.option(
    "--reference-up-to",
    default=35_000,
    show_default=True,
    type=click.IntRange(0),
    help="Largest N for the idiomatic-Mesa reference (it is slow).",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also measure a scenario's own territories, e.g. scenarios/france_epci.toml.",
)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write JSON here.")
def bench(
    sizes: str,
    steps: int,
    reference_up_to: int,
    scenarios: tuple[Path, ...],
    json_path: Path | None,
) -> None:
    """Time the model against idiomatic Mesa and its bare game kernel, one core.

    Each implementation runs in a fresh single-threaded process; ratios are measured in this
    one run. See docs/performance.md.
    """
    import json

    from .bench import run_isolated, summarise

    try:
        ns = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        _fail(f"--sizes {sizes!r}: expected numbers separated by commas, e.g. 1000,35000")
    measurements = []
    jobs = [(n, None) for n in ns] + [(0, str(path)) for path in scenarios]
    for n, scenario in jobs:
        for implementation in ("model", "kernel", "reference"):
            if implementation == "reference" and n > reference_up_to:
                continue
            where = scenario or f"N = {n:,}"
            err.print(f"measuring {implementation} on {where} ...", highlight=False)
            try:
                measurements.append(run_isolated(implementation, n, steps, scenario))
            except RuntimeError as error:
                err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
                sys.exit(1)
    summary = summarise(measurements)
    table = Table(title="cohesim bench (one core)")
    columns = (
        ("region", "region", ""),
        ("N", "n", ",d"),
        ("build (s)", "model_build_s", ".2f"),
        ("model step (s)", "model_step_s", ".4f"),
        ("updates/s", "model_updates_per_s", ",.0f"),
        ("B/territory", "model_bytes_per_territory", ",.0f"),
        ("kernel step (s)", "kernel_step_s", ".4f"),
        ("Mesa step (s)", "reference_step_s", ".3f"),
        ("Mesa / model", "reference_over_model", ".1f"),
        ("model / kernel", "model_over_kernel", ".1f"),
    )
    for label, _, _ in columns:
        table.add_column(label, justify="right")
    for row in summary["sizes"]:
        table.add_row(
            *("–" if row[key] is None else format(row[key], spec) for _, key, spec in columns)
        )
    Console(width=max(out.width, 160)).print(table)  # wide even when piped: nine columns
    for g in summary["growth"].values():
        out.print(f"step time grows {g['time_ratio']:.1f}× for {g['size_ratio']:.0f}× territories")
    if json_path is not None:
        json_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


@main.command()
@click.argument(
    "scenario", type=click.Path(path_type=Path), default=Path("scenarios/classroom.toml")
)
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets other machines in the room connect.",
)
def dashboard(scenario: Path, port: int, host: str) -> None:
    """Open the teaching dashboard on SCENARIO [default: scenarios/classroom.toml].

    Then browse to http://HOST:PORT. Sliders for the policy levers, a map, live plots and a
    table of territories, in French or English. Guide: docs/classroom.md.
    """
    from .dashboard_server import LOOPBACK, DashboardError, serve

    if host not in LOOPBACK:
        err.print(f"[yellow]note:[/] listening on {escape(host)}: other machines can connect")
    out.print(f"cohesim dashboard on http://{escape(host)}:{port} (Ctrl-C stops it)")
    try:
        serve(scenario, host=host, port=port)
    except (ScenarioError, DashboardError) as error:
        _fail(str(error))


main.add_command(sweep)
main.add_command(compare)
main.add_command(report)
