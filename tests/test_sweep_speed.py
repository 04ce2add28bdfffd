"""A sweep's runs per second and time left, read on a clock the test turns by hand."""

import pytest
from rich.progress import Progress

from cohesim.experiments.cli.progress import SweepSpeed, SweepSpeedColumn


class Clock:
    """Seconds that pass only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_speed_leaves_out_the_start_up_once_a_second_report_comes():
    clock = Clock()
    speed = SweepSpeed(clock=clock)
    clock.now += 10  # workers starting: nothing done yet
    speed.update(done=0, resumed=0, total=100)
    assert speed.runs_per_second is None and speed.text() == "measuring speed"
    clock.now += 2
    speed.update(done=4, resumed=0, total=100)
    assert speed.runs_per_second == pytest.approx(4 / 12)  # start-up included, for now
    clock.now += 8
    speed.update(done=20, resumed=0, total=100)
    assert speed.runs_per_second == pytest.approx(16 / 8)  # since the first report
    assert speed.left() == pytest.approx(80 / 2)
    assert speed.text() == "2.0 runs/s, 0:00:40 left"


def test_runs_found_done_by_a_resume_do_not_count_toward_the_speed():
    clock = Clock()
    speed = SweepSpeed(clock=clock)
    speed.update(done=90, resumed=90, total=100)  # the first report of a resumed sweep
    assert speed.runs_per_second is None
    clock.now += 5
    speed.update(done=95, resumed=90, total=100)
    assert speed.runs_per_second == pytest.approx(1.0)
    assert speed.left() == pytest.approx(5.0)


def test_time_left_counts_down_between_reports_and_stops_at_zero():
    clock = Clock()
    speed = SweepSpeed(clock=clock)
    clock.now += 1
    speed.update(done=1, resumed=0, total=7_201)  # one run a second: two hours left
    assert speed.text() == "1.0 runs/s, 2:00:00 left"
    clock.now += 60
    assert speed.text() == "1.0 runs/s, 1:59:00 left"
    clock.now += 10_000
    assert speed.left() == 0.0


def test_the_column_renders_the_speed():
    clock = Clock()
    speed = SweepSpeed(clock=clock)
    clock.now += 4
    speed.update(done=8, resumed=0, total=10)
    column = SweepSpeedColumn(speed)
    bar = Progress(column)  # never started: nothing is drawn
    bar.add_task("sweep", total=10)
    assert column.render(bar.tasks[0]).plain == "2.0 runs/s, 0:00:01 left"
