"""Shared fixtures for the cohesim tests."""

from pathlib import Path

import pytest

from helpers import REPO_ROOT


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The root of the repository (the folder holding pyproject.toml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def scenarios_dir(repo_root: Path) -> Path:
    """The folder of the shipped scenario files."""
    return repo_root / "scenarios"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite the pinned regression numbers in tests/golden/ (only on purpose)",
    )
