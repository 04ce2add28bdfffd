"""``cohesim bench``: the model's speed against idiomatic Mesa and its bare kernel."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from .errors import err, fail, out


@click.command()
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
@click.option(
    "--clock",
    type=click.Choice(["wall", "cpu"]),
    default="wall",
    show_default=True,
    help="Time by the wall clock, or by each process's CPU time (steadier on a busy machine).",
)
@click.option(
    "--warm-up",
    default=1,
    show_default=True,
    type=click.IntRange(0),
    help="Years stepped before the timed ones (more skip the early years of budgets moving).",
)
@click.option(
    "--rounds",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="Measure every implementation this many times, in turn; report medians, and each "
    "ratio as the median of the rounds' own ratios with their range (steadier on a noisy "
    "machine).",
)
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write JSON here.")
def bench(
    sizes: str,
    steps: int,
    reference_up_to: int,
    scenarios: tuple[Path, ...],
    clock: str,
    warm_up: int,
    rounds: int,
    json_path: Path | None,
) -> None:
    """Time the model against idiomatic Mesa and its bare game kernel, one core.

    Each implementation runs in a fresh single-threaded process; ratios are measured in this
    one run. "core" is the model on the reference's rules (no structures, services as built).
    See docs/performance.md.
    """
    import json
    from dataclasses import replace

    from ..bench import IMPLEMENTATIONS, run_isolated, summarise

    try:
        ns = [int(s) for s in sizes.split(",") if s.strip()]
    except ValueError:
        fail(f"--sizes {sizes!r}: expected numbers separated by commas, e.g. 1000,35000")
    measurements = []
    jobs = [(n, None) for n in ns] + [(0, str(path)) for path in scenarios]
    for r in range(rounds):
        for n, scenario in jobs:
            for implementation in IMPLEMENTATIONS:
                if implementation == "reference" and n > reference_up_to:
                    continue
                where = scenario or f"N = {n:,}"
                of = f" (round {r + 1} of {rounds})" if rounds > 1 else ""
                err.print(f"measuring {implementation} on {where}{of} ...", highlight=False)
                try:
                    measured = run_isolated(implementation, n, steps, scenario, clock, warm_up)
                except RuntimeError as error:
                    fail(str(error), code=1)
                measurements.append(replace(measured, round=r))
    summary = summarise(measurements)
    title = f"cohesim bench (one core, {clock} clock, {steps} steps after {warm_up} untimed"
    title += f", medians of {rounds} rounds)" if rounds > 1 else ")"
    table = Table(title=title)
    columns = (
        ("region", "region", ""),
        ("N", "n", ",d"),
        ("build (s)", "model_build_s", ".2f"),
        ("model step (s)", "model_step_s", ".4f"),
        ("updates/s", "model_updates_per_s", ",.0f"),
        ("B/territory", "model_bytes_per_territory", ",.0f"),
        ("core step (s)", "core_step_s", ".4f"),
        ("kernel step (s)", "kernel_step_s", ".4f"),
        ("Mesa step (s)", "reference_step_s", ".3f"),
        ("Mesa / model", "reference_over_model", ".1f"),
        ("Mesa / core", "reference_over_core", ".1f"),
        ("model / kernel", "model_over_kernel", ".1f"),
    )
    for label, _, _ in columns:
        table.add_column(label, justify="right")
    for row in summary["sizes"]:
        table.add_row(*(_cell(row, key, spec, rounds) for _, key, spec in columns))
    Console(width=max(out.width, 180)).print(table)  # wide even when piped: twelve columns
    for g in summary["growth"].values():
        out.print(f"step time grows {g['time_ratio']:.1f}× for {g['size_ratio']:.0f}× territories")
    if json_path is not None:
        json_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


def _cell(row: dict, key: str, spec: str, rounds: int) -> str:
    """A table cell: the value, and the rounds' range beside a ratio when there are several."""
    if row[key] is None:
        return "–"
    cell = format(row[key], spec)
    spread = row.get(f"{key}_range")
    if rounds > 1 and spread:
        cell += f" [{spread[0]:{spec}}–{spread[1]:{spec}}]"
    return cell
