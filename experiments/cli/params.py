"""``cohesim params``: every parameter a scenario file can set."""

from __future__ import annotations

import click


@click.command()
@click.option("--markdown", is_flag=True, help="Print the reference page (docs/parameters.md).")
def params(markdown: bool) -> None:
    """List every parameter: path, default, range, unit, meaning (★ = policy lever)."""
    from cohesim.model.parameters import parameter_table

    from ..parameter_reference import markdown_reference

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
