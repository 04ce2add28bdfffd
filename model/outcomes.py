"""Outcome metrics of one step: cohesion, cooperation, access, welfare and money.

Welfare per inhabitant is w_i = Σ_m v_m d_m min(1, a_i^m) + π_i / P_i. Inequality indices need
positive values, so they are computed on max(w_i, WELFARE_FLOOR); how many territories were
floored is reported as ``welfare_floored`` (zero at default parameters).
"""

from __future__ import annotations

import numpy as np

from .inequality import beta_convergence, summary
from .kinds import PERIURBAN, RURAL, is_urban

WELFARE_FLOOR = 1.0
"""€ per inhabitant: the smallest welfare the inequality indices see."""


def welfare(service_value: np.ndarray, payoff: np.ndarray, population: np.ndarray) -> np.ndarray:
    """w_i: value of services reached per inhabitant plus payoff per inhabitant (€/inh./yr)."""
    return service_value + payoff / population


def cohesion(w: np.ndarray, population: np.ndarray, kind: np.ndarray) -> dict[str, float]:
    """Population-weighted inequality of welfare, its split over kinds, the urban–rural gap."""
    floored = np.maximum(w, WELFARE_FLOOR)
    indices = summary(floored, population, groups=kind)
    urban = is_urban(kind)
    rural = (kind == PERIURBAN) | (kind == RURAL)
    return {
        "gini": indices.gini,
        "theil": indices.theil.total,
        "theil_between": indices.theil.between,
        "theil_within": indices.theil.within,
        "cv": indices.cv,
        "urban_rural_gap": _mean(floored, population, urban) / _mean(floored, population, rural),
        "sigma_convergence": indices.sigma,
        "welfare_floored": int(np.count_nonzero(w < WELFARE_FLOOR)),
    }


def convergence(log_w_then: np.ndarray, log_w_now: np.ndarray, years: int) -> float:
    """β-convergence slope of annual growth of welfare on initial log welfare.

    NaN at step 0 (no history); 0 when initial welfare is equal everywhere (nothing to converge).
    """
    if years <= 0:
        return float("nan")
    if np.ptp(log_w_then) == 0:
        return 0.0
    return beta_convergence(np.exp(log_w_then), np.exp(log_w_now), years)


def _mean(values: np.ndarray, weights: np.ndarray, mask: np.ndarray) -> float:
    total = weights[mask].sum()
    return float((values[mask] * weights[mask]).sum() / total) if total > 0 else float("nan")
