"""The end of every import, inside its final transaction: extra schema checks, duplicates,
the quality report's rows and the import record.

Why on the stored rows: whether a file's records were written straight into the store (big
JSON packages, :mod:`leftbehind.funding.ingest_parallel`) or inserted from a staging table,
they are then in ``grants`` under the file's SHA-256, so one set of statements finishes
both. Nothing here is visible to anyone until the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb

from leftbehind.funding.schema import GrantSchema
from leftbehind.funding.store import IMPORT_IN_PROGRESS


def full_validation(con: duckdb.DuckDBPyConnection, sha: str, schema: GrantSchema,
                    records: Iterator[Any], offset: int) -> None:
    """Check the file's records that the fast checks passed with the complete JSON Schema
    validator, marking those it rejects invalid."""
    passed = {r[0] for r in con.execute(
        "SELECT row_no FROM grants WHERE file_sha256 = ? AND valid", [sha]).fetchall()}
    validator = schema.validator()
    found: list[tuple[int, str, str]] = []
    for n, record in enumerate(records, start=1 + offset):
        if n not in passed or not isinstance(record, dict):
            continue
        clean = {k: v for k, v in record.items() if not k.startswith("_")}
        for error in validator.iter_errors(clean):
            field = error.json_path.removeprefix("$.") or "(record)"
            found.append((n, field, " ".join(error.message.split())[:200]))
    if not found:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _extra (row_no BIGINT, field VARCHAR, "
                "problem VARCHAR)")
    con.executemany("INSERT INTO _extra VALUES (?, ?, ?)", found)
    con.execute("""UPDATE grants SET valid = FALSE, problem_list = x.p,
            problems = array_to_string(list_transform(x.p, lambda q: q.field || ': '
                                                      || q.problem), '; ')
        FROM (SELECT row_no, list({'field': field, 'problem': problem}) AS p
              FROM _extra GROUP BY row_no) x
        WHERE grants.file_sha256 = ? AND grants.row_no = x.row_no""", [sha])
    con.execute("DROP TABLE _extra")


def remove_duplicates(con: duckdb.DuckDBPyConnection, sha: str, path: str) -> int:
    """Delete the file's records whose id came earlier in the file or is already in the
    store (first seen wins), listing them in the quality report; how many.

    Usually no id repeats: that is checked first, cheaply (one hash aggregate, and one join
    if the store holds other files)."""
    across = ("""AND NOT EXISTS (SELECT 1 FROM grants n JOIN grants o USING (grant_id)
                                 WHERE n.file_sha256 = $sha AND o.file_sha256 <> $sha)"""
              if con.execute("SELECT 1 FROM imports LIMIT 1").fetchall() else "")
    clean = con.execute(f"""SELECT count(grant_id) = count(DISTINCT grant_id) {across}
        FROM grants WHERE file_sha256 = $sha""", {"sha": sha}).fetchall()[0][0]
    if clean:
        return 0
    con.execute("""CREATE OR REPLACE TEMP TABLE _dup AS
        WITH k AS (
            SELECT row_no, grant_id,
                   row_number() OVER (PARTITION BY grant_id ORDER BY row_no) AS k,
                   min(row_no) OVER (PARTITION BY grant_id) AS first_row
            FROM grants WHERE file_sha256 = $sha AND grant_id IS NOT NULL)
        SELECT row_no, grant_id, 'duplicate id: same as row ' || first_row
               || ' of this file; not stored' AS problem FROM k WHERE k > 1
        UNION ALL
        SELECT k.row_no, k.grant_id, 'duplicate id: already in the store (from '
               || any_value(i.path) || '); not stored'
        FROM k JOIN grants g ON g.grant_id = k.grant_id AND g.file_sha256 <> $sha
        LEFT JOIN imports i ON i.file_sha256 = g.file_sha256
        WHERE k.k = 1 GROUP BY k.row_no, k.grant_id""", {"sha": sha})
    con.execute("""DELETE FROM grants WHERE file_sha256 = ?
        AND row_no IN (SELECT row_no FROM _dup)""", [sha])
    con.execute("""INSERT INTO quality SELECT ?, ?, row_no, grant_id, 'id', problem,
        'duplicate' FROM _dup""", [sha, path])
    found = int(con.execute("SELECT count(*) FROM _dup").fetchall()[0][0])
    con.execute("DROP TABLE _dup")
    return found


def record_import(con: duckdb.DuckDBPyConnection, result: Any, duplicates: int) -> None:
    """Quality rows (invalid records, non-GBP warnings), the result's counts and the import
    record; clears the in-progress note."""
    sha, path = result.sha256, str(result.path)
    con.execute("""INSERT INTO quality
        SELECT ?, ?, row_no, grant_id, p.field, p.problem, 'invalid'
        FROM (SELECT row_no, grant_id, unnest(problem_list) AS p FROM grants
              WHERE file_sha256 = ? AND NOT valid)""", [sha, path, sha])
    con.execute("""INSERT INTO quality SELECT ?, ?, row_no, grant_id, 'currency',
            'not GBP (' || currency || '): kept, excluded from £ totals', 'warning'
        FROM grants WHERE file_sha256 = ? AND valid AND currency <> 'GBP'""",
                [sha, path, sha])
    row = con.execute("""SELECT count(*), count(*) FILTER (WHERE valid),
            count(*) FILTER (WHERE NOT valid),
            count(*) FILTER (WHERE valid AND currency <> 'GBP'),
            coalesce(sum(grant_count) FILTER (WHERE valid), 0)
        FROM grants WHERE file_sha256 = ?""", [sha]).fetchall()[0]
    result.stored, result.valid, result.invalid, result.non_gbp, result.grants = (
        int(v) for v in row)
    result.duplicates = duplicates
    result.records = result.stored + result.duplicates
    con.execute("""INSERT INTO imports (file_sha256, path, kind, imported_at, records, stored,
            valid, invalid, duplicates, bytes)
        VALUES (?, ?, ?, current_timestamp, ?, ?, ?, ?, ?, ?)""",
                [sha, path, result.kind, result.records, result.stored, result.valid,
                 result.invalid, result.duplicates, result.bytes])
    con.execute("DELETE FROM meta WHERE key = ?", [IMPORT_IN_PROGRESS])
