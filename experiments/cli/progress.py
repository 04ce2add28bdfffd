"""The progress bars of long commands, built in one place."""

from __future__ import annotations

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .errors import err


def progress_bar(label: str, counted: str, *, disable: bool, time_left: bool = False) -> Progress:
    """A transient bar on stderr: ``label ━━━━ 3/10 counted 0:00:04 [left 0:00:09]``.

    Parameters
    ----------
    label
        What is running (a scenario or experiment name); shown in bold, taken literally.
    counted
        What the bar counts, as rich markup; may show task fields, e.g. ``{task.fields[rate]}``.
    disable
        No bar at all (``--quiet``, or stderr is not a terminal).
    time_left
        Also show the estimated time left.
    """
    columns = [
        TextColumn(f"[bold]{escape(label)}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(counted),
        TimeElapsedColumn(),
    ]
    if time_left:
        columns += [TextColumn("left"), TimeRemainingColumn()]
    return Progress(*columns, console=err, disable=disable, transient=True)
