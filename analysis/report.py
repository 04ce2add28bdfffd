"""Self-contained HTML reports: the pieces every report uses, and the comparison of scenarios.

A report is one HTML file with its figures embedded as base64 PNG and its styles inline: no
external URL, so it opens offline and can be sent by e-mail. Beside it, the figures as PNG and
the tables as CSV and Parquet, so every number in the report can be reused. The report of a
sweep is in :mod:`.sweep_report`.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .comparison import COST, SPENDING, Comparison, comparison_table, replicate_values
from .inventory import inventory_counts, survival_after_grants, survival_curves, write_tables
from .plots.report import (
    counts_figure,
    distribution_figure,
    envelope_figure,
    png_bytes,
    survival_figure,
)
from .report_text import CAVEATS, TEXT, check_language, metric_label, word

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
h1 { font-size: 1.7rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
thead th { background: #f2f2f2; }
img { max-width: 100%; } figure { margin: 1rem 0; } figcaption { font-size: 0.85rem; color: #555; }
li { margin: 0.3rem 0; } .small { font-size: 0.85rem; color: #555; }
"""
HEADLINE_METRICS = (
    "cooperation_rate",
    "gini",
    "theil_between",
    "urban_rural_divergence",
    # no access: flows are static, so it cannot be an effect of a policy (see the caveats)
    "structures_active",
    SPENDING,
)
TIME_METRICS = (
    "cooperation_rate",
    "gini",
    "theil_between",
    "theil_within",
    "urban_rural_gap",
    "access_health",
    "structures_active",
    "welfare_mean",
    SPENDING,
)


@dataclass
class Report:
    """A report in memory: its HTML, its figures (PNG bytes) and its tables."""

    html: str
    figures: dict[str, bytes] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def write(self, folder: str | Path) -> Path:
        """Write ``report.html``, ``figures/NAME.png`` and ``tables/NAME.{csv,parquet}``."""
        folder = Path(folder)
        (folder / "figures").mkdir(parents=True, exist_ok=True)
        for name, png in self.figures.items():
            (folder / "figures" / f"{name}.png").write_bytes(png)
        write_tables(self.tables, folder / "tables")
        (folder / "report.html").write_text(self.html, encoding="utf-8")
        return folder / "report.html"


def number(x: float, lang: str = "en", digits: int = 3) -> str:
    """A number for readers: ``digits`` significant digits, thousands separated, NaN as "–".

    Examples
    --------
    >>> number(1234567.8), number(0.012345), number(0.5, "fr"), number(-2.0)
    ('1,234,568', '0.0123', '0,5', '−2')
    >>> number(1234567.8, "fr") == "1\u202f234\u202f568"  # narrow no-break spaces
    True
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.{digits}g}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "−")


def figure_html(png: bytes, alt: str, caption: str = "") -> str:
    """An embedded figure: the PNG as a data URI, with alt text and an optional caption."""
    data = base64.b64encode(png).decode("ascii")
    tag = f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
    text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{tag}{text}</figure>"


def table_html(frame: pd.DataFrame, lang: str) -> str:
    """A table of text and numbers (numbers formatted by :func:`number`)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, int | float | np.number) and not isinstance(value, bool):
                cells.append(f"<td>{number(float(value), lang)}</td>")
            else:
                cells.append(f'<td class="text">{html.escape(str(value))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def document(title: str, sections: list[tuple[str, str]], lang: str) -> str:
    """The whole HTML page: a title, then one ``<h2>`` per section."""
    parts = [f"<h2>{html.escape(h)}</h2>\n{body}" for h, body in sections]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n" + "\n".join(parts) + "\n</body>\n</html>\n"
    )


def paragraphs(*texts: str) -> str:
    """Paragraphs of text already escaped or written with trusted markup (``<b>``)."""
    return "".join(f"<p>{t}</p>" for t in texts)


def headline_sentences(table: pd.DataFrame, reference: str, lang: str) -> list[str]:
    """Plain-words sentences for each scenario's differences to the reference."""
    text = TEXT[lang]
    sentences = []
    esc = html.escape
    for name in dict.fromkeys(table["scenario"]):
        if name == reference:
            continue
        rows = table[table["scenario"] == name].set_index("metric")
        for metric in HEADLINE_METRICS:
            if metric not in rows.index:
                continue
            r = rows.loc[metric]
            clear = r["diff_ci_low"] > 0 or r["diff_ci_high"] < 0
            key = "unclear" if not clear else ("clear_up" if r["diff"] > 0 else "clear_down")
            if r["diff_ci_low"] == r["diff_ci_high"] == 0:
                key = "same"
            shown = abs(r["diff"]) if clear else r["diff"]
            sentences.append(
                text[key].format(
                    scenario=f"<b>{esc(name)}</b>",
                    ref=f"<b>{esc(reference)}</b>",
                    metric=esc(metric_label(metric, lang)),
                    diff=number(shown, lang),
                    lo=number(r["diff_ci_low"], lang),
                    hi=number(r["diff_ci_high"], lang),
                )
            )
        if COST in rows.index:
            c = rows.loc[COST]
            if math.isnan(c["mean"]):
                key = "cost_undefined"
            else:
                key = "cost_unbounded" if math.isinf(c["ci_high"]) else "cost"
            sentences.append(
                text[key].format(
                    scenario=f"<b>{esc(name)}</b>",
                    ref=f"<b>{esc(reference)}</b>",
                    cost=number(c["mean"], lang) + " €",
                    lo=number(c["ci_low"], lang) + " €",
                    hi=number(c["ci_high"], lang) + " €",
                )
            )
    return sentences


def comparison_report(
    comparison: Comparison, lang: str = "en", window: int | None = None
) -> Report:
    """The comparison report: what was compared, headlines, table, figures, inventory, caveats.

    ``window`` replaces the comparison's own final window (:attr:`Comparison.window`).
    """
    check_language(lang)
    window = comparison.window if window is None else window
    text = TEXT[lang]
    reference = comparison.scenarios[0]
    table = comparison_table(comparison, window)
    values = replicate_values(comparison, window)
    report = Report("", tables={"replicate_values": values})
    esc = html.escape

    listing = "".join(
        f"<li><b>{esc(n)}</b>{' (' + word('reference', lang) + ')' if n == reference else ''}"
        f"{': ' + esc(d) if d else ''}</li>"
        for n, d in zip(comparison.scenarios, comparison.descriptions, strict=True)
    )
    what = (
        paragraphs(
            text["compared"].format(
                n=len(comparison.scenarios),
                r=comparison.replicates,
                ref=esc(reference),
                steps=", ".join(str(s) for s in dict.fromkeys(comparison.steps)),
            ),
            text["window"].format(w=window),
        )
        + f"<ul>{listing}</ul>"
    )
    headlines = (
        "<ul>"
        + "".join(f"<li>{s}</li>" for s in headline_sentences(table, reference, lang))
        + "</ul>"
    )

    shown = table.assign(metric=[metric_label(m, lang) for m in table["metric"]])
    shown.columns = [
        word("scenario", lang),
        word("metric", lang),
        word("mean", lang),
        f"{word('ci', lang)} −",
        f"{word('ci', lang)} +",
        word("diff", lang),
        f"{word('ci', lang)} −",
        f"{word('ci', lang)} +",
        word("effect", lang),
    ]
    table_section = table_html(shown, lang)

    series = {n: [run.timeseries for run in runs] for n, runs in comparison.runs.items()}
    metrics = [m for m in TIME_METRICS if m in next(iter(series.values()))[0]]
    report.figures["over_time"] = png_bytes(envelope_figure(series, metrics, lang))
    listed = [m for m in TIME_METRICS if m in set(values["metric"])]
    report.figures["per_replicate"] = png_bytes(distribution_figure(values, listed, lang))
    over_time = figure_html(
        report.figures["over_time"], word("over_time", lang), text["envelope_caption"]
    )
    per_replicate = figure_html(report.figures["per_replicate"], word("distributions", lang))

    sections = [
        (word("what", lang), what),
        (word("headlines", lang), headlines),
        (word("over_time", lang), over_time),
        (word("distributions", lang), per_replicate),
        (word("table", lang), table_section),
        *inventory_sections(comparison.inventories(), comparison.grant_years(), lang, report),
        (
            word("caveats", lang),
            "<ul>"
            + "".join(f"<li>{c.format(r=comparison.replicates)}</li>" for c in CAVEATS[lang])
            + "</ul>",
        ),
    ]
    report.tables["comparison"] = table
    report.html = document(
        word("compare_title", lang) + ": " + " / ".join(comparison.scenarios), sections, lang
    )
    return report


def inventory_sections(
    inventories: Mapping[str, list[tuple[pd.DataFrame, int]]],
    grant_years: Mapping[str, int],
    lang: str,
    report: Report,
) -> list[tuple[str, str]]:
    """Inventory counts and survival sections; adds their figures and tables to ``report``."""
    text = TEXT[lang]
    by_kind = inventory_counts(inventories, by="kind")
    by_mix = inventory_counts(inventories, by="mix")
    curves = survival_curves(inventories)
    by_kind_curves = survival_curves(inventories, by="kind")
    after = survival_after_grants(inventories, grant_years)
    report.tables.update(
        inventory_by_kind=by_kind,
        inventory_by_mix=by_mix,
        survival=curves,
        survival_by_kind=by_kind_curves,
        survival_after_grants=after,
    )
    if by_kind.empty:
        return [(word("inventory", lang), paragraphs(word("no_structures", lang)))]
    report.figures["inventory_by_kind"] = png_bytes(counts_figure(by_kind, "kind", lang))
    report.figures["inventory_by_mix"] = png_bytes(counts_figure(by_mix, "mix", lang))
    inventory = (
        figure_html(report.figures["inventory_by_kind"], word("by_kind", lang))
        + figure_html(report.figures["inventory_by_mix"], word("by_mix", lang))
        + table_html(by_kind, lang)
    )
    if curves.empty:
        survival = paragraphs(word("no_structures", lang))
    else:
        report.figures["survival"] = png_bytes(survival_figure(curves, lang))
        survival = paragraphs(text["survival_note"]) + figure_html(
            report.figures["survival"], word("survival", lang)
        )
    if after.empty:
        survival += paragraphs(word("no_grants", lang))
    else:
        report.figures["survival_after_grants"] = png_bytes(
            survival_figure(after, lang, xlabel="years_after")
        )
        years = ", ".join(str(grant_years[label]) for label in dict.fromkeys(after["label"]))
        survival += paragraphs(text["grants_note"].format(g=years)) + figure_html(
            report.figures["survival_after_grants"], word("after_grants", lang)
        )
    return [(word("inventory", lang), inventory), (word("survival", lang), survival)]
