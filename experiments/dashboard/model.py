"""The model a dashboard shows: a scenario with the sliders' values applied.

It knows nothing of files: it is given a scenario object (anything with ``parameters`` and
``with_parameters(**dotted_overrides)``, as :class:`cohesim.experiments.scenario.Scenario`), so
that slider values are validated by the very code that validates scenario files.
"""

from __future__ import annotations

from typing import Any, Protocol

from cohesim.model.parameters import Parameters
from cohesim.model.territories import TerritoryTable
from cohesim.model.territory_model import TerritoryModel

from .sliders import settings_overrides


class ScenarioLike(Protocol):
    """What the dashboard needs of a scenario: its parameters and validated overrides."""

    name: str
    parameters: Parameters

    def with_parameters(self, **overrides: Any) -> ScenarioLike:
        """A copy with dotted-path overrides applied and validated."""
        ...


class DashboardModel(TerritoryModel):
    """The model a dashboard shows: a scenario with the sliders' values applied.

    Settings the scenario's validation rejects leave the base scenario in force and their
    message in :attr:`problem`; :attr:`requested` keeps the settings asked for either way.

    Parameters
    ----------
    base
        The scenario (validated); its ``run.seed`` seeds the model, as in ``cohesim run``.
    territories
        The real territories of a ``france`` scenario, read by the caller.
    **settings
        Slider values keyed by dotted parameter path.
    """

    def __init__(
        self,
        base: ScenarioLike,
        territories: TerritoryTable | None = None,
        **settings: Any,
    ):
        self.problem: str | None = None
        self.requested = dict(settings)
        try:
            chosen = base.with_parameters(**settings_overrides(settings))
        except ValueError as error:
            chosen, self.problem = base, str(error)
        self.chosen = chosen
        parameters = chosen.parameters
        super().__init__(parameters, rng=parameters.run.seed, territories=territories)
