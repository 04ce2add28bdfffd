"""The dashboard end to end: `cohesim dashboard` served, driven in a real headless Chromium.

Skipped (with the reason) only outside CI when Chromium or the front-end assets are missing;
under CI=true they must be there (`.ci/run` installs both).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from cohesim.experiments.dashboard.assets import missing_assets

from helpers import free_port

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
SERVER_START_SECONDS = 90
UI_SECONDS = 30_000  # ms, for one thing to appear on the page


def _chromium() -> str | None:
    return os.environ.get("COHESIM_CHROMIUM") or shutil.which("chromium")


def _require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required under CI: .ci/run installs it)")
    pytest.skip(reason)


def _is_local(url: str) -> bool:
    if url.startswith(("data:", "about:")):
        return True
    parts = urlsplit(url.removeprefix("blob:"))
    return parts.hostname in LOCAL_HOSTS


@pytest.fixture
def server(tmp_path, scenarios_dir):
    """`cohesim dashboard` on a free port; yields (url, log path); always stopped."""
    _require(_chromium() is not None, "no chromium on this machine (apt-get install chromium)")
    _require(
        not missing_assets(),
        "dashboard assets not installed (cohesim docs dashboard-assets)",
    )
    port = free_port()
    log = tmp_path / "server.log"
    cli = Path(sys.executable).with_name("cohesim")
    with log.open("w") as sink:
        process = subprocess.Popen(
            [str(cli), "dashboard", str(scenarios_dir / "classroom.toml"), "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=tmp_path,
            start_new_session=True,  # its own process group, stopped as a whole below
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                pytest.fail(f"dashboard exited with {process.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"dashboard not serving after {SERVER_START_SECONDS} s:\n{log.read_text()}"
                )
            time.sleep(0.5)
        yield url, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_dashboard_in_a_real_browser(server, tmp_path, scenarios_dir):
    from playwright.sync_api import sync_playwright

    from cohesim.experiments import load_scenario

    url, log = server
    burn_in = load_scenario(scenarios_dir / "classroom.toml").parameters.run.burn_in
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1200})
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on(
                "request",
                lambda r: _is_local(r.url) or problems.append(f"request outside: {r.url}"),
            )
            page.on(
                "response",
                lambda r: r.status < 400 or problems.append(f"HTTP {r.status}: {r.url}"),
            )
            page.set_default_timeout(UI_SECONDS)
            page.goto(url)

            # The French page with its own step counter and SolaraViz's.
            page.get_by_text("Time: 0.0").wait_for()
            status = page.locator(".cohesim-status")
            assert "Pas 0" in status.inner_text()
            plot = page.locator("img").nth(1)  # the cooperation plot, after the map
            plot.wait_for()
            before = plot.screenshot()

            for step in (1, 2, 3):
                page.get_by_role("button", name="Step").click()
                page.get_by_text(f"Time: {step}.0").wait_for()
            page.get_by_text("Pas 3 ·").wait_for()
            deadline = time.monotonic() + 15
            while plot.screenshot() == before:
                assert time.monotonic() < deadline, "the cooperation plot did not change"
                time.sleep(0.5)

            # Engineering support at its highest: past year 0 structures have formed, the
            # structures plot grows and the inventory lists them.
            lever = page.locator(".v-input").filter(has_text="Ingénierie d'État")
            lever.get_by_role("slider").press("End")
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Time: 0.0").wait_for()
            structures_plot = page.locator("img").nth(4)  # map, three plots, then structures
            structures_before = structures_plot.screenshot()
            inventory = page.locator(".cohesim-inventory")
            assert inventory.locator("tbody td", has_text="active").count() == 0
            past_year_0 = burn_in + 2
            for step in range(1, past_year_0 + 1):
                page.get_by_role("button", name="Step").click()
                page.get_by_text(f"Time: {step}.0").wait_for()
            page.get_by_text(f"Pas {past_year_0} · Année 2 ·").wait_for()
            deadline = time.monotonic() + 15
            while structures_plot.screenshot() == structures_before:
                assert time.monotonic() < deadline, "the structures plot did not change"
                time.sleep(0.5)
            rows = inventory.locator("tbody tr")
            rows.first.wait_for()
            assert rows.count() >= 1
            kinds = ("entente", "contrat", "syndicat", "pôle")
            assert any(kind in rows.first.inner_text() for kind in kinds), rows.first.inner_text()
            note = inventory.locator(".cohesim-inventory-note").inner_text()
            assert int(note.split()[0]) >= 1, note

            # Competition at its fiercest, then reset: the new model runs with it from step 0.
            lever = page.locator(".v-input").filter(has_text="Concurrence θ")
            lever.get_by_role("slider").press("End")
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("Time: 0.0").wait_for()
            page.get_by_text(
                "• Intensité de la concurrence (part de l'enjeu prise) θ = 1", exact=True
            ).wait_for()
            assert "Pas 0" in status.inner_text()

            # English labels; the slider keeps its value across the switch.
            page.get_by_role("button", name="en", exact=True).click()
            page.get_by_text("Settings (levers act from year 0)").wait_for()
            page.get_by_text("welfare (€/inh./yr)").wait_for()
            page.get_by_role("button", name="Reset").click()
            page.get_by_text(
                "• Intensity of competition (share of the stake taken) θ = 1", exact=True
            ).wait_for()
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Step 1 ·").wait_for()

            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 20_000
        finally:
            browser.close()

    assert not problems, "\n".join(problems)
    server_log = log.read_text()
    assert "Traceback" not in server_log, server_log
