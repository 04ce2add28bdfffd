"""``cohesim validate``: check scenario files without running them."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.markup import escape

from cohesim.model.parameters import Parameters

from ..scenario import ScenarioError, load_scenario
from .errors import BAD_INPUT, err, out


@click.command()
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
