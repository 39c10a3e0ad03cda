"""The grant commands on the synthetic demo data, end to end through the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from leftbehind.cli.app import app, main
from leftbehind.sources.bundle import open_bundle


def test_demo_ward_table_import_funding_and_coldspots(tmp_path: Path) -> None:
    demo = open_bundle(None)
    store = tmp_path / "g.duckdb"
    runner = CliRunner()
    ward_table = str(demo.path("grants_ward_funder_year"))
    first = runner.invoke(app, ["grants", "import", ward_table, "--store", str(store)])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["grants", "import", ward_table, "--store", str(store)])
    assert "already imported" in again.output
    status = runner.invoke(app, ["grants", "status", "--store", str(store)])
    assert status.exit_code == 0, status.output
    gap_file, chart = tmp_path / "gap.csv", tmp_path / "gap.svg"
    gap = runner.invoke(app, ["funding", "--store", str(store), "--out", str(gap_file),
                              "--chart", str(chart), "--by", "funder"])
    assert gap.exit_code == 0, gap.output
    by_funder = pd.read_csv(gap_file)
    assert (by_funder["data"] == "synthetic demo data").all()
    assert set(by_funder["group"]) == {"left_behind", "other_deprived", "england"}
    assert chart.read_text().lstrip().startswith(("<?xml", "<svg"))
    funder = by_funder.sort_values("amount_gbp").iloc[-1]["funder"]
    cold_file = tmp_path / "cold.csv"
    cold = runner.invoke(app, ["coldspots", "--store", str(store), "--funder", funder,
                               "--imd-share", "0.2", "--out", str(cold_file)])
    assert cold.exit_code == 0, cold.output
    spots = pd.read_csv(cold_file)
    assert len(spots) > 0 and (spots["owed_gbp"] > 0).all()
    assert spots["owed_gbp"].is_monotonic_decreasing


def test_json_without_schema_is_one_clear_line(tmp_path: Path, capsys) -> None:
    demo = open_bundle(None)
    store = tmp_path / "g.duckdb"
    try:
        main(["grants", "import", str(demo.path("grants_covid19")), "--store", str(store)])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert "schema_360giving" in err and "Traceback" not in err
    assert not store.exists()
