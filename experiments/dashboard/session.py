"""What one browser session of the dashboard holds: the model, the sliders, the runs so far.

The page's components read it and call its methods; it knows no widget. Every change bumps
:attr:`Session.tick`, which the cards that draw the model depend on.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import solara

from cohesim.model.territories import TerritoryTable

from .history import run_summary
from .model import DashboardModel, ScenarioLike
from .sliders import Control, controls, start_settings


class Session:
    """The state of one page: the scenario, the sliders' values, the model, the finished runs.

    Parameters
    ----------
    scenario
        The scenario (validated); the sliders start at its values.
    territories
        The real territories of a ``france`` scenario, read by the caller.
    """

    def __init__(self, scenario: ScenarioLike, territories: TerritoryTable | None = None):
        self.scenario = scenario
        self.territories = territories
        self.start = start_settings(scenario)
        self.settings = solara.reactive(dict(self.start))
        self.model = solara.reactive(self._build(self.start))
        self.tick = solara.reactive(0)
        self.playing = solara.reactive(False)
        self.previous: solara.Reactive[pd.DataFrame | None] = solara.reactive(None)
        self.finished: solara.Reactive[list[dict[str, Any]]] = solara.reactive([])
        self.picked: solara.Reactive[int | None] = solara.reactive(None)
        self.runs_started = 1
        self._controls: dict[str, list[Control]] = {}
        # The play loop steps from its own thread while a click may reset: one at a time.
        self._lock = threading.RLock()

    def _build(self, settings: dict[str, Any]) -> DashboardModel:
        changed = {p: v for p, v in settings.items() if v != self.start[p]}
        return DashboardModel(self.scenario, territories=self.territories, **changed)

    def controls(self, lang: str) -> list[Control]:
        """The inputs, labelled in ``lang`` (built once per language)."""
        if lang not in self._controls:
            self._controls[lang] = controls(self.scenario, lang)
        return self._controls[lang]

    def changed(self) -> dict[str, Any]:
        """The sliders that differ from the scenario, with their values."""
        return {p: v for p, v in self.settings.value.items() if v != self.start[p]}

    def pending(self) -> set[str]:
        """Sliders whose value differs from what the running model was built with."""
        built = self.model.value.requested
        return {
            path
            for path, value in self.settings.value.items()
            if built.get(path, self.start[path]) != value
        }

    def set_setting(self, path: str, value: Any) -> None:
        """A slider moved: remember it, and rebuild the model if its run has not started."""
        with self._lock:
            self.settings.value = {**self.settings.value, path: value}
            if self.model.value.steps == 0 and not self.playing.value:
                self.model.value = self._build(self.settings.value)
                self.picked.value = None
            self.tick.value += 1

    def reset(self) -> None:
        """Start again with the sliders' values; the run so far becomes the faded trace."""
        with self._lock:
            self.playing.value = False
            old = self.model.value
            if old.steps > 0:
                self.previous.value = old.metrics_frame()
                self.runs_started += 1
            self.model.value = self._build(self.settings.value)
            self.tick.value += 1

    def step(self) -> None:
        """One year; a run reaching the scenario's last year joins the table of finished runs."""
        with self._lock:
            model = self.model.value
            model.step()
            if model.steps == model.parameters.run.steps:
                summary = run_summary(model, self.runs_started, model.requested)
                self.finished.value = [*self.finished.value, summary]
            self.tick.value += 1

    def at_end(self) -> bool:
        """Whether the model has reached the scenario's last year."""
        model = self.model.value
        return model.steps >= model.parameters.run.steps
