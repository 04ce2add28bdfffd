"""Sensitivity of a sweep's outcomes to its parameters: main effects, Sobol' and Morris indices.

Indices are computed on the design the sweep ran: the experiment is rebuilt from the sweep's
manifest and its points regenerated with :func:`cohesim.experiments.designs.design_points`, the
same code the sweep used; they must equal ``design.parquet``, or the analysis stops (a different
SALib would order the points differently and the indices would be wrong).

Sobol' indices: SALib's estimators (Saltelli 2002, doi:10.1016/S0010-4655(02)00280-1; Saltelli
et al. 2010, doi:10.1016/j.cpc.2009.09.018) with bootstrap confidence intervals. Morris: SALib's
elementary effects on the unit-cube coordinates (Morris 1991,
doi:10.1080/00401706.1991.10484804; μ* from Campolongo, Cariboni & Saltelli 2007,
doi:10.1016/j.envsoft.2006.10.004). Replicates of a point are averaged first, so that seed noise
is not counted as the effect of a parameter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cohesim.experiments.designs import design_points, unit_sample
from cohesim.experiments.experiment_file import Experiment, Factor
from cohesim.experiments.results import ResultsError
from cohesim.experiments.sweep_store import DESIGN, load_runs, read_manifest

from .statistics import mean_ci

ANALYSIS_SEED_KEY = (2**32 - 3,)  # SALib's bootstrap, keyed apart from the design and the runs


def experiment_from_manifest(manifest: dict[str, Any]) -> Experiment:
    """The experiment of a sweep, rebuilt from its manifest (without its base scenarios).

    Raises
    ------
    ResultsError
        If the manifest is not a sweep's or lacks the design.
    """
    if manifest.get("kind") != "sweep":
        raise ResultsError("not a sweep manifest (kind is not 'sweep')")
    try:
        e = manifest["experiment"]
        factors = tuple(
            Factor(
                f["path"],
                f["kind"],
                values=tuple(f["values"]) if "values" in f else None,
                minimum=f.get("min"),
                maximum=f.get("max"),
                count=f.get("count"),
                distribution=f.get("distribution", "uniform"),
                peak=f.get("peak"),
            )
            for f in e["factors"]
        )
        design = e["design"]
        return Experiment(
            e["name"],
            e.get("description", ""),
            (),
            factors,
            design["kind"],
            design.get("samples"),
            bool(design.get("second_order")),
            int(design.get("levels") or 4),
            int(e["replicates"]),
            None,
            int(e["seed"]),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ResultsError(f"sweep manifest lacks part of its experiment: {error!r}") from None


def read_sweep(folder: str | Path) -> tuple[Experiment, pd.DataFrame, pd.DataFrame]:
    """A sweep's experiment, its design points (checked) and its runs table.

    Raises
    ------
    ResultsError
        If the folder is not a sweep, is unreadable, or its design cannot be reproduced.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(f"{folder}: no such folder")
    manifest = read_manifest(folder)
    try:
        experiment = experiment_from_manifest(manifest)
    except ResultsError as error:
        raise ResultsError(f"{folder}: {error}") from None
    runs = load_runs(folder)
    if runs.empty or "status" not in runs:
        raise ResultsError(f"{folder}: the sweep holds no finished run yet")
    points = design_points(experiment)
    try:
        stored = pd.read_parquet(folder / DESIGN).set_index("point_id")
    except Exception as error:  # pyarrow raises several types for damaged files
        raise ResultsError(f"{folder / DESIGN}: unreadable design: {error}") from None
    if not stored.equals(points):
        raise ResultsError(
            f"{folder / DESIGN}: does not match the design rebuilt from the manifest "
            "(was the sweep made with another SALib version?)"
        )
    return experiment, points, runs


def point_means(runs: pd.DataFrame, metric: str, points: int) -> np.ndarray:
    """The outcome of each design point: the mean of its successful runs (NaN if none)."""
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby("point_id")[metric].mean()
    return means.reindex(range(points)).to_numpy(dtype=float)


def _problem(experiment: Experiment) -> dict[str, Any]:
    names = [f.path for f in experiment.factors]
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def _seed(experiment: Experiment) -> int:
    sequence = np.random.SeedSequence(experiment.seed, spawn_key=ANALYSIS_SEED_KEY)
    return int(sequence.generate_state(1)[0])


def sobol_indices(experiment: Experiment, outcomes: np.ndarray) -> pd.DataFrame:
    """First-order and total Sobol' indices of one outcome per design point, with 95 % CIs.

    Parameters
    ----------
    experiment
        A Sobol' experiment; ``outcomes[i]`` is the outcome at its design point ``i``.
    outcomes
        One value per point, in point-id order (as :func:`point_means` gives).

    Returns
    -------
    DataFrame
        ``parameter, S1, S1_conf, ST, ST_conf`` (``*_conf``: half-width of the 95 % interval).

    Raises
    ------
    ValueError
        If the design is not Sobol', or some point has no outcome.
    """
    from SALib.analyze import sobol

    if experiment.design != "sobol":
        raise ValueError(f"Sobol' indices need a sobol design, not {experiment.design!r}")
    result = sobol.analyze(
        _problem(experiment),
        _complete(outcomes),
        calc_second_order=experiment.second_order,
        seed=_seed(experiment),
    )
    return _indices(experiment, result, ("S1", "S1_conf", "ST", "ST_conf"))


def morris_indices(experiment: Experiment, outcomes: np.ndarray) -> pd.DataFrame:
    """Morris μ*, μ and σ of one outcome per design point (parameters scaled to [0, 1]).

    Returns
    -------
    DataFrame
        ``parameter, mu_star, mu_star_conf, mu, sigma``.
    """
    from SALib.analyze import morris

    if experiment.design != "morris":
        raise ValueError(f"Morris indices need a morris design, not {experiment.design!r}")
    result = morris.analyze(
        _problem(experiment),
        unit_sample(experiment),
        _complete(outcomes),
        num_levels=experiment.levels,
        seed=_seed(experiment),
    )
    return _indices(experiment, result, ("mu_star", "mu_star_conf", "mu", "sigma"))


def _complete(outcomes: np.ndarray) -> np.ndarray:
    """The outcome of every design point; ValueError if a point has no successful run."""
    y = np.asarray(outcomes, dtype=float)
    if np.isnan(y).any():
        raise ValueError(f"{int(np.isnan(y).sum())} design points have no successful run")
    return y


def _indices(experiment: Experiment, result: Any, keys: tuple[str, ...]) -> pd.DataFrame:
    """One row per parameter, with the SALib result's ``keys`` as columns."""
    return pd.DataFrame(
        {"parameter": [f.path for f in experiment.factors], **{k: result[k] for k in keys}}
    )


def main_effects(runs: pd.DataFrame, factors: list[str], metric: str) -> pd.DataFrame:
    """Mean outcome (95 % CI over runs) per value of each factor, averaging over the others.

    Factors with more than 10 distinct numeric values are cut into 8 equal-width bins (``value``
    is the bin's middle). Returns ``parameter, value, runs, mean, ci_low, ci_high``.
    """
    rows = []
    ok = runs[runs["status"] == "ok"]
    for factor in factors:
        column = ok[factor]
        if column.dtype.kind == "f" and column.nunique() > 10:
            bins = pd.cut(column, 8)
            keys = bins.map(lambda b: b.mid).astype(float)
        else:
            keys = column
        for value, part in ok[metric].groupby(keys, sort=True):
            m, lo, hi = mean_ci(part)
            rows.append((factor, value, len(part), m, lo, hi))
    return pd.DataFrame(rows, columns=["parameter", "value", "runs", "mean", "ci_low", "ci_high"])
