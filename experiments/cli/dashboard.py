"""``cohesim dashboard``: serve the teaching dashboard."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from ..scenario import ScenarioError
from .errors import bad_input, err, out


@click.command()
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
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language the page opens in (the FR / EN switch on the page changes it).",
)
def dashboard(scenario: Path, port: int, host: str, lang: str) -> None:
    """Open the teaching dashboard on SCENARIO [default: scenarios/classroom.toml].

    Then browse to http://HOST:PORT. Sliders for the policy levers, a map, live plots and a
    table of territories, in French or English. Guide: docs/classroom.md.
    """
    from ..dashboard.server import LOOPBACK, DashboardError, serve

    if host not in LOOPBACK:
        err.print(f"[yellow]note:[/] listening on {escape(host)}: other machines can connect")
    out.print(f"cohesim dashboard on http://{escape(host)}:{port} (Ctrl-C stops it)")
    with bad_input(ScenarioError, DashboardError):
        serve(scenario, host=host, port=port, lang=lang, progress=lambda m: err.print(escape(m)))
