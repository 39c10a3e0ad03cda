"""Grants on the real-data bundle: published counts, the 2019 funding gap, cold spots, CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from leftbehind.cli.app import main
from leftbehind.funding.charts import funding_figure_json, write_chart
from leftbehind.funding.coldspots import cold_spots
from leftbehind.funding.gap import Filters, edition_inputs, funding_gap
from leftbehind.funding.ingest import import_file, quality_report
from leftbehind.funding.schema import load_schema
from leftbehind.funding.store import counts, open_store
from leftbehind.sources.bundle import open_bundle

pytestmark = pytest.mark.realdata
WARD_TABLE = "grants_gb_ward_funder_year_2013_2018.csv"
COVID = "360giving_covid19_grants_2020-05.json"


@pytest.fixture(scope="session")
def ward_store(real_data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("grants") / "ward.duckdb"
    con = open_store(path)
    import_file(con, real_data_dir / WARD_TABLE, load_schema(real_data_dir / "360giving-schema"))
    yield con
    con.close()


@pytest.fixture(scope="session")
def edition2019(real_data_dir: Path):
    return edition_inputs(open_bundle(real_data_dir), "2019")


def test_ward_table_matches_published_totals(ward_store):
    row = ward_store.execute("SELECT sum(grant_count), count(DISTINCT funder_name), "
                             "round(sum(amount), 2) FROM grants").fetchall()[0]
    assert row[0] == 84_705
    assert row[1] == 57
    assert row[2] == pytest.approx(8_447_408_891.89, abs=0.01)


def test_2019_gap_ordering(ward_store, edition2019, capsys):
    areas, lookup = edition2019
    gap = funding_gap(ward_store, areas, lookup).set_index("group")
    with capsys.disabled():
        print("\n2019 funding gap (ward table 2013-2018):\n", gap.to_string())
    per_head = gap["gbp_per_head"]
    assert per_head["left_behind"] < per_head["england"] < per_head["other_deprived"]
    assert gap.loc["england", "areas"] == len(areas)
    assert gap.loc["england", "population"] == pytest.approx(areas["population"].sum())


def test_big_lottery_cold_spots(ward_store, edition2019):
    areas, lookup = edition2019
    cold = cold_spots(ward_store, areas, lookup, Filters(funders=["The Big Lottery Fund"]),
                      imd_share=0.2, threshold=0.5)
    assert len(cold) > 0
    assert (cold["owed_gbp"] > 0).all()
    assert cold["owed_gbp"].is_monotonic_decreasing
    assert (cold["received_gbp"] < 0.5 * cold["fair_share_gbp"]).all()
    assert cold["imd_rank"].max() <= int(areas["imd_rank"].notna().sum() * 0.2)


def test_breakdowns_and_chart(ward_store, edition2019, tmp_path):
    areas, lookup = edition2019
    by_area = funding_gap(ward_store, areas, lookup, by="area")
    assert len(by_area) == len(areas)
    by_funder = funding_gap(ward_store, areas, lookup, by="funder")
    eng = by_funder[by_funder["group"] == "england"]
    total = funding_gap(ward_store, areas, lookup).set_index("group").loc["england"]
    assert eng["amount_gbp"].sum() == pytest.approx(total["amount_gbp"])
    summary = funding_gap(ward_store, areas, lookup)
    for suffix in (".png", ".svg", ".html"):
        out = write_chart(summary, tmp_path / f"chart{suffix}")
        assert out.stat().st_size > 1000
    assert '"type":"bar"' in funding_figure_json(summary).replace(" ", "")


def test_covid_json_import_quality_and_idempotence(real_data_dir, tmp_path):
    con = open_store(tmp_path / "covid.duckdb")
    schema = load_schema(real_data_dir / "360giving-schema")
    first = import_file(con, real_data_dir / COVID, schema)
    assert first.records == 1978 and first.valid + first.invalid == first.stored
    assert first.non_gbp == 1
    before = counts(con)
    again = import_file(con, real_data_dir / COVID, schema)
    assert again.skipped and counts(con) == before
    report = quality_report(con)
    assert set(report.columns) >= {"file", "row", "record_id", "field", "problem"}
    con.close()


def test_cli_import_funding_quality(real_data_dir, tmp_path):
    store = tmp_path / "cli.duckdb"
    main(["grants", "import", str(real_data_dir / COVID), "--store", str(store),
          "-d", str(real_data_dir)])
    main(["grants", "quality", "--store", str(store), "--out", str(tmp_path / "q.csv")])
    assert pd.read_csv(tmp_path / "q.csv").shape[0] >= 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"grants": [', encoding="utf-8")
    before = open_store(store).execute("SELECT count(*) FROM grants").fetchall()
    with pytest.raises(SystemExit) as err:
        main(["grants", "import", str(bad), "--store", str(store), "-d", str(real_data_dir)])
    assert err.value.code == 2
    assert open_store(store).execute("SELECT count(*) FROM grants").fetchall() == before
