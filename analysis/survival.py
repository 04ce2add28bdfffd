"""Survival of cooperation structures, read from an inventory table.

Kaplan–Meier product-limit estimator (Kaplan & Meier 1958, doi:10.1080/01621459.1958.10501452):
S(t) = Π_{t_i ≤ t} (1 − d_i / n_i), with d_i structures ending at age t_i and n_i still at risk
just before it; structures still active at the end of the run are censored at their age then.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def kaplan_meier(durations: np.ndarray, ended: np.ndarray) -> pd.DataFrame:
    """Survival curve from durations and whether each ended (False = censored).

    Returns one row per distinct duration with an end: ``time``, ``at_risk``, ``ended``,
    ``censored`` (censored at that time), ``survival`` (S just after ``time``). Censored
    observations at time t count as at risk at t (the usual convention).
    """
    durations = np.asarray(durations, dtype=float)
    ended = np.asarray(ended, dtype=bool)
    if durations.shape != ended.shape:
        raise ValueError("durations and ended must have the same shape")
    if np.any(durations < 0):
        raise ValueError("durations must be non-negative")
    times = np.unique(durations[ended])
    at_risk = np.array([(durations >= t).sum() for t in times], dtype=int)
    events = np.array([(ended & (durations == t)).sum() for t in times], dtype=int)
    censored = np.array([(~ended & (durations == t)).sum() for t in times], dtype=int)
    survival = np.cumprod(1.0 - events / at_risk) if len(times) else np.empty(0)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "ended": events,
            "censored": censored,
            "survival": survival,
        }
    )


def structure_lifetimes(inventory: pd.DataFrame, end_year: int) -> pd.DataFrame:
    """Each structure's age at dissolution, or at ``end_year`` if still active (censored)."""
    ended = inventory["year_dissolved"].notna().to_numpy()
    last = inventory["year_dissolved"].fillna(end_year).to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "structure_id": inventory["structure_id"],
            "kind": inventory["kind"],
            "duration": last - inventory["year_formed"].to_numpy(dtype=float),
            "ended": ended,
        }
    )


def survival_at(curve: pd.DataFrame, age: float) -> float:
    """S(age) from a Kaplan–Meier table (1 before the first end)."""
    before = curve[curve["time"] <= age]
    return float(before["survival"].iloc[-1]) if len(before) else 1.0


def median_lifetime(curve: pd.DataFrame) -> float:
    """First time the survival falls to 0.5 or below (inf if it never does)."""
    below = curve[curve["survival"] <= 0.5]
    return float(below["time"].iloc[0]) if len(below) else float("inf")


def window_hazard(curve: pd.DataFrame, first: int, last: int) -> float:
    """Mean yearly hazard over the integer ages ``first`` .. ``last`` (both included).

    The hazard at an age is d / n from the Kaplan–Meier table (0 at an age where nothing
    ended); the mean is over the ``last − first + 1`` ages of the window.
    """
    if last < first:
        raise ValueError(f"window of ages {first}..{last} is empty")
    window = curve[(curve["time"] >= first) & (curve["time"] <= last)]
    return float((window["ended"] / window["at_risk"]).sum() / (last - first + 1))


def seed_bootstrap(
    statistic: Callable[[np.ndarray], float],
    seeds: int,
    *,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """A statistic of per-seed data, with a 95 % interval from a bootstrap over seeds.

    ``statistic(picks)`` computes the quantity from the seeds indexed by ``picks`` (with
    repeats). Structures of one run are not independent, so whole seeds are resampled (a
    cluster bootstrap); scenarios run on the same seeds are resampled with the same picks.
    Resamples where the statistic is not finite (no structure at all) are skipped.

    Returns
    -------
    tuple
        (statistic on all seeds, 2.5 % and 97.5 % percentiles of the resampled values).
    """
    if seeds < 1:
        raise ValueError("seed_bootstrap needs at least one seed")
    point = statistic(np.arange(seeds))
    rng = np.random.default_rng(seed)  # the bootstrap's own generator, not the simulation's
    picks = rng.integers(0, seeds, size=(resamples, seeds))
    draws = np.array([statistic(p) for p in picks])
    draws = draws[np.isfinite(draws)]
    if len(draws) == 0:
        return float(point), float("nan"), float("nan")
    low, high = np.percentile(draws, [2.5, 97.5])
    return float(point), float(low), float(high)


def pooled_curve(lives: list[pd.DataFrame], picks: np.ndarray) -> pd.DataFrame | None:
    """Kaplan–Meier table of the structures of the picked seeds pooled (None if there are none)."""
    pooled = pd.concat([lives[k] for k in picks])
    if pooled.empty:
        return None
    return kaplan_meier(pooled["duration"], pooled["ended"])


def hazard_change(
    lives: list[pd.DataFrame],
    during: tuple[int, int],
    after: tuple[int, int],
    *,
    resamples: int = 2000,
) -> tuple[float, float, float]:
    """Yearly hazard at ages ``after`` minus at ages ``during`` (inclusive), bootstrap over seeds.

    ``lives[k]`` holds the lifetimes (``duration``, ``ended``) of seed k's structures.
    """

    def change(picks: np.ndarray) -> float:
        curve = pooled_curve(lives, picks)
        if curve is None:
            return float("nan")
        return window_hazard(curve, *after) - window_hazard(curve, *during)

    return seed_bootstrap(change, len(lives), resamples=resamples)


def survival_difference(
    lives_a: list[pd.DataFrame],
    lives_b: list[pd.DataFrame],
    age: float,
    *,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """S_a(age) − S_b(age), with a 95 % interval from a bootstrap over seeds (clusters).

    ``lives_a[k]`` and ``lives_b[k]`` are the lifetimes (``duration``, ``ended``) of the
    structures of seed k under two scenarios. Structures of one run are not independent, so the
    bootstrap resamples whole seeds, the same seeds for both scenarios (they share their random
    numbers). A resample whose pooled structures are empty in a scenario is skipped.

    Returns
    -------
    tuple
        (difference on all seeds, 2.5 % and 97.5 % percentiles of the resampled differences).
    """
    if len(lives_a) != len(lives_b) or not lives_a:
        raise ValueError("survival_difference needs the same, non-zero number of seeds")

    def at(lives: list[pd.DataFrame], picks: np.ndarray) -> float:
        curve = pooled_curve(lives, picks)
        return float("nan") if curve is None else survival_at(curve, age)

    return seed_bootstrap(
        lambda p: at(lives_a, p) - at(lives_b, p), len(lives_a), resamples=resamples, seed=seed
    )
