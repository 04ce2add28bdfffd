"""``cohesim compare`` and ``cohesim report`` end to end: folders, reports, bad input."""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from cohesim.analysis.comparison import COLUMNS
from cohesim.experiments import run_sweep

from helpers import REPO_ROOT, invoke

SWEEPS = {
    "grid": 'design = "grid"\nreplicates = 2\n[parameters]\n'
    '"engineering.state_support" = [0.0, 0.5]\n"funding.matching_share" = [0.0, 0.4, 0.8]\n',
    "sobol": 'design = "sobol"\nsamples = 8\nsecond_order = false\n[parameters]\n'
    '"engineering.state_support" = { min = 0.0, max = 0.5 }\n'
    '"funding.matching_share" = { min = 0.0, max = 0.8 }\n',
    "morris": 'design = "morris"\nsamples = 4\n[parameters]\n'
    '"engineering.state_support" = { min = 0.0, max = 0.5 }\n'
    '"funding.matching_share" = { min = 0.0, max = 0.8 }\n',
}


class Page(HTMLParser):
    """Collects images, links and table cells of a report."""

    def __init__(self):
        super().__init__()
        self.images, self.urls, self.cells = [], [], []
        self._cell = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs.get("src", ""))
        for key in ("src", "href"):
            if key in attrs:
                self.urls.append(attrs[key])
        self._cell = tag == "td"

    def handle_data(self, data):
        if self._cell:
            self.cells.append(data)

    def handle_endtag(self, tag):
        self._cell = False


def parse(path: Path) -> tuple[str, Page]:
    text = path.read_text(encoding="utf-8")
    page = Page()
    page.feed(text)
    page.close()
    return text, page


def assert_self_contained(text: str, page: Page) -> None:
    outside_data = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", text)
    assert "http://" not in outside_data and "https://" not in outside_data
    assert not re.search(r"""(src|href)\s*=\s*["']?//""", outside_data)
    assert all(u.startswith("data:image/png;base64,") for u in page.urls)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare") / "cmp"
    scenarios = REPO_ROOT / "scenarios"
    result = invoke(
        "compare",
        scenarios / "classroom.toml",
        scenarios / "funding_and_engineering.toml",
        "--replicates",
        3,
        "--steps",
        16,
        "--seed",
        4,
        "--out",
        out,
    )
    assert result.exit_code == 0, result.output
    return out


def test_compare_writes_the_table_the_report_and_the_runs(comparison):
    table = pd.read_csv(comparison / "comparison.csv")
    assert tuple(table.columns) == COLUMNS
    assert set(table["scenario"]) == {"classroom", "funding_and_engineering"}
    assert {
        "cooperation_rate",
        "gini",
        "theil_between",
        "theil_within",
        "urban_rural_divergence",
        "access",
        "structures_active",
        "public_spending_cumulative",
        "cost_per_gini_point",
    } <= set(table["metric"])
    first = table[(table["scenario"] == "classroom") & (table["metric"] != "cost_per_gini_point")]
    assert (first["diff"] == 0).all()
    runs = sorted((comparison / "runs").glob("*/replicate-*"))
    assert len(runs) == 6 and all((r / "manifest.json").is_file() for r in runs)
    assert not list(comparison.parent.glob(".*partial*"))


def test_compare_report_is_self_contained_and_holds_figures_and_table(comparison):
    text, page = parse(comparison / "report.html")
    assert_self_contained(text, page)
    assert len(page.images) >= 4
    assert len(list((comparison / "figures").glob("*.png"))) == len(page.images)
    assert "Gini of welfare" in page.cells and "Caveats" in text
    assert "awaiting calibration" in text


def test_report_regenerates_a_comparison_in_french(comparison, tmp_path):
    result = invoke("report", comparison, "--lang", "fr", "--out", tmp_path / "fr")
    assert result.exit_code == 0, result.output
    text, page = parse(tmp_path / "fr" / "report.html")
    assert_self_contained(text, page)
    assert '<html lang="fr">' in text and "Précautions" in text and "Gini du bien-être" in text
    again = pd.read_csv(tmp_path / "fr" / "comparison.csv")
    pd.testing.assert_frame_equal(again, pd.read_csv(comparison / "comparison.csv"))


def test_compare_is_reproducible(comparison, tmp_path):
    scenarios = REPO_ROOT / "scenarios"
    result = invoke(
        "compare",
        scenarios / "classroom.toml",
        scenarios / "funding_and_engineering.toml",
        "--replicates",
        3,
        "--steps",
        16,
        "--seed",
        4,
        "--out",
        tmp_path / "again",
    )
    assert result.exit_code == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "again" / "comparison.csv"),
        pd.read_csv(comparison / "comparison.csv"),
    )


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweeps")
    shutil.copytree(REPO_ROOT / "scenarios", root / "scenarios")
    folders = {}
    for design, body in SWEEPS.items():
        path = root / f"{design}.toml"
        path.write_text(
            f'name = "{design}"\nscenario = "scenarios/classroom.toml"\nseed = 3\nsteps = 12\n'
            + body
        )
        folders[design] = run_sweep(path, root / "out" / design, workers=1)
    return folders


@pytest.mark.parametrize("design", list(SWEEPS))
def test_report_on_a_sweep(sweeps, design):
    result = invoke("report", sweeps[design], "--target", "cooperation_rate<q40")
    assert result.exit_code == 0, result.output
    folder = sweeps[design] / "report"
    text, page = parse(folder / "report.html")
    assert_self_contained(text, page)
    assert "Main effects" in text and "PRIM" in text
    # the PRIM heading names the target asked for (it used to say "low cohesion" whatever it was)
    assert "lead to runs where cooperators (share of territories)" in text
    assert "low cohesion" not in text
    assert (folder / "tables" / "main_effects.csv").is_file()
    if design == "grid":
        assert (folder / "figures" / "heatmap_gini.png").is_file()
    else:
        indices = pd.read_csv(folder / "tables" / f"{design}_indices.csv")
        assert set(indices["parameter"]) == {"engineering.state_support", "funding.matching_share"}
        column = "ST" if design == "sobol" else "mu_star"
        assert indices[column].notna().all()
    if design == "sobol":  # 8 samples: the report says plainly that they are too few
        assert "Increase samples." in text


def test_the_french_sweep_report_counts_in_french(sweeps, tmp_path):
    result = invoke("report", sweeps["grid"], "--lang", "fr", "--out", tmp_path / "fr")
    assert result.exit_code == 0, result.output
    text, _ = parse(tmp_path / "fr" / "report.html")
    assert "2 réplications" in text and "1 réplications" not in text
    assert "couverture" in text and "coverage" not in text and "density" not in text


def test_report_refuses_to_overwrite_without_the_flag(sweeps):
    assert invoke("report", sweeps["grid"], "--out", sweeps["grid"] / "r2").exit_code == 0
    again = invoke("report", sweeps["grid"], "--out", sweeps["grid"] / "r2")
    assert again.exit_code == 2 and "already exists" in again.output
    assert (
        invoke("report", sweeps["grid"], "--out", sweeps["grid"] / "r2", "--overwrite").exit_code
        == 0
    )


def test_bad_inputs_exit_2_with_a_clear_message(tmp_path, sweeps):
    missing = invoke("report", tmp_path / "nowhere")
    assert missing.exit_code == 2 and "nowhere: no such folder" in missing.output
    (tmp_path / "plain").mkdir()
    plain = invoke("report", tmp_path / "plain")
    assert plain.exit_code == 2 and "not a sweep or comparison folder" in plain.output
    corrupt = tmp_path / "corrupt"
    shutil.copytree(sweeps["grid"], corrupt, ignore=shutil.ignore_patterns("report*", "r2"))
    next((corrupt / "runs").glob("chunk-*.parquet")).write_bytes(b"not parquet")
    broken = invoke("report", corrupt)
    assert broken.exit_code == 2 and "unreadable chunk" in broken.output
    assert not (corrupt / "report").exists()
    target = invoke("report", sweeps["grid"], "--target", "nonsense", "--out", tmp_path / "t")
    assert target.exit_code == 2 and "expected METRIC>VALUE" in target.output
    unknown = invoke("report", sweeps["grid"], "--target", "happiness>q50", "--out", tmp_path / "u")
    assert unknown.exit_code == 2 and "no outcome 'happiness'" in unknown.output
    assert not (tmp_path / "t").exists() and not (tmp_path / "u").exists()
    no_scenario = invoke("compare", tmp_path / "missing.toml", "--out", tmp_path / "c")
    assert no_scenario.exit_code == 2 and "missing.toml" in no_scenario.output
    assert not (tmp_path / "c").exists()


def test_report_on_a_comparison_with_a_missing_run(comparison, tmp_path):
    damaged = tmp_path / "damaged"
    shutil.copytree(comparison, damaged)
    shutil.rmtree(next((damaged / "runs").glob("*/replicate-001")))
    result = invoke("report", damaged)
    assert result.exit_code == 2 and "replicate-001: no such run folder" in result.output


def test_the_comparison_headlines_access_now_that_it_responds_to_policies():
    from cohesim.analysis.conclusion import headline_sentences
    from cohesim.analysis.report_text import CAVEATS

    # access follows the capacity budgets fund (dynamic services): a clear difference in it is
    # a headline, and the caveats say how it responds
    clear = {"mean": 0.5, "ci_low": 0.4, "ci_high": 0.6, "diff": 0.1, "diff_ci_low": 0.05}
    rows = [
        {"scenario": s, "metric": m, **clear, "diff_ci_high": 0.15, "effect_size": 1.0}
        for s in ("ref", "policy")
        for m in ("access", "gini")
    ]
    sentences = headline_sentences(pd.DataFrame(rows), "ref", "en")
    assert any("Gini" in s for s in sentences)
    assert any("access" in s for s in sentences)
    for lang in ("en", "fr"):
        assert any("budgets" in c for c in CAVEATS[lang])


def visible_text(text: str) -> str:
    """What a reader sees of a report: its text, without tags, styles and embedded images."""
    import html as html_module

    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", " ", text))


def assert_reads_without_computer_notation(text: str) -> None:
    seen = visible_text(text)
    assert not re.search(r"\b(nan|NaN|inf)\b", seen), "NaN or inf shown"
    assert not re.search(r"\d[eE][+−-]?\d", seen), "a number in exponent notation"
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", seen.replace("d_z", "")), re.search(
        r"\b[a-z]+_[a-z_]+\b", seen
    )
    assert not re.search(r"(?<![\d,.])\d{5,}", seen), "a long number not scaled to k€ / M€"
    assert not re.search(r"\bpole\b", seen)


def test_compare_across_regions_is_unpaired_and_says_so(comparison):
    # issue "what a newcomer hit": classroom (40 territories) against a policy on the baseline
    # region (100) was silently called "paired"
    import json

    manifest = json.loads((comparison / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["unpaired"] == ["funding_and_engineering"]
    text = (comparison / "report.html").read_text(encoding="utf-8")
    assert "Unpaired comparison" in text and "unpaired (another region)" in text


def test_compare_within_one_region_is_paired(tmp_path):
    import json

    policy = tmp_path / "classroom_funded.toml"
    classroom = (REPO_ROOT / "scenarios" / "classroom.toml").as_posix()
    policy.write_text(
        f'extends = "{classroom}"\nname = "classroom_funded"\n'
        '[title]\nen = "Funded classroom"\nfr = "Classe cofinancée"\n'
        "[funding]\nmatching_share = 0.5\n",
        encoding="utf-8",
    )
    out = tmp_path / "paired"
    result = invoke(
        "compare", REPO_ROOT / "scenarios" / "classroom.toml", policy,
        "-r", 2, "--steps", 13, "--seed", 4, "--lang", "fr", "--out", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["unpaired"] == []
    seen = visible_text((out / "report.html").read_text(encoding="utf-8"))
    assert "appariée par graine" in seen and "non appariée (autre région)" not in seen
    assert "Comparaison non appariée" not in seen
    assert "« Classe cofinancée »" in seen.replace("\u00a0", " ")


def test_the_french_comparison_report_reads_as_french_for_civil_servants(comparison, tmp_path):
    result = invoke("report", comparison, "--lang", "fr", "--out", tmp_path / "fr")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "fr" / "report.html").read_text(encoding="utf-8")
    assert_reads_without_computer_notation(text)
    seen = visible_text(text)
    # typography: a no-break space before : ; ? ! %, and between a number and its euros
    punctuation = re.findall(r".{15}(?<![\u00a0\u202f])[:;?!%]", seen)
    assert not punctuation, punctuation
    assert not re.findall(r".{15}\d ?(?:k|M|Md)?€", seen)
    assert not re.search(r"\d\.\d", seen), "a decimal point in French"
    # opens with the conclusion, naming scenarios by their titles, in whole sentences
    brief = seen[seen.index("En bref") : seen.index("Ce qui a été comparé")]
    assert "le scénario «\u00a0Cofinancement et appui en ingénierie\u00a0»" in brief
    assert "Degré de certitude" in brief and "Comparaison non appariée" in brief
    assert "IC à 95\u202f%\u00a0: de " in brief


def test_the_english_comparison_report_has_no_computer_notation(comparison):
    text = (comparison / "report.html").read_text(encoding="utf-8")
    assert_reads_without_computer_notation(text)
    assert "the “Matching fund and engineering support” scenario" in visible_text(text)


@pytest.mark.parametrize("design", ["grid", "sobol"])
def test_sweep_reports_name_parameters_with_units_not_paths(sweeps, design, tmp_path):
    # issue "what a newcomer hit": axes and tables showed raw parameter paths without units
    result = invoke("report", sweeps[design], "--lang", "fr", "--out", tmp_path / "fr")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "fr" / "report.html").read_text(encoding="utf-8")
    seen = visible_text(text)
    assert "ingénierie d'État par territoire rural ou périurbain (ETP)" in seen
    assert "engineering.state_support" not in seen and "funding.matching_share" not in seen
    assert_reads_without_computer_notation(text)


def test_main_effect_axes_are_labelled_with_the_parameter_name_and_unit(sweeps):
    from cohesim.analysis.plots.report import main_effects_figure
    from cohesim.analysis.sensitivity import read_sweep

    _, _, runs = read_sweep(sweeps["grid"])
    factors = ["engineering.state_support", "funding.matching_share"]
    figure = main_effects_figure(runs, factors, "gini", "en")
    labels = [ax.get_xlabel().replace("\n", " ") for ax in figure.axes[:2]]
    assert labels == [
        "state engineering per rural or periurban territory (FTE)",
        "share of contributions matched by the state",
    ]


def test_a_comparison_folder_from_before_titles_still_reports(comparison, tmp_path):
    import json

    older = tmp_path / "older"
    shutil.copytree(comparison, older)
    manifest = json.loads((older / "manifest.json").read_text(encoding="utf-8"))
    del manifest["unpaired"]
    (older / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for path in (older / "runs").glob("*/replicate-*/manifest.json"):
        run = json.loads(path.read_text(encoding="utf-8"))
        del run["scenario"]["titles"], run["scenario"]["descriptions"]
        path.write_text(json.dumps(run), encoding="utf-8")
    result = invoke("report", older, "--out", tmp_path / "report")
    assert result.exit_code == 0, result.output
    seen = visible_text((tmp_path / "report" / "report.html").read_text(encoding="utf-8"))
    assert "the “funding_and_engineering” scenario" in seen  # its identifier, for want of a title
    assert "Unpaired comparison" in seen  # pairing is read from the runs' own parameters
