"""The main job, ``leftbehind run``, on the demo data and on the real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from leftbehind.cli.app import app


def test_run_on_demo_writes_everything_stamped_synthetic(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = CliRunner().invoke(app, ["run", "--out-dir", str(out)])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC DEMO DATA" in result.output
    names = {p.name for p in out.iterdir()}
    assert {"identify_2019_wards.csv", "identify_2023_lsoas.csv", "summary_2019_lad.csv",
            "summary_2025_lad.csv", "unclassified_2019.csv", "funding_gap_2019.csv",
            "funding_gap_2019.html", "report_2019.html", "README.md"} <= names
    for name in names:
        if name.endswith(".csv"):
            assert (pd.read_csv(out / name)["data"] == "synthetic demo data").all(), name
    report = (out / "report_2019.html").read_text()
    assert "synthetic demo data" in report.lower()
    for section in ('id="funding"', 'id="funding-gap-chart"', 'id="gap-table"',
                    'id="cold-table"', 'id="synthetic-banner"', 'id="area-map"'):
        assert section in report, section
    assert "SYNTHETIC DEMO DATA" in (out / "README.md").read_text()
    wards = pd.read_csv(out / "identify_2019_wards.csv")
    assert len(wards) == 300
    assert (wards["group"] == "unclassified").sum() == 2
    first = pd.read_csv(out / "funding_gap_2019.csv")
    gap = first.set_index("group")
    assert gap.loc["left_behind", "gbp_per_head"] < gap.loc["england", "gbp_per_head"]
    # running again adds no grants: the store skips files it has seen
    again = CliRunner().invoke(app, ["run", "--out-dir", str(out)])
    assert again.exit_code == 0, again.output
    assert pd.read_csv(out / "funding_gap_2019.csv").equals(first)


def test_run_on_real_data_tables_only(tmp_path: Path, real_data_dir: Path) -> None:
    out = tmp_path / "results"
    result = CliRunner().invoke(app, ["run", "--data-dir", str(real_data_dir), "--out-dir",
                                      str(out), "--no-report", "--format", "parquet"])
    assert result.exit_code == 0, result.output
    wards = pd.read_parquet(out / "identify_2019_wards.parquet")
    assert len(wards) == 7433 and "data" not in wards.columns
    assert (wards["group"] == "left_behind").sum() == 226
    assert "County Durham" in result.output  # the district with most left-behind wards
    gap = pd.read_parquet(out / "funding_gap_2019.parquet").set_index("group")
    lb, eng, od = (gap.loc[g, "gbp_per_head"] for g in ("left_behind", "england",
                                                         "other_deprived"))
    assert lb < eng < od
