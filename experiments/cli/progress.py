"""The progress bars of long commands, built in one place, and a sweep's speed and time left."""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from .errors import err


def progress_bar(
    label: str,
    counted: str,
    *,
    disable: bool,
    extra: tuple[ProgressColumn, ...] = (),
) -> Progress:
    """A transient bar on stderr: ``label ━━━━ 3/10 counted 0:00:04 [extra columns]``.

    Parameters
    ----------
    label
        What is running (a scenario or experiment name); shown in bold, taken literally.
    counted
        What the bar counts, as rich markup; may show task fields, e.g. ``{task.fields[rate]}``.
    disable
        No bar at all (``--quiet``, or stderr is not a terminal).
    extra
        Columns shown after the elapsed time (e.g. a :class:`SweepSpeedColumn`).
    """
    columns = [
        TextColumn(f"[bold]{escape(label)}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(counted),
        TimeElapsedColumn(),
    ]
    return Progress(*columns, *extra, console=err, disable=disable, transient=True)


class SweepSpeed:
    """Runs per second and time left of a sweep, from the runs finished in this session.

    Runs found done when a resumed sweep starts do not count toward the speed. Until a second
    report, the speed is measured from the start, which includes starting the workers; from then
    on, from the first report, so that the start-up cost fades out of the estimate.

    ``clock`` gives seconds (``time.monotonic`` by default); tests give their own.

    >>> now = [0.0]
    >>> speed = SweepSpeed(clock=lambda: now[0])
    >>> speed.text()
    'measuring speed'
    >>> now[0] = 4.0; speed.update(done=2, resumed=0, total=10)
    >>> now[0] = 6.0; speed.update(done=6, resumed=0, total=10)
    >>> speed.runs_per_second, speed.text()
    (2.0, '2.0 runs/s, 0:00:02 left')
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.started = clock()
        self.first: tuple[float, int] | None = None  # (time, fresh runs) at the first report
        self.runs_per_second: float | None = None
        self.finish: float | None = None  # when the sweep should end, on ``clock``

    def update(self, done: int, resumed: int, total: int) -> None:
        """Take a report: ``done`` runs of ``total`` finished, ``resumed`` of them before."""
        now, fresh = self.clock(), done - resumed
        if fresh <= 0:
            return
        if self.first is None:
            self.first = (now, fresh)
            since, before = self.started, 0
        else:
            since, before = self.first
        if now > since and fresh > before:
            self.runs_per_second = (fresh - before) / (now - since)
            self.finish = now + (total - done) / self.runs_per_second

    def left(self) -> float | None:
        """Seconds left, counting down between reports; None until measured."""
        if self.finish is None:
            return None
        return max(0.0, self.finish - self.clock())

    def text(self) -> str:
        """``2.0 runs/s, 0:00:02 left``, or what is still missing."""
        left = self.left()
        if self.runs_per_second is None or left is None:
            return "measuring speed"
        hours, rest = divmod(round(left), 3600)
        return f"{self.runs_per_second:.1f} runs/s, {hours}:{rest // 60:02d}:{rest % 60:02d} left"


class SweepSpeedColumn(ProgressColumn):
    """Shows a :class:`SweepSpeed`; redrawn several times a second, so the time left counts down."""

    def __init__(self, speed: SweepSpeed):
        super().__init__()
        self.speed = speed

    def render(self, task: Task) -> Text:
        """The speed and time left, dimmed."""
        return Text(self.speed.text(), style="progress.remaining")
