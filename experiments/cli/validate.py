"""``cohesim validate``: check scenario files without running them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from cohesim.model.parameters import Parameters

from ..experiment_file import EXPERIMENT_KEYS, load_experiment
from ..scenario import ScenarioError, load_scenario, read_toml
from .errors import BAD_INPUT, err, out


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate(scenarios: tuple[Path, ...]) -> None:
    """Check scenario or experiment files without running them (exit 0 if valid, 2 if not).

    An experiment file (one with a design, [parameters] or the scenarios it sweeps) is checked
    with the scenario files it names, and its number of runs is printed.
    """
    failed = False
    for path in scenarios:
        try:
            if _is_experiment(path):
                _report_experiment(path)
                continue
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


def _is_experiment(path: Path) -> bool:
    """Whether a readable TOML file has an experiment file's keys (else: read as a scenario)."""
    try:
        return bool(EXPERIMENT_KEYS & set(read_toml(path)))
    except ScenarioError:
        return False  # unreadable: reading it as a scenario reports why


def _report_experiment(path: Path) -> None:
    e = load_experiment(path)
    from ..designs import design_points

    points = len(design_points(e))
    runs = points * len(e.scenarios) * e.replicates
    out.print(
        f"[green]ok[/] {escape(str(path))}: experiment {escape(repr(e.name))}, {e.design} "
        f"design, {points} points × {len(e.scenarios)} scenario(s) × {e.replicates} "
        f"replicate(s) = {runs} runs",
        highlight=False,
        soft_wrap=True,  # one line per file, however narrow the terminal
    )


def _where(p: Parameters) -> str:
    """Where a scenario's territories come from, in a few words."""
    if p.geometry.source == "france":
        return f"French {'EPCI' if p.france.level == 'epci' else 'communes'}"
    if p.geometry.source == "lattice":
        return f"{p.graph.side**2} territories on a {p.graph.side} × {p.graph.side} torus"
    if p.geometry.source == "synthetic":
        return f"{p.geometry.n} territories"
    return f"{p.geometry.n} territories ({p.geometry.source})"
