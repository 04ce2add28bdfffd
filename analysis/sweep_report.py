"""The report of a sweep: main effects, heat maps, Sobol' or Morris indices, PRIM.

One self-contained HTML file, built from the pieces of :mod:`.report`.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from cohesim.experiments.sweep_store import read_manifest
from cohesim.model.parameters import lookup

from .plots.report import png_bytes
from .quantities import number, value_text
from .report import Report, document, figure_html, paragraphs, table_html
from .report_text import (
    SWEEP_CAVEATS,
    TEXT,
    check_language,
    count,
    metric_label,
    parameter_label,
    word,
)

SWEEP_METRICS = ("cooperation_rate", "gini")


def unreliable_sobol(indices: pd.DataFrame) -> list[str]:
    """Parameters whose Sobol' estimates cannot be read as they stand: too few samples.

    A first-order index below 0, a total index above 1, or a confidence interval wider than
    its estimate are sampling noise, not properties of the model.

    >>> unreliable_sobol(pd.DataFrame({"parameter": ["a", "b"], "S1": [0.4, -0.1],
    ...     "S1_conf": [0.1, 0.05], "ST": [0.5, 0.2], "ST_conf": [0.1, 0.1]}))
    ['b']
    """
    noisy = (
        (indices["S1"] < 0)
        | (indices["ST"] > 1)
        | (indices["S1_conf"] > indices["S1"].abs())
        | (indices["ST_conf"] > indices["ST"].abs())
    )
    return indices.loc[noisy, "parameter"].tolist()


def _final_value(folder: str | Path, lang: str) -> str:
    """How the sweep measured its outcomes: over the final window its manifest names.

    Sweeps written before final values were defined stored the last year.
    """
    window = (read_manifest(folder).get("final_values") or {}).get("window_years")
    if window is None:
        return TEXT[lang]["final_last"]
    windows = window if isinstance(window, list) else [window]
    return TEXT[lang]["final_window"].format(w="/".join(str(w) for w in dict.fromkeys(windows)))


def sweep_report(
    folder: str | Path,
    lang: str = "en",
    metrics: tuple[str, ...] = SWEEP_METRICS,
    target: str = "gini>q75",
    min_coverage: float = 0.5,
) -> Report:
    """The report of a sweep folder: main effects, heat maps (grid), Sobol' or Morris, PRIM.

    Raises
    ------
    ResultsError
        If the folder is not a readable sweep.
    ValueError
        If a metric or the target names an outcome the sweep did not record, or is malformed.
    """
    from .plots.report import (
        heatmap_figure,
        main_effects_figure,
        morris_figure,
        prim_figure,
        sobol_figure,
    )
    from .prim import parse_target, prim
    from .sensitivity import main_effects, morris_indices, point_means, read_sweep, sobol_indices

    check_language(lang)
    goal = parse_target(target)
    experiment, points, runs = read_sweep(folder)
    for metric in (*metrics, goal.metric):
        if metric not in runs.columns:
            recorded = sorted(c for c in runs.columns if runs[c].dtype.kind == "f")
            raise ValueError(f"{folder}: the sweep has no outcome {metric!r}; it has {recorded}")
    text = TEXT[lang]
    esc = html.escape
    ok = runs[runs["status"] == "ok"]
    factors = [f.path for f in experiment.factors]
    report = Report("")
    sections = []
    design = experiment.design + ("_design" if experiment.design in ("sobol", "morris") else "")
    intro = text["sweep_intro"].format(
        name=esc(experiment.name),
        design=esc(word(design, lang)),
        points=count(len(points), "point", lang),
        reps=count(experiment.replicates, "replicate", lang),
        runs=count(len(runs), "run", lang),
        ok=count(len(ok), "ok", lang),
        factors=", ".join(esc(parameter_label(f, lang)) for f in factors) or "–",
        metric=", ".join(esc(metric_label(m, lang)) for m in metrics),
        final=_final_value(folder, lang),
        description=esc(experiment.description),
    )
    failed = len(runs) - len(ok)
    if failed:
        intro += paragraphs(f"{failed} {word('runs_failed', lang)}.")
    sections.append((word("design", lang), paragraphs(intro)))

    effects = []
    body = paragraphs(text["main_effects_note"])
    for metric in metrics:
        if factors:
            name = f"main_effects_{metric}"
            report.figures[name] = png_bytes(main_effects_figure(ok, factors, metric, lang))
            body += figure_html(report.figures[name], metric_label(metric, lang))
            effects.append(main_effects(runs, factors, metric).assign(metric=metric))
    if effects:
        report.tables["main_effects"] = pd.concat(effects, ignore_index=True)
    sections.append((word("main_effects", lang), body))

    numeric_grid = [f.path for f in experiment.factors if f.values is not None or f.count]
    if experiment.design == "grid" and len(numeric_grid) >= 2:
        body = paragraphs(text["heatmap_note"])
        x, y = numeric_grid[0], numeric_grid[1]
        for metric in metrics:
            name = f"heatmap_{metric}"
            report.figures[name] = png_bytes(heatmap_figure(ok, x, y, metric, lang))
            body += figure_html(report.figures[name], metric_label(metric, lang))
        sections.append((word("heatmaps", lang), body))

    if experiment.design in ("sobol", "morris"):
        sobol = experiment.design == "sobol"
        body = paragraphs(text["sobol_note" if sobol else "morris_note"])
        tables = []
        for index, name in enumerate(dict.fromkeys(runs["scenario"])):
            part = runs[runs["scenario"] == name]
            for metric in metrics:
                outcomes = point_means(part, metric, len(points))
                analyse = sobol_indices if sobol else morris_indices
                try:
                    indices = analyse(experiment, outcomes)
                except ValueError as error:
                    body += paragraphs(esc(f"{name}, {metric}: {error}"))
                    continue
                key = f"{experiment.design}_{index}_{metric}"
                draw = sobol_figure if sobol else morris_figure
                report.figures[key] = png_bytes(draw(indices, lang))
                caption = f"{name}: {metric_label(metric, lang)}"
                body += f"<h3>{esc(caption)}</h3>" + figure_html(report.figures[key], caption)
                if sobol and (unreliable := unreliable_sobol(indices)):
                    names = ", ".join(parameter_label(p, lang) for p in unreliable)
                    body += paragraphs(text["sobol_unreliable"].format(parameters=esc(names)))
                body += indices_table_html(indices, lang)
                tables.append(indices.assign(scenario=name, metric=metric))
        if tables:
            report.tables[f"{experiment.design}_indices"] = pd.concat(tables, ignore_index=True)
        sections.append((word("sobol" if sobol else "morris", lang), body))

    x = ok[factors + (["scenario"] if ok["scenario"].nunique() > 1 else [])]
    selected, cut = goal.select(ok[goal.metric])
    target = f"{metric_label(goal.metric, lang)} {'>' if goal.above else '<'} {number(cut, lang)}"
    rule = text["prim_rule"].format(c=value_text(min_coverage, "share", lang))
    share = value_text(float(selected.mean()), "share", lang) if len(selected) else "–"
    body = paragraphs(
        text["prim_note"].format(
            target=esc(f"{metric_label(goal.metric, lang)} {'>' if goal.above else '<'} ")
            + number(cut, lang)
            + (
                f" ({esc(word('percentile', lang).format(q=f'{goal.threshold:g}'))})"
                if goal.quantile
                else ""
            ),
            share=share,
            rule=rule,
        )
    )
    try:
        found = prim(x, selected, min_coverage=min_coverage) if x.shape[1] else None
    except ValueError:
        found = None
    if found is None:
        body += paragraphs(text["prim_none"])
    else:
        report.figures["prim_trajectory"] = png_bytes(
            prim_figure(found.trajectory, found.chosen, lang)
        )
        box = found.box.assign(
            restricted=[
                word("restricted" if r else "unrestricted", lang) for r in found.box["restricted"]
            ]
        )
        body += figure_html(report.figures["prim_trajectory"], "PRIM")
        body += paragraphs(
            f"{word('prim_box', lang)}: "
            f"{word('coverage', lang)} {value_text(found.coverage, 'share', lang)}, "
            f"{word('density', lang)} {value_text(found.density, 'share', lang)}, "
            f"{word('support', lang)} {value_text(found.support, 'share', lang)}"
        )
        body += box_table_html(box, lang)
        report.tables["prim_box"] = found.box
        report.tables["prim_trajectory"] = found.trajectory
    sections.append((word("prim", lang).format(target=target), body))
    sections.append(
        (
            word("caveats", lang),
            "<ul>" + "".join(f"<li>{c}</li>" for c in SWEEP_CAVEATS[lang]) + "</ul>",
        )
    )
    report.html = document(f"{word('sweep_title', lang)}: {experiment.name}", sections, lang)
    return report


def indices_table_html(indices: pd.DataFrame, lang: str) -> str:
    """Sobol' or Morris indices with parameters by name and headers in words."""
    shown = indices.assign(parameter=[parameter_label(p, lang) for p in indices["parameter"]])
    return table_html(shown.rename(columns={c: word(c, lang) for c in shown.columns}), lang)


def box_table_html(box: pd.DataFrame, lang: str) -> str:
    """PRIM's box: each parameter by name, its range or the values kept, restricted or not."""
    rows = []
    for r in box.itertuples(index=False):
        kept = r.values if isinstance(r.values, str) else ""
        info = lookup(r.parameter)
        unit = info.unit if info is not None else ""
        rows.append(
            {
                word("parameter", lang): parameter_label(r.parameter, lang),
                word("low", lang): value_text(r.low, unit, lang) if kept == "" else "",
                word("high", lang): value_text(r.high, unit, lang) if kept == "" else "",
                word("values", lang): kept,
                word("in_box", lang): r.restricted,
            }
        )
    frame = pd.DataFrame(rows)
    return table_html(frame, lang, {word("low", lang): "text", word("high", lang): "text"})
