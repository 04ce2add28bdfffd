"""Self-contained HTML reports: the pieces every report uses, and the comparison of scenarios.

A report is one HTML file with its figures embedded as base64 PNG and its styles inline: no
external URL, so it opens offline and can be sent by e-mail. Beside it, the figures as PNG and
the tables as CSV and Parquet, so every number in the report can be reused. The report of a
sweep is in :mod:`.sweep_report`.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .comparison import COST, SPENDING, Comparison, comparison_table, replicate_values
from .conclusion import conclusion_html, display_names, unit_of
from .inventory import inventory_counts, survival_after_grants, survival_curves, write_tables
from .plots.report import (
    counts_figure,
    distribution_figure,
    envelope_figure,
    png_bytes,
    survival_figure,
)
from .quantities import (
    difference_text,
    french_html,
    interval,
    number,
    value_text,
)
from .report_text import (
    CAVEATS,
    TEXT,
    check_language,
    group_label,
    metric_label,
    word,
)

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


def figure_html(png: bytes, alt: str, caption: str = "") -> str:
    """An embedded figure: the PNG as a data URI, with alt text and an optional caption."""
    data = base64.b64encode(png).decode("ascii")
    tag = f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'
    text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{tag}{text}</figure>"


def table_html(frame: pd.DataFrame, lang: str, units: Mapping[str, str] | None = None) -> str:
    """A table of text and numbers, right-aligned; numbers by :func:`.quantities.value_text`.

    ``units`` gives a column's unit (shares in %, money in k€/M€); other numbers are plain.
    Columns of text already formatted as numbers are named in ``units`` with unit ``"text"``.
    """
    units = units or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            unit = units.get(column, "")
            if isinstance(value, int | float | np.number) and not isinstance(value, bool):
                cells.append(f"<td>{html.escape(value_text(float(value), unit, lang))}</td>")
            elif unit == "text":
                cells.append(f"<td>{html.escape(str(value))}</td>")
            else:
                cells.append(f'<td class="text">{html.escape(str(value))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def document(title: str, sections: list[tuple[str, str]], lang: str) -> str:
    """The whole HTML page: a title, then one ``<h2>`` per section; French typography in French."""
    parts = [f"<h2>{html.escape(h)}</h2>\n{body}" for h, body in sections]
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n" + "\n".join(parts) + "\n</body>\n</html>\n"
    )
    return french_html(page) if lang == "fr" else page


def paragraphs(*texts: str) -> str:
    """Paragraphs of text already escaped or written with trusted markup (``<b>``)."""
    return "".join(f"<p>{t}</p>" for t in texts)


def comparison_report(
    comparison: Comparison, lang: str = "en", window: int | None = None
) -> Report:
    """The comparison report: conclusion, what was compared, figures, table, inventory, caveats.

    ``window`` replaces the comparison's own final window (:attr:`Comparison.window`).
    """
    check_language(lang)
    window = comparison.window if window is None else window
    text = TEXT[lang]
    names = display_names(comparison, lang)
    reference = comparison.scenarios[0]
    table = comparison_table(comparison, window)
    values = replicate_values(comparison, window)
    report = Report("", tables={"replicate_values": values})
    esc = html.escape

    summaries = comparison.summaries or tuple({} for _ in comparison.scenarios)
    listed = "".join(
        f"<li><b>{esc(names[n])}</b>"
        f"{' (' + word('reference', lang) + ')' if n == reference else ''}"
        f"{': ' + esc(s.get(lang) or d) if (s.get(lang) or d) else ''}</li>"
        for n, d, s in zip(comparison.scenarios, comparison.descriptions, summaries, strict=True)
    )
    what = (
        paragraphs(
            text["compared"].format(
                n=len(comparison.scenarios),
                r=comparison.replicates,
                ref=esc(names[reference]),
                steps=", ".join(str(s) for s in dict.fromkeys(comparison.steps)),
            ),
            text["window"].format(w=window),
        )
        + f"<ul>{listed}</ul>"
    )

    series = {names[n]: [run.timeseries for run in runs] for n, runs in comparison.runs.items()}
    metrics = [m for m in TIME_METRICS if m in next(iter(series.values()))[0]]
    report.figures["over_time"] = png_bytes(envelope_figure(series, metrics, lang))
    shown_values = values.assign(scenario=values["scenario"].map(names))
    plotted = [m for m in TIME_METRICS if m in set(values["metric"])]
    unpaired = [names[n] for n in comparison.scenarios if not comparison.paired(n)]
    report.figures["per_replicate"] = png_bytes(
        distribution_figure(shown_values, plotted, lang, unpaired)
    )
    over_time = figure_html(
        report.figures["over_time"], word("over_time", lang), text["envelope_caption"]
    )
    per_replicate = figure_html(report.figures["per_replicate"], word("distributions", lang))

    inventories = {names[n]: runs for n, runs in comparison.inventories().items()}
    grants = {names[n]: years for n, years in comparison.grant_years().items()}
    sections = [
        (word("in_brief", lang), conclusion_html(comparison, table, lang)),
        (word("what", lang), what),
        (word("over_time", lang), over_time),
        (word("distributions", lang), per_replicate),
        (word("table", lang), comparison_table_html(comparison, table, names, lang)),
        *inventory_sections(inventories, grants, lang, report),
        (
            word("caveats", lang),
            "<ul>"
            + "".join(f"<li>{c.format(r=comparison.replicates)}</li>" for c in CAVEATS[lang])
            + "</ul>",
        ),
    ]
    report.tables["comparison"] = table
    report.html = document(
        word("compare_title", lang) + ": " + " / ".join(names.values()), sections, lang
    )
    return report


def comparison_table_html(
    comparison: Comparison, table: pd.DataFrame, names: Mapping[str, str], lang: str
) -> str:
    """Every metric of every scenario, each number with its unit, then what a dash means."""
    rows = []
    for r in table.itertuples(index=False):
        unit = unit_of(r.metric)
        kind = (
            word("reference", lang)
            if r.scenario == comparison.scenarios[0]
            else word("paired" if comparison.paired(r.scenario) else "unpaired", lang)
        )
        # the reference against itself, and the cost (already a comparison): no difference
        different = r.metric != COST and r.scenario != comparison.scenarios[0]
        rows.append(
            {
                word("scenario", lang): names.get(r.scenario, r.scenario),
                word("metric", lang): metric_label(r.metric, lang),
                word("mean", lang): value_text(r.mean, unit, lang),
                word("ci", lang): interval(r.ci_low, r.ci_high, lang, _shown(unit, lang)),
                word("diff", lang): difference_text(r.diff, unit, lang) if different else "",
                word("ci_of_diff", lang): interval(
                    r.diff_ci_low, r.diff_ci_high, lang, _shown(unit, lang, difference=True)
                )
                if different
                else "",
                word("effect", lang): number(r.effect_size, lang, 2) if different else "",
                word("comparison_kind", lang): kind,
            }
        )
    frame = pd.DataFrame(rows)
    numeric = {c: "text" for c in list(frame.columns)[2:-1]}
    return table_html(frame, lang, numeric) + paragraphs(
        f'<span class="small">{TEXT[lang]["table_note"]}</span>'
    )


def _shown(unit: str, lang: str, difference: bool = False) -> Callable[[float], str]:
    """How a table shows the bounds of an interval: values, or signed differences."""
    if difference:
        return lambda v: difference_text(v, unit, lang)
    return lambda v: value_text(v, unit, lang)


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
        + inventory_table_html(by_kind, "kind", lang)
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


def inventory_table_html(counts: pd.DataFrame, by: str, lang: str) -> str:
    """Inventory counts (:func:`.inventory.inventory_counts`) with headers and kinds in words."""
    shown = counts.assign(**{by: [group_label(str(g), lang) for g in counts[by]]})
    headers = {"label": word("scenario", lang), by: word(by, lang)}
    for column in ("formed", "active_at_end", "dissolved", "mean_life", "funding_per_run"):
        headers[column] = word(column, lang)
    shown = shown.rename(columns=headers)
    return table_html(shown, lang, {word("funding_per_run", lang): "€"})
