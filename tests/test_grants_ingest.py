"""Grant store: importing, checking, deduplicating and locating small hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from leftbehind.errors import InputError
from leftbehind.funding.coldspots import cold_spots
from leftbehind.funding.gap import Filters, funding_gap
from leftbehind.funding.ingest import import_file, quality_report
from leftbehind.funding.locate import location_status, register_geography
from leftbehind.funding.postcodes import load_postcodes
from leftbehind.funding.schema import GrantSchema, load_schema
from leftbehind.funding.store import counts, open_store


def grant(i: int, **over: object) -> dict:
    g: dict = {
        "id": f"360G-test-{i}", "title": "t", "description": "d", "currency": "GBP",
        "amountAwarded": 1000.0, "awardDate": "2019-05-01",
        "recipientOrganization": [{"id": f"GB-CHC-{i}", "name": "Org", "postalCode": "AB1 2CD"}],
        "fundingOrganization": [{"id": "GB-CHC-1", "name": "Funder One"}],
    }
    g.update(over)
    return {k: v for k, v in g.items() if v is not None}


def package(path: Path, grants: list) -> Path:
    path.write_text(json.dumps({"grants": grants}, indent=2), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def schema(real_data_dir: Path) -> GrantSchema:
    return load_schema(real_data_dir / "360giving-schema")


@pytest.fixture
def con(tmp_path: Path):
    c = open_store(tmp_path / "store.duckdb")
    yield c
    c.close()


def nspl(path: Path) -> Path:
    pd.DataFrame({
        "pcd": ["AB1 2CD", "ZZ9 9ZZ", "CF1 1AA"], "pcds": ["AB1 2CD", "ZZ9 9ZZ", "CF1 1AA"],
        "doterm": ["", "", ""], "lsoa11": ["E01000001", "E01000003", "W01000001"],
        "ward": ["E05000001", "E05000002", "W05000001"],
        "laua": ["E09000001", "E09000001", "W06000015"],
        "ctry": ["E92000001", "E92000001", "W92000004"], "lat": [51.5] * 3,
        "long": [-0.1] * 3, "imd": [100, 200, 300],
    }).to_csv(path, index=False)
    return path


AREAS = pd.DataFrame({
    "area_code": ["E05000001", "E05000002", "E05000003"],
    "area_name": ["One", "Two", "Three"],
    "group": ["left_behind", "other_deprived", "other"],
    "population": [1000.0, 2000.0, 7000.0], "imd_rank": [1.0, 2.0, 3.0],
})
LOOKUP = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002", "E01000003"],
                       "ward_code": ["E05000001", "E05000001", "E05000002"]})


def test_valid_package_imports_and_reimport_adds_nothing(tmp_path, con, schema):
    f = package(tmp_path / "a.json", [grant(i) for i in range(5)])
    r = import_file(con, f, schema)
    assert (r.records, r.valid, r.invalid, r.duplicates) == (5, 5, 0, 0)
    before = counts(con)
    again = import_file(con, f, schema)
    assert again.skipped and counts(con) == before


@pytest.mark.parametrize("text", [
    '{"grants": [{"id": "a"}, {"id": ',        # truncated
    '{"grants": [{"id": "a"} {"id": "b"}]}',    # invalid
    "not json at all",
])
def test_unreadable_json_is_input_error_and_store_unchanged(tmp_path, con, schema, text):
    import_file(con, package(tmp_path / "ok.json", [grant(1)]), schema)
    before = counts(con)
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"JSON|package"):
        import_file(con, bad, schema)
    assert counts(con) == before


@pytest.mark.parametrize("text", ['[{"id": "a"}]', '{"data": [1]}', '{"grants": {"id": 1}}'])
def test_wrong_top_level(tmp_path, con, schema, text):
    bad = tmp_path / "top.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="360Giving package"):
        import_file(con, bad, schema)
    assert counts(con)["rows"] == 0


def test_record_problems_are_flagged_kept_and_reported(tmp_path, con, schema):
    grants = [
        grant(1),
        grant(2, title=None, fundingOrganization=None),          # missing required
        grant(3, amountAwarded=-5),                              # negative
        grant(4, amountAwarded=0),                               # zero
        grant(5, amountAwarded="100"),                           # wrong type
        grant(6, awardDate="2019-02-30"),                        # impossible date
        grant(7, awardDate="01/05/2019"),                        # bad format
        grant(8, currency="USD", amountAwarded=99.0),            # non-GBP: valid, flagged
        grant(9, currency="XXQ"),                                # not a currency code
        7,                                                       # not an object
    ]
    r = import_file(con, package(tmp_path / "p.json", grants), schema)
    assert r.records == 10 and r.valid == 2 and r.invalid == 8 and r.non_gbp == 1
    q = quality_report(con)
    by_id = q.groupby("record_id")["field"].apply(set).to_dict()
    assert {"title", "fundingOrganization"} <= by_id["360G-test-2"]
    for i, field in [(3, "amountAwarded"), (4, "amountAwarded"), (5, "amountAwarded"),
                     (6, "awardDate"), (7, "awardDate"), (9, "currency")]:
        assert field in by_id[f"360G-test-{i}"], i
    assert (q["field"] == "(record)").sum() == 1
    usd = q[q["record_id"] == "360G-test-8"]
    assert list(usd["severity"]) == ["warning"]
    c = counts(con)
    assert c["amount_gbp"] == 1000.0 and c["non_gbp"] == 1


def test_duplicate_ids_within_and_across_files(tmp_path, con, schema):
    r1 = import_file(con, package(tmp_path / "a.json", [grant(1), grant(2), grant(1)]), schema)
    assert (r1.stored, r1.duplicates) == (2, 1)
    r2 = import_file(con, package(tmp_path / "b.json", [grant(2), grant(3)]), schema)
    assert (r2.stored, r2.duplicates) == (1, 1)
    assert counts(con)["grants"] == 3
    dup = quality_report(con).query("severity == 'duplicate'")
    assert len(dup) == 2 and dup["problem"].str.contains("duplicate id").all()


def test_metadata_first_package_uses_streaming_path(tmp_path, con, schema):
    f = tmp_path / "meta.json"
    f.write_text(json.dumps({"license": "x", "grants": [grant(1), grant(2)]}), encoding="utf-8")
    assert import_file(con, f, schema).valid == 2


def test_flat_csv_and_grantnav_codes(tmp_path, con, schema):
    f = tmp_path / "flat.csv"
    pd.DataFrame({
        "Identifier": ["360G-c-1", "360G-c-2"], "Title": ["a", "b"],
        "Description": ["d", "d"], "Currency": ["GBP", "GBP"],
        "Amount Awarded": ["1,500.50", "abc"], "Award Date": ["2018-01-02", "2018-01-03"],
        "Recipient Org:Identifier": ["GB-1", "GB-2"], "Recipient Org:Name": ["R1", "R2"],
        "Recipient Org:Postal Code": ["ab12cd", ""],
        "Funding Org:Identifier": ["GB-F", "GB-F"], "Funding Org:Name": ["F", "F"],
        "Beneficiary Location:0:Geographic Code": ["", "E05000002"],
        "Beneficiary Location:0:Geographic Code Type": ["", "WD"],
        "Recipient Ward Geographic Code": ["E05000003", ""],
    }).to_csv(f, index=False)
    r = import_file(con, f, schema)
    assert (r.valid, r.invalid) == (1, 1)
    rows = con.execute("SELECT grant_id, amount, postcode, ben_code, rec_code, row_no "
                       "FROM grants ORDER BY grant_id").fetchall()
    assert rows[0] == ("360G-c-1", 1500.5, "AB12CD", None, "E05000003", 2)
    assert rows[1][3] == "E05000002"
    q = quality_report(con)
    assert list(q["field"]) == ["amountAwarded"] and list(q["row"]) == [3]


def test_xlsx_with_and_without_grants_sheet(tmp_path, con, schema):
    import openpyxl

    good = tmp_path / "g.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Readme"
    sheet = book.create_sheet("grants")
    sheet.append(["Identifier", "Title", "Description", "Currency", "Amount Awarded",
                  "Award Date", "Recipient Org:Identifier", "Recipient Org:Name",
                  "Funding Org:Identifier", "Funding Org:Name"])
    sheet.append(["360G-x-1", "t", "d", "GBP", 250, "2017-04-01", "GB-1", "R", "GB-F", "F"])
    book.save(good)
    assert import_file(con, good, schema).valid == 1

    bad = tmp_path / "nogrants.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Name", "Value"])
    book.save(bad)
    before = counts(con)
    with pytest.raises(InputError, match="no grants sheet"):
        import_file(con, bad, schema)
    assert counts(con) == before


def test_location_precedence_and_unknown_postcodes(tmp_path, con, schema):
    grants = [
        grant(1),                                                    # postcode → E01000001
        grant(2, beneficiaryLocation=[{"geoCode": "E05000002", "geoCodeType": "WD"}]),
        grant(3, beneficiaryLocation=[{"geoCode": "WD", "geoCodeType": "E01000003"}]),  # swap
        grant(4, recipientOrganization=[{"id": "x", "name": "y", "postalCode": "QQ1 1QQ"}]),
        grant(5, recipientOrganization=[{"id": "x", "name": "y", "postalCode": "CF1 1AA"}]),
        grant(6, beneficiaryLocation=[{"geoCode": "E08000003", "geoCodeType": "MD"}]),
        grant(7, recipientOrganization=[{"id": "x", "name": "y"}]),
    ]
    import_file(con, package(tmp_path / "loc.json", grants), schema)
    register_geography(con, AREAS, LOOKUP)
    assert set(location_status(con)["reason"]) >= {"no postcode directory loaded"}
    load_postcodes(con, nspl(tmp_path / "nspl.csv"))
    register_geography(con, AREAS, LOOKUP)
    status = location_status(con).set_index("reason")["grants"]
    assert status["located"] == 3
    assert status["postcode not in directory"] == 1
    assert status["outside England"] == 1
    assert status["district or county only"] == 1
    assert status["no location given"] == 1
    # recipient-only: grants 2, 3 and 6 use their postcode too (ward E05000001)
    gap = funding_gap(con, AREAS, LOOKUP, Filters(location="recipient")).set_index("group")
    assert gap.loc["left_behind", "grants"] == 4
    best = funding_gap(con, AREAS, LOOKUP).set_index("group")
    assert best.loc["left_behind", "grants"] == 1 and best.loc["other_deprived", "grants"] == 2
    assert best.loc["england", "gbp_per_head"] == pytest.approx(3000 / 10_000)


def test_ward_table_counts_filters_and_coldspots(tmp_path, con, schema):
    f = tmp_path / "ward.csv"
    pd.DataFrame({
        "Funding Org:Name": ["Big Fund", "Big Fund", "Big Fund", "Department for X", "Big Fund"],
        "Award Year": ["2015", "2016", "2016", "2016", "2017"],
        "Recipient District Geographic Code": ["E09000001"] * 5,
        "Recipient Ward Geographic Code": ["E05000001", "E05000003", "E05000002",
                                           "E05000001", "E05000003"],
        "Recipient Region": ["London"] * 5,
        "Amount Awarded": ["100", "9000", "0", "500", "900"],
        "Identifier": ["2", "3", "1", "1", "4"],
    }).to_csv(f, index=False)
    r = import_file(con, f, schema)
    assert (r.records, r.invalid) == (5, 1)
    assert counts(con)["grants"] == 11
    gap = funding_gap(con, AREAS, None, Filters()).set_index("group")
    assert gap.loc["england", "grants"] == 10 and gap.loc["england", "amount_gbp"] == 10500
    nogov = funding_gap(con, AREAS, None, Filters(exclude_government=True)).set_index("group")
    assert nogov.loc["england", "amount_gbp"] == 10000
    y = funding_gap(con, AREAS, None, Filters(date_from="2016", date_to="2016-12-31"))
    assert y.set_index("group").loc["england", "grants"] == 4
    by = funding_gap(con, AREAS, None, Filters(), by="funder")
    assert set(by["funder"].dropna()) == {"Big Fund", "Department for X"}
    cold = cold_spots(con, AREAS, None, Filters(funders=["BIG FUND"]), imd_share=1.0,
                      threshold=0.5)
    assert list(cold["area_code"]) == ["E05000002", "E05000001"]
    assert (cold["owed_gbp"] > 0).all() and cold["owed_gbp"].is_monotonic_decreasing
