"""Gravity flows of service users, capacity rationing, interdependence and the sparse network.

Flows are origin-constrained gravity flows with exponential distance decay (Wilson 1971,
doi:10.1111/j.1538-4632.1971.tb00364.x):

    F_ij^m = D_i^m E_j^m exp(-d_ij / d0_m) / Σ_k E_k^m exp(-d_ik / d0_m)

then rationed by capacity, F̃_ij^m = F_ij^m min(1, E_j^m / Σ_k F_kj^m), and access weighs what
is reached by its distance, a_i^m = Σ_j F̃_ij^m exp(-d_ij / d_u^m) / D_i^m (the two-step floating
catchment family: Luo & Wang 2003, doi:10.1068/b29120). Both kernels multiply, so access is one
more pass with the decay length d0 d_u / (d0 + d_u). The kernel is truncated at ``flow_cutoff``
decay lengths and the denominator sums over the same truncated set, so Σ_j F_ij^m = D_i^m holds
exactly.

No N × N matrix is ever built, and every pair flow is a closed form of per-territory sums
(S_i, the ration factor r_j), so a flow between any two territories can be recomputed from O(N)
state (:func:`pair_flows`). The sums take one of two paths:

- **cached kernels** (up to :data:`CACHED_PAIRS` candidate pairs: N up to about 35,000 at the
  baseline's density, where every pinned number lives): candidate pairs come from a k-d tree,
  in blocks of origins, their kernels are kept as CSR blocks (one row of values a domain over
  shared indices) and the sums are compiled passes over them (:mod:`cohesim.model.flow_kernels`)
  that add the terms in the order scipy's sparse products did, four domains a walk: the
  pinned numbers are kept to the last bit. Rows stay in territory order, but the blocks'
  columns, and what the passes read and scatter there, are stored along a Z-order curve
  (:attr:`CandidatePairs.column_order`): a row's partners, near each other on the map, then
  sit near each other in memory, in cache. The terms and their order are the same.
- **compiled cells** (more pairs, :data:`COMPILED`): the kernels no longer fit, and rebuilding
  every block from the tree several times a pass took most of a step. A compiled loop over a
  grid of cells evaluates the kernels on the fly instead, storing no pair
  (:mod:`cohesim.model.flow_cells`): O(N) memory. Its sums run in another order and numba's exp
  is not numpy's, so it equals the cached path to rounding, not to the last bit.

The module runs past 450 lines because the full pass, its update when only pools change
(:func:`update_pools`) and the kernel cache they share must sum in the same order to give the
same numbers, on either path; they are kept side by side.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from .flow_cells import CellGrid, strongest_partners
from .flow_kernels import column_sums, normalised_requests, rationed_flows, row_sums
from .membership_kernels import pooled_rations

if TYPE_CHECKING:
    from .shared_services import SharedServices

PAIRS_PER_BLOCK = 500_000
"""Candidate pairs handled at once: bounds the transient memory of flow computations."""
CACHED_PAIRS = 12_000_000
"""Up to this many candidate pairs (at four domains) keep their kernels between passes instead
of recomputing them: the flow and the access kernels, 8 bytes a pair and domain each, sharing
the block's int32 indices, about 68 bytes a pair in all."""
PAIRS_PER_CHUNK = 65_536
"""Pairs whose flows :func:`pair_flows` computes at once: bounds its transient memory."""
ALL = np.ones(0, dtype=np.bool_)
"""For :func:`~cohesim.model.flow_kernels.row_sums`: every row of a block."""
COMPILED: bool | None = None
"""Whether flow passes run compiled over cells; None: when the flow kernels do not fit in
:data:`CACHED_PAIRS` (False keeps kernel blocks rebuilt from the tree, the earlier path)."""


@dataclass(frozen=True)
class FlowField:
    """Per-territory results of rationed gravity flows, shape (N, M) each."""

    decay_km: np.ndarray  # (M,)
    cutoff_km: np.ndarray  # (M,)
    normaliser: np.ndarray  # S_i^m = Σ_k E_k^m exp(-d_ik / d0_m)
    ration: np.ndarray  # r_j^m = min(1, E_j^m / Σ_k F_kj^m)
    access: np.ndarray  # a_i^m in [0, 1]
    served: np.ndarray  # Σ_i F̃_ij^m, users served by j (≤ its pool's capacity)
    served_nonresidents: np.ndarray  # Σ_{i≠j} F̃_ij^m
    # per domain, the kernel added between fellow members of structures (none: no structures)
    extra: tuple[sparse.csr_array, ...] | None = None
    # kept for pool updates without a full pass (:func:`update_pools`)
    requested: np.ndarray | None = None  # Σ_i F_ij^m, before rationing
    own_ration: np.ndarray | None = None  # min(1, E_j^m / requested), before pooling
    reach: np.ndarray | None = None  # R_i^m = D_i^m / S_i^m
    access_decay_km: np.ndarray | None = None  # d_u^m (None: access counts flows whole)


@dataclass(frozen=True)
class KernelBlock:
    """The truncated decay kernels from a contiguous range of origins, as sparse rows.

    In CSR form (origins ``start:stop`` × all territories, columns in the order of
    :attr:`CandidatePairs.column_order`), one matrix a domain over shared ``indptr`` and
    ``column`` (the indices): ``data[m]`` holds exp(-d / d0_m) over the pairs closer than the
    domain's cutoff (0 beyond it), self-pairs included. Within a row, pairs keep the k-d tree's
    order (the order every sum adds them in), whatever their columns.
    """

    start: int
    stop: int
    column: np.ndarray  # each pair's destination j, as stored: CandidatePairs.column[j]
    indptr: np.ndarray  # where each origin's pairs start (block-local rows)
    data: np.ndarray  # (M, pairs)

    def origins(self) -> np.ndarray:
        """Each pair's origin, in row order: derived, not kept (4 bytes a pair in the cache)."""
        return np.repeat(np.arange(self.start, self.stop), np.diff(self.indptr))


class CandidatePairs:
    """Pairs of territories closer than a radius, in blocks of origins (self-pairs included)."""

    def __init__(self, x: np.ndarray, y: np.ndarray, radius: float):
        self.points = np.column_stack([x, y])
        self.radius = radius
        self.tree = cKDTree(self.points)
        counts = self.tree.query_ball_point(self.points, radius, return_length=True)
        bounds = np.searchsorted(
            np.cumsum(counts), np.arange(1, counts.sum() // PAIRS_PER_BLOCK + 1) * PAIRS_PER_BLOCK
        )
        self.starts = np.unique(np.concatenate([[0], bounds, [len(counts)]]))
        self.total = int(counts.sum())
        # territory indices in int32 below 2³¹ territories: half the memory of int64
        self.index = np.int32 if len(self.points) < 2**31 else np.int64
        # kernels' columns are stored along a Z-order curve: the territory at each column, and
        # the column of each territory
        self.column_order = _z_order(self.points)
        self.column = np.empty(len(self.points), dtype=self.index)
        self.column[self.column_order] = np.arange(len(self.points), dtype=self.index)
        self._cache: dict[tuple, list[KernelBlock]] = {}
        self._distances: list[np.ndarray] | None = None  # per block, 8 bytes a pair
        self._cells: CellGrid | None = None

    def compiled(self, domains: int) -> bool:
        """Whether passes with this many kernels run compiled over cells (see :data:`COMPILED`)."""
        if COMPILED is not None:
            return COMPILED
        return self.total * domains > CACHED_PAIRS * 4

    @property
    def cells(self) -> CellGrid:
        """The territories sorted by cells of the candidate radius (built on first use)."""
        if self._cells is None:
            self._cells = CellGrid(self.points[:, 0], self.points[:, 1], self.radius)
        return self._cells

    def block(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(i, j, d) arrays of the pairs from origins ``start:stop``, in row order (``index``)."""
        tree = cKDTree(self.points[start:stop])
        pairs = tree.sparse_distance_matrix(self.tree, self.radius, output_type="ndarray")
        # rows come grouped by origin: a stable sort puts them in order almost for free
        pairs = pairs[np.argsort(pairs["i"], kind="stable")]
        return (pairs["i"] + start).astype(self.index), pairs["j"].astype(self.index), pairs["v"]

    def kernel_blocks(
        self, decay_km: np.ndarray, cutoff_km: np.ndarray, origins: np.ndarray | None = None
    ) -> Iterator[KernelBlock]:
        """Yield each block's kernels for every domain, computed once while memory allows.

        With ``origins`` (sorted), blocks holding none of them may be left out.
        """
        key = (tuple(decay_km), tuple(cutoff_km))
        if key in self._cache:
            yield from self._cache[key]
            return
        cached_kernels = sum(len(k[0]) for k in self._cache)
        # room for two kernels a domain (flow and access) wherever the cached path runs
        keep = origins is None and self.total * (len(decay_km) + cached_kernels) <= CACHED_PAIRS * 8
        measured = self._distances is not None
        # the first kernels cached keep their blocks' distances until the next (access) ones
        # are computed from them, skipping the k-d tree
        keep_distances = keep and not self._cache
        distances = []
        cached = []
        for b, (start, stop) in enumerate(itertools.pairwise(self.starts.tolist())):
            if origins is not None and np.searchsorted(origins, start) == np.searchsorted(
                origins, stop
            ):
                continue
            if measured:
                assert self._distances is not None
                known = next(iter(self._cache.values()))[b]
                column, d, indptr = known.column, self._distances[b], known.indptr
            else:
                i, j, d = self.block(start, stop)
                column = self.column[j]
                indptr = np.concatenate(
                    [[0], np.cumsum(np.bincount(i - start, minlength=stop - start))]
                ).astype(j.dtype)
            if keep_distances:
                distances.append(d)
            data = np.empty((len(decay_km), len(d)))
            for kernel, decay, cutoff in zip(data, decay_km, cutoff_km, strict=True):
                _kernel(d, decay, cutoff, out=kernel)
            block = KernelBlock(start, stop, column, indptr, data)
            if keep:
                cached.append(block)
            yield block
        if keep:
            self._cache[key] = cached
            self._distances = distances if keep_distances else None


def _z_order(points: np.ndarray) -> np.ndarray:
    """The points' indices along a Z-order (Morton) curve over their bounding square.

    Coordinates are cut to 16 bits each and their bits interleaved: points near each other on
    the map are mostly near each other in this order. Ties keep index order.
    """
    if len(points) == 0:
        return np.zeros(0, dtype=np.intp)
    low = points.min(axis=0)
    side = max(float(np.ptp(points, axis=0).max()), 1e-12)
    cut = ((points - low) / side * 0xFFFF).astype(np.uint64)
    code = _spread_bits(cut[:, 0]) | (_spread_bits(cut[:, 1]) << np.uint64(1))
    return np.argsort(code, kind="stable")


def _spread_bits(v: np.ndarray) -> np.ndarray:
    """Bit b of 16-bit values moved to bit 2b."""
    for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v


def _kernel(
    d: np.ndarray, decay: float, cutoff: float, out: np.ndarray | None = None
) -> np.ndarray:
    kernel = np.multiply(d, -1.0 / decay, out=out)
    np.exp(kernel, out=kernel)  # in place: this is the hottest line of a large model's build
    kernel[d > cutoff] = 0.0
    return kernel


def gravity_flows(
    pairs: CandidatePairs,
    demand: np.ndarray,
    capacity: np.ndarray,
    decay_km: np.ndarray,
    cutoff_factor: float,
    access_decay_km: np.ndarray | None = None,
    shared: SharedServices | None = None,
) -> FlowField:
    """Compute normalisers, ration factors and access for every territory and domain.

    With K the kernel matrix of a domain and R = D / S, U = E r: S = K E, requested = Kᵀ R ∘ E,
    received = R ∘ (K U), served = r ∘ requested; sums over the candidate pairs, block by block
    of origins (S, R and Kᵀ R in one pass a block when nothing is stretched). Access weighs
    what is received by exp(-d / d_u) when ``access_decay_km`` is given (the received pass then
    uses the combined kernel, as residents' receipts are read only through access), else counts
    it whole. ``shared`` adds the structures' pooled rations and stretched kernels between
    members (:mod:`cohesim.model.shared_services`); K stays symmetric, so Kᵀ = K for its part
    too.
    """
    n, m = demand.shape
    decay_km = np.asarray(decay_km, dtype=np.float64)
    cutoff_km = cutoff_factor * decay_km
    combined = None
    if access_decay_km is not None:
        combined = decay_km * access_decay_km / (decay_km + access_decay_km)
    compiled = pairs.compiled(m)
    extra = _stretched_kernels(shared, n, decay_km, cutoff_km)
    demand = np.ascontiguousarray(demand, dtype=np.float64)
    capacity = np.ascontiguousarray(capacity, dtype=np.float64)
    # R = D / S; S = 0 only where no capacity is within reach (budgets can close services):
    # nobody is served there
    if not compiled and extra is None:
        # one pass a block for S, R and the requests Σ_i K_ij R_i (Kᵀ R), all domains at once;
        # what is read or summed at the blocks' columns is in their order
        normaliser, reach = np.empty((n, m)), np.empty((n, m))
        requested = np.zeros((n, m))  # Σ_i F_ij, before rationing
        stored = capacity[pairs.column_order]
        for block in pairs.kernel_blocks(decay_km, cutoff_km):
            normalised_requests(
                block.indptr,
                block.column,
                block.data,
                block.start,
                stored,
                demand,
                normaliser,
                reach,
                requested,
            )
        requested = requested[pairs.column]
    else:
        if compiled:
            normaliser = pairs.cells.sums(decay_km, cutoff_km, capacity)
        else:
            normaliser = np.zeros((n, m))
            stored = capacity[pairs.column_order]
            for block in pairs.kernel_blocks(decay_km, cutoff_km):
                row_sums(
                    block.indptr, block.column, block.data, block.start, stored, normaliser, ALL
                )
        for k, kernel in enumerate(extra or ()):
            normaliser[:, k] += kernel @ capacity[:, k]
        reach = np.divide(demand, normaliser, out=np.zeros_like(demand), where=normaliser > 0)
        if compiled:  # Σ_i K_ij R_i = Σ_i K_ji R_i: K is symmetric
            requested = pairs.cells.sums(decay_km, cutoff_km, reach)
        else:
            requested = np.zeros((n, m))
            for block in pairs.kernel_blocks(decay_km, cutoff_km):
                column_sums(block.indptr, block.column, block.data, block.start, reach, requested)
            requested = requested[pairs.column]
        for k, kernel in enumerate(extra or ()):
            requested[:, k] += kernel @ reach[:, k]
    requested *= capacity
    with np.errstate(divide="ignore", invalid="ignore"):
        own_ration = np.where(requested > 0, np.minimum(1.0, capacity / requested), 1.0)
    ration = own_ration
    if shared is not None:
        ration = _pooled_rations(own_ration, requested, capacity, shared)

    supply = capacity * ration  # U = E r
    served = requested * ration
    served_nonresidents = np.maximum(served - reach * supply, 0.0)  # minus the self-pair
    # what residents receive, Σ_j F̃_ij = R_i Σ_j K_ij U_j, weighed by exp(-d / d_u) when access
    # has its own decay: one pass of the combined kernel, not the flow kernel's
    decay = decay_km if combined is None else combined
    if compiled:
        received = pairs.cells.sums(decay, cutoff_km, supply)
    else:
        received = np.zeros((n, m))
        stored = supply[pairs.column_order]
        for block in pairs.kernel_blocks(decay, cutoff_km):
            row_sums(block.indptr, block.column, block.data, block.start, stored, received, ALL)
    stretched = extra if combined is None else _stretched_kernels(shared, n, decay, cutoff_km)
    for k, kernel in enumerate(stretched or ()):
        received[:, k] += kernel @ supply[:, k]
    received *= reach
    with np.errstate(divide="ignore", invalid="ignore"):
        access = np.where(demand > 0, np.minimum(1.0, received / demand), 1.0)
    return FlowField(
        decay_km=decay_km,
        cutoff_km=cutoff_km,
        normaliser=normaliser,
        ration=ration,
        access=access,
        served=served,
        served_nonresidents=served_nonresidents,
        extra=extra,
        requested=requested,
        own_ration=own_ration,
        reach=reach,
        access_decay_km=access_decay_km,
    )


def update_pools(
    pairs: CandidatePairs,
    field: FlowField,
    demand: np.ndarray,
    capacity: np.ndarray,
    shared: SharedServices | None,
) -> FlowField:
    """The flows of ``field`` under new pools and weights, without a full pass (issue 12.1).

    ``demand`` and ``capacity`` must be those ``field`` was computed with. Pools change only
    rations, so normalisers and requests stay; rations and supply change only for pool members
    whose pooled ration moved, and what residents receive only at origins within the kernel's
    cutoff of those members (the kernel is symmetric). Those rows are recomputed whole, as the
    full pass sums them, so the result is :func:`gravity_flows`'s to the last bit (compiled over
    cells, what residents receive is one whole pass of the access kernel, for the same reason).
    Stretched
    kernels (``structures.reach_gain``) change normalisers everywhere they reach: they need the
    full pass.
    """
    if field.requested is None or field.own_ration is None or field.reach is None:
        raise ValueError("update_pools needs a FlowField computed by gravity_flows")
    if field.extra is not None or (shared is not None and shared.stretched):
        raise ValueError("stretched kernels between members (reach_gain > 0) need a full pass")
    requested, reach = field.requested, field.reach
    ration = field.own_ration
    if shared is not None:
        ration = _pooled_rations(field.own_ration, requested, capacity, shared)
    changed = ration != field.ration
    if not changed.any():
        return field
    supply = capacity * ration
    served = requested * ration
    served_nonresidents = np.maximum(served - reach * supply, 0.0)
    decay = field.decay_km
    if field.access_decay_km is not None:
        decay = field.decay_km * field.access_decay_km / (field.decay_km + field.access_decay_km)
    if pairs.compiled(len(decay)):
        # each pair's term lands in both ends' sums: only a whole pass sums a row as the full
        # pass does; one pass of the access kernel instead of three
        received = pairs.cells.sums(decay, field.cutoff_km, supply) * reach
        with np.errstate(divide="ignore", invalid="ignore"):
            access = np.where(demand > 0, np.minimum(1.0, received / demand), 1.0)
    else:
        access = field.access.copy()
        # origins within the cutoff of a changed territory (K is symmetric); the radius errs wide
        touched = np.zeros(changed.shape, dtype=bool)
        for k, cutoff in enumerate(field.cutoff_km):
            at = pairs.points[changed[:, k]]
            near = pairs.tree.query_ball_point(at, cutoff * (1 + 1e-9), return_sorted=False)
            if len(near):
                touched[np.concatenate(near).astype(np.int64), k] = True
        origins = np.flatnonzero(touched.any(axis=1))
        stored = supply[pairs.column_order]
        for block in pairs.kernel_blocks(decay, field.cutoff_km, origins):
            near = touched[block.start : block.stop]
            sums = np.zeros(near.shape)
            row_sums(block.indptr, block.column, block.data, 0, stored, sums, near.any(axis=1))
            for k in range(near.shape[1]):
                rows = np.flatnonzero(near[:, k])
                at = block.start + rows
                received = sums[rows, k] * reach[at, k]
                with np.errstate(divide="ignore", invalid="ignore"):
                    access[at, k] = np.where(
                        demand[at, k] > 0, np.minimum(1.0, received / demand[at, k]), 1.0
                    )
    return replace(
        field,
        ration=ration,
        access=access,
        served=served,
        served_nonresidents=served_nonresidents,
    )


def _stretched_kernels(
    shared: SharedServices | None, n: int, decay_km: np.ndarray, cutoff_km: np.ndarray
) -> tuple[sparse.csr_array, ...] | None:
    """Per domain, what stretching members' distances adds to the kernel: K(d / s) − K(d)."""
    if shared is None or not shared.stretched:
        return None
    kernels = []
    for k, (decay, cutoff) in enumerate(zip(decay_km, cutoff_km, strict=True)):
        s = shared.stretch[:, k]
        on = s > 1
        d = shared.d[on]
        added = np.exp(-d / (decay * s[on]))
        added[d > cutoff * s[on]] = 0.0
        added -= _kernel(d, decay, cutoff)
        kernels.append(sparse.csr_array((added, (shared.i[on], shared.j[on])), shape=(n, n)))
    return tuple(kernels)


def _pooled_rations(
    ration: np.ndarray, requested: np.ndarray, capacity: np.ndarray, shared: SharedServices
) -> np.ndarray:
    """Rations moved towards their pool's, r_j + w_P (r_P − r_j), r_P = min(1, ΣE / Σ requested).

    The weight w_P is the same for every member of a pool, so a pool serves at most its capacity.
    """
    return pooled_rations(ration, requested, capacity, shared.pool, shared.weight)


def pair_flows(
    field: FlowField,
    demand: np.ndarray,
    capacity: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    d: np.ndarray,
    dtype: type = np.float64,
    kernel: np.ndarray | None = None,
) -> np.ndarray:
    """Rationed flows F̃_ij^m for arbitrary pairs at distance d, shape (len(i), M).

    Computed :data:`PAIRS_PER_CHUNK` pairs at a time: every value is that pair's alone, and the
    transients of a whole network's edges took most of a large region's peak memory. With
    ``dtype`` float32 each value is rounded once, as a cast of the float64 result would be.
    ``kernel``, the pairs' :func:`pair_kernels` if the caller keeps them, spares their
    exponentials (the same numbers).
    """
    out: np.ndarray = np.empty((len(i), demand.shape[1]), dtype=dtype)
    demand = np.ascontiguousarray(demand, dtype=np.float64)
    capacity = np.ascontiguousarray(capacity, dtype=np.float64)
    for lo in range(0, len(i), PAIRS_PER_CHUNK):
        at = slice(lo, lo + PAIRS_PER_CHUNK)
        if kernel is None:
            chunk = pair_kernels(field, d[at])
        elif field.extra is None:
            chunk = kernel[at]
        else:
            chunk = kernel[at].copy()  # the stretched kernels are added in place
        if field.extra is not None:
            rows, cols = np.array(i[at]), np.array(j[at])  # writeable: scipy's indexing needs it
            for k, extra in enumerate(field.extra):
                chunk[:, k] += extra[rows, cols]
        rationed_flows(
            chunk, field.normaliser, demand, capacity, field.ration, i[at], j[at], out[at]
        )
    return out


def pair_kernels(field: FlowField, d: np.ndarray) -> np.ndarray:
    """Truncated decay kernels of every domain at distances d, shape (len(d), M)."""
    kernel = d[:, None] * (-1.0 / field.decay_km)[None, :]
    np.exp(kernel, out=kernel)
    kernel[d[:, None] > field.cutoff_km[None, :]] = 0.0
    return kernel


@dataclass(frozen=True)
class InteractionNetwork:
    """The sparse, undirected interaction network as directed CSR arrays (each edge both ways).

    Edge e goes from ``src[e]`` to ``dst[e]``; edges are sorted by source, those of territory i
    being ``indptr[i]:indptr[i+1]``; ``rev[e]`` is the same edge the other way. ``flow[e, m]`` is
    F̃ from src to dst: residents of src served by dst in domain m (float32).
    """

    indptr: np.ndarray
    src: np.ndarray
    dst: np.ndarray
    rev: np.ndarray
    interdependence: np.ndarray
    flow: np.ndarray

    @property
    def degree(self) -> np.ndarray:
        """Number of partners of each territory."""
        return np.diff(self.indptr)

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return len(self.src) // 2


def interaction_network(
    pairs: CandidatePairs,
    field: FlowField,
    demand: np.ndarray,
    capacity: np.ndarray,
    value: np.ndarray,
    partners: int,
    min_interdependence: float,
) -> InteractionNetwork:
    """Keep each territory's strongest partners by interdependence, then symmetrise.

    I_ij = Σ_m v_m (F̃_ij^m + F̃_ji^m) / Σ_m v_m (D_i^m + D_j^m). Each territory keeps its
    ``partners`` strongest partners with I_ij ≥ I_min; an edge kept by either end is in the
    network, so a hub can have more partners than ``partners``.
    """
    n = demand.shape[0]
    valued_demand = demand @ value
    # F̃_ij + F̃_ji = kernel(d_ij) (R_i U_j + R_j U_i), R = D / S, U = E r: one kernel per pair
    # and domain; one contiguous row per domain makes the gathers fast.
    reach = np.ascontiguousarray((demand / field.normaliser).T)
    supply = np.ascontiguousarray((capacity * field.ration).T)
    if pairs.compiled(len(field.decay_km)):
        undirected = _strongest_partners(
            pairs, field, value, reach, supply, valued_demand, partners, min_interdependence
        )
    else:
        chosen: list[np.ndarray] = []
        for block in pairs.kernel_blocks(field.decay_km, field.cutoff_km):
            i = block.origins()  # keys: i N + j
            j = pairs.column_order[block.column].astype(np.int64)
            away = i != j
            i, j = i[away], j[away]
            valued_flows = np.zeros(len(i))
            for k, kernel in enumerate(block.data):
                r, u = reach[k], supply[k]
                valued_flows += value[k] * kernel[away] * (r[i] * u[j] + r[j] * u[i])
            strength = valued_flows / (valued_demand[i] + valued_demand[j])
            keep = strength >= min_interdependence
            i, j, strength = i[keep], j[keep], strength[keep]
            order = np.lexsort((j, -strength, i))  # strongest first; ties broken by partner id
            i, j = i[order], j[order]
            first = np.searchsorted(i, i, side="left")
            rank = np.arange(len(i)) - first
            top = rank < partners
            chosen.append(np.minimum(i[top], j[top]) * n + np.maximum(i[top], j[top]))

        undirected = np.unique(np.concatenate(chosen)) if chosen else np.empty(0, np.int64)
    a, b = undirected // n, undirected % n
    key = np.concatenate([a * n + b, b * n + a])
    key.sort()
    src, dst = key // n, key % n
    rev = np.searchsorted(key, dst * n + src)
    index = np.int32 if n < 2**31 else np.int64  # half the memory of edges at any real size
    src, dst, rev = src.astype(index), dst.astype(index), rev.astype(index)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n))])
    flow = np.zeros((len(src), demand.shape[1]))
    if len(src):
        points = pairs.points
        dx = np.hypot(points[src, 0] - points[dst, 0], points[src, 1] - points[dst, 1])
        flow = pair_flows(field, demand, capacity, src, dst, dx)
    both = flow + flow[rev]
    interdependence = (both @ value) / (valued_demand[src] + valued_demand[dst])
    return InteractionNetwork(
        indptr=indptr,
        src=src,
        dst=dst,
        rev=rev,
        interdependence=interdependence,
        # single precision: the largest per-edge array, read only to derive euros from it
        flow=flow.astype(np.float32),
    )


def _strongest_partners(
    pairs: CandidatePairs,
    field: FlowField,
    value: np.ndarray,
    reach: np.ndarray,
    supply: np.ndarray,
    valued_demand: np.ndarray,
    partners: int,
    min_interdependence: float,
) -> np.ndarray:
    """The chosen undirected edges as sorted keys min(i, j) N + max(i, j), compiled over cells."""
    cells = pairs.cells
    order = cells.order
    chosen = np.full((len(order), partners), -1, dtype=np.int64)
    strongest_partners(
        cells.cells,
        order,
        pairs.radius,
        -1.0 / field.decay_km,
        field.cutoff_km,
        np.asarray(value, dtype=np.float64),
        np.ascontiguousarray(reach[:, order]),
        np.ascontiguousarray(supply[:, order]),
        np.ascontiguousarray(valued_demand[order], dtype=np.float64),
        partners,
        float(min_interdependence),
        chosen,
    )
    return np.unique(chosen[chosen >= 0])
