"""The ``cohesim`` command line: a thin layer over the Python API.

One module per command (or pair of close commands); :class:`.lazy.LazyGroup` imports a
command's module only when that command runs, so ``cohesim --help`` answers at once. Every
command reports bad input the same way (:mod:`.errors`: one line on stderr, exit code 2) and
builds its progress bar in one place (:mod:`.progress`).
"""

from __future__ import annotations

import click

from .lazy import LazyGroup

COMMANDS = {
    "bench": (
        "bench:bench",
        "Time the model against idiomatic Mesa and its bare game kernel, one core.",
    ),
    "calibrate": (
        "calibrate:calibrate",
        "Fit the calibration targets by rejection ABC on SOURCE (sweep folder or experiment file).",
    ),
    "compare": (
        "reports:compare",
        "Run SCENARIOS on the same seeds and compare each with the first.",
    ),
    "dashboard": (
        "dashboard:dashboard",
        "Open the teaching dashboard on SCENARIO [default: scenarios/classroom.toml].",
    ),
    "docs": ("docs:docs", "Regenerate the generated documentation, install the dashboard's files."),
    "params": (
        "params:params",
        "List every parameter: path, default, range, unit, meaning (★ = policy lever).",
    ),
    "report": (
        "reports:report",
        "Write the report of FOLDER: a sweep folder or a comparison folder.",
    ),
    "run": ("run:run", "Run SCENARIO once and write its results folder."),
    "sweep": (
        "sweep:sweep",
        "Run every run of EXPERIMENT (a TOML experiment file) and write a sweep folder.",
    ),
    "validate": (
        "validate:validate",
        "Check scenario or experiment files without running them (exit 0 if valid, 2 if not).",
    ),
}
"""Command name → (``module:command`` in this package, its one-line help)."""


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(package_name="cohesim")
def main() -> None:
    """Simulate territories that exchange services and choose to cooperate or compete.

    Start with `cohesim run scenarios/baseline.toml`. Scenario files are TOML; `cohesim params`
    lists every parameter they can set, with its default, range and meaning.
    """


__all__ = ["COMMANDS", "main"]
