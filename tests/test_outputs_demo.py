"""Outputs from the synthetic demo: every one says so."""

from __future__ import annotations

import json

import openpyxl
import pytest

from leftbehind import SYNTHETIC_LABEL
from leftbehind.cli.app import main


def run(args: list[str]) -> int:
    """Exit code of the CLI (0 when it returns normally)."""
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.parametrize("edition", ["2019", "2023"])
def test_demo_report_has_banner(tmp_path, edition):
    out = tmp_path / "r.html"
    assert run(["report", "--edition", edition, "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="synthetic-banner"' in html and SYNTHETIC_LABEL in html


def test_demo_exports(tmp_path):
    for fmt in ("geojson", "xlsx"):
        out = tmp_path / f"a.{fmt}"
        assert run(["export", "--format", fmt, "--out", str(out)]) == 0
        assert out.exists()
    features = json.loads((tmp_path / "a.geojson").read_text())["features"]
    assert all(f["properties"]["synthetic"] for f in features)
    readme = [r[2] for r in openpyxl.load_workbook(tmp_path / "a.xlsx")["README"]
              .iter_rows(values_only=True)]
    assert any(SYNTHETIC_LABEL.upper() in str(v) for v in readme)


def test_unknown_format_and_edition(tmp_path, capsys):
    assert run(["export", "--format", "shp", "--out", str(tmp_path / "a.shp")]) == 2
    assert run(["report", "--edition", "2020", "--out", str(tmp_path / "r.html")]) == 2
    assert not list(tmp_path.iterdir())
