"""Hysteresis or lag? A slow ramp of a lever up and down, and two starting states.

Science review §5 defect 2 and change 1 (b): a lasting difference after a lever is withdrawn is
not hysteresis. Two tests tell them apart.

- **Ramp.** :func:`ramp_runs` raises the matching share ρ (the lever with the larger effect on
  cooperation: at its full range ρ moves baseline cooperation by about 0.5, state engineering by
  about 0.25) step by step from 0 to :data:`TOP`, then lowers it back, through timed
  ``[[changes]]``. Each level is held ``hold`` years and measured over the second half of the
  hold. Down minus up at the same ρ, paired by seed, is the loop; its area
  (∫ (down − up) dρ, per seed) has a CI across seeds. A lag makes a loop that narrows when the
  ramp slows; hysteresis makes one that does not, so two speeds are run.
- **Two starting states.** :func:`bistability_runs` runs the same parameters from all-cooperate
  and from all-compete (``update.initial_cooperation`` = 1 and 0) and compares cooperation in
  years 60–80 and 140–160. Two stable states (bistability) need a gap of at least
  :data:`MIN_GAP` whose paired CI excludes zero in the later window.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from cohesim.experiments import build_model
from cohesim.experiments.scenario import Scenario
from cohesim.model.parameters import Parameters

from .plots.palette import Figure
from .statistics import mean_ci
from .statistics import mean_ci_text as fmt

LEVER = "funding.matching_share"
TOP = 0.8  # the top of ρ's declared range
STEP = 0.1
HOLDS = (5, 10)
"""Years each level is held: a fast and a slow ramp (the slow one is the figure's)."""
LEAD_IN = 20  # years at ρ = 0 before the ramp, past the burn-in's transient
COLUMNS = ("cooperation_rate", "structures_active")
WINDOWS = ((60, 80), (140, 160))
"""Policy years compared from the two starts: a gap that lasts into the later window is a stable
state; one that fades between them is a slow transient."""
MIN_GAP = 0.05
"""Stated in advance: a gap in the share cooperating smaller than this is one level, not two."""


def levels(top: float = TOP, step: float = STEP) -> list[float]:
    """The lever values of the ramp, 0 .. top."""
    return [float(v) for v in np.round(np.arange(0.0, top + step / 2, step), 6)]


def ramp_schedule(values: Sequence[float], hold: int, lead_in: int) -> pd.DataFrame:
    """One row per held level: ``branch`` (up/down), ``value``, ``start``, ``stop`` (policy years).

    The up branch holds 0 for ``lead_in`` years, then each higher value ``hold`` years; the
    down branch comes back through the same values to 0, ``hold`` years each. The top value is
    on the up branch only.
    """
    if hold < 2:
        raise ValueError(f"hold = {hold}: a level must be held at least 2 years to be measured")
    if lead_in < hold:
        raise ValueError(f"lead_in = {lead_in} is shorter than hold = {hold}")
    rows, year = [], 0
    for branch, value in [("up", v) for v in values] + [("down", v) for v in values[-2::-1]]:
        length = lead_in if year == 0 else hold
        rows.append({"branch": branch, "value": float(value), "start": year, "stop": year + length})
        year += length
    return pd.DataFrame(rows)


def ramp_parameters(parameters: Parameters, lever: str, schedule: pd.DataFrame) -> Parameters:
    """The parameters with the ramp as timed changes, and steps to run it to its end."""
    start = float(schedule["value"].iloc[0])
    data = parameters.updated({lever: start}).model_dump()
    data["changes"] = [
        {"year": int(row.start), "set": {lever: float(row.value)}}
        for row in schedule.itertuples()
        if row.start > 0
    ]
    data["run"]["steps"] = parameters.run.burn_in + int(schedule["stop"].iloc[-1])
    return Parameters.model_validate(data)


def ramp_runs(
    scenario: Scenario, seeds: Iterable[int], hold: int, values: Sequence[float] | None = None
) -> pd.DataFrame:
    """Per seed and held level: cooperation and structures over the second half of the hold."""
    schedule = ramp_schedule(levels() if values is None else values, hold, LEAD_IN)
    parameters = ramp_parameters(scenario.parameters, LEVER, schedule)
    rows = []
    for seed in seeds:
        model = build_model(
            replace(scenario, parameters=parameters).with_parameters(**{"run.seed": seed})
        )
        model.run(parameters.run.steps)
        frame = model.metrics_frame().set_index("year")
        for level in schedule.itertuples():
            first = level.stop - (level.stop - level.start) // 2
            window = frame.loc[first : level.stop - 1]
            rows.append(
                {"seed": seed, "hold": hold, "branch": level.branch, "value": level.value}
                | {c: float(window[c].mean()) for c in COLUMNS}
            )
    return pd.DataFrame(rows)


def branch_gaps(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per lever value on both branches: up, down, and down − up paired by seed (mean, CI)."""
    up = table[table["branch"] == "up"].pivot(index="seed", columns="value", values=column)
    down = table[table["branch"] == "down"].pivot(index="seed", columns="value", values=column)
    rows = []
    for value in down.columns:
        gap = mean_ci(down[value] - up[value])
        rows.append(
            {
                "value": value,
                "up": mean_ci(up[value]),
                "down": mean_ci(down[value]),
                "gap": gap,
            }
        )
    return pd.DataFrame(rows)


def loop_areas(table: pd.DataFrame, column: str) -> pd.Series:
    """Per seed, ∫ (down − up) d(lever) over the values on both branches (trapezoids)."""
    up = table[table["branch"] == "up"].pivot(index="seed", columns="value", values=column)
    down = table[table["branch"] == "down"].pivot(index="seed", columns="value", values=column)
    gap = (down - up[down.columns]).sort_index(axis=1)
    x = gap.columns.to_numpy(dtype=float)
    y = gap.to_numpy()
    return pd.Series(((y[:, 1:] + y[:, :-1]) / 2 * np.diff(x)).sum(axis=1), index=gap.index)


def bistability_runs(
    scenario: Scenario, seeds: Iterable[int], settings: dict[str, dict[str, float]]
) -> pd.DataFrame:
    """Cooperation and structures per window of :data:`WINDOWS`, from all-cooperate and all-compete.

    ``settings`` names each parameter set (overrides of ``scenario``); each runs from
    ``update.initial_cooperation`` = 1 and = 0 with the same seeds.
    """
    last = max(stop for _, stop in WINDOWS)
    rows = []
    for label, overrides in settings.items():
        for start in (1.0, 0.0):
            for seed in seeds:
                run = scenario.with_parameters(
                    **overrides,
                    **{"run.seed": seed, "update.initial_cooperation": start},
                    **{"run.steps": scenario.parameters.run.burn_in + last},
                )
                model = build_model(run)
                model.run(run.parameters.run.steps)
                frame = model.metrics_frame().set_index("year")
                for first, stop in WINDOWS:
                    window = frame.loc[first:stop]
                    rows.append(
                        {"setting": label, "window": f"{first}–{stop}", "start": start}
                        | {"seed": seed}
                        | {c: float(window[c].mean()) for c in COLUMNS}
                    )
    return pd.DataFrame(rows)


def start_gaps(
    table: pd.DataFrame, column: str
) -> dict[tuple[str, str], tuple[float, float, float]]:
    """Per setting and window: all-cooperate minus all-compete start, paired by seed (mean, CI)."""
    out = {}
    for (label, window), part in table.groupby(["setting", "window"], sort=False):
        high = part[part["start"] == 1.0].set_index("seed")[column]
        low = part[part["start"] == 0.0].set_index("seed")[column]
        out[(str(label), str(window))] = mean_ci(high - low.reindex(high.index))
    return out


def bistable_settings(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Settings with two stable states, and those whose gap fades (a transient), by cooperation.

    Two states: in the last window, a gap of at least :data:`MIN_GAP` whose CI excludes zero.
    Transient: such a gap in an earlier window only.
    """
    gaps = start_gaps(table, "cooperation_rate")
    last = "{}–{}".format(*WINDOWS[-1])

    def distinct(gap: tuple[float, float, float]) -> bool:
        return abs(gap[0]) >= MIN_GAP and (gap[1] > 0 or gap[2] < 0)

    settings = list(dict.fromkeys(label for label, _ in gaps))
    stable = [s for s in settings if distinct(gaps[(s, last)])]
    fading = [
        s
        for s in settings
        if s not in stable and any(distinct(g) for (label, _), g in gaps.items() if label == s)
    ]
    return stable, fading


def ramp_figure(table: pd.DataFrame, out: Path) -> Path:
    """Cooperation and structures against ρ, up and down, mean and 95 % band across seeds."""
    fig = Figure(figsize=(12, 4.5), layout="constrained")
    axes = fig.subplots(1, 2)
    titles = ("Share of territories cooperating", "Structures active")
    slow, fast = max(HOLDS), min(HOLDS)
    for ax, column, title in zip(axes, COLUMNS, titles, strict=True):
        for hold, style in ((slow, "-"), (fast, ":")):
            part = table[table["hold"] == hold]
            for branch in ("up", "down"):
                rows = part[part["branch"] == branch].groupby("value")[column]
                stats = np.array([mean_ci(g) for _, g in rows])
                x = np.array(sorted(part[part["branch"] == branch]["value"].unique()))
                colour = "tab:blue" if branch == "up" else "tab:red"
                ax.plot(x, stats[:, 0], style, color=colour, label=f"{branch}, {hold} yr per step")
                if hold == slow:
                    ax.fill_between(x, stats[:, 1], stats[:, 2], color=colour, alpha=0.2)
        ax.set(title=title, xlabel="matching share ρ")
    axes[0].set(ylim=(0, 1))
    axes[0].legend(frameon=False, fontsize=8)
    path = out / "stylised_hysteresis.png"
    fig.savefig(path, dpi=90)
    return path


def _interval(estimate: tuple[float, float, float], digits: int = 2) -> str:
    mean, low, high = estimate
    return f"{mean:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


def hysteresis_lines(ramp: pd.DataFrame, starts: pd.DataFrame, figure: str) -> list[str]:
    """The page's section: the loop per lever value, its area at two speeds, two starts."""
    slow, fast = max(HOLDS), min(HOLDS)
    seeds = ramp["seed"].nunique()
    lines = [
        "## Hysteresis or lag? A slow ramp of the matching share, and two starting states",
        "",
        f"The matching share ρ (the lever with the larger effect on cooperation) rises from 0 "
        f"to {TOP:g} in steps of {STEP:g} and comes back to 0, through timed `[[changes]]` on "
        f"the baseline: ρ = 0 for {LEAD_IN} years, then each level for {slow} years (slow "
        f"ramp) or {fast} years (fast ramp), each measured over the second half of its hold; "
        f"{seeds} seeds. Down minus up is paired by seed, 95 % CI. A lag (slow relaxation) "
        "makes a loop that narrows when the ramp slows; hysteresis makes a loop that does not, "
        "and two stable states under the same parameters.",
        "",
        "| ρ | cooperating, up | cooperating, down | down − up (slow) | down − up (fast) "
        "| structures, down − up (slow) |",
        "|---|---|---|---|---|---|",
    ]
    gaps = {h: branch_gaps(ramp[ramp["hold"] == h], "cooperation_rate") for h in HOLDS}
    struct = branch_gaps(ramp[ramp["hold"] == slow], "structures_active")
    for k, row in gaps[slow].iterrows():
        lines.append(
            f"| {row['value']:g} | {row['up'][0]:.2f} [{row['up'][1]:.2f}, {row['up'][2]:.2f}] "
            f"| {row['down'][0]:.2f} [{row['down'][1]:.2f}, {row['down'][2]:.2f}] "
            f"| {_interval(row['gap'])} | {_interval(gaps[fast].loc[k, 'gap'])} "
            f"| {_interval(struct.loc[k, 'gap'], 1)} |"
        )
    areas = {h: loop_areas(ramp[ramp["hold"] == h], "cooperation_rate") for h in HOLDS}
    area = {h: mean_ci(areas[h]) for h in HOLDS}
    narrowing = mean_ci(areas[fast] - areas[slow].reindex(areas[fast].index))
    gaps_start = start_gaps(starts, "cooperation_rate")
    bistable, fading = bistable_settings(starts)
    loop = any(a[1] > 0 or a[2] < 0 for a in area.values())
    lines += [
        "",
        f"Loop area ∫ (down − up) dρ of cooperation: slow ramp {_interval(area[slow], 3)}, "
        f"fast ramp {_interval(area[fast], 3)}; fast minus slow, paired by seed, "
        f"{_interval(narrowing, 3)}.",
        "",
        "Two starting states, same parameters: the share cooperating from all-cooperate and "
        "from all-compete (`update.initial_cooperation` = 1 and 0), "
        f"{starts['seed'].nunique()} seeds, in two windows of policy years. Stated in advance: "
        f"two stable states need a gap of at least {MIN_GAP:g} whose interval excludes zero in "
        "the later window.",
        "",
        "| parameters | years | from all-cooperate | from all-compete | difference (paired) |",
        "|---|---|---|---|---|",
    ]
    for (label, window), part in starts.groupby(["setting", "window"], sort=False):
        high = part[part["start"] == 1.0]["cooperation_rate"]
        low = part[part["start"] == 0.0]["cooperation_rate"]
        gap = gaps_start[(str(label), str(window))]
        lines.append(f"| {label} | {window} | {fmt(high)} | {fmt(low)} | {_interval(gap)} |")
    verdict = _verdict(bistable, fading, loop, narrowing)
    lines += ["", "**Verdict.** " + verdict, "", figure, ""]
    return lines


def _verdict(
    bistable: list[str], fading: list[str], loop: bool, narrowing: tuple[float, float, float]
) -> str:
    if bistable:
        return (
            "Bistability: from all-cooperate and from all-compete the same parameters settle at "
            f"two different levels ({', '.join(bistable)}; a gap of at least {MIN_GAP:g} whose "
            "interval excludes zero in the later window). This is hysteresis, not only a lag."
        )
    start = (
        "No bistability: from all-cooperate and from all-compete the same parameters end at "
        f"the same level (no gap of {MIN_GAP:g} or more whose interval excludes zero in the "
        "later window"
        + (f"; in {', '.join(fading)} an earlier gap fades: a slow transient" if fading else "")
        + "). "
    )
    if not loop:
        return start + "The ramp traces no loop either: neither hysteresis nor a visible lag."
    if narrowing[1] > 0:
        return start + (
            "The ramp's loop narrows when the ramp slows (fast minus slow area above zero): "
            "a lag, slow relaxation, not hysteresis."
        )
    return start + (
        "The ramp traces a loop, but its narrowing with a slower ramp is not shown: without two "
        "stable states this reads as a lag slower than the slow ramp, not hysteresis."
    )
