"""Survival of cooperation structures, read from an inventory table.

Kaplan–Meier product-limit estimator (Kaplan & Meier 1958, doi:10.1080/01621459.1958.10501452):
S(t) = Π_{t_i ≤ t} (1 − d_i / n_i), with d_i structures ending at age t_i and n_i still at risk
just before it; structures still active at the end of the run are censored at their age then.
"""

from __future__ import annotations

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
