"""The dashboard's controls, in the page's language: run (reset, play, one year, speed) and levers.

They replace SolaraViz's own controls, which only speak English and lose slider moves: the
browser holds back a slider's later values until the server has answered its first one, so
a Reset clicked meanwhile reached the server first and rebuilt the model with the slider's
first value (0.01) while the slider showed its last (0.5). Here every slider value that reaches
the server is applied: at once while the run has not started, otherwise at the next Reset, and
until then the page lists the sliders waiting for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import solara

from cohesim.model.parameters import declared

from .session import Session
from .sliders import Control, nearest_position, shown_value
from .text import tr

PLAY_INTERVAL_MS = 300
"""Default pause between two years when playing: a class can follow what changes."""


def _value_text(control: Control, value: Any, lang: str) -> str:
    return shown_value(declared(control.path), value, lang)


@solara.component
def RunControls(session: Session, lang: str):
    """Reset, play / pause, one year, and the pause between years while playing."""
    interval = solara.use_reactive(PLAY_INTERVAL_MS)
    playing = session.playing

    def play_loop():
        while playing.value:
            time.sleep(interval.value / 1000)
            if not playing.value:
                break
            session.step()
            if session.at_end():
                playing.value = False

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    with solara.Card(tr("controls", lang), margin=0, classes=["cohesim-controls"]):
        with solara.Row(justify="space-between"):
            solara.Button(tr("reset", lang), color="primary", on_click=session.reset)
            solara.Button(
                tr("pause" if playing.value else "play", lang),
                color="primary",
                on_click=lambda: playing.set(not playing.value),
            )
            solara.Button(
                tr("step_button", lang),
                color="primary",
                on_click=session.step,
                disabled=playing.value,
            )
        colon = "\u00a0: " if lang == "fr" else ": "
        solara.Text(f"{tr('interval', lang)}{colon}{interval.value}", style={"font-size": "0.9em"})
        solara.SliderInt("", value=interval, min=0, max=2000, step=50, thumb_label=False)


def input_class(path: str) -> str:
    """The CSS class of a parameter's input (``cohesim-input-engineering-state_support``)."""
    return "cohesim-input-" + path.replace(".", "-")


@solara.component
def ParameterInput(control: Control, value: Any, on_value: Callable[[Any], None], lang: str):
    """One lever: its name and current value above the input (slider, log slider, select, box)."""
    with solara.Column(gap="0px", classes=["cohesim-input", input_class(control.path)]):
        _parameter_input(control, value, on_value, lang)


def _parameter_input(control: Control, value: Any, on_value: Callable[[Any], None], lang: str):
    colon = "\u00a0: " if lang == "fr" else ": "
    if control.kind == "checkbox":
        solara.Checkbox(label=control.label, value=bool(value), on_value=on_value)
        return
    solara.Text(
        f"{control.label}{colon}{_value_text(control, value, lang)}",
        classes=["cohesim-lever"],
        style={"display": "block", "font-size": "0.9em"},
    )
    if control.kind == "select":
        solara.v.Select(
            items=[{"text": text, "value": key} for key, text in control.choices],
            v_model=value,
            on_v_model=on_value,
            dense=True,
            hide_details=True,
            class_="cohesim-select",
        )
        return
    if control.kind == "log":
        position = nearest_position(control.values, float(value))
        with solara.Row(gap="4px", style={"align-items": "center"}):
            with solara.Column(style={"flex": "1 1 60%"}):
                solara.v.Slider(
                    v_model=position,
                    on_v_model=lambda i: on_value(control.values[int(i)]),
                    min=0,
                    max=len(control.values) - 1,
                    step=1,
                    hide_details=True,
                )
            with solara.Column(style={"flex": "1 1 40%"}):
                solara.InputFloat(
                    tr("exact", lang),
                    value=float(value),
                    on_value=lambda v: (
                        on_value(
                            min(max(float(v), control.minimum or 0.0), control.maximum or float(v))
                        )
                        if v is not None
                        else None
                    ),
                )
        return
    low, high, step = control.minimum or 0, control.maximum or 0, control.step or 1
    if control.integer:
        solara.SliderInt(
            "",
            value=int(value),
            on_value=on_value,
            min=int(low),
            max=int(high),
            step=int(step),
            thumb_label=False,
        )
    else:
        solara.SliderFloat(
            "",
            value=float(value),
            on_value=on_value,
            min=low,
            max=high,
            step=step,
            thumb_label=False,
        )


@solara.component
def ParameterControls(session: Session, lang: str):
    """Every lever's input, the rule of when they act, and the sliders waiting for a Reset."""
    settings = session.settings.value
    with solara.Card(tr("levers", lang), margin=0, classes=["cohesim-levers"]):
        solara.Text(tr("applies", lang), style={"display": "block", "font-size": "0.8em"})
        pending = session.pending()
        if pending:
            lines = ", ".join(
                f"{c.label} = {_value_text(c, settings[c.path], lang)}"
                for c in session.controls(lang)
                if c.path in pending
            )
            solara.Warning(f"{tr('pending', lang)} {lines}", classes=["cohesim-pending"])
        for control in session.controls(lang):
            ParameterInput(
                control,
                settings[control.path],
                lambda value, path=control.path: session.set_setting(path, value),
                lang,
            )
