"""Which model simulates a run: the policy model or one of the validation reductions."""

from __future__ import annotations

import numpy as np

from .parameters import Parameters
from .reductions import REDUCTION_MODELS, GraphGame, WellMixedGame
from .region import Region
from .territories import TerritoryTable
from .territory_model import TerritoryModel


def model_for(
    parameters: Parameters,
    *,
    rng: int | np.random.Generator | None = None,
    territories: TerritoryTable | None = None,
    region: Region | None = None,
) -> TerritoryModel | GraphGame | WellMixedGame:
    """The model ``geometry.source`` needs, built from ``parameters``.

    :class:`~cohesim.model.TerritoryModel` for ``synthetic`` and ``france`` (which needs its
    ``territories``), else the validation reduction of
    :data:`~cohesim.model.reductions.REDUCTION_MODELS`.

    Parameters
    ----------
    parameters
        All parameters of the run.
    rng
        Seed or generator for every random draw; ``parameters.run.seed`` when None.
    territories
        Territories for the policy model; validation sources build their own players.
    region
        The policy model's region, built already for these parameters and seed
        (:func:`~cohesim.model.region.build_region`): reused instead of built again.

    Examples
    --------
    >>> from cohesim.model import Parameters, model_for
    >>> p = Parameters.model_validate({"geometry": {"source": "lattice"}, "graph": {"side": 5}})
    >>> type(model_for(p, rng=1)).__name__
    'GraphGame'
    >>> type(model_for(Parameters(), rng=1)).__name__
    'TerritoryModel'
    """
    source = parameters.geometry.source
    reduction = REDUCTION_MODELS.get(source)
    if reduction is None:
        return TerritoryModel(parameters, rng=rng, territories=territories, region=region)
    if territories is not None or region is not None:
        raise ValueError(
            f"geometry.source = {source!r} builds its own players: territories= and region= "
            "are only for the 'synthetic' and 'france' sources"
        )
    return reduction(parameters, rng=rng)
