"""Sums of truncated decay kernels over nearby territories, compiled, on a grid of cells.

Above the size at which the flow kernels of every candidate pair fit in memory
(:data:`cohesim.model.flows.CACHED_PAIRS`), a flow pass would rebuild every block of pairs
from the k-d tree, sort it and take its exponentials, several times a pass. Here no pair is
stored: territories are sorted once by the cell of a uniform grid whose side is at least the
candidate radius, so every partner of a territory lies in the 3 × 3 cells around its own, one
contiguous run of the sorted arrays per row of cells. A compiled loop (numba) walks those runs
and evaluates each kernel on the fly. Memory is O(N): a few numbers per territory and per cell.

:func:`kernel_sums` gives Σ_j K_m(d_ij) v_jm for chosen origins, K_m(d) = exp(-d / d0_m) for
d ≤ the cutoff c_m, 0 beyond: the normalisers, the requests (K is symmetric), what residents
receive and their access are all of that form (:func:`cohesim.model.flows.gravity_flows`).
:func:`strongest_partners` ranks each territory's partners by interdependence for
:func:`cohesim.model.flows.interaction_network`.

The sums run in the order of the sorted territories, not the k-d tree's, and numba's exp may
differ from numpy's in the last bit: results equal the cached path's to rounding, not bit for
bit, which is why the cached path stays wherever its kernels fit.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit


class Cells(NamedTuple):
    """The grid as the kernels read it (numba compiles attribute access on named tuples).

    Territories are at sorted positions: ``x, y`` their coordinates, ``cx, cy`` their cell's
    column and row; the territories of cell c (numbered row by row, ``nx`` cells to a row) are
    at positions ``start[c]:start[c + 1]``.
    """

    x: np.ndarray
    y: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    start: np.ndarray
    nx: int
    ny: int


class CellGrid:
    """Territories sorted by the cell of a uniform grid whose side is at least ``radius``.

    ``order[s]`` is the territory at sorted position s of :attr:`cells`.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, radius: float):
        n = len(x)
        x0, y0 = float(x.min(initial=0.0)), float(y.min(initial=0.0))
        width = max(float(x.max(initial=0.0)) - x0, float(y.max(initial=0.0)) - y0, 0.0)
        # a little wider than the radius, so that rounding cannot put a partner two cells away;
        # no smaller than needed for about one cell per territory (sparse outliers)
        side = max(radius * (1 + 1e-9), width / max(np.sqrt(n), 1.0), 1e-12)
        cx = ((x - x0) / side).astype(np.int64)
        cy = ((y - y0) / side).astype(np.int64)
        nx, ny = int(cx.max(initial=0)) + 1, int(cy.max(initial=0)) + 1
        cell = cy * nx + cx
        self.order = order = np.argsort(cell, kind="stable")
        start = np.concatenate([[0], np.cumsum(np.bincount(cell, minlength=nx * ny))])
        self.cells = Cells(x[order], y[order], cx[order], cy[order], start.astype(np.int64), nx, ny)
        self.radius = radius

    def sums(self, decay_km: np.ndarray, cutoff_km: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Σ_j K_m(d_ij) values[j, m] for every territory i, shape (N, M)."""
        if np.max(cutoff_km, initial=0.0) > self.radius:
            raise ValueError(f"cutoffs reach past the cells' radius {self.radius} km")
        out = np.zeros(values.shape)
        kernel_sums(
            self.cells,
            -1.0 / np.asarray(decay_km, dtype=np.float64),
            np.asarray(cutoff_km, dtype=np.float64),
            np.ascontiguousarray(values[self.order], dtype=np.float64),
            out,
        )
        result = np.empty_like(out)
        result[self.order] = out
        return result


@njit(cache=True)
def _later_neighbours(cx, cy, start, nx, ny, a):  # pragma: no cover
    """The two runs of sorted positions holding a's neighbours visited after it, each pair once.

    This cell's later territories and the next cell's (one run, as they are contiguous), then
    the next row's three cells (another run).
    """
    row = cy[a] * nx
    first, last = a + 1, start[row + min(cx[a] + 1, nx - 1) + 1]
    below_first = below_last = 0
    if cy[a] + 1 < ny:
        below = row + nx
        below_first = start[below + max(cx[a] - 1, 0)]
        below_last = start[below + min(cx[a] + 1, nx - 1) + 1]
    return first, last, below_first, below_last


@njit(cache=True)
def kernel_sums(cells, slope, cutoff, values, out):  # pragma: no cover
    """out[a, m] = Σ_b exp(slope[m] d_ab) values[b, m] over d_ab ≤ cutoff[m], self included.

    Positions are sorted ones (:class:`CellGrid`). Each pair is visited once and added to both
    ends (the kernel is symmetric); a's other neighbours (earlier cells) see a themselves.
    """
    x, y, cx, cy, start, nx, ny = cells
    domains = len(slope)
    widest = 0.0
    for m in range(domains):
        widest = max(widest, cutoff[m])
    # squared distances are compared first, with room for rounding: most candidates are out
    beyond = widest * widest * (1 + 1e-9)
    for a in range(len(x)):
        for m in range(domains):
            out[a, m] += values[a, m]  # d = 0: exp(0) = 1
        xa, ya = x[a], y[a]
        first, last, below_first, below_last = _later_neighbours(cx, cy, start, nx, ny, a)
        for run in range(2):
            lo, hi = (first, last) if run == 0 else (below_first, below_last)
            for b in range(lo, hi):
                dx, dy = xa - x[b], ya - y[b]
                squared = dx * dx + dy * dy
                if squared > beyond:
                    continue
                d = np.sqrt(squared)
                for m in range(domains):
                    if d <= cutoff[m]:
                        kernel = np.exp(d * slope[m])
                        out[a, m] += kernel * values[b, m]
                        out[b, m] += kernel * values[a, m]


@njit(cache=True)
def strongest_partners(  # pragma: no cover
    cells, order, radius, slope, cutoff, value, reach, supply, valued, partners, least, out
):
    """Each territory's ``partners`` strongest partners by interdependence, as edge keys.

    Over partners within ``radius`` (self excluded), I_ab = Σ_m value_m K_m(d_ab)
    (R_a U_b + R_b U_a) / (valued_a + valued_b), kept when I_ab ≥ ``least``, strongest first and
    ties to the lower territory number. ``reach`` and ``supply`` are (M, N) in sorted positions.
    Writes min(i, j) N + max(i, j) in territory numbers to ``out`` (N × partners, −1 unused).
    Each pair is visited once, as in :func:`kernel_sums`, and offered to both ends' lists (I is
    symmetric to the last bit: its two sums only swap their terms).
    """
    x, y, cx, cy, start, nx, ny = cells
    n, domains = len(order), len(slope)
    beyond = radius * radius * (1 + 1e-9)
    best = np.empty((n, partners))
    who = np.empty((n, partners), dtype=np.int64)
    kept = np.zeros(n, dtype=np.int64)
    for a in range(n):
        xa, ya = x[a], y[a]
        first, last, below_first, below_last = _later_neighbours(cx, cy, start, nx, ny, a)
        for run in range(2):
            lo, hi = (first, last) if run == 0 else (below_first, below_last)
            for b in range(lo, hi):
                dx, dy = xa - x[b], ya - y[b]
                squared = dx * dx + dy * dy
                if squared > beyond:
                    continue
                d = np.sqrt(squared)
                if d > radius:
                    continue
                flows = 0.0
                for m in range(domains):
                    kernel = np.exp(d * slope[m]) if d <= cutoff[m] else 0.0
                    both = reach[m, a] * supply[m, b] + reach[m, b] * supply[m, a]
                    flows += value[m] * kernel * both
                strength = flows / (valued[a] + valued[b])
                if not strength >= least:  # NaN (no demand at either end) is never kept
                    continue
                _offer(best[a], who[a], kept, a, strength, order[b])
                _offer(best[b], who[b], kept, b, strength, order[a])
    for a in range(n):
        i = order[a]
        for s in range(kept[a]):
            out[i, s] = min(i, who[a, s]) * n + max(i, who[a, s])


@njit(cache=True)
def _offer(best, who, kept, a, strength, j):  # pragma: no cover
    """Insert partner j into a's list, strongest first and the lower number first on ties."""
    partners = len(best)
    slot = kept[a]
    while slot > 0 and (
        strength > best[slot - 1] or (strength == best[slot - 1] and j < who[slot - 1])
    ):
        if slot < partners:
            best[slot], who[slot] = best[slot - 1], who[slot - 1]
        slot -= 1
    if slot < partners:
        best[slot], who[slot] = strength, j
        kept[a] = min(kept[a] + 1, partners)
