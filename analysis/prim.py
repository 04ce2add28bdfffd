"""Scenario discovery with PRIM: which parameter ranges lead to an outcome of interest.

The Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in high-dimensional
data", *Statistics and Computing* 9:123–143, doi:10.1023/A:1008894516817), as used for scenario
discovery (Bryant & Lempert 2010, doi:10.1016/j.techfore.2009.08.002):

1. **Peeling.** Start from a box holding every run. At each step, consider removing from the box
   the fraction ``alpha`` of its runs with the lowest, or the highest, values of one numeric
   parameter, or the runs taking one value of a categorical parameter; keep the removal that
   raises the share of target runs in the box (its *density*) the most per run removed. Stop
   when the box would hold fewer than ``min_support`` of all runs. Each box visited is a step
   of the *trajectory*, with its *coverage* (share of all target runs inside it) and density.
2. **Choosing a box** (the rule used here): the densest box on the trajectory among those whose
   coverage is at least ``min_coverage``; among equally dense boxes, the one with the largest
   coverage (the earliest).
3. **Pasting.** Widen the chosen box again, one side at a time, by the ``alpha`` fraction of its
   size of the nearest runs outside it, while that does not lower the density.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

TARGET = re.compile(r"^\s*([\w.]+)\s*([<>])\s*(q?)([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Target:
    """Which runs are of interest: ``metric`` above or below a threshold (a value or quantile)."""

    metric: str
    above: bool
    threshold: float
    quantile: bool

    def __str__(self) -> str:
        value = f"q{self.threshold:g}" if self.quantile else f"{self.threshold:g}"
        return f"{self.metric} {'>' if self.above else '<'} {value}"

    def select(self, values: pd.Series) -> tuple[np.ndarray, float]:
        """The runs selected (bool array) and the threshold in the metric's own units."""
        x = values.to_numpy(dtype=float)
        cut = float(np.nanpercentile(x, self.threshold)) if self.quantile else self.threshold
        return (x > cut) if self.above else (x < cut), cut


def parse_target(text: str) -> Target:
    """Read a target such as ``gini>q75`` (above its 75th percentile) or ``cooperation_rate<0.2``.

    Raises
    ------
    ValueError
        When the text is not METRIC, ``<`` or ``>``, and a number or ``qNN`` (0 ≤ NN ≤ 100).

    Examples
    --------
    >>> str(parse_target("gini>q75")), str(parse_target("cooperation_rate < 0.2"))
    ('gini > q75', 'cooperation_rate < 0.2')
    """
    match = TARGET.match(text)
    if not match:
        raise ValueError(
            f"target {text!r}: expected METRIC>VALUE or METRIC<VALUE, VALUE a number or qNN "
            "(a percentile), e.g. gini>q75 or cooperation_rate<0.2"
        )
    metric, op, q, value = match.groups()
    threshold = float(value)
    if q and not 0 <= threshold <= 100:
        raise ValueError(f"target {text!r}: a percentile must be between q0 and q100")
    return Target(metric, op == ">", threshold, bool(q))


@dataclass
class PrimResult:
    """PRIM's trajectory and chosen box.

    ``trajectory`` has one row per box peeled (``step``, ``coverage``, ``density``, ``support``,
    ``runs``); ``box`` one row per parameter (``parameter``, ``low``, ``high``, ``values``,
    ``restricted``) for the chosen box after pasting, whose ``coverage`` and ``density`` are
    given; ``chosen`` is the trajectory step it was pasted from.
    """

    trajectory: pd.DataFrame
    chosen: int
    box: pd.DataFrame
    coverage: float
    density: float
    support: float


def prim(
    x: pd.DataFrame,
    y: np.ndarray,
    *,
    alpha: float = 0.05,
    min_support: float = 0.05,
    min_coverage: float = 0.5,
    paste: bool = True,
) -> PrimResult:
    """Find a box of parameter values where the target runs ``y`` concentrate.

    Parameters
    ----------
    x
        One row per run, one column per parameter (numeric, boolean or categorical).
    y
        True for target runs.
    alpha
        Share of the box's runs removed at each peel (and added at each paste).
    min_support
        Peeling stops before the box holds fewer than this share of all runs.
    min_coverage
        The chosen box covers at least this share of target runs (see the module docstring).
    paste
        Widen the chosen box again while that raises its density.

    Raises
    ------
    ValueError
        With no target run, or no run outside the target, or bad settings.
    """
    y = np.asarray(y, dtype=bool)
    if len(y) != len(x):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)} values")
    if not 0 < alpha < 0.5 or not 0 < min_support < 1 or not 0 < min_coverage <= 1:
        raise ValueError("need 0 < alpha < 0.5, 0 < min_support < 1 and 0 < min_coverage ≤ 1")
    if y.all() or not y.any():
        raise ValueError("PRIM needs both target runs and other runs")
    box = _Box(x, y)
    boxes = [box.limits.copy()]
    rows = [box.stats()]
    while True:
        best = None
        for limits in box.peels(alpha):
            inside = box.inside(limits)
            n = int(inside.sum())
            if n < min_support * len(y) or n == int(box.mask.sum()):
                continue
            # gain in density per run removed (Friedman & Fisher 1999, §3.1): a categorical peel
            # removing half the box must buy more density than a peel of alpha
            removed = int(box.mask.sum()) - n
            score = ((y[inside].mean() - y[box.mask].mean()) / removed, n)
            if best is None or score > best[0]:
                best = (score, limits)
        if best is None:
            break
        box.set(best[1])
        boxes.append(box.limits.copy())
        rows.append(box.stats())
    trajectory = pd.DataFrame(rows)
    trajectory.insert(0, "step", range(len(trajectory)))
    eligible = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
    top = eligible["density"].max()
    chosen = int(eligible[eligible["density"] >= top - 1e-12]["step"].iloc[0])
    box.set(boxes[chosen])
    if paste:
        box.paste(alpha)
    final = box.stats()
    return PrimResult(
        trajectory, chosen, box.table(), final["coverage"], final["density"], final["support"]
    )


class _Box:
    """Limits per parameter ((low, high) for numbers, a set of values otherwise) over data."""

    def __init__(self, x: pd.DataFrame, y: np.ndarray):
        self.x, self.y = x, y
        self.numeric = {
            c: x[c].to_numpy(dtype=float)
            for c in x.columns
            if x[c].dtype.kind in "fiu" and x[c].nunique() > 2
        }
        self.categorical = {
            c: x[c].astype(str).to_numpy() for c in x.columns if c not in self.numeric
        }
        self.limits: dict = {c: (v.min(), v.max()) for c, v in self.numeric.items()}
        self.limits.update({c: frozenset(v) for c, v in self.categorical.items()})
        self.full = dict(self.limits)
        self.mask = np.ones(len(y), dtype=bool)

    def inside(self, limits: dict) -> np.ndarray:
        mask = np.ones(len(self.y), dtype=bool)
        for c, (lo, hi) in ((c, limits[c]) for c in self.numeric):
            mask &= (self.numeric[c] >= lo) & (self.numeric[c] <= hi)
        for c in self.categorical:
            mask &= np.isin(self.categorical[c], list(limits[c]))
        return mask

    def set(self, limits: dict) -> None:
        self.limits = dict(limits)
        self.mask = self.inside(self.limits)

    def stats(self) -> dict:
        n = int(self.mask.sum())
        return {
            "coverage": float(self.y[self.mask].sum() / self.y.sum()),
            "density": float(self.y[self.mask].mean()) if n else float("nan"),
            "support": n / len(self.y),
            "runs": n,
        }

    def peels(self, alpha: float):
        """Candidate boxes, each one peel away from this one."""
        for c, values in self.numeric.items():
            v = np.sort(values[self.mask])
            k = max(1, math.ceil(alpha * len(v)))
            lo, hi = self.limits[c]
            above = v[v > v[k - 1]]  # drop the k lowest (and their ties)
            if len(above):
                yield {**self.limits, c: (above[0], hi)}
            below = v[v < v[-k]]
            if len(below):
                yield {**self.limits, c: (lo, below[-1])}
        for c in self.categorical:
            if len(self.limits[c]) > 1:
                for value in sorted(self.limits[c]):
                    yield {**self.limits, c: self.limits[c] - {value}}

    def paste(self, alpha: float) -> None:
        """Widen one side at a time while the density rises."""
        while True:
            density = self.y[self.mask].mean()
            best = None
            for limits in self._pastes(alpha):
                inside = self.inside(limits)
                d = self.y[inside].mean()
                if d >= density - 1e-12 and (best is None or d > best[0]):
                    best = (d, limits)
            if best is None:
                return
            self.set(best[1])

    def _pastes(self, alpha: float):
        k = max(1, math.ceil(alpha * int(self.mask.sum())))
        for c, values in self.numeric.items():
            lo, hi = self.limits[c]
            others = self.inside({**self.limits, c: self.full[c]})
            outside_low = np.sort(values[others & (values < lo)])
            if len(outside_low):
                yield {**self.limits, c: (outside_low[-k:][0], hi)}
            outside_high = np.sort(values[others & (values > hi)])
            if len(outside_high):
                yield {**self.limits, c: (lo, outside_high[:k][-1])}
        for c in self.categorical:
            for value in sorted(self.full[c] - self.limits[c]):
                yield {**self.limits, c: self.limits[c] | {value}}

    def table(self) -> pd.DataFrame:
        rows = []
        for c in self.x.columns:
            if c in self.numeric:
                lo, hi = self.limits[c]
                restricted = (lo, hi) != tuple(self.full[c])
                rows.append((c, float(lo), float(hi), "", restricted))
            else:
                kept = self.limits[c]
                rows.append((c, np.nan, np.nan, ", ".join(sorted(kept)), kept != self.full[c]))
        return pd.DataFrame(rows, columns=["parameter", "low", "high", "values", "restricted"])
