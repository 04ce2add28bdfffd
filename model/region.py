"""The region a model runs on, built once and reusable by every run of it.

Everything :class:`~cohesim.model.TerritoryModel` computes before its first policy-dependent
line depends only on the parameters in :data:`REGION_INPUTS`, on the territories (real ones, or
the synthetic ones drawn from the model's generator) and on nothing else: the territory table,
the endowments, candidate pairs, gravity flows and the interaction network. A :class:`Region`
holds them, read-only, so that a sweep running many lever settings on the same region and seed
builds it once (experiments/chunks.py keeps a few per worker).

Reuse is bit-identical. A synthetic region remembers the state of the generator it was drawn
from, before and after its draws: a model given the region checks that its own generator is in
the ``before`` state (the same seed) and jumps to the ``after`` state, exactly where building
the region itself would have left it. Its arrays are read-only: a run copies what it changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from .flows import CandidatePairs, FlowField, InteractionNetwork, gravity_flows, interaction_network
from .parameters import Parameters
from .territories import Endowments, TerritoryTable, endowments, synthetic_territories

REGION_INPUTS = (
    "geometry",
    "services",
    "network.flow_cutoff",
    "network.partners",
    "network.min_interdependence",
    "engineering.base_fte",
    "engineering.scale_fte",
    "engineering.exponent",
    "budget.revenue_per_capita",
    "budget.revenue_exponent",
    "budget.initial_reserve_years",
)
"""The parameters (dotted paths; a group stands for all it holds) a region is built from.

tests/test_region.py traces every parameter :func:`region_parts` reads and fails if one is not
covered here, so the cache key cannot leave out a parameter the region depends on.
"""


@dataclass(frozen=True)
class Region:
    """What a model computes from its territories before any policy: read-only arrays."""

    inputs: str  # REGION_INPUTS' values, as JSON: the parameters it was built from
    table: TerritoryTable
    own: Endowments
    value: np.ndarray  # v_m, (M,)
    access_decay: np.ndarray  # (M,)
    pairs: CandidatePairs
    flows: FlowField
    network: InteractionNetwork
    # generator states around the synthetic draws (None for real territories: no draw)
    rng_before: Mapping[str, Any] | None
    rng_after: Mapping[str, Any] | None

    def enter(self, parameters: Parameters, rng: np.random.Generator) -> None:
        """Check that this model would have built this region; advance ``rng`` past its draws.

        ``rng`` is left where building the region would have left it. Raises ValueError for a
        region built from other parameters or another seed.
        """
        inputs = region_inputs(parameters)
        if inputs != self.inputs:
            differing = [
                path
                for path, (a, b) in zip(
                    REGION_INPUTS,
                    zip(json.loads(inputs), json.loads(self.inputs), strict=True),
                    strict=True,
                )
                if a != b
            ]
            raise ValueError(
                f"region= was built from other parameters (differing: {', '.join(differing)})"
            )
        if self.rng_before is None:
            return
        if rng.bit_generator.state != self.rng_before:
            raise ValueError(
                "region= holds synthetic territories drawn from another seed than this model's"
            )
        rng.bit_generator.state = dict(self.rng_after or {})


def build_region(
    parameters: Parameters,
    rng: int | np.random.Generator,
    territories: TerritoryTable | None = None,
) -> Region:
    """The region ``parameters`` describe (as in force at the start of the burn-in).

    ``rng`` (a seed, or the model's own generator, which it advances) draws synthetic
    territories; real ``territories`` draw nothing.
    """
    region = Region(inputs=region_inputs(parameters), **region_parts(parameters, rng, territories))
    for array in _arrays(region):
        array.flags.writeable = False
    return region


def region_parts(
    parameters: Parameters,
    rng: int | np.random.Generator,
    territories: TerritoryTable | None = None,
) -> dict[str, Any]:
    """What :func:`build_region` computes, by field of :class:`Region` (all but ``inputs``).

    Kept apart so that tests/test_region.py traces the parameters building reads, and only them.
    """
    if territories is None and parameters.geometry.source != "synthetic":
        raise ValueError(
            f"geometry.source = {parameters.geometry.source!r}: pass its territories= "
            "(cohesim.experiments.build_model reads them for a scenario)"
        )
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    before = after = None
    if territories is None:
        before = rng.bit_generator.state
        table = synthetic_territories(parameters, rng)
        after = rng.bit_generator.state
    else:
        table = territories
    domains = list(parameters.services.domains.values())
    value = np.array([d.value for d in domains])
    own = endowments(table, parameters)
    decay = np.array([d.decay_km for d in domains])
    access_decay = np.array([d.access_decay_km for d in domains])
    cutoff = parameters.network.flow_cutoff
    pairs = CandidatePairs(table.x, table.y, radius=float(cutoff * decay.max()))
    flows = gravity_flows(pairs, own.demand, own.capacity, decay, cutoff, access_decay)
    network = interaction_network(
        pairs,
        flows,
        own.demand,
        own.capacity,
        value,
        parameters.network.partners,
        parameters.network.min_interdependence,
    )
    return {
        "table": table,
        "own": own,
        "value": value,
        "access_decay": access_decay,
        "pairs": pairs,
        "flows": flows,
        "network": network,
        "rng_before": before,
        "rng_after": after,
    }


def region_inputs(parameters: Parameters) -> str:
    """The values of :data:`REGION_INPUTS` in ``parameters``, as canonical JSON."""
    return parameter_values(parameters, REGION_INPUTS)


def parameter_values(parameters: Parameters, paths: Sequence[str]) -> str:
    """The values of the parameters at ``paths`` (a group: all it holds), as canonical JSON."""
    values = []
    for path in paths:
        value: Any = parameters
        for name in path.split("."):
            value = getattr(value, name)
        values.append(value.model_dump(mode="json") if isinstance(value, BaseModel) else value)
    return json.dumps(values, sort_keys=True)


def region_key(
    parameters: Parameters, seed: int | None, territories: TerritoryTable | None
) -> tuple[str, int | None, str | None]:
    """What a region depends on: its parameters, the seed of a synthetic one, real territories.

    ``parameters`` as in force at the start (``Parameters.at_year(-burn_in)``).
    """
    if territories is not None:
        return region_inputs(parameters), None, table_fingerprint(territories)
    return region_inputs(parameters), seed, None


def table_fingerprint(table: TerritoryTable) -> str:
    """A digest of every column of a territory table (two equal tables, one digest)."""
    digest = hashlib.blake2b(digest_size=16)
    columns = {f.name: getattr(table, f.name) for f in fields(table) if f.name != "overrides"}
    columns.update({f"overrides.{k}": v for k, v in sorted(table.overrides.items())})
    for name, column in columns.items():
        digest.update(name.encode())
        if column is None:
            digest.update(b"none")
            continue
        column = np.asarray(column)
        digest.update(f"{column.dtype.str}{column.shape}".encode())
        digest.update(np.ascontiguousarray(column).tobytes())
    return digest.hexdigest()


def _arrays(value: Any) -> list[np.ndarray]:
    """Every numpy array a region holds (in dataclasses, mappings, tuples and the pairs)."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, CandidatePairs):
        return [value.points, value.starts]
    if is_dataclass(value) and not isinstance(value, type):
        return [a for f in fields(value) for a in _arrays(getattr(value, f.name))]
    if isinstance(value, Mapping):
        return [a for v in value.values() for a in _arrays(v)]
    if isinstance(value, tuple | list):
        return [a for v in value for a in _arrays(v)]
    return []
