"""Figures are drawn without pyplot: importing and using the analysis leaves matplotlib alone."""

import subprocess
import sys

PROBE = """
import matplotlib
matplotlib.use("svg")  # a notebook's or a script's own choice, not Agg
before = matplotlib.get_backend()
import cohesim.analysis
import pandas as pd
from cohesim.analysis.plots import png_bytes
from cohesim.analysis.plots.report import survival_figure
curves = pd.DataFrame({"label": ["a", "a"], "time": [0, 1], "survival": [1.0, 0.5],
                       "structures": [2, 2]})
png = png_bytes(survival_figure(curves, "en"))
assert png.startswith(b"\\x89PNG"), png[:8]
assert matplotlib.get_backend() == before, (before, matplotlib.get_backend())
import sys
assert "matplotlib.pyplot" not in sys.modules
print("ok", before)
"""


def test_analysis_leaves_the_matplotlib_backend_alone():
    env = {"PATH": "/usr/bin:/bin", "MPLBACKEND": ""}  # no DISPLAY: headless, as on a cluster
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok", "svg"]


def test_report_axes_show_money_in_millions_and_french_decimals_without_an_offset():
    # issue "what a newcomer hit": `1e7` on axes, and decimal points in French reports
    import pandas as pd

    from cohesim.analysis.plots import png_bytes
    from cohesim.analysis.plots.report import envelope_figure

    runs = [
        pd.DataFrame(
            {
                "year": [0, 1, 2],
                "public_spending_cumulative": [1.1e7 + k, 2.0e7, 3.2e7],
                "gini": [0.105, 0.11, 0.12],
            }
        )
        for k in (0, 1)
    ]
    figure = envelope_figure({"A": runs}, ["public_spending_cumulative", "gini"], "fr")
    png_bytes(figure)  # draws the ticks
    money, gini = figure.axes[:2]
    assert money.yaxis.get_offset_text().get_text() == ""
    labels = [t.get_text() for t in money.get_yticklabels()]
    assert labels and all(t.endswith("\u00a0M€") for t in labels), labels
    decimals = [t.get_text() for t in gini.get_yticklabels()]
    assert any("," in t for t in decimals) and not any("." in t for t in decimals), decimals
    years = [t.get_text() for t in money.get_xticklabels()]
    assert not any("," in t or "." in t for t in years), years  # whole years only


def test_runs_of_another_region_are_not_joined_to_the_reference_by_seed():
    import pandas as pd

    from cohesim.analysis.plots.report import distribution_figure

    values = pd.DataFrame(
        [(s, r, 0, "gini", 0.1 + 0.01 * r) for s in ("ref", "other") for r in range(3)],
        columns=["scenario", "replicate", "seed", "metric", "value"],
    )

    def joins(figure):
        return sum(len(line.get_xdata()) > 1 for line in figure.axes[0].get_lines())

    assert joins(distribution_figure(values, ["gini"], "en")) == 3
    assert joins(distribution_figure(values, ["gini"], "en", unpaired=["other"])) == 0
