"""The command line's shape: lazy subcommands, one-line help, and the ``cohesim docs`` commands.

What `--help` and `validate` import is checked in test_cli_start.py.
"""

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cohesim.experiments.cli import COMMANDS, main
from cohesim.experiments.cli.lazy import load
from cohesim.experiments.parameter_reference import markdown_reference


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registered_help_is_the_commands_own(name):
    command = load(COMMANDS[name][0])
    assert isinstance(command, click.Command)
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=1000)


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = result.output.split("Commands:", 1)[1]
    for name, (_, help_line) in COMMANDS.items():
        assert f"{name} " in listed
        assert help_line in listed


def test_docs_parameters_writes_the_reference(tmp_path):
    out = tmp_path / "parameters.md"
    result = CliRunner().invoke(main, ["docs", "parameters", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == markdown_reference()
    printed = CliRunner().invoke(main, ["docs", "parameters", "--out", "-"])
    same = CliRunner().invoke(main, ["params", "--markdown"])
    assert printed.output == same.output == markdown_reference()


def test_docs_help_lists_the_generators():
    result = CliRunner().invoke(main, ["docs", "--help"])
    assert result.exit_code == 0
    for name in ("parameters", "stylised-facts", "validation", "dashboard-assets"):
        assert name in result.output


def test_dashboard_assets_without_npm_fails_with_code_1(tmp_path, monkeypatch):
    monkeypatch.setenv("SOLARA_ASSETS_PROXY_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm
    cli = Path(sys.executable).with_name("cohesim")
    done = subprocess.run(
        [str(cli), "docs", "dashboard-assets"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "npm is not on the PATH" in done.stderr


def test_docs_outcomes_rewrites_the_table_between_its_markers(tmp_path, repo_root):
    page = tmp_path / "model.md"
    model_page = (repo_root / "docs" / "model.md").read_text()
    stale = model_page.replace("| `gini` | index |", "| `gini` | stale |")
    page.write_text(stale)
    result = CliRunner().invoke(main, ["docs", "outcomes", "--page", str(page)])
    assert result.exit_code == 0, result.output
    assert page.read_text() == model_page


def test_docs_outcomes_refuses_a_page_without_markers(tmp_path):
    page = tmp_path / "model.md"
    page.write_text("# no table here\n")
    result = CliRunner().invoke(main, ["docs", "outcomes", "--page", str(page)])
    assert result.exit_code == 2
    assert "has no outcome table markers" in result.output
    assert page.read_text() == "# no table here\n"
