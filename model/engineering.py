"""Engineering: the state's support pool, what métropoles lend, and what engineering produces.

Support and lending top up the free engineering of territories short of it (so they can join
structures) and raise their engineering cover e_i, the share of the engagement lost when
betrayed that support absorbs (the contest's S payoff). Engineering is also an input (M5 in
``docs/model.md``): a structure delivers its value only as far as it is staffed
(:func:`staffed_share`), and cover lowers its transaction costs (:func:`transaction_factor`).
"""

from __future__ import annotations

import numpy as np

from .flows import InteractionNetwork
from .kinds import METROPOLE, PERIURBAN, RURAL, is_urban
from .parameters import Engineering, Structures

DISTANCE_UNIT_KM = 25.0
"""Distance over which transaction costs rise by ν_d: about a commuting basin's radius."""


def staffed_share(staffing: np.ndarray) -> np.ndarray:
    """1 − exp(−H_S / H*): the share of its value a structure staffed at H_S / H* delivers.

    H* is the engineering the structure's members commit; cover from state support or lending
    adds to it, with diminishing returns (a concave production function of engineering).
    """
    return -np.expm1(-np.asarray(staffing, dtype=float))


def delivered_shares(
    structure: np.ndarray, engineering: np.ndarray, cover: np.ndarray, structures: int
) -> np.ndarray:
    """Per structure, the share of its value its staffing delivers (M5), shape (structures,).

    Each membership commits ``engineering`` (FTE) to its ``structure`` with its territory's
    ``cover``: H* = Σ h_i, H_S = Σ h_i (1 + e_i), share 1 − exp(−H_S/H*); a structure whose
    members commit nothing delivers 1 − exp(−1).
    """
    committed = np.bincount(structure, engineering, structures)
    staffed = np.bincount(structure, engineering * (1 + cover), structures)
    ratio = np.divide(staffed, committed, out=np.ones(structures), where=committed > 0)
    return staffed_share(ratio)


def transaction_factor(
    structures: Structures,
    members: np.ndarray,
    heterogeneity: np.ndarray,
    distance_km: np.ndarray,
    cover: np.ndarray,
) -> np.ndarray:
    """[1 + ν_n (n − 1) + ν_h Het + ν_d d̄ / 25 km] / (1 + ν_e e): the multiple of engineering cost.

    Coordination costs rise with the number, the heterogeneity and the distance of the partners
    and fall with engineering cover (Feiock 2007, doi:10.1111/j.1467-9906.2007.00322.x;
    Feiock 2013, doi:10.1111/psj.12023).
    """
    s = structures
    rise = (
        1
        + s.partner_cost * (np.asarray(members, dtype=float) - 1)
        + s.heterogeneity_cost * heterogeneity
        + s.distance_cost * np.asarray(distance_km) / DISTANCE_UNIT_KM
    )
    return rise / (1 + s.cover_saving * np.asarray(cover))


def state_support(
    kind: np.ndarray, free: np.ndarray, engineering: Engineering, need: float
) -> np.ndarray:
    """FTE of state support per territory.

    The pool is ``state_support`` FTE per rural and periurban territory, shared ``uniform``
    (equally among them), by ``needs`` (in proportion to each one's deficit below ``need``, the
    free engineering a contrat de réciprocité asks per year; equally if nobody is short), or
    ``rural_first`` (equally among rural territories only; periurban ones if there are none).
    """
    eligible = (kind == RURAL) | (kind == PERIURBAN)
    pool = engineering.state_support * np.count_nonzero(eligible)
    support = np.zeros(len(kind))
    if pool <= 0:
        return support
    if engineering.targeting == "rural_first":
        rural = kind == RURAL
        eligible = rural if rural.any() else kind == PERIURBAN
    weight = eligible.astype(float)
    if engineering.targeting == "needs":
        deficit = np.where(eligible, np.maximum(0.0, need - free), 0.0)
        if deficit.sum() > 0:
            weight = deficit
    support[:] = pool * weight / weight.sum()
    return support


def lent_engineering(
    kind: np.ndarray,
    engineering_fte: np.ndarray,
    free: np.ndarray,
    network: InteractionNetwork,
    share: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Engineering métropoles lend, and what each territory receives: (lent out, received).

    Each métropole lends ``share`` of its engineering (at most its free engineering) to its
    non-urban partners, in proportion to interdependence.
    """
    n = len(kind)
    lent_out = np.zeros(n)
    received = np.zeros(n)
    if share <= 0:
        return lent_out, received
    metropole = kind == METROPOLE
    lent_out[metropole] = np.minimum(share * engineering_fte[metropole], free[metropole])
    src, dst = network.src, network.dst
    to_non_urban = metropole[src] & ~is_urban(kind[dst])
    weight = np.where(to_non_urban, network.interdependence, 0.0)
    total = np.bincount(src, weight, n)
    given = np.divide(
        weight * lent_out[src], total[src], out=np.zeros_like(weight), where=total[src] > 0
    )
    received = np.bincount(dst, given, n)
    lent_out = np.bincount(src, given, n)  # a métropole with no non-urban partner lends nothing
    return lent_out, received
