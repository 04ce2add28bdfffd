"""The plain-language conclusion that opens a comparison report, for readers who read only that.

For each scenario: which headline outcomes it clearly improves, clearly worsens, or cannot be
told apart on (:func:`summary_sentence`), then one whole sentence per outcome with its article,
the amount with its unit, and its 95 % interval (:func:`headline_sentences`). Scenarios are
named by their titles (:func:`display_names`). Words come from :mod:`.report_text`, numbers from
:mod:`.quantities`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping

import pandas as pd

from cohesim.model.outcomes import outcome

from .comparison import COST, SPENDING, Comparison
from .quantities import amount, money
from .report_text import TEXT, listing, outcome_phrase, word

HEADLINE_METRICS = (
    "cooperation_rate",
    "gini",
    "theil_between",
    "urban_rural_divergence",
    "access",
    "structures_active",
    SPENDING,
)


def unit_of(metric: str) -> str:
    """The declared unit of an outcome column ("" for a column the declarations do not know)."""
    try:
        return outcome(metric).unit
    except KeyError:
        return ""


def display_names(comparison: Comparison, lang: str) -> dict[str, str]:
    """Each scenario's name for readers: its title in ``lang``, unique within the comparison.

    A scenario without a title (an older results folder) is shown by its identifier; a repeated
    title gets " (2)", " (3)"...
    """
    shown: dict[str, str] = {}
    for i, name in enumerate(comparison.scenarios):
        titles = comparison.titles[i] if i < len(comparison.titles) else {}
        title = titles.get(lang) or name.split("#")[0]
        candidate, k = title, 1
        while candidate in shown.values():
            k += 1
            candidate = f"{title} ({k})"
        shown[name] = candidate
    return shown


def _text(value: str) -> str:
    """Text for the inside of an element: <, > and & escaped, apostrophes kept as they are."""
    return html.escape(value, quote=False)


class _Names:
    """How sentences name a scenario: "le scénario « X »", at the start of a sentence or not."""

    def __init__(self, names: Mapping[str, str], lang: str):
        self.names, self.lang = names, lang

    def __call__(self, name: str, start: bool = False) -> str:
        text = word("scenario_named", self.lang).format(t=_text(self.names.get(name, name)))
        return text[0].upper() + text[1:] if start else text

    def to(self, name: str) -> str:
        """After "par rapport": "au scénario « X »" in French (à + le), "X" in English."""
        text = self(name)
        return "au" + text.removeprefix("le") if self.lang == "fr" else text

    def both(self, a: str, b: str) -> str:
        text = word("scenarios_named", self.lang).format(
            a=_text(self.names.get(a, a)), b=_text(self.names.get(b, b))
        )
        return text[0].upper() + text[1:]


def _judged(metric: str) -> bool:
    """Whether a clear change of the outcome is an improvement or a deterioration to say."""
    return metric != SPENDING and unit_of(metric) != "" and outcome(metric).better is not None


def _change(row: pd.Series) -> str:
    if row["diff_ci_low"] == row["diff_ci_high"] == 0:
        return "same"
    if row["diff_ci_low"] > 0 or row["diff_ci_high"] < 0:
        return "up" if row["diff"] > 0 else "down"
    return "unclear"


def _improves(metric: str, change: str) -> bool:
    return (change == "up") == (outcome(metric).better == "higher")


def headline_sentences(
    table: pd.DataFrame,
    reference: str,
    lang: str,
    names: Mapping[str, str] | None = None,
) -> list[str]:
    """One whole sentence per headline outcome and scenario, then the cost of cohesion.

    Each says which way the scenario moves the outcome compared with the reference, by how much
    with its unit, and how sure the runs are (the 95 % interval, or that they cannot tell).
    """
    text = TEXT[lang]
    call = _Names(names or {}, lang)
    sentences = []
    for name in dict.fromkeys(table["scenario"]):
        if name == reference:
            continue
        rows = table[table["scenario"] == name].set_index("metric")
        for metric in HEADLINE_METRICS:
            if metric in rows.index:
                sentences.append(_sentence(metric, rows.loc[metric], name, reference, call, text))
        if COST in rows.index:
            sentences.append(_cost_sentence(rows.loc[COST], name, reference, call, text))
    return sentences


def _sentence(
    metric: str, row: pd.Series, name: str, reference: str, call: _Names, text: dict[str, str]
) -> str:
    lang, unit = call.lang, unit_of(metric)
    change = _change(row)
    phrase = _text(outcome_phrase(metric, lang))

    def size(x: float, words: bool = True) -> str:
        return amount(x, unit, lang, difference=True, digits=2, words=words)

    fields = {
        "Scenario": call(name, start=True),
        "scenario": call(name),
        "reference": call(reference),
        "reference_to": call.to(reference),
        "outcome": phrase,
    }
    if change == "same":
        return text["same"].format(Scenarios=call.both(name, reference), outcome=phrase)
    if change == "unclear":
        sign = "+" if row["diff"] > 0 else "−" if row["diff"] < 0 else ""
        return text["unclear"].format(
            **fields,
            amount=sign + size(abs(row["diff"])),
            lo=_signed(row["diff_ci_low"], lambda x: size(x, words=False)),
            hi=_signed(row["diff_ci_high"], size),
        )
    low, high = (row["diff_ci_low"], row["diff_ci_high"])
    if change == "down":  # the size of the fall, and its interval, as positive numbers
        low, high = -high, -low
    verdict = ""
    if _judged(metric):
        verdict = text["better" if _improves(metric, change) else "worse"]
    return text[change].format(
        **fields,
        amount=size(abs(row["diff"])),
        lo=size(low, words=False),
        hi=size(high),
        verdict=verdict,
    )


def _signed(x: float, size: Callable[[float], str]) -> str:
    return ("+" if x > 0 else "−" if x < 0 else "") + size(abs(x))


def _cost_sentence(
    row: pd.Series, name: str, reference: str, call: _Names, text: dict[str, str]
) -> str:
    lang = call.lang
    fields = {
        "Scenario": call(name, start=True),
        "scenario": call(name),
        "reference": call(reference),
        "reference_to": call.to(reference),
    }
    if math.isnan(row["mean"]):
        key = "cost_undefined"
    elif row["mean"] == 0:  # no extra money: a price of zero, whatever the Gini did
        key = "cost_nothing" if math.isinf(row["ci_high"]) else "cost_free"
    elif math.isinf(row["ci_high"]):
        key = "cost_unbounded"
    else:
        key = "cost"
    return text[key].format(
        **fields,
        cost=money(row["mean"], lang),
        lo=money(row["ci_low"], lang),
        hi=money(row["ci_high"], lang),
    )


def summary_sentence(
    table: pd.DataFrame, name: str, reference: str, lang: str, names: Mapping[str, str]
) -> str:
    """Which outcomes a scenario clearly improves, clearly worsens, or cannot be told apart on."""
    text = TEXT[lang]
    call = _Names(names, lang)
    rows = table[table["scenario"] == name].set_index("metric")
    groups: dict[str, list[str]] = {"better": [], "worse": [], "unclear": []}
    for metric in HEADLINE_METRICS:
        if metric not in rows.index or not _judged(metric):
            continue
        change = _change(rows.loc[metric])
        if change in ("same", "unclear"):
            group = "unclear"
        else:
            group = "better" if _improves(metric, change) else "worse"
        groups[group].append(_text(outcome_phrase(metric, lang)))
    parts = [
        text[f"summary_{group}"].format(outcomes=listing(items, lang))
        for group, items in groups.items()
        if items
    ] or [text["summary_none"]]
    first = text["summary"].format(
        reference=call(reference),
        reference_to=call.to(reference),
        scenario=call(name),
        part=parts[0],
    )
    return " ".join([first, *(text["summary_next"].format(part=p) for p in parts[1:])])


def conclusion_html(comparison: Comparison, table: pd.DataFrame, lang: str) -> str:
    """The plain-language conclusion that opens the report, for readers who read only that."""
    text = TEXT[lang]
    names = display_names(comparison, lang)
    reference = comparison.scenarios[0]
    parts = []
    for name in comparison.scenarios[1:]:
        summary = summary_sentence(table, name, reference, lang, names)
        sentences = headline_sentences(
            table[table["scenario"].isin([reference, name])], reference, lang, names
        )
        parts.append(
            f"<p>{summary}</p><ul>" + "".join(f"<li>{s}</li>" for s in sentences) + "</ul>"
        )
    notes = [text["how_sure_paired"]]
    unpaired = [n for n in comparison.scenarios if not comparison.paired(n)]
    if unpaired:
        quoted = listing(
            [
                f"« {html.escape(names[n])} »" if lang == "fr" else f"“{html.escape(names[n])}”"
                for n in unpaired
            ],
            lang,
        )
        notes.append(text["how_sure_unpaired"].format(scenarios=quoted))
    # how to read the intervals first: the sentences below all quote one
    return "".join(f'<p class="small">{n}</p>' for n in notes) + "".join(parts)
