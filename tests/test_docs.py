"""The documentation cannot rot: generated pages match the code, examples run."""

import doctest
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cohesim.experiments import parameter_reference, runs
from cohesim.model import territory_model

ROOT = Path(__file__).resolve().parents[1]
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


@pytest.fixture
def project_copy(tmp_path, monkeypatch):
    """A working folder holding the project's scenarios, as a user's checkout would."""
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_parameter_reference_matches_the_declarations():
    page = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert page == parameter_reference.markdown_reference(), (
        "docs/parameters.md is stale: regenerate it with "
        "`cohesim params --markdown > docs/parameters.md`"
    )


@pytest.mark.parametrize("page", ["docs/api.md", "docs/france.md", "docs/sweeps.md", "README.md"])
def test_python_examples_in_docs_run(page, project_copy):
    blocks = PYTHON_BLOCK.findall((ROOT / page).read_text(encoding="utf-8"))
    assert blocks, f"{page} has no python example"
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, page, "exec"), namespace)


@pytest.mark.parametrize("module", [territory_model, runs])
def test_docstring_examples_run(module, project_copy):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_scenario_error_example_in_docs_is_what_the_cli_prints(project_copy):
    page = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    shown = [line for line in page.splitlines() if line.startswith("invalid: scenarios/bad.toml")]
    assert len(shown) == 2
    (project_copy / "scenarios" / "bad.toml").write_text(
        'extends = "baseline.toml"\n[game]\nattacker_shar = 0.8\n[funding]\nmatching_share = 0.95\n'
    )
    cli = Path(sys.executable).with_name("cohesim")
    done = subprocess.run(
        [str(cli), "validate", "scenarios/bad.toml"],
        capture_output=True,
        text=True,
        env={"COLUMNS": "400", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2
    printed = [" ".join(line.split()) for line in done.stderr.splitlines()]
    for line in shown:
        assert " ".join(line.split()) in printed
