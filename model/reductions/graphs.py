"""Validation graphs as interaction networks: the L × L torus, random regular, Barabási–Albert.

Each builder returns an :class:`~cohesim.model.flows.InteractionNetwork` (directed CSR arrays,
each undirected edge both ways, unit interdependence, no service flows), so the decision rules
and the sequential kernel treat these graphs exactly like the territorial network. No dense
N × N matrix is built: the torus is computed from index arithmetic, the generated graphs come
from networkx edge lists.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..flows import InteractionNetwork

VON_NEUMANN = ((-1, 0), (0, -1), (0, 1), (1, 0))
MOORE = ((-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1))


def lattice_network(side: int, neighbourhood: str) -> InteractionNetwork:
    """The L × L torus with von Neumann (4) or Moore (8) neighbours; node i = row · L + column.

    Edges of node i are listed in the order of the offsets (row-major), so the CSR arrays are
    built by index arithmetic alone.
    """
    if side < 3:
        raise ValueError(f"side = {side}: a torus needs at least 3 × 3 cells")
    if neighbourhood not in ("von_neumann", "moore"):
        raise ValueError(f"neighbourhood = {neighbourhood!r}: expected 'von_neumann' or 'moore'")
    offsets = np.array(VON_NEUMANN if neighbourhood == "von_neumann" else MOORE)
    n, k = side * side, len(offsets)
    node = np.arange(n)
    row, column = np.divmod(node, side)
    dst = ((row[:, None] + offsets[:, 0]) % side) * side + (column[:, None] + offsets[:, 1]) % side
    # the reverse of offset o is -o: with row-major offsets, the offset at position k - 1 - o
    rev = dst * k + (k - 1 - np.arange(k))[None, :]
    return _network(np.repeat(node, k), dst.ravel(), rev.ravel(), np.arange(0, n * k + 1, k))


def random_regular_network(n: int, degree: int, rng: np.random.Generator) -> InteractionNetwork:
    """A random k-regular graph (networkx, seeded from ``rng``)."""
    graph = nx.random_regular_graph(degree, n, seed=_seed(rng))
    return network_from_edges(n, np.array(graph.edges(), dtype=np.int64).reshape(-1, 2))


def barabasi_albert_network(
    n: int, attachments: int, rng: np.random.Generator
) -> InteractionNetwork:
    """Barabási & Albert 1999 preferential attachment, doi:10.1126/science.286.5439.509.

    Each new node attaches ``attachments`` edges, so the mean degree is close to twice that
    (networkx, seeded from ``rng``).
    """
    graph = nx.barabasi_albert_graph(n, attachments, seed=_seed(rng))
    return network_from_edges(n, np.array(graph.edges(), dtype=np.int64).reshape(-1, 2))


def network_from_edges(n: int, edges: np.ndarray) -> InteractionNetwork:
    """Directed CSR arrays from undirected edges (E, 2), each edge both ways, sorted by source."""
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    key = src * n + dst
    rev = np.searchsorted(key, dst * n + src)  # keys are sorted and unique
    indptr = np.concatenate([[0], np.cumsum(np.bincount(src, minlength=n))])
    return _network(src, dst, rev, indptr)


def _network(
    src: np.ndarray, dst: np.ndarray, rev: np.ndarray, indptr: np.ndarray
) -> InteractionNetwork:
    return InteractionNetwork(
        indptr=indptr.astype(np.int64),
        src=src.astype(np.int64),
        dst=dst.astype(np.int64),
        rev=rev.astype(np.int64),
        interdependence=np.ones(len(src)),
        flow=np.zeros((len(src), 0)),
    )


def _seed(rng: np.random.Generator) -> int:
    """A seed for networkx drawn from the model's generator (reproducible, no global state)."""
    return int(rng.integers(0, 2**31 - 1))
