"""Serving the teaching dashboard: ``cohesim dashboard`` runs ``solara run`` on :mod:`.app`.

The scenario file travels to the server in the environment variable :data:`SCENARIO_ENV`;
:func:`cohesim.experiments.dashboard.app.Page` (what solara renders) loads it when a browser
opens the page. This module imports no UI library: the command line imports it to check the
scenario and the assets before it hands over to the server.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from cohesim.experiments.scenario import load_scenario

from .assets import AssetsError, prepare_assets

APP = "cohesim.experiments.dashboard.app"
"""The module ``solara run`` serves."""

SCENARIO_ENV = "COHESIM_DASHBOARD_SCENARIO"
LANGUAGE_ENV = "COHESIM_DASHBOARD_LANG"
"""The language the page opens in (``fr`` or ``en``); the FR / EN switch changes it."""
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class DashboardError(ValueError):
    """The dashboard cannot start (front-end files missing and impossible to fetch)."""


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line serving :data:`APP` (production mode, no version check)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--no-open",
    ]


def server_environment(scenario_path: Path, lang: str = "fr") -> dict[str, str]:
    """The environment of the server: the scenario, the language, no telemetry, no banner.

    solara's "This website runs on Solara" banner covers the bottom right of the page, where
    the tables' page buttons are.
    """
    return {
        **os.environ,
        SCENARIO_ENV: str(scenario_path.resolve()),
        LANGUAGE_ENV: lang,
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "SOLARA_THEME_SHOW_BANNER": "False",
    }


def serve(
    scenario_path: Path,
    *,
    host: str,
    port: int,
    lang: str = "fr",
    progress: Callable[[str], None] = print,
) -> None:
    """Check the scenario, fetch missing front-end files, then replace this process with the server.

    ``progress`` is told what is being fetched (see :func:`.assets.prepare_assets`).

    Raises
    ------
    ScenarioError
        If the scenario file is invalid (checked here, before the server starts).
    DashboardError
        If the front-end files are missing and neither npm nor solara's CDN can provide them.
    """
    load_scenario(scenario_path)
    try:
        prepare_assets(progress)
    except AssetsError as error:
        raise DashboardError(str(error)) from error
    command = server_command(host, port)
    # exec: stopping this process (Ctrl-C, a test's terminate) stops the server itself.
    os.execve(command[0], command, server_environment(scenario_path, lang))
