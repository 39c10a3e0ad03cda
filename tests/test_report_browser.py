"""The England reports in headless Chromium: no network, one shape per classified area, every
shape drawn as itself (not as the globe minus it), sortable and filterable tables.

Uses the session's shared 2019 report build (``report_2019`` in conftest) and saves
screenshots under ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.realdata]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The widest drawn shape as a share of the map's width: a ring wound the wrong way round is
# drawn by d3-geo as the whole globe minus the area, as wide as the map itself.
WIDEST_SHAPE_JS = """() => {
  const width = document.querySelector('#area-map .main-svg').getBoundingClientRect().width;
  let widest = 0;
  document.querySelectorAll('#area-map path.choroplethlocation').forEach(p => {
    widest = Math.max(widest, p.getBoundingClientRect().width); });
  return widest / width; }"""


def open_report(path: Path, name: str, actions: Any = None) -> dict[str, Any]:
    """Load the report offline; count shapes and table rows, measure the widest shape."""
    playwright = pytest.importorskip("playwright.sync_api")
    assert Path(CHROMIUM).exists(), "Debian chromium is required (apt-get install chromium)"
    seen: dict[str, Any] = {"requests": [], "errors": []}
    profile = tempfile.mkdtemp(prefix="lb-chromium-")
    try:
        with playwright.sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
                viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_selector("#area-map path.choroplethlocation", state="attached",
                                   timeout=120_000)
            page.wait_for_timeout(1500)
            seen["shapes"] = page.locator("#area-map path.choroplethlocation").count()
            seen["rows"] = page.locator("#lb-table tbody tr").count()
            seen["widest"] = page.evaluate(WIDEST_SHAPE_JS)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
            page.locator("#map").screenshot(path=str(ARTIFACTS / f"{name}-map.png"))
            if actions is not None:
                seen.update(actions(page))
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    seen["external"] = [u for u in seen["requests"]
                        if not u.startswith(("file:", "data:", "blob:"))]
    return seen


def check(seen: dict[str, Any], areas: Any) -> None:
    groups = areas["group"].astype(str)
    assert seen["external"] == [], seen["external"]
    assert seen["errors"] == []
    assert seen["shapes"] == int((groups != "unclassified").sum())
    assert seen["rows"] == int((groups == "left_behind").sum())
    assert 0 < seen["widest"] < 0.3, seen["widest"]


def test_report_2019_renders_offline(report_2019, areas_2019):
    def sort_and_filter(page: Any) -> dict[str, Any]:
        page.locator("#lb-table thead th").nth(7).click()  # sort by CNI rank
        page.fill("input[data-filter='lb-table']", "Barking")
        return {"visible": page.locator("#lb-table tbody tr:not([hidden])").count()}

    seen = open_report(report_2019[0], "report-2019", sort_and_filter)
    check(seen, areas_2019)
    lb = areas_2019[areas_2019["group"].astype(str) == "left_behind"]
    assert seen["visible"] == int(lb["lad_name"].str.contains("Barking").sum()) > 0


def test_report_2023_lsoa_map_draws_every_lsoa(real_bundle, tmp_path):
    from leftbehind.classification import identify
    from leftbehind.outputs.report import write_report

    areas = identify(real_bundle, "2023")
    out = tmp_path / "report-2023.html"
    write_report(out, real_bundle, "2023", areas=areas)
    assert out.stat().st_size < 15e6
    check(open_report(out, "report-2023"), areas)
