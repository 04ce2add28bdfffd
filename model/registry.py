"""Cooperation structures and their members: the registry behind the inventory (recensement).

Structures and memberships are two growing tables (structure of arrays, one row each). Rows are
never deleted: a dissolved structure keeps its row with the year and cause of its end, a member
that left keeps its row with the year and cause of its exit, so the inventory of every
cooperation ever formed is the tables themselves.

The mechanics (formation, maintenance, payoffs) are computed by the model on whole arrays; this
module holds the tables, the per-kind constants and the vectorised helpers they need.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from .kinds import KINDS, POLE, STRUCTURE_KINDS
from .membership_kernels import memberships_csr
from .parameters import Parameters, StructureKind

EXIT_CAUSES: tuple[str, ...] = (
    "competing",  # the member switched to competing
    "engineering",  # it lacked the free engineering to keep running the structure
    "negative_benefit",  # its net benefit was negative n_exit years in a row
    "grant_ended",  # as above, within n_exit years after the structure's grants ended
    "lost_urban_member",  # a pôle métropolitain without an urban member
    "dissolved",  # the structure ended under the member (for memberships only)
)
COMPETING, ENGINEERING, NEGATIVE_BENEFIT, GRANT_ENDED, LOST_URBAN, DISSOLVED = range(6)


class Memberships(NamedTuple):
    """The memberships held now as CSR arrays, by territory and by structure.

    ``held`` are their rows in the members table (ascending), ``territory`` and ``structure``
    theirs (int64). Territory i holds the memberships ``by_territory[i]:by_territory[i + 1]``
    of ``territory_slots`` (positions in ``held``, by structure ascending), whose structures
    are ``territory_structures``; likewise structure s has the members
    ``structure_members[by_structure[s]:by_structure[s + 1]]`` (by territory ascending).
    """

    held: np.ndarray
    territory: np.ndarray
    structure: np.ndarray
    by_territory: np.ndarray
    territory_slots: np.ndarray
    territory_structures: np.ndarray
    by_structure: np.ndarray
    structure_slots: np.ndarray
    structure_members: np.ndarray


class GrowingTable:
    """Columns of equal length that grow by appending rows (capacity doubles when full)."""

    def __init__(self, columns: dict[str, tuple[np.dtype | type, tuple[int, ...]]]):
        self._columns = {
            name: np.zeros((16, *shape), dtype=dtype) for name, (dtype, shape) in columns.items()
        }
        self.size = 0

    def __getitem__(self, name: str) -> np.ndarray:
        return self._columns[name][: self.size]

    def __setitem__(self, name: str, value: np.ndarray) -> None:
        self._columns[name][: self.size] = value

    def append(self, count: int, **values: npt.ArrayLike) -> np.ndarray:
        """Append ``count`` rows; unnamed columns start at zero. Returns the new row indices.

        Each value is ``count`` rows, or one value (e.g. a step) that every new row takes.
        """
        needed = self.size + count
        if needed > len(next(iter(self._columns.values()))):
            capacity = max(needed, 2 * len(next(iter(self._columns.values()))))
            for name, column in self._columns.items():
                grown = np.zeros((capacity, *column.shape[1:]), dtype=column.dtype)
                grown[: self.size] = column[: self.size]
                self._columns[name] = grown
        rows = np.arange(self.size, needed)
        for name, value in values.items():
            self._columns[name][rows] = value
        self.size = needed
        return rows


class StructureRegistry:
    """Every structure ever formed and every membership ever held."""

    def __init__(self, n_domains: int):
        self.structures = GrowingTable(
            {
                "kind": (np.int8, ()),
                "domains": (np.bool_, (n_domains,)),
                "formed": (np.int32, ()),  # step
                "dissolved": (np.int32, ()),  # step, -1 while active
                "cause": (np.int8, ()),  # index into EXIT_CAUSES, -1 while active
                "funding": (np.float64, ()),  # € received from the state, cumulated
                "engineering": (np.float64, ()),  # FTE-years used, cumulated
                "value": (np.float64, ()),  # € of value delivered, cumulated
                "grants": (np.bool_, ()),  # whether it received state money at some point
                "quality": (np.float64, ()),  # match quality ε, drawn when it forms
            }
        )
        self._version = 0  # bumped by every change of who is a member of what (not by no-ops)
        self._memo_version = -1
        self._memo_cache: dict = {}
        self.members = GrowingTable(
            {
                "structure": (np.int32, ()),
                "territory": (np.int32, ()),
                "joined": (np.int32, ()),
                "left": (np.int32, ()),  # step, -1 while a member
                "cause": (np.int8, ()),
                "streak": (np.int16, ()),  # consecutive years of negative net benefit
                "benefit": (np.float64, ()),  # last year's net benefit, €
            }
        )

    # -- queries --------------------------------------------------------------------------------

    def active_structures(self) -> np.ndarray:
        """Indices of structures not dissolved."""
        return self._memo("structures", lambda: np.flatnonzero(self.structures["dissolved"] < 0))

    def active_members(self) -> np.ndarray:
        """Indices of memberships currently held."""
        return self._memo("members", lambda: np.flatnonzero(self.members["left"] < 0))

    def membership_matrix(self, n_territories: int) -> sparse.csr_array:
        """Territory × structure matrix of current memberships (1 = member)."""

        def build() -> sparse.csr_array:
            rows = self.active_members()
            return sparse.csr_array(
                (
                    np.ones(len(rows)),
                    (self.members["territory"][rows], self.members["structure"][rows]),
                ),
                shape=(n_territories, self.structures.size),
            )

        return self._memo(("matrix", n_territories), build)

    def memberships(self, n_territories: int) -> Memberships:
        """The memberships held now, as CSR arrays by territory and by structure."""

        def build() -> Memberships:
            held = self.active_members()
            arrays = memberships_csr(
                held,
                self.members["territory"],
                self.members["structure"],
                n_territories,
                self.structures.size,
            )
            return Memberships(held, *arrays)

        return self._memo(("memberships", n_territories), build)

    def memoised(self, key, compute):
        """``compute()``, remembered until memberships or structures change (read-only)."""
        return self._memo(key, compute)

    def _memo(self, key, compute):
        """Queries are asked several times a step: answer from memory until the tables change."""
        if self._memo_version != self._version:
            self._memo_cache.clear()
            self._memo_version = self._version
        if key not in self._memo_cache:
            answer = compute()
            # shared between callers: nobody may change it
            for array in answer if isinstance(answer, tuple) else (answer,):
                if isinstance(array, np.ndarray):
                    array.flags.writeable = False
            self._memo_cache[key] = answer
        return self._memo_cache[key]

    # -- changes --------------------------------------------------------------------------------

    def form(
        self,
        kind: np.ndarray,
        domains: np.ndarray,
        founders: np.ndarray,
        step: int,
        quality: np.ndarray | float = 0.0,
    ) -> np.ndarray:
        """Create structures of ``kind`` (S,) on ``domains`` (S, M) with ``founders`` (S, 2).

        ``quality`` is each one's match quality ε (S,).
        """
        count = len(kind)
        self._version += count > 0
        ids = self.structures.append(
            count,
            kind=kind,
            domains=domains,
            formed=step,
            dissolved=-1,
            cause=-1,
            quality=quality,
        )
        self.join(np.repeat(ids, 2), founders.ravel(), step)
        return ids

    def join(self, structure: np.ndarray, territory: np.ndarray, step: int) -> None:
        """Add memberships."""
        self._version += len(structure) > 0
        self.members.append(
            len(structure),
            structure=structure,
            territory=territory,
            joined=step,
            left=-1,
            cause=-1,
        )

    def leave(self, membership: np.ndarray, cause: np.ndarray | int, step: int) -> None:
        """End memberships with a cause."""
        self._version += len(membership) > 0
        self.members["left"][membership] = step
        self.members["cause"][membership] = cause

    def dissolve(self, structure: np.ndarray, cause: np.ndarray, step: int) -> None:
        """End structures with a cause; their remaining memberships end as ``dissolved``."""
        self._version += len(structure) > 0
        self.structures["dissolved"][structure] = step
        self.structures["cause"][structure] = cause
        held = self.active_members()
        ended = np.zeros(self.structures.size, dtype=bool)
        ended[structure] = True
        self.leave(held[ended[self.members["structure"][held]]], DISSOLVED, step)


def kind_table(parameters: Parameters) -> list[StructureKind]:
    """The four kinds' costs and returns, in STRUCTURE_KINDS order."""
    s = parameters.structures
    return [s.entente, s.contrat, s.syndicat, s.pole]


def per_year_engineering(
    kinds: list[StructureKind],
    kind: np.ndarray,
    n_domains: np.ndarray,
    age: np.ndarray,
    amortisation_years: int,
) -> np.ndarray:
    """FTE a member devotes to a structure this year: running, plus setup spread over τ_a."""
    setup = np.array([k.setup_fte for k in kinds])[kind]
    running = np.array([k.running_fte for k in kinds])[kind]
    scale = np.where(kind == POLE, n_domains, 1)
    return scale * (running + np.where(age < amortisation_years, setup / amortisation_years, 0.0))


def inventory_frame(
    registry: StructureRegistry,
    names: np.ndarray,
    territory_kinds: np.ndarray,
    domain_names: tuple[str, ...],
    burn_in: int,
) -> pd.DataFrame:
    """One row per structure ever formed (the recensement)."""
    st, mb = registry.structures, registry.members
    order = np.lexsort((mb["joined"], mb["structure"]))
    split_at = np.cumsum(np.bincount(mb["structure"], minlength=st.size))[:-1]
    # a territory that left and joined again is listed once, at its first joining
    groups = np.split(mb["territory"][order], split_at) if st.size else []
    by_structure = [list(dict.fromkeys(group.tolist())) for group in groups]
    domains = [[domain_names[m] for m in np.flatnonzero(row)] for row in st["domains"]]
    dissolved = st["dissolved"]
    cause = st["cause"]
    return pd.DataFrame(
        {
            "structure_id": np.arange(st.size),
            "kind": pd.Categorical.from_codes(st["kind"], categories=list(STRUCTURE_KINDS)),
            "domains": domains,
            "members": by_structure,
            "member_names": [[str(names[i]) for i in m] for m in by_structure],
            "member_kinds": [[KINDS[territory_kinds[i]] for i in m] for m in by_structure],
            "year_formed": st["formed"] - burn_in,
            "year_dissolved": _nullable_years(dissolved, burn_in),
            "exit_cause": pd.array(
                [EXIT_CAUSES[c] if c >= 0 else None for c in cause], dtype="string"
            ),
            "funding_received": st["funding"],
            "engineering_used": st["engineering"],
            "value_delivered": st["value"],
            "match_quality": st["quality"],
        }
    )


def memberships_frame(registry: StructureRegistry, burn_in: int) -> pd.DataFrame:
    """One row per membership ever held: who, in which structure, from when to when, why out."""
    mb = registry.members
    left = mb["left"]
    return pd.DataFrame(
        {
            "structure_id": mb["structure"],
            "territory_id": mb["territory"],
            "year_joined": mb["joined"] - burn_in,
            "year_left": _nullable_years(left, burn_in),
            "exit_cause": pd.array(
                [EXIT_CAUSES[c] if c >= 0 else None for c in mb["cause"]], dtype="string"
            ),
        }
    )


def _nullable_years(steps: np.ndarray, burn_in: int) -> pd.arrays.IntegerArray:
    """Policy years of steps, missing where the step is -1 (not happened yet)."""
    return pd.arrays.IntegerArray((steps - burn_in).astype(np.int64), steps < 0)
