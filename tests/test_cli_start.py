"""A lazy start: ``cohesim --help``, ``cohesim validate`` and each command's ``--help`` import no
model stack (issue 13).

Each check runs the command in a fresh Python and lists the top-level packages it imported: a
test process has mesa and pandas loaded already, so only a new interpreter can tell.
"""

import json
import subprocess
import sys

import pytest

from cohesim.experiments.cli import COMMANDS
from cohesim.experiments.scenario import load_scenario

from helpers import SCENARIOS, SHIPPED_SCENARIOS

# The libraries whose import takes most of a second together; none is needed to read and check a
# scenario file (pydantic, click and rich are: see docs/performance.md, "Start-up").
HEAVY = (
    "dask",
    "llvmlite",
    "matplotlib",
    "mesa",
    "networkx",
    "numba",
    "numpy",
    "pandas",
    "pyarrow",
    "SALib",
    "scipy",
    "solara",
)

# Runs `cohesim ARGS` (argv[1], JSON) in this interpreter, then prints its exit code and the
# top-level packages it imported on the last line of stdout.
PROBE = """
import json, sys
from cohesim.experiments.cli import main
try:
    main(json.loads(sys.argv[1]), prog_name="cohesim")
    code = 0
except SystemExit as done:
    code = done.code
print()
print(json.dumps({"code": code, "imported": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def start(*args):
    """Run ``cohesim ARGS`` in a new interpreter: (exit code, imported packages, stdout, stderr)."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps([str(a) for a in args])],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    *printed, last = done.stdout.rstrip("\n").split("\n")
    report = json.loads(last)
    return report["code"], set(report["imported"]), "\n".join(printed), done.stderr


def heavy_in(imported):
    return sorted(imported & set(HEAVY))


def real_territories(path):
    return load_scenario(path).parameters.geometry.source == "france"


# Every shipped scenario but those of real French territories (their tables are read with pandas).
MODEL_SCENARIOS = [
    path
    for path in [*SHIPPED_SCENARIOS, *sorted((SCENARIOS / "validation").glob("*.toml"))]
    if not real_territories(path)
]


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_imports_no_model_stack(flag):
    code, imported, printed, _ = start(flag)
    assert code == 0
    assert "Commands:" in printed and "validate" in printed
    assert "click" in imported
    assert not heavy_in(imported), f"`cohesim {flag}` imported {heavy_in(imported)}"


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_imports_no_model_stack(name):
    # a command's module imports what its work needs when the command runs, not for its --help
    code, imported, printed, _ = start(name, "--help")
    assert code == 0
    assert f"Usage: cohesim {name} [OPTIONS]" in printed, printed
    assert not heavy_in(imported), f"`cohesim {name} --help` imported {heavy_in(imported)}"


def test_validate_shipped_scenarios_imports_no_model_stack():
    assert len(MODEL_SCENARIOS) >= 10  # the policy scenarios and the validation reductions
    code, imported, printed, errors = start("validate", *MODEL_SCENARIOS)
    assert code == 0, errors
    for path in MODEL_SCENARIOS:
        assert path.name in printed
    assert printed.count("ok ") == len(MODEL_SCENARIOS)
    assert "pydantic" in imported  # the declarations did validate the files
    assert not heavy_in(imported), f"`cohesim validate` imported {heavy_in(imported)}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[game]\nattacker_share = 1.5\n", "game.attacker_share = 1.5"),
        ("[gometry]\nn = 5\n", "gometry"),
        ("[geometry]\nn_urban = 2\nn_metropoles = 3\n", "n_metropoles"),
        ('[update]\nrule = "moran"\n', "update.rule = 'moran'"),
        ("[game\n", "bad.toml"),
        ('extends = "nowhere.toml"\n', "nowhere.toml"),
    ],
    ids=["out-of-range", "unknown-table", "cross-field", "unknown-choice", "not-toml", "extends"],
)
def test_validate_bad_scenario_imports_no_model_stack(tmp_path, text, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    code, imported, printed, errors = start("validate", bad)
    assert code == 2, (printed, errors)
    assert "invalid" in errors and message in errors, errors
    assert "Traceback" not in errors
    assert not heavy_in(imported), f"`cohesim validate` imported {heavy_in(imported)}"


def test_validate_missing_file_imports_no_model_stack(tmp_path):
    code, imported, _, errors = start("validate", tmp_path / "nope.toml")
    assert code == 2
    assert "nope.toml" in errors
    assert not heavy_in(imported)


def test_validate_real_territories_reads_tables_but_builds_no_model(tmp_path):
    # a [france] filter that selects nothing is found by reading the tables (pandas), with no
    # model built: mesa, numba and matplotlib stay out
    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'extends = "{(SCENARIOS / "france_epci.toml").as_posix()}"\n'
        '[france]\ndepartements = ["Atlantis"]\n',
        encoding="utf-8",
    )
    code, imported, printed, errors = start("validate", SCENARIOS / "france_epci.toml", bad)
    assert code == 2, (printed, errors)
    assert "ok" in printed and "French EPCI" in printed
    assert "[france.departements]" in errors and "Atlantis" in errors, errors
    assert "pandas" in imported
    assert not imported & {"mesa", "numba", "matplotlib"}


def test_model_package_names_are_imported_on_first_use():
    probe = (
        "import sys\n"
        "import cohesim.model.parameters\n"
        "print('mesa' in sys.modules, 'numba' in sys.modules)\n"
        "from cohesim.model import TerritoryModel, parameter_table\n"
        "import cohesim.model as model\n"
        "print('mesa' in sys.modules, TerritoryModel.__module__, 'TerritoryModel' in dir(model))\n"
        "try:\n"
        "    model.NoSuchName\n"
        "except AttributeError as error:\n"
        "    print(error)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    light, full, missing = done.stdout.splitlines()
    assert light == "False False"  # the parameters alone
    assert full == "True cohesim.model.territory_model True"
    assert missing == "module 'cohesim.model' has no attribute 'NoSuchName'"


def test_sweep_parent_plans_and_writes_without_the_model(tmp_path):
    # the parent plans chunks and writes what its workers send back: the model (mesa, numba,
    # networkx) is imported in the workers only
    experiment = tmp_path / "tiny.toml"
    experiment.write_text(
        'name = "tiny"\n'
        f'scenario = "{(SCENARIOS / "classroom.toml").as_posix()}"\n'
        'design = "lhs"\nsamples = 2\nseed = 3\nsteps = 2\n'
        '[parameters]\n"funding.matching_share" = { min = 0.0, max = 0.8 }\n',
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    code, imported, printed, errors = start("sweep", experiment, "--workers", 1, "--out", out)
    assert code == 0, errors
    assert "2 ok, 0 failed" in printed
    assert len(list((out / "runs").glob("chunk-*.parquet"))) >= 1
    assert {"pandas", "pyarrow", "SALib"} <= imported  # the design and the results table
    model_stack = imported & {"mesa", "numba", "llvmlite", "networkx", "matplotlib"}
    assert not model_stack, f"the sweep's parent imported {sorted(model_stack)}"


def test_a_run_draws_its_figures_without_the_analysis_stack(tmp_path):
    # `cohesim run` imports cohesim.analysis.plots for summary.png and map.png: the package's
    # other names (comparisons, sweeps' reports, sensitivity) and scipy.stats are left unloaded
    probe = (
        "import sys\n"
        "from cohesim.experiments.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], prog_name='cohesim')\n"
        "except SystemExit as done:\n"
        "    assert not done.code, done.code\n"
        "print(sorted(m for m in ('scipy.stats', 'SALib', 'cohesim.analysis.comparison')"
        " if m in sys.modules))\n"
    )
    out = tmp_path / "run"
    args = ["run", str(SCENARIOS / "classroom.toml"), "--steps", "2", "--out", str(out), "-q"]
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (out / "summary.png").is_file() and (out / "map.png").is_file()
