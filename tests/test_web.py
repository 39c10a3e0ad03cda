"""The web app: pages and JSON API, on the demo and on the real data."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leftbehind.outputs.web import create_app


@pytest.fixture(scope="module")
def demo_client() -> TestClient:
    return TestClient(create_app())


def test_demo_pages_and_api(demo_client: TestClient) -> None:
    home = demo_client.get("/")
    assert home.status_code == 200 and "synthetic demo data" in home.text.lower()
    areas = demo_client.get("/api/areas", params={"group": "left_behind", "limit": 5}).json()
    assert areas["synthetic"] is True and areas["total"] == 11 and len(areas["rows"]) == 5
    ranks = [r["imd_rank"] for r in areas["rows"]]
    assert ranks == sorted(ranks)
    code = areas["rows"][0]["area_code"]
    one = demo_client.get(f"/api/areas/{code}").json()
    assert one["group"] == "left_behind" and one["area_code"] == code
    page = demo_client.get(f"/profile/{code}")
    assert page.status_code == 200 and code in page.text
    csv = demo_client.get("/api/areas", params={"format": "csv", "limit": 3})
    assert csv.headers["content-type"].startswith("text/csv")
    assert len(csv.text.strip().splitlines()) == 4
    datasets = demo_client.get("/api/datasets").json()
    assert any(d["id"] == "imd2019_lsoa11" and d["found"] for d in datasets)


def test_bad_requests_are_clear(demo_client: TestClient) -> None:
    missing = demo_client.get("/api/areas/E05999999")
    assert missing.status_code == 404 and "unknown area code" in missing.json()["error"]
    assert demo_client.get("/report/2020").status_code == 400
    assert demo_client.get("/api/areas", params={"sort": "nope"}).status_code == 400
    assert demo_client.get("/api/funding").status_code == 400  # no store given
    assert demo_client.get("/api/areas", params={"limit": 0}).status_code == 422


def test_real_data_becontree_and_summaries(real_data_dir: Path) -> None:
    client = TestClient(create_app(real_data_dir))
    becontree = client.get("/api/areas/E05000028").json()
    assert becontree["area_name"] == "Becontree" and becontree["group"] == "left_behind"
    assert becontree["cni_rank"] == 690 and becontree["synthetic"] is False
    left_behind = client.get("/api/areas", params={"group": "left_behind", "limit": 1}).json()
    assert left_behind["total"] == 226
    summaries = client.get("/api/summaries", params={"edition": "2025", "to": "lad"}).json()
    hartlepool = next(r for r in summaries["rows"] if r["area_code"] == "E06000001")
    assert hartlepool["imd_average_score"] == pytest.approx(37.58, abs=0.01)


def test_serve_command_answers_on_localhost(tmp_path: Path) -> None:
    """``leftbehind serve`` really listens: start it, ask it once, stop it."""
    import json
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "leftbehind.cli.app", "serve", "--port",
                             str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/api/areas?group=left_behind&limit=1"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = json.load(response)
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.3)
        assert body["synthetic"] is True and body["total"] == 11
    finally:
        proc.terminate()
        proc.wait(timeout=20)
