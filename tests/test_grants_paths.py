"""The three ways a JSON package is read (parallel typed parts, the whole array with every field
as JSON, ijson) give the same store; an interrupted import leaves the store as it was."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leftbehind.funding import ingest_json, ingest_parallel
from leftbehind.funding.ingest import import_file, quality_report
from leftbehind.funding.schema import GrantSchema, load_schema
from leftbehind.funding.store import IMPORT_IN_PROGRESS, counts, open_store


def grant(i: int, **over: object) -> dict:
    g: dict = {
        "id": f"360G-p-{i}", "title": f"Grant {i}", "description": "d", "currency": "GBP",
        "amountAwarded": 100.0 + i, "awardDate": "2019-05-01",
        "recipientOrganization": [{"id": f"GB-CHC-{i}", "name": "Org", "postalCode": "ab1 2cd"}],
        "fundingOrganization": [{"id": "GB-CHC-1", "name": " Funder One "}],
    }
    g.update(over)
    return {k: v for k, v in g.items() if v is not None}


MIXED = [
    grant(1),
    grant(2, id=12345),                                        # id not a string
    grant(3, title=None),                                      # missing
    grant(4, amountAwarded="100"),                             # amount a string
    grant(5, amountAwarded=-3),                                # negative
    grant(6, awardDate="2019-02-30"),                          # impossible date
    grant(7, awardDate="2019-06-01T10:00:00Z"),                # date-time: fine
    grant(8, currency="USD"),                                  # non-GBP: valid, warned
    grant(9, currency="XXQ"),                                  # not a currency
    grant(10, recipientOrganization=None,
          recipientIndividual={"id": "ind-1", "name": "A person"}),
    grant(11, recipientIndividual={"id": "x", "name": "y"}),   # both recipients
    grant(12, fundingOrganization=[{"id": "GB-1", "name": "A"}, {"id": "GB-2", "name": "B"}]),
    grant(13, fundingOrganization=[{"id": "GB-1", "name": "A"}, {"id": 7, "name": "B"}]),
    grant(14, fundingOrganization=[]),                         # no funder
    grant(15, recipientOrganization=[{"id": "x", "name": None}]),
    grant(16, beneficiaryLocation=[{"geoCode": "e05000001 ", "geoCodeType": "WD"},
                                   {"geoCode": "E01000001", "geoCodeType": "LSOA"}]),
    grant(17, beneficiaryLocation=[{"geoCode": "WD", "geoCodeType": "E05000002"}]),
    grant(18, dateModified="yesterday"),
    grant(19, dateModified="2020-01-01T00:00:00+01:00"),
    grant(1),                                                  # repeat of row 1
    grant(20, recipientOrganization=[{"id": "x", "name": "y", "postalCode": "sw1a-1aa"}]),
    grant(21, title="Caf\u00e9 \"quoted\" \\ title"),
]


@pytest.fixture(scope="module")
def schema(real_data_dir: Path) -> GrantSchema:
    return load_schema(real_data_dir / "360giving-schema")


def write_package(path: Path, grants: list, *, indent: int | None = 2) -> Path:
    path.write_text(json.dumps({"grants": grants}, indent=indent), encoding="utf-8")
    return path


def snapshot(store: Path) -> tuple[list, list]:
    con = open_store(store)
    try:
        rows = con.execute("""SELECT * EXCLUDE (file_sha256) FROM grants
            ORDER BY row_no""").fetchall()
        q = quality_report(con).drop(columns=["file"]).astype(object)
        q = q.where(q.notna(), "")
        return rows, sorted(tuple(str(v) for v in row) for row in q.values.tolist())
    finally:
        con.close()


def import_with(path: Path, store: Path, schema: GrantSchema, how: str,
                monkeypatch: pytest.MonkeyPatch, parts: int = 3) -> None:
    with monkeypatch.context() as m:
        if how == "parallel":
            m.setattr(ingest_json, "part_count", lambda size: parts)
        elif how == "json":
            m.setattr(ingest_parallel, "write_parts", lambda *a, **k: None)
        elif how == "ijson":
            m.setattr(ingest_json, "fast_path_span", lambda path: None)
        con = open_store(store)
        try:
            import_file(con, path, schema, validate="fast")
        finally:
            con.close()


def test_three_read_paths_give_the_same_store(tmp_path, schema, monkeypatch):
    package = write_package(tmp_path / "mixed.json", MIXED)
    got = {}
    for how in ("parallel", "json", "ijson"):
        import_with(package, tmp_path / f"{how}.duckdb", schema, how, monkeypatch)
        got[how] = snapshot(tmp_path / f"{how}.duckdb")
    assert got["parallel"] == got["json"] == got["ijson"]
    rows, quality = got["parallel"]
    assert len(rows) == len(MIXED) - 1  # the repeat of row 1 is not stored
    fields = {(int(q[0]), q[2]) for q in quality}  # (row, field)
    for row, field in [(2, "id"), (3, "title"), (4, "amountAwarded"), (5, "amountAwarded"),
                       (6, "awardDate"), (9, "currency"), (11, "recipientIndividual"),
                       (13, "fundingOrganization"), (14, "fundingOrganization"),
                       (15, "recipientOrganization"), (18, "dateModified"), (8, "currency")]:
        assert (row, field) in fields, (row, field)
    by_id = {r[1]: r for r in rows}
    valid = {gid for gid, r in by_id.items() if r[-3]}
    assert valid == {"360G-p-1", "360G-p-7", "360G-p-8", "360G-p-10", "360G-p-12",
                     "360G-p-16", "360G-p-17", "360G-p-19", "360G-p-20", "360G-p-21"}
    assert ("2", "", "id", "must be a string, got a number", "invalid") in quality
    dup = [q for q in quality if q[4] == "duplicate"]
    repeat = [i + 1 for i, g in enumerate(MIXED) if g["id"] == "360G-p-1"][1]
    assert dup == [(str(repeat), "360G-p-1", "id",
                    "duplicate id: same as row 1 of this file; not stored", "duplicate")]
    assert by_id["360G-p-1"][11] == "Funder One"           # trimmed funder name
    assert by_id["360G-p-1"][14] == "AB12CD"               # postcode key
    assert by_id["360G-p-20"][14] == "SW1A1AA"
    assert by_id["360G-p-16"][15] == "E01000001"           # finest beneficiary code
    assert by_id["360G-p-17"][15] == "E05000002"           # code and type swapped
    assert by_id["360G-p-21"][2] == 'Caf\u00e9 "quoted" \\ title'


def test_lists_of_the_wrong_shape_fall_back_and_are_reported(tmp_path, schema):
    grants = [grant(1), grant(2, recipientOrganization={"id": "x", "name": "y"}),
              grant(3, fundingOrganization=["GB-1"]), grant(4, beneficiaryLocation="E05000001"),
              grant(5)]
    con = open_store(tmp_path / "s.duckdb")
    r = import_file(con, write_package(tmp_path / "shape.json", grants), schema,
                    validate="fast")
    assert (r.valid, r.invalid) == (2, 3)
    q = quality_report(con).set_index("record_id")
    assert q.loc["360G-p-2", "problem"] == "must be an array, got an object"
    assert q.loc["360G-p-3", "problem"] == "must be an array of objects"
    assert q.loc["360G-p-4", "problem"] == "must be an array, got a string"
    assert not con.execute("SELECT * FROM meta WHERE key = ?", [IMPORT_IN_PROGRESS]).fetchall()


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(min_value=1, max_value=40), parts=st.integers(min_value=1, max_value=4),
       indent=st.sampled_from([None, 1, 4]))
def test_row_numbers_follow_the_file_whatever_the_parts(tmp_path_factory, schema, monkeypatch,
                                                        n, parts, indent):
    folder = tmp_path_factory.mktemp("rows")
    package = write_package(folder / "p.json", [grant(i) for i in range(n)], indent=indent)
    import_with(package, folder / "s.duckdb", schema, "parallel", monkeypatch, parts)
    rows, quality = snapshot(folder / "s.duckdb")
    assert [(r[0], r[1]) for r in rows] == [(i + 1, f"360G-p-{i}") for i in range(n)]
    assert quality == []


def test_parts_left_by_an_interrupted_import_are_discarded_on_open(tmp_path, schema):
    package = write_package(tmp_path / "p.json", [grant(i) for i in range(50)])
    store = tmp_path / "s.duckdb"
    con = open_store(store)
    import_file(con, write_package(tmp_path / "first.json", [grant(1000)]), schema)
    before = counts(con)
    span = ingest_json.fast_path_span(package)
    assert span is not None
    con.execute("ATTACH ':memory:' AS side")  # the parts' connections see it, unlike temp
    con.execute("CREATE TABLE side.cur AS SELECT 'GBP' AS code")
    with ingest_json.part_copies(package, *span) as parts:
        assert parts is not None
        assert ingest_parallel.write_parts(con, schema, parts, "f" * 64, "side.cur") is not None
    assert counts(con)["rows"] == before["rows"] + 50  # written, committed, not adopted
    con.close()  # as if the process had died before the final transaction
    con = open_store(store)
    assert counts(con) == before
    assert not con.execute("SELECT * FROM meta WHERE key = ?", [IMPORT_IN_PROGRESS]).fetchall()
    con.close()


KILLED_IMPORT = """
import sys
from leftbehind.funding import ingest_json
from leftbehind.funding.ingest import import_file
from leftbehind.funding.schema import load_schema
from leftbehind.funding.store import open_store
ingest_json.part_count = lambda size: 2
con = open_store(sys.argv[1])
print("ready", flush=True)
import_file(con, sys.argv[2], load_schema(sys.argv[3]), validate="fast")
print("done", flush=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.8])
def test_killed_import_leaves_the_store_as_before_or_complete(tmp_path, schema, delay):
    n = 60_000
    package = write_package(tmp_path / "big.json", [grant(i) for i in range(n)], indent=None)
    store = tmp_path / "s.duckdb"
    con = open_store(store)
    import_file(con, write_package(tmp_path / "first.json", [grant(10**7)]), schema)
    before = counts(con)
    con.close()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_IMPORT, str(store), str(package),
                             str(schema.path)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ})
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    con = open_store(store)
    after = counts(con)
    con.close()
    complete = after["grants"] == before["grants"] + n and after["files"] == before["files"] + 1
    assert after == before or complete, (delay, before, after)


def test_store_made_before_sizes_and_problem_lists_is_upgraded(tmp_path, schema):
    import duckdb

    store = tmp_path / "old.duckdb"
    old = duckdb.connect(str(store))
    old.execute("""CREATE TABLE imports (file_sha256 VARCHAR PRIMARY KEY, path VARCHAR,
        kind VARCHAR, imported_at TIMESTAMP DEFAULT current_timestamp, records BIGINT,
        stored BIGINT, valid BIGINT, invalid BIGINT, duplicates BIGINT)""")
    old.execute("""CREATE TABLE grants (file_sha256 VARCHAR, row_no BIGINT, grant_id VARCHAR,
        title VARCHAR, currency VARCHAR, amount DOUBLE, grant_count BIGINT, award_date DATE,
        date_lo DATE, date_hi DATE, award_year INTEGER, funder_id VARCHAR,
        funder_name VARCHAR, recipient_id VARCHAR, recipient_name VARCHAR, postcode VARCHAR,
        ben_code VARCHAR, rec_code VARCHAR, aggregated BOOLEAN, valid BOOLEAN,
        problems VARCHAR)""")
    old.execute("INSERT INTO imports VALUES ('a', 'old.json', 'json', now(), 1, 1, 1, 0, 0)")
    old.execute("""INSERT INTO grants (file_sha256, row_no, grant_id, currency, amount,
        grant_count, valid) VALUES ('a', 1, '360G-p-1', 'GBP', 5, 1, TRUE)""")
    old.close()
    con = open_store(store)
    r = import_file(con, write_package(tmp_path / "p.json", [grant(1), grant(2)]), schema)
    assert (r.stored, r.duplicates) == (1, 1)  # the old store's grant still counts as seen
    assert con.execute("SELECT bytes IS NOT NULL FROM imports WHERE path = ?",
                       [str(tmp_path / "p.json")]).fetchall() == [(True,)]
    con.close()


def test_parts_are_cut_between_grants_not_inside_their_lists(tmp_path, schema, monkeypatch):
    funders = [{"id": f"GB-F-{k}", "name": f"Funder {k}"} for k in range(6)]
    grants = [grant(i, fundingOrganization=funders) for i in range(40)]
    package = write_package(tmp_path / "many.json", grants, indent=1)
    span = ingest_json.fast_path_span(package)
    assert span is not None
    for target in range(span[0], span[1], 997):  # every cut found is between two grants
        cut = ingest_json.item_boundary(package, target, span[1])
        if cut is None:
            continue
        text = package.read_bytes()
        after = json.JSONDecoder().raw_decode(text[cut[1]:].decode())[0]
        assert "amountAwarded" in after, target
    written = []
    real = ingest_parallel.write_parts
    monkeypatch.setattr(ingest_parallel, "write_parts",
                        lambda *a, **k: written.append(real(*a, **k)) or written[-1])
    import_with(package, tmp_path / "s.duckdb", schema, "parallel", monkeypatch, parts=3)
    assert written and written[0] is not None and sum(written[0]) == 40  # no fallback
