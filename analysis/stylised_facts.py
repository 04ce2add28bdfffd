"""Which stylised facts the default parameters reproduce: runs the scenario library, writes a page.

    cohesim docs stylised-facts --seeds 10 --out docs

regenerates ``docs/stylised_facts.md`` and its figures under ``docs/figures/``. Each fact is
measured the same way for every seed; the page reports means with 95 % confidence intervals
across seeds and says plainly whether the fact holds. Nothing is tuned here: the parameters are
those of the shipped scenario files. The experiments beyond the fact table live in
:mod:`.lever_experiments` and :mod:`.hysteresis`; this module passes 450 lines because the fact
table, the reasons a fact fails and the page's assembly read the same runs and belong together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from cohesim.experiments import build_model, load_scenario
from cohesim.model import Parameters
from cohesim.model.contest import contest
from cohesim.model.decisions import cooperation_threshold
from cohesim.model.kinds import is_urban

from . import hysteresis
from .lever_experiments import (
    cost_lines,
    funding_engineering_figure,
    funding_engineering_lines,
    grant_end_lines,
    lifetimes,
    visibility_lines,
    visibility_runs,
)
from .noise_sensitivity import noise_figure, noise_lines, noise_sensitivity
from .plots.palette import Figure
from .statistics import mean_ci
from .statistics import mean_ci_text as fmt
from .survival import (
    hazard_change,
    kaplan_meier,
    structure_lifetimes,
    survival_at,
    survival_difference,
    window_hazard,
)

SCENARIOS = (
    "baseline",
    "matching_fund",
    "engineering_support",
    "funding_and_engineering",
    "observatory",
    "funding_withdrawn",
    "high_competition",
    "pacte_metropoles",
)
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ScenarioRuns:
    """Per-seed tables of one scenario."""

    timeseries: list[pd.DataFrame] = field(default_factory=list)
    inventories: list[pd.DataFrame] = field(default_factory=list)
    assortment: list[float] = field(default_factory=list)  # observed − shuffled
    strong_coverage: list[pd.Series] = field(default_factory=list)  # per year, top quartile
    weak_coverage: list[pd.Series] = field(default_factory=list)  # per year, other edges
    urban_rural: list[np.ndarray] = field(default_factory=list)  # per structure: mixed members

    def series(self, column: str) -> pd.DataFrame:
        """One column per seed, indexed by year."""
        return pd.concat(
            [ts.set_index("year")[column] for ts in self.timeseries], axis=1, ignore_index=True
        )


def run_library(seeds: Iterable[int], scenarios_dir: Path) -> dict[str, ScenarioRuns]:
    """Run each scenario once per seed (same seeds for every scenario: common random numbers)."""
    out = {}
    for name in SCENARIOS:
        scenario = load_scenario(scenarios_dir / f"{name}.toml")
        runs = ScenarioRuns()
        for seed in seeds:
            model = build_model(scenario.with_parameters(**{"run.seed": seed}))
            net = model.network
            strong = net.interdependence >= np.quantile(net.interdependence, 0.75)
            undirected = net.src < net.dst
            strong_share, weak_share = [], []
            for _ in range(scenario.parameters.run.steps):
                model.step()
                strong_share.append(model.in_structure[undirected & strong].mean())
                weak_share.append(model.in_structure[undirected & ~strong].mean())
            ts = model.metrics_frame()
            years = ts["year"].iloc[1:].to_numpy()
            runs.timeseries.append(ts)
            runs.inventories.append(model.inventory_frame())
            runs.strong_coverage.append(pd.Series(strong_share, index=years))
            runs.weak_coverage.append(pd.Series(weak_share, index=years))
            runs.assortment.append(_assortment(model))
            urban = is_urban(model.kind)
            runs.urban_rural.append(
                np.array(
                    [
                        urban[m].any() and (~urban[m]).any()
                        for m in model.inventory_frame()["members"]
                    ],
                    dtype=bool,
                )
            )
        out[name] = runs
    return out


def _assortment(model) -> float:
    """P(partner cooperates, given a cooperator) minus the same with strategies shuffled."""
    net = model.network
    coop = model.cooperate

    def conditional(strategy: np.ndarray) -> float:
        mask = strategy[net.src]
        return float(strategy[net.dst][mask].mean()) if mask.any() else 0.0

    rng = np.random.default_rng(0)  # for the null model only, not the simulation
    shuffled = np.mean([conditional(rng.permutation(coop)) for _ in range(20)])
    return conditional(coop) - shuffled


def late(runs: ScenarioRuns, column: str, start: int = 20) -> list[float]:
    """Per seed, the mean of a column over years ≥ start."""
    return [float(ts.loc[ts["year"] >= start, column].mean()) for ts in runs.timeseries]


policy_structures = lifetimes  # per seed, the structures formed from year 0 on


def _threshold_text() -> str:
    """q* of the default contest at the default continuation chance, against the prior."""
    p = Parameters()
    c = contest(p, np.ones(1), np.zeros(1))
    delta = p.foresight.continuation
    q = cooperation_threshold(c.reward[0], c.sucker[0], c.temptation[0], c.punishment[0], delta)
    side = "above" if q > p.learning.initial_trust else "below"
    return (
        f"at δ_0 = {delta:g} cooperating pays above a belief q* = {q:.3f}, {side} the prior "
        f"{p.learning.initial_trust:g}"
    )


def facts(results: dict[str, ScenarioRuns], grant_years: int, exit_years: int) -> list[dict]:
    """Measure each stylised fact; each row says what was measured and whether it holds."""
    base, fund, eng = results["baseline"], results["matching_fund"], results["engineering_support"]
    rows = []

    coop = late(base, "cooperation_rate")
    cover = late(base, "edge_coverage")
    rows.append(
        {
            "fact": "Competition dominates when no lever is used",
            "measure": "baseline, years 20–30: share of territories cooperating; share of "
            "partnerships inside a structure",
            "result": f"cooperating {fmt(coop)}; covered {fmt(cover)}",
            "holds": mean_ci(coop)[2] < 0.5,
            "support": "CI across seeds; a coordination game since M1 (docs/model.md): "
            + _threshold_text()
            + "; the level still depends on the decision noise K (last section)",
        }
    )

    formed_b = [len(x) for x in policy_structures(base)]
    formed_f = [len(x) for x in policy_structures(fund)]
    life_b = pd.concat(policy_structures(base))
    life_f = pd.concat(policy_structures(fund))
    km_b = kaplan_meier(life_b["duration"], life_b["ended"])
    km_f = kaplan_meier(life_f["duration"], life_f["ended"])
    during, after = (0, grant_years - 1), (grant_years, grant_years + exit_years)
    hazard_b = window_hazard(km_b, *after)
    hazard_f = window_hazard(km_f, *after)
    early_f = window_hazard(km_f, *during)
    change = hazard_change(policy_structures(fund), during, after)
    more = mean_ci(np.subtract(formed_f, formed_b))[1] > 0
    s5 = survival_difference(policy_structures(fund), policy_structures(base), 5)
    shorter = s5[2] < 0  # the whole interval below zero
    drop = change[1] > 0  # the whole interval above zero
    rows.append(
        {
            "fact": "Funding without engineering raises formations but shortens lifetimes, "
            "with a survival drop when grants end",
            "measure": "matching_fund vs baseline, structures formed from year 0: count per "
            f"run; Kaplan–Meier S(5 yr); yearly hazard at ages {grant_years}–"
            f"{grant_years + exit_years} (grants ended) vs ages 0–{grant_years - 1}",
            "result": f"formed {fmt(formed_f, 1)} vs {fmt(formed_b, 1)}; S(5) "
            f"{survival_at(km_f, 5):.2f} vs {survival_at(km_b, 5):.2f} (difference "
            f"{_interval(s5)}); hazard after grants "
            f"{hazard_f:.3f} vs during {early_f:.3f}, difference {_interval(change, 3)} "
            f"(baseline after: {hazard_b:.3f})",
            "holds": bool(more and shorter and drop),
            "parts": f"more formations: {_yes(more)}; shorter lives: {_yes(shorter)}; "
            f"drop when grants end: {_yes(drop)}",
            "support": "formations: paired CI across seeds; S(5) and the hazard difference: "
            "bootstrap over seeds",
        }
    )

    mixed = survival_difference(_mixed_lives(eng), _mixed_lives(base), 5)
    rows.append(
        {
            "fact": "Engineering support improves survival of urban–rural structures",
            "measure": "engineering_support vs baseline: Kaplan–Meier S(5 yr) of structures "
            "with urban and non-urban members, formed from year 0",
            "result": f"{_mixed_survival(eng):.2f} vs {_mixed_survival(base):.2f} (difference "
            f"{_interval(mixed)})",
            "holds": mixed[1] > 0,  # shown only if the whole interval is above zero
            "support": "bootstrap over seeds (structures of one run are not independent)",
        }
    )

    obs = results["observatory"]
    coop_o = late(obs, "cooperation_rate")
    diff = np.subtract(coop_o, coop)
    strong = [s.loc[0:10].mean() for s in obs.strong_coverage]
    weak = [w.loc[0:10].mean() for w in obs.weak_coverage]
    first = mean_ci(np.subtract(strong, weak))
    early = first[1] > 0
    rows.append(
        {
            "fact": "Knowledge (ψ) raises cooperation, high-interdependence pairs first",
            "measure": "observatory vs baseline: cooperation, years 20–30 (paired by seed); "
            "share of the top quarter of partnerships by interdependence inside a structure "
            "vs the others, years 0–10",
            "result": f"difference {fmt(diff)}; strongest pairs covered "
            f"{np.mean(strong):.3f} vs others {np.mean(weak):.3f} (difference "
            f"{_interval(first, 3)})",
            "holds": bool(mean_ci(diff)[1] > 0 and early),
            "parts": f"raises cooperation: {_yes(mean_ci(diff)[1] > 0)}; strongest pairs "
            f"first: {_yes(early)}",
            "support": "paired CIs across seeds (strong minus other pairs within each seed)",
        }
    )

    assort = base.assortment
    rows.append(
        {
            "fact": "Clusters of cooperators persist on networks",
            "measure": "baseline, year 30: P(partner cooperates, given a cooperator) minus "
            "the same "
            "with strategies shuffled over territories",
            "result": fmt(assort, 3),
            "holds": mean_ci(assort)[1] > 0,
            "support": "CI across seeds",
        }
    )

    withdrawn, funded = results["funding_withdrawn"], results["matching_fund"]
    kept = np.subtract(late(withdrawn, "structures_active"), late(base, "structures_active"))
    coop_after = np.subtract(late(withdrawn, "cooperation_rate"), coop)
    rows.append(
        {
            "fact": "Withdrawing a lever leaves a lasting difference (persistence, not hysteresis)",
            "measure": "funding_withdrawn (fund withdrawn in year 10) minus baseline, years "
            "20–30, paired by seed: structures active; share cooperating",
            "result": f"structures {fmt(kept, 1)}; cooperating {fmt(coop_after)} "
            f"(while funded, structures {fmt(late(funded, 'structures_active'), 1)})",
            "holds": mean_ci(kept)[1] > 0,
            "support": "paired CI across seeds; lag or hysteresis: the ramp and the two "
            "starting states (section below)",
        }
    )
    return rows


def _interval(estimate: tuple[float, float, float], digits: int = 2) -> str:
    point, low, high = estimate
    return f"{point:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _mixed_lives(runs: ScenarioRuns) -> list[pd.DataFrame]:
    """Per seed, lifetimes of the urban–rural structures formed from year 0 on."""
    lives = []
    for ts, inventory, mixed in zip(
        runs.timeseries, runs.inventories, runs.urban_rural, strict=True
    ):
        life = structure_lifetimes(inventory, int(ts["year"].iloc[-1]))
        keep = mixed & (inventory["year_formed"].to_numpy() >= 0)
        lives.append(life[keep])
    return lives


def _mixed_survival(runs: ScenarioRuns, age: float = 5) -> float:
    life = pd.concat(_mixed_lives(runs))
    return (
        survival_at(kaplan_meier(life["duration"], life["ended"]), age)
        if len(life)
        else float("nan")
    )


def figures(results: dict[str, ScenarioRuns], out: Path) -> list[Path]:
    """Cooperation and structures over time per scenario; survival curves."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    fig = Figure(figsize=(12, 4.5), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for name, runs in results.items():
        for ax, column in ((ax1, "cooperation_rate"), (ax2, "structures_active")):
            frame = runs.series(column)
            ax.plot(frame.index, frame.mean(axis=1), label=name)
    ax1.set(title="Share of territories cooperating (mean over seeds)", xlabel="year", ylim=(0, 1))
    ax2.set(title="Cooperation structures active (mean over seeds)", xlabel="year")
    for ax in (ax1, ax2):
        ax.axvline(0, color="grey", lw=0.8, ls=":")
    ax2.axvline(10, color="tab:red", lw=0.8, ls=":")
    ax1.legend(frameon=False, fontsize=8)
    paths.append(out / "stylised_cooperation.png")
    fig.savefig(paths[-1], dpi=90)

    fig = Figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    for name in ("baseline", "matching_fund", "engineering_support", "funding_and_engineering"):
        life = pd.concat(policy_structures(results[name]))
        curve = kaplan_meier(life["duration"], life["ended"])
        ax.step(np.r_[0, curve["time"]], np.r_[1, curve["survival"]], where="post", label=name)
    ax.set(title="Survival of structures formed from year 0", xlabel="age (years)", ylabel="S(age)")
    ax.legend(frameon=False)
    paths.append(out / "stylised_survival.png")
    fig.savefig(paths[-1], dpi=90)
    return paths


WHY_NOT = {
    "Funding without engineering raises formations but shortens lifetimes, with a survival "
    "drop when grants end": "The row's parts say which prediction fails. S(5) cannot show the "
    "end of grants: a member leaves after n_exit = 3 years of losses, so a structure funded for "
    "T_g = 3 years can end for that reason at age 6 at the earliest. The end of grants shows "
    "in the causes of dissolution (below) and in the hazard difference (section on the end of "
    "grants).",
    "Engineering support improves survival of urban–rural structures": "Not shown: the "
    "interval of the difference includes zero. Few urban–rural structures form, because "
    "inside a structure the rural member pays the centre's spill-over costs for its residents "
    "(M2), so the comparison rests on few structures per run.",
    "Knowledge (ψ) raises cooperation, high-interdependence pairs first": "The row's parts say "
    "which interval includes zero at this number of seeds.",
    "Clusters of cooperators persist on networks": "Not shown at this number of seeds. "
    "Imitation of successful partners (M6), the mechanism behind network reciprocity, is in "
    "the model at the calibrated rate ι; docs/model.md measures assortment rising with ι over "
    "more seeds, by a few hundredths, about the size of the interval of a single year's "
    "measure at 100 territories and 10 seeds.",
    "Withdrawing a lever leaves a lasting difference (persistence, not hysteresis)": "After the "
    "withdrawal, structures and cooperation fall back to the baseline's level within a few "
    "years.",
    "Competition dominates when no lever is used": "Cooperation is not lower than half "
    "without levers.",
}


def exit_causes(results: dict[str, ScenarioRuns]) -> pd.DataFrame:
    """Share of dissolutions by cause, per scenario (all seeds pooled)."""
    rows = {}
    for name, runs in results.items():
        causes = pd.concat([inv["exit_cause"].dropna() for inv in runs.inventories])
        rows[name] = causes.value_counts(normalize=True)
    return pd.DataFrame(rows).fillna(0.0).T


def page(
    rows: list[dict],
    seeds: int,
    figure_paths: list[Path],
    docs: Path,
    causes: pd.DataFrame,
    noise: Sequence[str] = (),
    experiments: Sequence[str] = (),
) -> str:
    """The Markdown page."""
    held = sum(r["holds"] for r in rows)
    lines = [
        "# Stylised facts at default parameters",
        "",
        "Generated by `cohesim docs stylised-facts --seeds "
        f"{seeds} --out docs`; do not edit by hand. Each scenario of the library "
        "(`scenarios/`) ran with the same seeds; intervals are 95 % confidence intervals "
        "across seeds. The parameters are those of the shipped files: none were tuned to make "
        f"a fact hold. **{held} of {len(rows)} facts hold.**",
        "",
        "Each verdict rests on an interval, and each row says which: a 95 % confidence "
        "interval across seeds (paired by seed where two scenarios are compared), or a "
        "bootstrap over seeds for survival and hazards (structures of one run are not "
        f"independent). {seeds} seeds, and no correction for testing "
        f"{len(rows)} facts at once: read a verdict whose interval only just excludes zero "
        "as weak.",
        "",
        "| stylised fact | measured as | result | holds? | supported by |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        verdict = "yes" if r["holds"] else "**no**"
        if "parts" in r:
            verdict += f" ({r['parts']})"
        lines.append(
            f"| {r['fact']} | {r['measure']} | {r['result']} | {verdict} | {r['support']} |"
        )
    failing = [r for r in rows if not r["holds"]]
    if failing:
        lines += ["", "## Why some facts do not hold", ""]
        lines += [f"- **{r['fact']}.** {WHY_NOT[r['fact']]}" for r in failing]
    lines += ["", *experiments]
    lines += ["## Why structures end (share of dissolutions by cause)", ""]
    lines += ["| scenario | " + " | ".join(causes.columns) + " |"]
    lines += ["|---" * (len(causes.columns) + 1) + "|"]
    for name, row in causes.iterrows():
        lines.append(f"| {name} | " + " | ".join(f"{v:.0%}" for v in row) + " |")
    lines += ["", *[f"![{p.stem}]({p.relative_to(docs).as_posix()})" for p in figure_paths], ""]
    lines += list(noise)
    return "\n".join(lines)


def write_page(seeds: int, out: Path, scenarios: Path) -> str:
    """Run the library on ``seeds`` seeds, write ``out/stylised_facts.md`` and its figures.

    Parameters
    ----------
    seeds
        Seeds per scenario (0 .. seeds − 1, the same for every scenario).
    out
        The docs folder; figures go to ``out/figures``.
    scenarios
        The folder of the scenario library.

    Returns
    -------
    str
        The page, in Markdown.
    """
    results = run_library(range(seeds), scenarios)
    params = load_scenario(scenarios / "matching_fund.toml").parameters
    grant_years, exit_years = params.funding.grant_years, params.structures.exit_years
    rows = facts(results, grant_years, exit_years)
    figures_dir = out / "figures"
    paths = figures(results, figures_dir)

    def link(path: Path) -> str:
        return f"![{path.stem}]({path.relative_to(out).as_posix()})"

    baseline = load_scenario(scenarios / "baseline.toml")
    ramp = pd.concat(
        [hysteresis.ramp_runs(baseline, range(seeds), hold) for hold in hysteresis.HOLDS]
    )
    middle = {"baseline (ρ = 0)": {}, "ρ = 0.4": {hysteresis.LEVER: 0.4}}
    starts = hysteresis.bistability_runs(baseline, range(seeds), middle)
    experiments = [
        *grant_end_lines(results, grant_years, exit_years),
        *funding_engineering_lines(
            results, grant_years, exit_years, link(funding_engineering_figure(results, figures_dir))
        ),
        *cost_lines(results),
        *visibility_lines(visibility_runs(range(seeds), scenarios)),
        *hysteresis.hysteresis_lines(ramp, starts, link(hysteresis.ramp_figure(ramp, figures_dir))),
    ]
    noise = noise_sensitivity(range(min(seeds, 6)), scenarios)
    lines = [*noise_lines(noise), link(noise_figure(noise, figures_dir))]
    text = page(rows, seeds, paths, out, exit_causes(results), [*lines, ""], experiments)
    (out / "stylised_facts.md").write_text(text, encoding="utf-8")
    return text
