"""The England 2019 report in headless Chromium: no network, one shape per classified ward.

Uses the session's shared report build (``report_2019`` in conftest) and saves a
screenshot under ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.realdata]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_report_renders_offline(report_2019, areas_2019):
    playwright = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), "Debian chromium is required (apt-get install chromium)"
    path = report_2019[0]
    requests: list[str] = []
    errors: list[str] = []
    profile = tempfile.mkdtemp(prefix="lb-chromium-")
    try:
        with playwright.sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_selector("#area-map path.choroplethlocation", state="attached",
                                   timeout=90_000)
            page.wait_for_timeout(1500)
            shapes = page.locator("#area-map path.choroplethlocation").count()
            rows = page.locator("#lb-table tbody tr").count()
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report-2019.png"))
            page.locator("#map").screenshot(path=str(ARTIFACTS / "report-2019-map.png"))
            page.locator("#lb-table thead th").nth(7).click()  # sort by CNI rank
            page.fill("input[data-filter='lb-table']", "Barking")
            visible = page.locator("#lb-table tbody tr:not([hidden])").count()
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    external = [u for u in requests if not u.startswith(("file:", "data:", "blob:"))]
    assert external == [], external
    assert errors == []
    groups = areas_2019["group"].astype(str)
    assert shapes == int((groups != "unclassified").sum())
    assert rows == int((groups == "left_behind").sum())
    lb = areas_2019[groups == "left_behind"]
    assert visible == int(lb["lad_name"].str.contains("Barking").sum()) > 0
