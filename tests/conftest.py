"""Shared test fixtures: the real-data bundle and a temporary demo cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("LEFTBEHIND_TEST_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def real_data_dir() -> Path:
    """The real-data bundle (``../shared/data``); its absence is a failure, not a skip."""
    assert (REAL_DATA / "imd2019_england_lsoa11.csv").exists(), (
        f"real data bundle not found at {REAL_DATA}; set LEFTBEHIND_TEST_DATA"
    )
    return REAL_DATA


@pytest.fixture(scope="session")
def _shared_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo bundle, generated once per test session."""
    from leftbehind.sources.demo import DEMO_DIRNAME, ensure_demo_data

    return ensure_demo_data(tmp_path_factory.mktemp("demo") / DEMO_DIRNAME)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, _shared_demo: Path,
                   monkeypatch: pytest.MonkeyPatch):
    """Keep each test away from the user's cache, store and data-dir settings, and from
    files other tests fetched: every test gets its own cache, with the session's demo in it."""
    home = tmp_path_factory.mktemp("env")  # beside the test's own tmp_path, not in it
    cache = home / "cache"
    cache.mkdir()
    (cache / _shared_demo.name).symlink_to(_shared_demo, target_is_directory=True)
    monkeypatch.setenv("LEFTBEHIND_CACHE_DIR", str(cache))
    monkeypatch.delenv("LEFTBEHIND_DATA_DIR", raising=False)
    monkeypatch.setenv("LEFTBEHIND_OFFLINE", "1")  # tests never reach outside this machine
    monkeypatch.setenv("LEFTBEHIND_STORE", str(home / "store.duckdb"))


# --- outputs (report/profile/export) tests share one real-data classification and report build
@pytest.fixture(scope="session")
def real_bundle(real_data_dir: Path):
    from leftbehind.sources.bundle import open_bundle

    return open_bundle(real_data_dir, allow_download=False)


@pytest.fixture(scope="session")
def areas_2019(real_bundle):
    from leftbehind.classification import identify

    return identify(real_bundle, "2019")


@pytest.fixture(scope="session")
def report_2019(real_bundle, tmp_path_factory) -> tuple[Path, float]:
    """The England 2019 report, built once from scratch (classification included)."""
    import time

    from leftbehind.outputs.report import write_report

    out = tmp_path_factory.mktemp("report") / "report.html"
    start = time.perf_counter()
    write_report(out, real_bundle, "2019")
    return out, time.perf_counter() - start
