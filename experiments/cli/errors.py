"""How every command reports bad input: one line on stderr, exit code 2.

Exit codes of ``cohesim``: 0 success, 2 bad input (scenario, option, output folder), 1 unexpected
failure, 3 a sweep finished with failed runs, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import NoReturn

from rich.console import Console
from rich.markup import escape

BAD_INPUT = 2
RUNS_FAILED = 3
INTERRUPTED = 130

err = Console(stderr=True)
"""Messages, warnings and progress bars: stderr, so that stdout stays for results."""
out = Console()


# The Python API's messages name no command-line flag; on the command line, its advice names
# the flags that follow it.
FLAGS = (
    (
        "resume that sweep to finish it, overwrite it,",
        "pass --resume to finish that sweep, --overwrite to replace it,",
    ),
    (
        "choose another output folder, or ask to overwrite it",
        "choose another --out or pass --overwrite",
    ),
    ("choose another output folder", "choose another --out"),
)


def fail(message: str, code: int = BAD_INPUT) -> NoReturn:
    """Print ``error: message`` on stderr, in the command line's words, and exit with ``code``."""
    for api, cli in FLAGS:
        message = message.replace(api, cli)
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(code)


@contextlib.contextmanager
def bad_input(*errors: type[Exception], prefix: str = "") -> Iterator[None]:
    """Turn the listed errors, raised in the block, into :func:`fail` (``prefix`` + message).

    Example: ``with bad_input(ScenarioError, ResultsError): scenario = load_scenario(path)``.
    """
    try:
        yield
    except errors as error:
        fail(f"{prefix}{error}")
