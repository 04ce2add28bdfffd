"""Well-mixed populations: public goods with institutional reward or fines, and 2 × 2 games.

The well-mixed public goods game with an institutional incentive (Sasaki, Brännström,
Dieckmann & Sigmund 2012, PNAS, doi:10.1073/pnas.1115219109; Sigmund, De Silva, Traulsen &
Hauert 2010, Nature, doi:10.1038/nature09203 for institutional incentives): groups of n are drawn
at random from a large population; each cooperator pays c into a pot that is multiplied by r and
shared among the n players; an institution holds a budget δ n per group, shared equally among
the group's cooperators (reward) or taken equally from its defectors (fine). In an infinite
population the payoff advantage of cooperating, at a cooperator share x, is

    reward: Δ(x) = -c (1 - r/n) + δ (1 - (1 - x)^n) / x
    fine:   Δ(x) = -c (1 - r/n) + δ (1 - x^n) / (1 - x)

(a cooperator with K ~ Bin(n - 1, x) cooperating co-players receives δ n / (K + 1), whose mean
is δ (1 - (1 - x)^n) / x; a defector's fine is the mirror image), and the replicator equation
ẋ = x (1 - x) Δ(x) has its interior rest points where Δ(x) = 0 (:func:`rest_points`). For a 2 × 2
game Δ(x) = x (R - T) + (1 - x) (S - P), with rest point (S - P) / (S - P + T - R).

:class:`WellMixedGame` simulates a finite population of N individuals with random sequential
Fermi imitation (Szabó & Tőke 1998, doi:10.1103/PhysRevE.58.69; Traulsen, Nowak & Pacheco 2006,
doi:10.1103/PhysRevE.74.011909): at each elementary update a random focal individual i compares
itself with a random other individual j and adopts j's strategy with probability
1 / (1 + exp((π_i - π_j) / K)). Payoffs are expected payoffs in a group drawn from the N - 1
others (hypergeometric), so they depend on the number of cooperators alone and are exact at
every update. Its rest points approach the replicator equation's as N grows.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
from numba import njit

from ..agents import StrategyView
from ..kinds import RURAL
from ..outcomes import records_frame
from ..parameters import Parameters
from ..registry import StructureRegistry, inventory_frame, memberships_frame


def incentive_gain(
    x: np.ndarray | float,
    *,
    group_size: int,
    multiplication: float,
    cost: float,
    incentive: str,
    budget: float,
) -> np.ndarray:
    """Δ(x) of the replicator equation for public goods with an institutional incentive.

    Limits at x = 0 (reward: δ n) and x = 1 (fine: δ n) are taken exactly.
    """
    x = np.asarray(x, dtype=np.float64)
    n = group_size
    base = -cost * (1 - multiplication / n)
    if incentive == "none":
        return np.full_like(x, base)
    y = x if incentive == "reward" else 1 - x
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(y > 0, (1 - (1 - y) ** n) / np.where(y > 0, y, 1), n)
    return base + budget * share


def matrix_gain(x: np.ndarray | float, reward: float, sucker: float, temptation: float,
                punishment: float) -> np.ndarray:  # fmt: skip
    """Δ(x) = x (R - T) + (1 - x) (S - P) for a 2 × 2 game in an infinite population."""
    x = np.asarray(x, dtype=np.float64)
    return x * (reward - temptation) + (1 - x) * (sucker - punishment)


def rest_points(gain, grid: int = 2001) -> list[tuple[float, bool]]:
    """Interior rest points of ẋ = x (1 - x) Δ(x) and whether each is stable.

    ``gain`` maps an array of shares to Δ. Roots are bracketed on a grid of (0, 1) and refined by
    Brent's method; a root is stable when Δ changes sign from + to -.
    """
    from scipy.optimize import brentq  # here: a run of the policy model never needs scipy.optimize

    x = np.linspace(1e-9, 1 - 1e-9, grid)
    d = gain(x)
    sign = np.sign(d)
    found = []
    for k in range(1, grid - 1):  # a grid point that is a root
        if sign[k] == 0 and sign[k - 1] * sign[k + 1] < 0:
            found.append((float(x[k]), bool(d[k - 1] > 0)))
    for j in np.flatnonzero(sign[:-1] * sign[1:] < 0):  # a root between two grid points
        root = brentq(lambda v: float(gain(np.array([v]))[0]), x[j], x[j + 1], xtol=1e-12)
        found.append((float(root), bool(d[j] > 0)))
    return found


def group_payoffs(
    population: int,
    *,
    group_size: int,
    multiplication: float,
    cost: float,
    incentive: str,
    budget: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected payoffs of a cooperator and a defector for each number of cooperators 0..N.

    A focal individual's n - 1 co-players are drawn without replacement from the N - 1 others
    (hypergeometric): with K cooperating co-players a cooperator gets r c (K + 1) / n - c plus
    δ n / (K + 1) (reward), a defector r c K / n minus δ n / (n - K) (fine).
    """
    from scipy.stats import hypergeom  # here: importing scipy.stats takes half a second

    n, big = group_size, population
    k = np.arange(n)[None, :]
    count = np.arange(big + 1)[:, None]
    # a cooperator sees count - 1 cooperators among the others, a defector count
    seen_by_cooperator = hypergeom.pmf(k, big - 1, np.maximum(count - 1, 0), n - 1)
    seen_by_defector = hypergeom.pmf(k, big - 1, np.minimum(count, big - 1), n - 1)
    cooperator_pay = multiplication * cost * (k + 1) / n - cost
    defector_pay = multiplication * cost * k / n
    if incentive == "reward":
        cooperator_pay = cooperator_pay + budget * n / (k + 1)
    elif incentive == "fine":
        defector_pay = defector_pay - budget * n / (n - k)
    cooperator = (seen_by_cooperator * cooperator_pay).sum(axis=1)
    defector = (seen_by_defector * defector_pay).sum(axis=1)
    cooperator[0] = defector[big] = 0.0  # no cooperator (defector) exists to be paid
    return cooperator, defector


def matrix_payoffs(
    population: int, reward: float, sucker: float, temptation: float, punishment: float
) -> tuple[np.ndarray, np.ndarray]:
    """Expected payoffs against one random other individual, for each number of cooperators."""
    count = np.arange(population + 1, dtype=np.float64)
    others = population - 1
    cooperator = (reward * (count - 1) + sucker * (population - count)) / others
    defector = (temptation * count + punishment * (population - count - 1)) / others
    return cooperator, defector


@njit(cache=True)
def fermi_updates(cooperate, focal, model, u_adopt, cooperator, defector, noise):
    """Random sequential Fermi imitation in a well-mixed population; returns the cooperators.

    ``model[k]`` is drawn among the N - 1 others of ``focal[k]`` (an index that skips the focal
    one); payoffs are looked up by the current number of cooperators.
    """
    count = 0
    for i in range(len(cooperate)):
        count += cooperate[i]
    for k in range(len(focal)):
        i = focal[k]
        j = model[k] + (model[k] >= i)
        if cooperate[i] == cooperate[j]:
            continue
        mine = cooperator[count] if cooperate[i] else defector[count]
        theirs = cooperator[count] if cooperate[j] else defector[count]
        if u_adopt[k] < 1.0 / (1.0 + np.exp((mine - theirs) / noise)):
            cooperate[i] = cooperate[j]
            count += 1 if cooperate[j] else -1
    return count


class Individual(StrategyView):
    """One individual of a well-mixed population: a thin view onto its row of the model's arrays.

    Its payoff is the expected payoff of its strategy at the current number of cooperators.
    """

    model: WellMixedGame

    @property
    def payoff(self) -> float:
        """Expected payoff now."""
        model = self.model
        table = model.cooperator_payoff if self.cooperates else model.defector_payoff
        return float(table[model.count])

    def __repr__(self) -> str:
        return f"Individual({self.index}, {self.strategy})"


class WellMixedGame(mesa.Model):
    """A finite well-mixed population (``geometry.source = "well_mixed"``), Fermi imitation.

    ``geometry.n`` individuals; the game is ``classic_game`` (``public_goods`` in groups of
    ``well_mixed.group_size`` with the institution of ``[well_mixed]``, or a 2 × 2 ``matrix``
    against one random other); one step is one Monte Carlo step of N elementary updates
    (``update.revision_rate`` × N). Same seed → same series.

    Examples
    --------
    >>> from cohesim.model import Parameters
    >>> from cohesim.model.reductions import WellMixedGame
    >>> p = Parameters.model_validate({"geometry": {"source": "well_mixed", "n": 200},
    ...     "classic_game": {"game": "public_goods"}, "update": {"rule": "fermi"},
    ...     "well_mixed": {"incentive": "reward", "budget": 0.3}})
    >>> model = WellMixedGame(p, rng=1)
    >>> model.run(3)
    >>> len(model.agents), list(model.metrics_frame()["step"])
    (200, [0, 1, 2, 3])
    """

    def __init__(self, parameters: Parameters, *, rng: int | np.random.Generator | None = None):
        super().__init__(rng=parameters.run.seed if rng is None else rng)
        if parameters.geometry.source != "well_mixed":
            raise ValueError(
                f"WellMixedGame needs geometry.source = 'well_mixed', "
                f"not {parameters.geometry.source!r}"
            )
        self.parameters = parameters
        n = parameters.geometry.n
        g, w = parameters.classic_game, parameters.well_mixed
        if g.game == "public_goods":
            self.cooperator_payoff, self.defector_payoff = group_payoffs(
                n,
                group_size=w.group_size,
                multiplication=g.multiplication,
                cost=g.cost,
                incentive=w.incentive,
                budget=w.budget,
            )
        else:
            self.cooperator_payoff, self.defector_payoff = matrix_payoffs(
                n, g.reward, g.sucker, g.temptation, g.punishment
            )
        self.cooperate = self.rng.random(n) < parameters.update.initial_cooperation
        self.individuals = [Individual(self, i) for i in range(n)]
        self._rows: list[dict[str, float]] = []
        self._record()

    def step(self) -> None:
        """One Monte Carlo step: N elementary Fermi updates drawn from the model's generator."""
        u = self.parameters.update
        n = len(self.cooperate)
        m = round(u.revision_rate * n)
        focal = self.rng.integers(0, n, size=m)
        model = self.rng.integers(0, n - 1, size=m)
        u_adopt = self.rng.random(m)
        fermi_updates(
            self.cooperate,
            focal,
            model,
            u_adopt,
            self.cooperator_payoff,
            self.defector_payoff,
            u.noise,
        )
        if u.mutation > 0:
            self.cooperate ^= self.rng.random(n) < u.mutation
        self._record()

    def run(self, steps: int) -> None:
        """Advance ``steps`` Monte Carlo steps."""
        for _ in range(steps):
            self.step()

    @property
    def count(self) -> int:
        """Number of cooperators now (counted, so that writing through an agent keeps it right)."""
        return int(np.count_nonzero(self.cooperate))

    @property
    def cooperation_rate(self) -> float:
        """Share of cooperators now."""
        return self.count / len(self.cooperate)

    @property
    def payoff(self) -> np.ndarray:
        """Every individual's expected payoff now."""
        return np.where(
            self.cooperate,
            self.cooperator_payoff[self.count],
            self.defector_payoff[self.count],
        )

    def _record(self) -> None:
        share = self.cooperation_rate
        self._rows.append(
            {
                "step": self.steps,
                "year": self.steps - self.parameters.run.burn_in,
                "cooperation_rate": share,
                "cooperation_rate_pop": share,
                "payoff_mean": float(self.payoff.mean()),
            }
        )

    def metrics_frame(self) -> pd.DataFrame:
        """One row per Monte Carlo step recorded so far (step 0 is the initial state)."""
        return records_frame(self._rows, self.parameters)

    def territories_frame(self) -> pd.DataFrame:
        """One row per individual: its strategy and payoff now."""
        n = len(self.cooperate)
        return pd.DataFrame(
            {
                "id": np.arange(n),
                "strategy": np.where(self.cooperate, "cooperate", "compete"),
                "payoff": self.payoff,
            }
        )

    def inventory_frame(self) -> pd.DataFrame:
        """No cooperation structures in a well-mixed game: an empty inventory."""
        n = len(self.cooperate)
        names = np.array([f"I{i}" for i in range(n)])
        return inventory_frame(StructureRegistry(0), names, np.full(n, RURAL), (), 0)

    def memberships_frame(self) -> pd.DataFrame:
        """No memberships in a well-mixed game: an empty table."""
        return memberships_frame(StructureRegistry(0), 0)
