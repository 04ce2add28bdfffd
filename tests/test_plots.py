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
