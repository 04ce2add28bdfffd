"""Designs: the table of parameter points an experiment runs.

``grid`` is the full product of every factor's values. ``lhs``, ``sobol`` and ``morris`` draw
points in the unit hypercube with SALib (Latin hypercube; Saltelli's extension of Sobol'
sequences, Saltelli 2002, doi:10.1016/S0010-4655(02)00280-1; Morris 1991,
doi:10.1080/00401706.1991.10484804) and map each coordinate onto its factor: a range through the
inverse of its distribution, an integer range onto whole numbers (each equally likely), a list of
values (choices, booleans, chosen numbers) onto one of them. Sampling in the unit cube and
mapping afterwards keeps every point inside the declared ranges.

The sample depends only on the experiment's seed, so a point's id always names the same values.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd

from .experiment_file import Experiment, Factor

# Keyed apart from the per-run seeds, which use (scenario, point, replicate).
DESIGN_SEED_KEY = (2**32 - 1,)


def design_points(experiment: Experiment) -> pd.DataFrame:
    """One row per parameter point (index = point id), one column per factor's dotted path.

    Examples
    --------
    Sobol with second-order indices gives N·(2D+2) points (SALib's Saltelli scheme):

    >>> from cohesim.experiments.experiment_file import Experiment, Factor
    >>> factors = (Factor("game.synergy", "float", minimum=1.0, maximum=2.0),
    ...            Factor("update.rule", "choice", values=("logit", "fermi")))
    >>> experiment = Experiment("e", "", (), factors, "sobol", 8, True, 4, 1, 5, 1)
    >>> len(design_points(experiment))
    48
    """
    factors = experiment.factors
    if experiment.design == "grid":
        values = [_grid_values(f) for f in factors]
        rows = list(itertools.product(*values))  # one empty row when nothing varies
        return _frame(factors, [list(col) for col in zip(*rows, strict=True)], len(rows))
    unit = unit_sample(experiment)
    columns = [_map_unit(f, unit[:, i]) for i, f in enumerate(factors)]
    return _frame(factors, columns, len(unit))


def _frame(factors: tuple[Factor, ...], columns: list, rows: int) -> pd.DataFrame:
    frame = pd.DataFrame(index=pd.RangeIndex(rows, name="point_id"))
    for factor, column in zip(factors, columns, strict=True):
        frame[factor.path] = pd.Series(column, index=frame.index, dtype=_dtype(factor))
    return frame


def _dtype(factor: Factor) -> str:
    if factor.kind == "choice":
        return "object"
    if factor.kind == "bool":
        return "bool"
    return "int64" if factor.kind == "int" else "float64"


def _grid_values(factor: Factor) -> list:
    if factor.values is not None:
        return list(factor.values)
    if factor.count is None:
        raise ValueError(f"factor {factor.path} has no count: a grid needs one")
    lo, hi = factor.bounds()
    values = np.linspace(lo, hi, factor.count)
    if factor.kind == "int":
        return sorted({int(v) for v in np.rint(values)})
    return [float(v) for v in values]


def unit_sample(experiment: Experiment) -> np.ndarray:
    """The design's points in the unit hypercube, before mapping onto the factors (not grids).

    Morris' elementary effects are computed on these coordinates
    (:func:`cohesim.analysis.sensitivity.morris_indices`).
    """
    d = len(experiment.factors)
    problem = {
        "num_vars": d,
        "names": [f.path for f in experiment.factors],
        "bounds": [[0.0, 1.0]] * d,
    }
    seed = np.random.default_rng(np.random.SeedSequence(experiment.seed, spawn_key=DESIGN_SEED_KEY))
    n = experiment.samples
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # SALib's notes on sample sizes
        # each sampler imported when needed: Sobol's imports scipy.stats, a second more
        if experiment.design == "lhs":
            from SALib.sample import latin

            return latin.sample(problem, n, seed=seed)
        if experiment.design == "sobol":
            from SALib.sample import sobol

            return sobol.sample(problem, n, calc_second_order=experiment.second_order, seed=seed)
        from SALib.sample import morris

        return morris.sample(problem, n, num_levels=experiment.levels, seed=seed)


def _map_unit(factor: Factor, u: np.ndarray) -> list:
    """Map coordinates in [0, 1] onto a factor's values."""
    if factor.values is not None:
        k = len(factor.values)
        index = np.minimum((u * k).astype(int), k - 1)  # u = 1 (Morris' top level) → last value
        return [factor.values[i] for i in index]
    lo, hi = (float(bound) for bound in factor.bounds())
    if factor.kind == "int":
        width = int(hi) - int(lo) + 1
        return [int(lo) + int(v) for v in np.minimum((u * width).astype(int), width - 1)]
    if factor.distribution == "loguniform":
        x = np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    elif factor.distribution == "triangular":
        if factor.peak is None:
            raise ValueError(f"factor {factor.path} is triangular but has no peak")
        x = _triangular(u, lo, float(factor.peak), hi)
    else:
        x = lo + u * (hi - lo)
    return [float(v) for v in np.clip(x, lo, hi)]  # rounding must not leave the declared range


def _triangular(u: np.ndarray, lo: float, peak: float, hi: float) -> np.ndarray:
    """Inverse CDF of the triangular distribution on [lo, hi] with its mode at ``peak``."""
    split = (peak - lo) / (hi - lo)
    left = lo + np.sqrt(u * (hi - lo) * (peak - lo))
    right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - peak))
    return np.where(u < split, left, right)
