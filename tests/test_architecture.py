"""The model package imports no UI library, not even indirectly (see also `lint-imports`)."""

import subprocess
import sys

UI = ("solara", "ipyvuetify", "mesa.visualization", "matplotlib", "click", "rich")

PROBE = """
import importlib, pkgutil, sys
import cohesim.model
for info in pkgutil.walk_packages(cohesim.model.__path__, "cohesim.model."):
    importlib.import_module(info.name)
print(" ".join(sorted(sys.modules)))
"""


def test_the_model_imports_no_ui_library():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    imported = done.stdout.split()
    assert "cohesim.model.territory_model" in imported
    ui = [m for m in imported if any(m == u or m.startswith(u + ".") for u in UI)]
    assert not ui, f"cohesim.model imports {ui}"
