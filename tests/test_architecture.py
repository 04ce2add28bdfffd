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


def test_every_package_folder_is_listed_in_pyproject():
    # setuptools installs only the packages pyproject.toml names: a folder missing there would be
    # left out of the wheel and of the strict editable install
    import tomllib

    from helpers import REPO_ROOT

    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    roots = {folder: name for name, folder in config["package-dir"].items()}
    found = set()
    for folder, name in roots.items():
        for init in (REPO_ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO_ROOT / folder).parts
            found.add(".".join((name, *parts)))
    assert found == listed


def test_no_module_is_over_450_lines_without_saying_why():
    import ast

    from helpers import REPO_ROOT

    for folder in ("model", "experiments", "analysis"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > 450:
                docstring = ast.get_docstring(ast.parse(text)) or ""
                assert "450 lines" in docstring, (
                    f"{path.name}: split it, or say why in its docstring"
                )
