"""Tests for the ``cohesim`` command line and the results store (cohesim.experiments.results)."""

import json
import shutil
import subprocess
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

import pandas as pd
import pytest

from cohesim.experiments.results import TABLES, ResultsError, read_run, write_run
from cohesim.experiments.runs import run_scenario
from cohesim.experiments.scenario import ScenarioError, load_scenario
from cohesim.model.kinds import KINDS

from helpers import COHESIM, PNG_SIGNATURE, SCENARIOS, SHIPPED_SCENARIOS, copy_scenarios, invoke

BASELINE = SCENARIOS / "baseline.toml"
SHIPPED = SHIPPED_SCENARIOS
RUN_FILES = (
    "timeseries.parquet",
    "territories.parquet",
    "inventory.parquet",
    "memberships.parquet",
    "manifest.json",
    "summary.png",
    "map.png",
)
DOMAINS = ("health", "jobs", "mobility", "food")
TIMESERIES_COLUMNS = {
    "step",
    "cooperation_rate",
    "cooperation_rate_pop",
    "gini",
    "theil",
    "theil_between",
    "theil_within",
    "cv",
    "urban_rural_gap",
    "welfare_mean",
    *(f"access_{d}" for d in DOMAINS),
}
TERRITORY_COLUMNS = {
    "id",
    "name",
    "kind",
    "population",
    "x",
    "y",
    "strategy",
    "budget",
    "engineering",
    "welfare",
    *(f"access_{d}" for d in DOMAINS),
}


# ---------------------------------------------------------------------------
# Helpers and fixtures
# ---------------------------------------------------------------------------


def assert_clean_failure(result, *fragments):
    """Exit 2, every fragment on stderr, no traceback anywhere."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)


def hidden_entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Relative path → content of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def baseline_run(tmp_path_factory):
    """``cohesim run scenarios/baseline.toml --out DIR`` once for the whole module."""
    parent = tmp_path_factory.mktemp("baseline")
    out = parent / "run"
    result = invoke("run", BASELINE, "--out", out)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return out, result


@pytest.fixture(scope="module")
def small_result():
    """A two-year baseline run, in memory."""
    return run_scenario(load_scenario(BASELINE), steps=2)


# ---------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------


def test_validate_all_shipped_scenarios():
    assert len(SHIPPED) >= 3
    result = invoke("validate", *SHIPPED)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    for path in SHIPPED:
        assert path.name in result.stdout
    assert result.stdout.count("ok") >= len(SHIPPED)
    assert "'fermi_imitation'" in result.stdout and "rule fermi" in result.stdout


def test_validate_bad_file_exits_2_with_message_on_stderr(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[game]\nattacker_share = 1.5\n")
    result = invoke("validate", BASELINE, bad)
    assert_clean_failure(result, str(bad), "game.attacker_share = 1.5", "0.5 ≤ value ≤ 1")
    assert "invalid" in result.stderr
    # the valid file is still reported as such, on stdout
    assert "baseline.toml" in result.stdout
    assert "attacker_share" not in result.stdout


def test_validate_missing_file(tmp_path):
    result = invoke("validate", tmp_path / "nope.toml")
    assert_clean_failure(result, "no such scenario file", "nope.toml")


def test_validate_prints_problems_verbatim(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[gometry]\nn = 5\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    result = invoke("validate", bad)
    assert_clean_failure(result)
    for problem in info.value.problems:
        assert problem in result.stderr


@pytest.mark.parametrize(
    "text",
    ["[geometry]\nnn = 5\n", "[geometry]\nn_urban = 2\nn_metropoles = 3\n"],
    ids=["unknown-key-in-group", "cross-field"],
)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_messages_keep_table_names_in_brackets(tmp_path, text, command):
    # rich markup must not swallow "[geometry]" (or values in brackets) from a message
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    (problem,) = info.value.problems
    assert "[geometry]" in problem
    extra = ["--out", tmp_path / "out"] if command == "run" else []
    result = invoke(command, bad, *extra)
    assert_clean_failure(result, problem)


def test_set_value_in_brackets_is_shown(tmp_path):
    result = invoke("run", BASELINE, "--set", "update.rule=[x]", "--out", tmp_path / "out")
    assert_clean_failure(result, "update.rule = '[x]'")


# ---------------------------------------------------------------------------
# run: end to end
# ---------------------------------------------------------------------------


def test_run_writes_complete_folder(baseline_run):
    out, result = baseline_run
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    assert hidden_entries(out.parent) == []
    assert "Traceback" not in result.stdout + result.stderr
    assert "100 territories" in result.stdout  # the summary table is printed
    # the late-steps cooperator mean is the validation reductions' measure, not a policy run's
    assert "mean over the last" not in result.stdout


def test_a_validation_run_prints_its_late_steps_mean(tmp_path, scenarios_dir):
    path = scenarios_dir / "validation" / "nowak_may.toml"
    result = invoke("run", path, "--steps", "20", "--set", "graph.side=10", "--out", tmp_path / "r")
    assert result.exit_code == 0, result.stderr
    assert "cooperators, mean over the last 20 steps" in result.stdout


def test_run_summary_png_is_a_png(baseline_run):
    out, _ = baseline_run
    data = (out / "summary.png").read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert len(data) > 10_000


def test_run_timeseries(baseline_run):
    out, _ = baseline_run
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert set(ts.columns) >= TIMESERIES_COLUMNS, TIMESERIES_COLUMNS - set(ts.columns)
    assert ts["step"].tolist() == list(range(41))
    assert not ts[sorted(TIMESERIES_COLUMNS)].isna().any().any()
    assert ts["cooperation_rate"].between(0, 1).all()
    assert ts["cooperation_rate_pop"].between(0, 1).all()
    assert ts["gini"].between(0, 1).all()
    for d in DOMAINS:
        assert ts[f"access_{d}"].between(0, 1).all()
    assert (ts["welfare_mean"] > 0).all()


def test_run_theil_decomposes_exactly(baseline_run):
    out, _ = baseline_run
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert (ts["theil"] >= 0).all()
    assert (ts["theil_between"] >= -1e-12).all() and (ts["theil_within"] >= -1e-12).all()
    gap = (ts["theil"] - ts["theil_between"] - ts["theil_within"]).abs()
    assert (gap <= 1e-9).all(), gap.max()


def test_run_territories(baseline_run):
    out, _ = baseline_run
    terr = pd.read_parquet(out / "territories.parquet")
    assert len(terr) == 100
    assert set(terr.columns) >= TERRITORY_COLUMNS, TERRITORY_COLUMNS - set(terr.columns)
    assert terr["id"].tolist() == list(range(100))
    assert terr["name"].is_unique
    assert set(terr["kind"].astype(str)) <= set(KINDS)
    assert (terr["kind"].astype(str) == "metropole").sum() == 1
    assert set(terr["strategy"]) <= {"cooperate", "compete"}
    assert (terr["population"] > 0).all()
    assert terr["x"].between(0, 200).all() and terr["y"].between(0, 200).all()
    for d in DOMAINS:
        assert terr[f"access_{d}"].between(0, 1).all()


def test_run_manifest(baseline_run):
    out, _ = baseline_run
    info = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    expected = load_scenario(BASELINE)
    assert info["scenario"]["name"] == "baseline"
    assert info["scenario"]["parameters"] == expected.parameters.model_dump(mode="json")
    assert info["scenario"]["files"] == ["scenarios/baseline.toml"]  # portable: no machine path
    assert info["scenario"]["overrides"] == {}
    assert info["seed"] == 20260101
    assert info["steps"] == 40
    assert info["territories"] == 100
    versions = info["versions"]
    for package in ("mesa", "numpy", "pandas", "pyarrow", "pydantic", "cohesim"):
        assert versions[package] == metadata.version(package)
    assert versions["python"].count(".") == 2
    started = datetime.fromisoformat(info["started"])
    finished = datetime.fromisoformat(info["finished"])
    assert started.tzinfo is not None
    assert started <= finished
    assert info["wall_seconds"] >= 0


def test_read_run_reads_the_folder_back(baseline_run):
    out, _ = baseline_run
    folder = read_run(out)
    assert folder.path == out
    assert len(folder.timeseries) == 41
    assert len(folder.territories) == 100
    assert folder.manifest == json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    pd.testing.assert_frame_equal(folder.timeseries, pd.read_parquet(out / "timeseries.parquet"))


def test_cli_run_matches_the_python_api(baseline_run):
    out, _ = baseline_run
    folder = read_run(out)
    result = run_scenario(load_scenario(BASELINE))
    pd.testing.assert_frame_equal(folder.timeseries, result.timeseries)
    pd.testing.assert_frame_equal(folder.territories, result.territories)


def test_run_steps_and_seed_are_honoured(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative --out, resolved against the working folder
    result = invoke("run", BASELINE, "--steps", 5, "--seed", 3, "--out", "out", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""  # --quiet
    folder = read_run(tmp_path / "out")
    assert folder.manifest["seed"] == 3
    assert folder.manifest["steps"] == 5
    parameters = folder.manifest["scenario"]["parameters"]
    assert parameters["run"]["seed"] == 3 and parameters["run"]["steps"] == 5
    assert folder.manifest["scenario"]["overrides"] == {"run.steps": 5, "run.seed": 3}
    assert folder.timeseries["step"].tolist() == list(range(6))
    assert len(folder.territories) == 100


def test_run_set_is_honoured(tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "run",
        BASELINE,
        "--set",
        "game.attacker_share=0.9",
        "--set",
        "update.rule=fermi",
        "--steps",
        2,
        "--out",
        out,
        "-q",
    )
    assert result.exit_code == 0, result.stderr
    manifest = read_run(out).manifest
    parameters = manifest["scenario"]["parameters"]
    assert parameters["game"]["attacker_share"] == 0.9
    assert parameters["update"]["rule"] == "fermi"
    assert parameters["game"]["attraction"] == 0.1  # untouched keys keep the file's values
    assert manifest["scenario"]["overrides"] == {
        "game.attacker_share": 0.9,
        "update.rule": "fermi",
        "run.steps": 2,
    }
    assert len(read_run(out).timeseries) == 3


def test_run_without_out_writes_under_results(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("run", BASELINE, "--steps", 1, "--seed", 4, "-q")
    assert result.exit_code == 0, result.stderr
    (folder,) = (tmp_path / "results").iterdir()
    assert folder.name.startswith("baseline-seed4-")
    assert read_run(folder).manifest["seed"] == 4


def test_run_is_deterministic(baseline_run, tmp_path):
    out, _ = baseline_run
    same, other = tmp_path / "same", tmp_path / "other"
    assert invoke("run", BASELINE, "--out", same, "-q").exit_code == 0
    assert invoke("run", BASELINE, "--seed", 1, "--out", other, "-q").exit_code == 0
    for name in ("timeseries.parquet", "territories.parquet"):
        assert (same / name).read_bytes() == (out / name).read_bytes(), name
        assert (other / name).read_bytes() != (out / name).read_bytes(), name
    a, b = read_run(out), read_run(other)
    assert not a.timeseries.drop(columns=["step", "year"], errors="ignore").equals(
        b.timeseries.drop(columns=["step", "year"], errors="ignore")
    )
    assert not a.territories.equals(b.territories)


# ---------------------------------------------------------------------------
# run: bad input leaves nothing behind
# ---------------------------------------------------------------------------


BAD_FILE = "[geometry]\nn = 100\nbogus_key = 1\n"

BAD_RUNS = {
    "unknown-key": ([], ["unknown key geometry.bogus_key", "bad.toml"]),
    "out-of-range-set": (
        ["--set", "game.attacker_share=1.5"],
        ["--set game.attacker_share", "1.5", "0.5 ≤ value ≤ 1"],
    ),
    "wrong-type-set": (["--set", "geometry.n=many"], ["geometry.n = 'many'", "int"]),
    "unknown-set-key": (
        ["--set", "game.attackr_share=0.8"],
        ["--set game.attackr_share", "unknown parameter", "game.attacker_share"],
    ),
    "set-without-value": (["--set", "novalue"], ["novalue", "KEY=VALUE"]),
    "negative-seed": (["--seed", "-1"], ["--seed"]),
    "missing-file": ([], ["no such scenario file", "missing.toml"]),
}


@pytest.mark.parametrize("case", list(BAD_RUNS))
def test_run_bad_input_exits_2_and_writes_nothing(tmp_path, case):
    extra, fragments = BAD_RUNS[case]
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    if case == "unknown-key":
        scenario = inputs / "bad.toml"
        scenario.write_text(BAD_FILE)
    elif case == "missing-file":
        scenario = inputs / "missing.toml"
    else:
        scenario = BASELINE
    results = tmp_path / "results"
    results.mkdir()
    out = results / "run"
    result = invoke("run", scenario, *extra, "--out", out)
    assert_clean_failure(result, *fragments)
    assert not out.exists()
    assert list(results.iterdir()) == []  # not even a hidden partial folder


def test_run_refuses_existing_out_folder(tmp_path):
    results = tmp_path / "results"
    out = results / "run"
    (out / "sub").mkdir(parents=True)
    (out / "keep.txt").write_text("precious")
    (out / "sub" / "data.bin").write_bytes(b"\x00\x01")
    before = snapshot(out)
    result = invoke("run", BASELINE, "--steps", 1, "--out", out)
    assert_clean_failure(result, str(out), "already exists", "--overwrite")
    assert snapshot(out) == before
    assert sorted(p.name for p in results.iterdir()) == ["run"]


def test_run_refuses_out_that_is_a_file(tmp_path):
    out = tmp_path / "run"
    out.write_text("not a folder")
    result = invoke("run", BASELINE, "--steps", 1, "--out", out, "--overwrite")
    assert_clean_failure(result, str(out), "not a folder")
    assert out.read_text() == "not a folder"
    assert hidden_entries(tmp_path) == []


def test_run_overwrite_replaces_the_folder(tmp_path):
    results = tmp_path / "results"
    out = results / "run"
    out.mkdir(parents=True)
    (out / "stale.txt").write_text("old")
    result = invoke("run", BASELINE, "--steps", 2, "--out", out, "--overwrite", "-q")
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    assert read_run(out).manifest["steps"] == 2
    assert sorted(p.name for p in results.iterdir()) == ["run"]


# ---------------------------------------------------------------------------
# results store: atomic writes, checked reads
# ---------------------------------------------------------------------------


def test_write_run_failing_figures_leaves_nothing(tmp_path, small_result):
    out = tmp_path / "run"
    seen = {}

    def figures(folder: Path) -> None:
        seen["folder"] = folder
        seen["files"] = sorted(p.name for p in folder.iterdir())
        seen["out_exists"] = out.exists()
        (folder / "half.png").write_bytes(b"\x89PNG")
        raise RuntimeError("figure failed")

    with pytest.raises(RuntimeError, match="figure failed"):
        write_run(small_result, out, figures=figures)
    # the callback wrote into a staging folder, before the manifest, while out did not exist
    assert seen["folder"] != out
    assert seen["files"] == sorted(f"{t}.parquet" for t in TABLES)
    assert seen["out_exists"] is False
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_write_run_failing_figures_keeps_the_old_folder(tmp_path, small_result):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("precious")

    def figures(folder: Path) -> None:
        raise RuntimeError("figure failed")

    with pytest.raises(RuntimeError):
        write_run(small_result, out, overwrite=True, figures=figures)
    assert snapshot(out) == {"keep.txt": b"precious"}
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_write_run_refuses_existing_folder(tmp_path, small_result):
    out = tmp_path / "run"
    out.mkdir()
    with pytest.raises(ResultsError, match="already exists"):
        write_run(small_result, out)
    assert list(out.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_write_run_then_read_run(tmp_path, small_result):
    out = write_run(small_result, tmp_path / "deep" / "run")
    folder = read_run(out)
    pd.testing.assert_frame_equal(folder.timeseries, small_result.timeseries)
    pd.testing.assert_frame_equal(folder.territories, small_result.territories)
    assert folder.manifest["steps"] == 2
    assert hidden_entries(out.parent) == []


@pytest.fixture
def run_copy(baseline_run, tmp_path):
    out, _ = baseline_run
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    return copy


@pytest.mark.parametrize("name", ["manifest.json", "timeseries.parquet", "territories.parquet"])
def test_read_run_missing_file(run_copy, name):
    (run_copy / name).unlink()
    with pytest.raises(ResultsError) as info:
        read_run(run_copy)
    assert name in str(info.value)
    assert str(run_copy) in str(info.value)


@pytest.mark.parametrize("name", ["timeseries.parquet", "territories.parquet"])
def test_read_run_corrupt_parquet(run_copy, name):
    path = run_copy / name
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    with pytest.raises(ResultsError) as info:
        read_run(run_copy)
    assert str(path) in str(info.value)


def test_read_run_corrupt_manifest(run_copy):
    path = run_copy / "manifest.json"
    path.write_text('{"kind": "run", ', encoding="utf-8")
    with pytest.raises(ResultsError) as info:
        read_run(run_copy)
    assert str(path) in str(info.value)


def test_read_run_missing_folder(tmp_path):
    with pytest.raises(ResultsError, match="no such run folder"):
        read_run(tmp_path / "nothing")


# ---------------------------------------------------------------------------
# params and help
# ---------------------------------------------------------------------------


def listed_parameters(text: str) -> set[str]:
    """Dotted paths in ``cohesim params`` output: written in full, or as keys under [table]."""
    found, table = set(), None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            table = stripped[1:-1]
            continue
        for word in stripped.replace("│", " ").split():
            found.add(word)
            if table:
                found.add(f"{table}.{word}")
    return found


def test_params_lists_parameters():
    result = invoke("params")
    assert result.exit_code == 0, result.stderr
    listed = listed_parameters(result.stdout)
    assert "game.attacker_share" in listed
    assert "services.domains.health.scaling" in listed
    assert "geometry.n_urban" in listed
    assert "game.n_urban" not in listed


def test_params_markdown():
    result = invoke("params", "--markdown")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Parameter reference")
    # attacker_share is listed in the section of the [game] table
    sections = {block.split("\n", 1)[0]: block for block in result.stdout.split("\n## ")[1:]}
    (game,) = [block for title, block in sections.items() if "[game]" in title]
    assert "`attacker_share`" in game
    assert "`attacker_share`" not in sections[next(t for t in sections if "[geometry]" in t)]


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["run", "--help"], ["validate", "--help"]])
def test_help(args):
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert "Usage:" in result.stdout


def test_run_help_lists_options():
    result = invoke("run", "--help")
    for option in ("--steps", "--seed", "--set", "--out", "--overwrite", "--quiet"):
        assert option in result.stdout


# ---------------------------------------------------------------------------
# The real console script
# ---------------------------------------------------------------------------


def cohesim(*args, cwd):
    assert COHESIM.is_file(), f"console script not found next to {sys.executable}"
    return subprocess.run(
        [str(COHESIM), *(str(a) for a in args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_console_script_bad_input_exit_code(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[update]\nrule = "moran"\n')
    proc = cohesim("validate", bad, cwd=tmp_path)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "update.rule = 'moran'" in proc.stderr
    assert "'logit', 'fermi', 'imitate_best'" in proc.stderr
    assert proc.stdout == ""


def test_console_script_run(tmp_path):
    out = tmp_path / "run"
    proc = cohesim("run", BASELINE, "--steps", 2, "--out", out, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(RUN_FILES)
    assert read_run(out).manifest["steps"] == 2


def test_manifests_hold_no_absolute_path_of_this_machine(tmp_path, monkeypatch):
    # issue "users' first hour": manifests stored scenario paths as given, so absolute paths of
    # the user's machine ended up in shared results
    project = tmp_path / "project"
    copy_scenarios(project)
    monkeypatch.chdir(project)
    out = tmp_path / "out"
    given = (project / "scenarios" / "matching_fund.toml").resolve()  # absolute, as typed
    result = invoke("run", given, "--steps", "1", "--out", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    text = (out / "manifest.json").read_text()
    assert str(tmp_path) not in text
    files = json.loads(text)["scenario"]["files"]
    assert files == ["scenarios/matching_fund.toml", "baseline.toml"]
