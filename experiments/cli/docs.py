"""``cohesim docs``: regenerate the generated pages of ``docs/``; install the dashboard's files.

Each page says at its top which command made it; a test checks that the parameter reference
matches the code.
"""

from __future__ import annotations

from pathlib import Path

import click

from .errors import fail


@click.group()
def docs() -> None:
    """Regenerate the generated documentation, install the dashboard's files.

    Run from the repository root: pages are written under docs/ by default.
    """


@docs.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    default=Path("docs") / "parameters.md",
    show_default=True,
    help="Where to write the page; - prints it.",
)
def parameters(out: Path) -> None:
    """Write the parameter reference from the declarations in model/parameters/.

    The same page as `cohesim params --markdown`.
    """
    from ..parameter_reference import markdown_reference

    page = markdown_reference()
    if str(out) == "-":
        click.echo(page, nl=False)
        return
    out.write_text(page, encoding="utf-8")
    click.echo(f"wrote {out}")


@docs.command()
@click.option(
    "--page",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=Path("docs") / "model.md",
    show_default=True,
    help="The model reference whose outcome table is rewritten in place.",
)
def outcomes(page: Path) -> None:
    """Rewrite the outcome table of the model reference from model/outcomes.py."""
    from ..outcome_reference import update_page

    try:
        text = update_page(page.read_text(encoding="utf-8"))
    except ValueError as error:
        fail(f"{page}: {error}")
    page.write_text(text, encoding="utf-8")
    click.echo(f"wrote the outcome table of {page}")


@docs.command("stylised-facts")
@click.option(
    "--seeds", type=click.IntRange(1), default=10, show_default=True, help="Seeds per scenario."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Docs folder [default: docs/ of the source tree].",
)
@click.option(
    "--scenarios",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Scenario library [default: scenarios/ of the source tree].",
)
def stylised_facts(seeds: int, out: Path | None, scenarios: Path | None) -> None:
    """Run the scenario library and write stylised_facts.md and its figures.

    Prints the page. Slow: every scenario of the library runs once per seed, and so do the
    page's experiments (lever ramp, two starting states, visibility); --seeds 10 takes about
    5 minutes on two busy cores, --seeds 2 about a minute for a quick look.
    """
    from cohesim.analysis import stylised_facts as facts

    page = facts.write_page(
        seeds, out or facts.ROOT / "docs", scenarios or facts.ROOT / "scenarios"
    )
    click.echo(page)


@docs.command()
@click.option(
    "--seeds", type=click.IntRange(1), default=10, show_default=True, help="Seeds per case."
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("docs") / "validation.md",
    show_default=True,
    help="The page; its figures go to figures/ beside it.",
)
def validation(seeds: int, out: Path) -> None:
    """Run the validation cases and write validation.md and its figures.

    The model against published results, from the scenario files in scenarios/validation/.
    Slow: use --seeds 3 for a quick look.
    """
    from cohesim.analysis.validation_report import write_page

    write_page(seeds, out)
    click.echo(f"wrote {out}")


@docs.command("dashboard-assets")
def dashboard_assets() -> None:
    """Install the dashboard's front-end files, so that it works offline.

    Fetches the missing ones with npm (which must reach its registry) into solara's asset
    folder; see docs/dashboard.md. Exit code 1 if npm fails.
    """
    from ..dashboard.assets import AssetsError, cache_dir, install_assets

    try:
        installed = install_assets()
    except AssetsError as error:
        fail(str(error), code=1)
    for spec in installed:
        click.echo(f"installed {spec}")
    click.echo(f"dashboard assets ready in {cache_dir()}")
