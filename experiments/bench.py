"""``cohesim bench``: the model against idiomatic Mesa and against its bare game kernel.

Every measurement runs in a fresh subprocess with BLAS and OpenMP threads pinned to one, so
that times and peak memory are those of one core and one model; all are taken in one bench run
so that their ratios hold on a noisy machine. Three implementations of the same rules:

``reference``
    :mod:`cohesim.experiments.mesa_reference`, one Mesa agent per territory (the core step:
    decisions, contest, learning, budgets, data collection);
``model``
    :class:`~cohesim.model.TerritoryModel`, the full step (decisions, structures, payoffs,
    learning, budgets, dynamic services, metrics);
``core``
    the same :class:`~cohesim.model.TerritoryModel` on the reference's rules (no structures, no
    imitation, services as built): the model's step on exactly the work the reference does;
``kernel``
    the bare game on the model's arrays: logit decisions and contest payoffs, nothing else
    (the lower bound).

Synthetic regions keep the baseline's density of territories as N grows (the square's side
grows as √N) so that the network's degree, hence the work per territory, stays the same.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
IMPLEMENTATIONS = ("model", "core", "kernel", "reference")
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
"""``cpu`` (this process's CPU time) is the steadier clock on a shared, loaded machine."""


@dataclass(frozen=True)
class Measurement:
    """One implementation at one size."""

    implementation: str
    n: int
    build_seconds: float
    step_seconds: float  # per step, median over the timed steps
    steps: int
    peak_mb: float
    import_mb: float
    region: str = "synthetic"  # or the name of the scenario measured (e.g. france_epci)
    clock: str = "wall"  # or "cpu"
    warm_up: int = 1  # years stepped before the timed ones
    round: int = 0  # which round of the bench run (each round measures every implementation)

    @property
    def updates_per_second(self) -> float:
        """Territory-updates per second."""
        return self.n / self.step_seconds

    @property
    def bytes_per_territory(self) -> float:
        """Peak memory above the interpreter with its imports, per territory."""
        return (self.peak_mb - self.import_mb) * 2**20 / self.n


def bench_parameters(n: int):
    """The baseline scenario's parameters for N territories at the baseline's density."""
    from cohesim.model import Parameters

    scale = np.sqrt(n / 100)
    return Parameters.model_validate(
        {
            "geometry": {
                "n": n,
                "width_km": 200.0 * scale,
                "scatter_km": 20.0 * scale,
                "n_urban": 6,
                "n_metropoles": 2,
            },
            # levers from the first step; the model runs with structures and dynamic services,
            # the reference and the kernel without (measure() switches them off)
            "run": {"burn_in": 0},
        }
    )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(
    implementation: str,
    n: int,
    steps: int,
    seed: int = 1,
    scenario: str | None = None,
    clock: str = "wall",
    warm_up: int = 1,
) -> Measurement:
    """Build and time one implementation in this process, on ``clock`` (:data:`CLOCKS`).

    On a synthetic region of N territories, or on the territories of ``scenario`` (a file;
    N is then its size). ``warm_up`` years are stepped untimed first: one pays the first
    touches of memory; more skip the first years, when budgets move most capacities and the
    flows are refreshed every year (docs/performance.md).
    """
    from cohesim.model import TerritoryModel

    # after the imports: cohesim.model loads mesa, numpy, scipy and pandas on first use
    import_mb = _peak_mb()
    now = CLOCKS[clock]

    territories, region = None, "synthetic"
    if scenario is None:
        p = bench_parameters(n)
    else:
        from .runs import scenario_territories
        from .scenario import load_scenario

        loaded = load_scenario(scenario)
        p, region = loaded.parameters.updated({"run.burn_in": 0}), loaded.name
        territories = scenario_territories(p)
    if implementation != "model":  # the reference's rules: M1, no structures, services as built
        p = p.updated(
            {
                "update.imitation": 0.0,
                "structures.enabled": False,
                "budget.adjustment_rate": 0.0,
                "population.migration_rate": 0.0,
            }
        )
    started = now()
    model = TerritoryModel(p, rng=seed, territories=territories)
    n = len(model.population)
    step: Callable[[], object]  # one year; the kernel's step also returns its payoffs
    if implementation == "reference":
        from .mesa_reference import ReferenceModel

        model = ReferenceModel(model)
        step = model.step
    elif implementation == "kernel":
        step = GameKernel(model).step
    else:
        step = model.step
    build = now() - started
    for _ in range(warm_up):  # first-touch allocations, caches; then the early years
        step()
    times = []
    for _ in range(steps):
        started = now()
        step()
        times.append(now() - started)
    return Measurement(
        implementation,
        n,
        build,
        float(np.median(times)),
        steps,
        _peak_mb(),
        import_mb,
        region,
        clock,
        warm_up,
    )


class GameKernel:
    """The bare game on a model's arrays: logit decisions per partnership and contest payoffs."""

    def __init__(self, model):
        net, c = model.network, model.contest
        self.src, self.rev = net.src, net.rev
        self.n = len(model.population)
        self.rng = model.rng
        self.stance = model.stance.copy()
        k = model.knowledge * model.spillback
        p = model.parameters
        delta = p.foresight.continuation
        b = model.trust
        reward, sucker = c.reward * (1 + k), c.sucker + k * c.temptation
        temptation, punishment = c.temptation + k * c.sucker, c.punishment * (1 + k)
        gain = b * ((reward - delta * punishment) / (1 - delta) - temptation)
        gain += (1 - b) * (sucker - punishment)
        self.chance = 1 / (1 + np.exp(-gain / np.maximum(c.stake, 1e-12) / p.update.noise))
        self.spillback = model.spillback
        self.c = c
        self.rate = p.update.revision_rate

    def step(self) -> np.ndarray:
        """One year: revise by logit, play the contest and its spill-back; returns the payoffs."""
        c = self.c
        revisers = self.rng.random(self.n) < self.rate
        edges = np.flatnonzero(revisers[self.src])
        self.stance[edges] = self.rng.random(len(edges)) < self.chance[edges]
        mine = c.payoffs(self.stance, self.stance[self.rev])
        edge = mine + self.spillback * mine[self.rev]
        return np.bincount(self.src, edge, self.n)


def run_isolated(
    implementation: str,
    n: int,
    steps: int,
    scenario: str | None = None,
    clock: str = "wall",
    warm_up: int = 1,
) -> Measurement:
    """Measure in a fresh single-threaded subprocess."""
    env = {**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1")}
    command = [sys.executable, "-m", "cohesim.experiments.bench", implementation, str(n)]
    command += [str(steps), clock, str(warm_up), *([scenario] if scenario else [])]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench {implementation} N={n} failed:\n{done.stderr[-2000:]}")
    return Measurement(**json.loads(done.stdout.strip().splitlines()[-1]))


RATIOS = {
    "reference_over_model": ("reference", "model"),
    "model_over_kernel": ("model", "kernel"),
    "reference_over_core": ("reference", "core"),
    "core_over_kernel": ("core", "kernel"),
}
"""Each ratio of a bench row: (numerator, denominator) implementations."""


def summarise(measurements: list[Measurement]) -> dict:
    """Ratios per region and size, and the growth of the model's step time with N.

    With several rounds (each measuring every implementation, in turn), times are the medians
    over rounds and each ratio is the median of the rounds' own ratios, its range beside it:
    two measurements of one round are minutes apart, of two rounds perhaps many more.
    """
    by: dict[tuple[str, str, int], dict[int, Measurement]] = {}
    for m in measurements:
        by.setdefault((m.implementation, m.region, m.n), {})[m.round] = m
    regions = sorted({(m.region != "synthetic", m.region, m.n) for m in measurements})
    rows = []
    for _, region, n in regions:
        model, core, kernel, ref = (by.get((k, region, n), {}) for k in IMPLEMENTATIONS)
        row: dict = {
            "region": region,
            "n": n,
            "rounds": max(len(model), len(core), len(kernel), len(ref)),
            "model_step_s": _median(m.step_seconds for m in model.values()),
            "model_build_s": _median(m.build_seconds for m in model.values()),
            "model_updates_per_s": _median(m.updates_per_second for m in model.values()),
            "model_bytes_per_territory": _median(m.bytes_per_territory for m in model.values()),
            "core_step_s": _median(m.step_seconds for m in core.values()),
            "kernel_step_s": _median(m.step_seconds for m in kernel.values()),
            "reference_step_s": _median(m.step_seconds for m in ref.values()),
        }
        for key, (a, b) in RATIOS.items():
            per_round = _per_round(by, a, b, region, n)
            row[key] = _median(per_round)
            row[f"{key}_range"] = [min(per_round), max(per_round)] if per_round else None
        rows.append(row)
    growth = {}  # synthetic regions only: the same density at every size
    model_sizes = sorted(n for k, region, n in by if k == "model" and region == "synthetic")
    for low, high in itertools.pairwise(model_sizes):
        larger, smaller = by[("model", "synthetic", high)], by[("model", "synthetic", low)]
        growth[f"{high}/{low}"] = {
            "time_ratio": _median(
                larger[r].step_seconds / smaller[r].step_seconds for r in larger if r in smaller
            ),
            "size_ratio": high / low,
        }
    clocks = sorted({m.clock for m in measurements})
    warm_ups = sorted({m.warm_up for m in measurements})
    return {
        "clock": clocks[0] if len(clocks) == 1 else clocks,
        "warm_up": warm_ups[0] if len(warm_ups) == 1 else warm_ups,
        "rounds": len({m.round for m in measurements}),
        "sizes": rows,
        "growth": growth,
        "measurements": [asdict(m) for m in measurements],
    }


def _per_round(by: dict, a: str, b: str, region: str, n: int) -> list[float]:
    """Step time of implementation a over b's, round by round (rounds that measured both)."""
    first, second = by.get((a, region, n), {}), by.get((b, region, n), {})
    return [first[r].step_seconds / second[r].step_seconds for r in sorted(first) if r in second]


def _median(values: Iterable[float]) -> float | None:
    values = list(values)
    return float(np.median(values)) if values else None


def main() -> None:
    """The measuring subprocess: IMPLEMENTATION N STEPS CLOCK WARM_UP [SCENARIO] → JSON."""
    implementation, n, steps, clock = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    warm_up = int(sys.argv[5])
    scenario = sys.argv[6] if len(sys.argv) > 6 else None
    measured = measure(implementation, n, steps, scenario=scenario, clock=clock, warm_up=warm_up)
    print(json.dumps(asdict(measured)))


if __name__ == "__main__":
    main()
