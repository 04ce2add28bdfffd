"""Each kernel compiles once for the argument types the model passes it (issue 13).

numba compiles a kernel anew for every distinct set of argument types, and a constant argument
has a type of its own (``Literal[int](0)``): each extra copy costs up to a second on a machine's
first run. The check runs a model in a fresh Python with an empty numba cache, so that every
kernel compiles (a kernel loaded from the cache compiles none of the kernels it calls) and no
other test's calls count: about 25 seconds, hence ``slow``.
"""

import json
import os
import subprocess
import sys

import pytest

SCRIPT = """
import gc, json
from numba.core.registry import CPUDispatcher
from cohesim.experiments import load_scenario
from cohesim.experiments.runs import build_model

model = build_model(load_scenario("scenarios/funding_and_engineering.toml"))
for _ in range(12):
    model.step()
model.metrics_frame()
print(json.dumps({
    f"{d.py_func.__module__.rsplit('.', 1)[-1]}.{d.py_func.__name__}": len(d.signatures)
    for d in gc.get_objects()
    if isinstance(d, CPUDispatcher) and d.py_func.__module__.startswith("cohesim")
}))
"""

# called with constants (numpy's sums), or from two places with different integer types
ONCE = (
    "numpy_sums.numpy_sum",
    "numpy_sums.pairwise_sum",
    "numpy_sums.block_sum",
    "shapes.geometry",
    "formation_kernels._gain",
    "formation_kernels._insertion_sort",
    "metrics_kernels._distinct",
)


@pytest.mark.slow
def test_kernels_called_with_constants_or_two_index_types_compile_once(repo_root, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=repo_root,
        env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        check=True,
    )
    signatures = json.loads(done.stdout.strip().splitlines()[-1])
    assert {name: signatures.get(name) for name in ONCE} == dict.fromkeys(ONCE, 1)
