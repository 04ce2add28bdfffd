"""Generate ``docs/validation.md``: the model against reference results, with figures.

Run from the repository root::

    cohesim docs validation            # writes docs/validation.md
    cohesim docs validation --seeds 3  # quicker, fewer seeds

Every number on the page is computed here, by running the shipped scenario files in
``scenarios/validation/`` through :func:`cohesim.experiments.run_scenario` (with overrides for
the swept values); each reference value says where it comes from: published in a paper,
derived for this project (an equation solved), or simulated by a reference implementation.
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from cohesim.experiments import load_scenario, run_scenario
from cohesim.model.reductions import GraphGame
from cohesim.model.reductions.well_mixed import incentive_gain, matrix_gain, rest_points

from .plots.palette import Figure

SCENARIOS = Path("scenarios") / "validation"
NOWAK_MAY_B = (1.7, 1.75, 1.81, 1.85, 1.9, 1.95, 1.99, 2.01, 2.05)
REWARD_BUDGETS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
DERIVED_REWARD = {0.1: 0.112, 0.2: 0.481, 0.3: 0.749}
SNOWDRIFT = ((1.0, 0.5), (2.0, 1.0), (3.0, 2.0))


@dataclass(frozen=True)
class Spread:
    """Mean and standard deviation over seeds of a run's final-window cooperator share."""

    mean: float
    sd: float
    seeds: int

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.sd:.3f}"


def over_seeds(path: Path, seeds: int, **overrides) -> Spread:
    """Final-window mean cooperator share of a scenario, over seeds 1..``seeds``."""
    scenario = load_scenario(path, overrides)
    values = [run_scenario(scenario, seed=s).final_window()[0] for s in range(1, seeds + 1)]
    return Spread(float(np.mean(values)), float(np.std(values)), seeds)


def time_fermi(path: Path, steps: int = 1000, repeats: int = 3) -> float:
    """Best of ``repeats`` wall times of ``steps`` Monte Carlo steps (after a warm-up)."""
    scenario = load_scenario(path)
    best = np.inf
    for r in range(repeats + 1):
        model = GraphGame(scenario.parameters, rng=r)
        clock = time.perf_counter()
        model.run(steps if r else 2)  # the first, short run loads the compiled kernel
        if r:
            best = min(best, time.perf_counter() - clock)
    return float(best)


def collect(seeds: int) -> dict:
    """Run every case; returns the numbers the page shows."""
    nm = SCENARIOS / "nowak_may.toml"
    wm = SCENARIOS / "institutional_reward.toml"
    out: dict = {"seeds": seeds}
    out["nowak_may"] = {
        b: over_seeds(nm, seeds, **{"classic_game.temptation": b}) for b in NOWAK_MAY_B
    }
    out["nowak_may_without_self"] = over_seeds(SCENARIOS / "nowak_may_without_self.toml", seeds)
    out["reward"] = {d: over_seeds(wm, seeds, **{"well_mixed.budget": d}) for d in REWARD_BUDGETS}
    fine = SCENARIOS / "institutional_fine.toml"
    out["fine"] = {
        x0: over_seeds(fine, seeds, **{"update.initial_cooperation": x0})
        for x0 in (0.46, 0.50, 0.54, 0.58)
    }
    out["snowdrift"] = {}
    for b, c in SNOWDRIFT:
        game = {
            "geometry.source": "well_mixed",
            "geometry.n": 2000,
            "classic_game.game": "matrix",
            "classic_game.reward": b - c / 2,
            "classic_game.sucker": b - c,
            "classic_game.temptation": b,
            "classic_game.punishment": 0.0,
            "run.steps": 600,
        }
        out["snowdrift"][(b, c)] = over_seeds(wm, seeds, **game)
    out["fermi_seconds"] = time_fermi(SCENARIOS / "fermi_lattice.toml")
    return out


def _reward_root(budget: float, incentive: str = "reward") -> float:
    """The interior rest point of the replicator equation, else the boundary it goes to."""

    def gain(x):
        return incentive_gain(
            x, group_size=5, multiplication=3.0, cost=1.0, incentive=incentive, budget=budget
        )

    points = rest_points(gain)
    if points:
        return points[0][0]
    return 1.0 if gain(np.array([0.5]))[0] > 0 else 0.0


def figures(results: dict, folder: Path) -> tuple[Path, Path]:
    """Cooperator share against b (Nowak–May) and against δ (institutional reward)."""
    folder.mkdir(parents=True, exist_ok=True)
    nm = folder / "validation_nowak_may.png"
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    bs = list(results["nowak_may"])
    values = list(results["nowak_may"].values())
    ax.errorbar(bs, [v.mean for v in values], [v.sd for v in values], fmt="o-", label="cohesim")
    ax.hlines(0.318, 1.8, 2.0, colors="tab:red", label="Nowak & May 1992: 0.318")
    ax.set(xlabel="temptation b", ylabel="cooperator share (late generations)", ylim=(0, 1))
    ax.legend(frameon=False)
    fig.savefig(nm, dpi=100)

    rw = folder / "validation_reward.png"
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ds = list(results["reward"])
    values = list(results["reward"].values())
    grid = np.linspace(0.03, 0.42, 100)
    ax.plot(grid, [_reward_root(d) for d in grid], color="grey", label="replicator equation")
    ax.errorbar(ds, [v.mean for v in values], [v.sd for v in values], fmt="o", label="cohesim")
    ax.plot(
        list(DERIVED_REWARD),
        list(DERIVED_REWARD.values()),
        "x",
        color="tab:red",
        ms=9,
        label="replicator root x* (derived)",
    )
    ax.set(xlabel="reward budget per member δ", ylabel="cooperator share", ylim=(0, 1))
    ax.legend(frameon=False)
    fig.savefig(rw, dpi=100)
    return nm, rw


def _same_collapse_note(with_self: Spread | None, without_self: Spread) -> list[str]:
    if with_self is None or with_self != without_self:
        return []
    return [
        "The two collapse cases give identical numbers: with integer neighbour counts, the",
        "payoffs at b = 2.01 with self-interaction and at b = 1.9 without it rank the cells",
        "that imitation compares in the same order, so for a given seed both runs follow the",
        "same trajectory.",
    ]


def render(results: dict) -> str:
    """The page, in Markdown."""
    seeds = results["seeds"]
    nm = results["nowak_may"]
    lines = [
        "# Validation: three classic games the model reduces to, against reference results",
        "",
        "Generated by `cohesim docs validation` from the scenario files in",
        "`scenarios/validation/`; do not edit by hand. Each value is the mean ± standard",
        f"deviation over {seeds} seeds (1..{seeds}) of a run's mean cooperator share over its",
        "final window (`metrics.final_window` steps; `RunResult.final_window()`). The tests in",
        "`tests/test_validation.py` check the same cases with fewer seeds.",
        "",
        "How the reductions work: `geometry.source` = `lattice`, `random_regular` or",
        "`barabasi_albert` runs `GraphGame` (`model/reductions/`): uniform players on a graph",
        "with a game given directly (`[classic_game]`, `[graph]`; no flows, structures, budgets or",
        "learning; plain payoffs; partners chosen uniformly); `well_mixed` simulates a",
        "well-mixed population (`[well_mixed]`). One step is one generation (synchronous) or",
        "one Monte Carlo step of N elementary updates (random sequential). The parameters are",
        "in [parameters.md](parameters.md).",
        "",
        "Each reference value is labelled by its origin: *published* (quoted from the paper",
        "cited), *derived* (an equation worked out and solved for this project, from the cited",
        "model) or *simulated* (a reference simulation outside this code). Three more",
        "validation scenarios run in the tests but are not compared with the literature here",
        "yet: Szabó & Tőke's Fermi imitation on a lattice (`fermi_lattice.toml`), Szolnoki's",
        "public goods game on a lattice (`public_goods_lattice.toml`) and Santos & Pacheco on a",
        "scale-free graph (`santos_scale_free.toml`).",
        "",
        "## Nowak & May 1992: the spatial prisoner's dilemma",
        "",
        "Source: M. A. Nowak & R. M. May, *Evolutionary games and spatial chaos*, Nature 359,",
        "826–829 (1992), doi:10.1038/359826a0.",
        "",
        "Configuration (`scenarios/validation/nowak_may.toml`): 50 × 50 torus, Moore",
        "neighbourhood with self-interaction, R = 1, T = b, S = P = 0, synchronous",
        "imitate-the-best, 10% defectors at start (each cell a defector with probability 0.1),",
        "300 generations, mean over the last 100.",
        "",
        "Published: for every b in (1.8, 2) the cooperator share fluctuates around 0.318",
        "(0.31–0.32 at L ≥ 50). Simulated, not in the paper: at b = 2.01 it collapses to about",
        "0.03, and without self-interaction at b = 1.9 it is about 0.04 (the project science",
        "lead's reference simulation, an independent implementation).",
        "",
        "| b | cooperator share (model) | reference |",
        "| --- | --- | --- |",
    ]
    for b, value in nm.items():
        reference = "0.318 (published)" if 1.8 < b < 2 else "–"
        if b == 2.01:
            reference = "≈ 0.03 (simulated)"
        lines.append(f"| {b:g} | {value} | {reference} |")
    lines += [
        f"| 1.9, no self-interaction | {results['nowak_may_without_self']} | ≈ 0.04 (simulated) |",
        "",
        "![cooperator share against b](figures/validation_nowak_may.png)",
        "",
        *_same_collapse_note(nm.get(2.01), results["nowak_may_without_self"]),
        "Collapsed runs freeze into a few small cooperator clusters whose share depends on the",
        "seed (hence the spread).",
        "",
        "## Well-mixed public goods with institutional reward or fines",
        "",
        "Source: T. Sasaki, Å. Brännström, U. Dieckmann & K. Sigmund, *The take-it-or-leave-it",
        "option allows small penalties to overcome social dilemmas*, PNAS 109, 1165–1169",
        "(2012), doi:10.1073/pnas.1115219109 (its compulsory-participation case: an institution",
        "with budget δ n per group, shared among cooperators as reward or among defectors as",
        "fines).",
        "",
        "Configuration (`scenarios/validation/institutional_reward.toml` and",
        "`institutional_fine.toml`): groups of n = 5, r = 3, c = 1; 2,000 individuals; random",
        "sequential Fermi imitation (K = 0.1) between two random individuals, payoffs the",
        "expected payoffs in a random group; 1,000 Monte Carlo steps, mean over the last 500;",
        "start at x = 0.5.",
        "",
        "Derived for this project from the model of Sasaki et al. (its qualitative source): the",
        "rest points of the replicator equation Δ(x) = −c (1 − r/n) + δ (1 − (1 − x)^n) / x = 0",
        "are x* = 0.112, 0.481, 0.749 for δ = 0.1, 0.2, 0.3. The page solves the equation again",
        "(column *replicator*, Brent's method in",
        "`cohesim.model.reductions.well_mixed.rest_points`).",
        "",
        "| δ | model | replicator | derived |",
        "| --- | --- | --- | --- |",
    ]
    for d, value in results["reward"].items():
        derived = f"{DERIVED_REWARD[d]:.3f}" if d in DERIVED_REWARD else "–"
        lines.append(f"| {d:g} | {value} | {_reward_root(d):.3f} | {derived} |")
    threshold = _reward_root(0.2, "fine")
    lines += [
        "",
        "![cooperator share against δ](figures/validation_reward.png)",
        "",
        "Fines (δ = 0.2): Δ(x) = −c (1 − r/n) + δ (1 − x^n) / (1 − x) increases with x, so the",
        f"rest point x = {threshold:.3f} (derived: 0.519) is an unstable threshold between",
        "all-defect and all-cooperate. Final cooperator share by starting share:",
        "",
        "| start | model |",
        "| --- | --- |",
    ]
    for x0, value in results["fine"].items():
        lines.append(f"| {x0:.2f} | {value} |")
    lines += [
        "",
        "## Two-strategy games, well mixed",
        "",
        "Replicator dynamics of a 2 × 2 game: interior rest point x* = (S − P) / (S − P + T − R)",
        "when it exists (stable if T > R and S > P; e.g. J. Hofbauer & K. Sigmund, *Evolutionary",
        "Games and Population Dynamics*, 1998, doi:10.1017/CBO9781139173179). The snowdrift game",
        "R = b − c/2, S = b − c, T = b, P = 0 gives x* = 1 − c / (2b − c) (Hauert & Doebeli 2004,",
        "doi:10.1038/nature02360). The simulation: 2,000 individuals, each paid its expected",
        "payoff against one random other, Fermi imitation K = 0.1, 600 Monte Carlo steps.",
        "",
        "| b | c | x* formula | replicator root | model |",
        "| --- | --- | --- | --- | --- |",
    ]
    for (b, c), value in results["snowdrift"].items():
        ((root, _),) = rest_points(lambda x, b=b, c=c: matrix_gain(x, b - c / 2, b - c, b, 0.0))
        lines.append(f"| {b:g} | {c:g} | {1 - c / (2 * b - c):.3f} | {root:.3f} | {value} |")
    lines += [
        "",
        "## Speed of random sequential updating",
        "",
        "`scenarios/validation/fermi_lattice.toml`: 50 × 50 torus, von Neumann, Fermi imitation,",
        "random sequential. 1,000 Monte Carlo steps (2.5 million elementary updates) took",
        f"**{results['fermi_seconds']:.2f} s** (best of 3, after loading the compiled kernel;",
        f"Python {platform.python_version()}, numba {metadata.version('numba')}, numpy",
        f"{metadata.version('numpy')}; timings drift from machine to machine). The elementary",
        "updates run in `cohesim.model.reductions.sequential_updates.revise`, a numba kernel fed",
        "with random numbers drawn in bulk from the model's generator.",
        "",
    ]
    return "\n".join(lines)


def write_page(seeds: int, out: Path) -> None:
    """Run the cases on ``seeds`` seeds; write the page ``out`` and its figures beside it."""
    results = collect(seeds)
    figures(results, out.parent / "figures")
    out.write_text(render(results), encoding="utf-8")
