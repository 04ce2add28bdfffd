"""What living structures change in service provision: pooled capacity and longer reach.

A structure covering domain m shares its members' services in m while it lives (science review
§3.3; issue 12, point 1), in proportion to the share of its value its staffing delivers
(1 − exp(−H_S/H*), M5), so engineering bounds what it changes:

- **Pooled capacity.** Members' capacities in m form one pool, rationed together: the pool's
  ration r_P = min(1, Σ_{j∈P} E_j / Σ_{j∈P} Σ_k F_kj), and a member's ration moves from its own
  r_j towards it, r_j + w_P (r_P − r_j), w_P the best delivered share among the pool's
  structures. What a congested member cannot serve is served by partners with spare capacity
  (a shared health centre's rota, a food hub); the pool never serves more than its capacity.
  Structures sharing a member share one pool.
- **Longer reach.** Between members, the distances of the flow and access kernels stretch by
  1 + ξ_S w_S (``structures.reach_gain``): shared transport, teleconsultation and joint
  booking bring partners' services closer (review §3.3, for mobility; here for every domain a
  structure covers).

:func:`shared_services` reads the registry and returns a :class:`SharedServices` that
:func:`cohesim.model.flows.gravity_flows` applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .engineering import delivered_shares
from .membership_kernels import pool_weights, pools
from .structures import engineering_commitments

if TYPE_CHECKING:
    from .territory_model import TerritoryModel


@dataclass(frozen=True)
class SharedServices:
    """Pools and stretched kernels between members, per domain.

    ``pool[i, m]`` labels the pool territory i's capacity in m belongs to (−1: none) and
    ``weight[p, m]`` how far pool p's members move towards its ration. ``i, j, d, stretch``
    list the directed member pairs whose distances stretch in each domain (``stretch[e, m]`` =
    1 + ξ_S w_S, 1 where they share no structure covering m).
    """

    pool: np.ndarray  # (N, M) int
    weight: np.ndarray  # (pools, M)
    i: np.ndarray
    j: np.ndarray
    d: np.ndarray
    stretch: np.ndarray  # (pairs, M)

    @property
    def stretched(self) -> bool:
        """Whether some members' distances stretch (a full flow pass is then needed)."""
        return bool((self.stretch > 1).any())

    @property
    def empty(self) -> bool:
        """Whether it changes nothing."""
        return not (self.pool >= 0).any() and not self.stretched


def shared_services(model: TerritoryModel) -> SharedServices | None:
    """Pools and stretched member pairs of the active structures (None when nothing is shared)."""
    s = model.parameters.structures
    reg = model.registry
    held, engineering = engineering_commitments(model)
    if len(held) == 0 or (not s.pooling and s.reach_gain == 0):
        return None
    n, n_dom = len(model.population), len(model.domain_names)
    st = reg.structures
    structure, territory = reg.members["structure"][held], reg.members["territory"][held]
    delivered = delivered_shares(structure, engineering, model.cover[territory], st.size)
    covers = st["domains"]

    if s.pooling:
        # who pools with whom changes only with memberships: computed once per change of them
        held_now = reg.memberships(n)
        pool = reg.memoised(
            ("pools", n), lambda: pools(held_now.territory, held_now.structure, covers, n)
        )
    else:
        pool = np.full((n, n_dom), -1, dtype=np.int64)
    # a pool's weight: the best delivered share among its structures, this year
    weight = pool_weights(territory, structure, pool, covers, delivered)

    # member pairs of each structure, both ways, with the stretch of their shared domains
    if s.reach_gain > 0:
        i, j, k = _member_pairs(territory, structure)
        gain = s.reach_gain * np.minimum(delivered[k], 1.0)[:, None] * covers[k]
        # a pair sharing several structures stretches by the largest
        pair, slot = np.unique(i.astype(np.int64) * n + j, return_inverse=True)
        stretch = np.zeros((len(pair), n_dom))
        np.maximum.at(stretch, slot, gain)
        stretch += 1.0
        i, j = pair // n, pair % n
    else:
        i = j = np.zeros(0, dtype=np.int64)
        stretch = np.ones((0, n_dom))
    d = np.hypot(model.x[i] - model.x[j], model.y[i] - model.y[j])
    return SharedServices(pool=pool, weight=weight, i=i, j=j, d=d, stretch=stretch)


def _member_pairs(
    territory: np.ndarray, structure: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ordered pair of distinct fellow members (i, j) and their structure, vectorised."""
    order = np.argsort(structure, kind="stable")
    t, s = territory[order], structure[order]
    _, start, size = np.unique(s, return_index=True, return_counts=True)
    reps = np.repeat(size, size)  # each membership pairs with every one of its structure
    a = np.repeat(np.arange(len(t)), reps)
    b = (
        np.repeat(np.repeat(start, size), reps)
        + np.arange(reps.sum())
        - np.repeat(np.cumsum(reps) - reps, reps)
    )
    off = a != b
    return t[a][off], t[b][off], s[a][off]
