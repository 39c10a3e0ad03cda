"""Writing a big JSON package straight into the store, one part per core.

Why: DuckDB reads one JSON array on one thread. Cut into parts (see
:func:`leftbehind.funding.ingest_json.part_copies`), the parts are read, checked and written
by one connection each, at once, so reading, the checks and the store's compression all use
every core, and no intermediate table is built.

Atomicity: each part's connection has its own transaction; they commit only when every part
has been written, and the rows become an import only in the caller's final transaction, which
also numbers the rows of later parts after those of earlier ones. Rows of parts after the
first carry a marker instead of the file's SHA-256 until then. Before any part is written
the store's ``meta`` table notes the import in progress, so that if the process is killed in
between, :func:`leftbehind.funding.store.discard_unfinished_import` removes the parts' rows
the next time the store is opened.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

from leftbehind.funding import checks, ingest_json
from leftbehind.funding.schema import GrantSchema
from leftbehind.funding.store import GRANT_COLUMNS, IMPORT_IN_PROGRESS, grant_values


def part_marker(sha: str, index: int) -> str:
    """``file_sha256`` of part ``index``'s rows until the import is recorded."""
    return sha if index == 0 else f"{sha}#{index}"


def write_parts(con: duckdb.DuckDBPyConnection, schema: GrantSchema, parts: list[Path],
                sha: str, currencies: str) -> list[int] | None:
    """Write each part's records into ``grants`` (committed, under :func:`part_marker`);
    the number of records of each part, or ``None`` (nothing written) if any part does not
    read cleanly with typed lists: the caller then reads the file the general way."""
    reader = ingest_json.duckdb_reader("array", checks.reader_columns(schema, typed=True))
    select = checks.stage_select(schema, currencies).replace(
        checks.SOURCE, checks.typed_source(schema, reader))
    columns = ", ".join(GRANT_COLUMNS)
    counts: list[int] = [0] * len(parts)
    errors: list[BaseException] = []
    written = threading.Barrier(len(parts))
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [IMPORT_IN_PROGRESS, sha])

    def write(index: int, part: Path) -> None:
        try:
            with con.cursor() as cur:
                cur.execute("BEGIN TRANSACTION")
                marker = f"'{part_marker(sha, index)}'"  # hex digits and '#': no quoting
                try:
                    row = cur.execute(
                        f"INSERT INTO grants ({columns}) SELECT {grant_values(marker)} "
                        f"FROM ({select})", [str(part)]).fetchall()
                    counts[index] = int(row[0][0])
                except BaseException as exc:
                    errors.append(exc)
                written.wait()  # every part is written (or has failed) before any commits
                cur.execute("COMMIT" if not errors else "ROLLBACK")
        except BaseException as exc:
            errors.append(exc)
            written.abort()

    threads = [threading.Thread(target=write, args=(i, part), daemon=True)
               for i, part in enumerate(parts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        discard_parts(con, sha, len(parts))
        problem = next((e for e in errors if not isinstance(
            e, (duckdb.Error, threading.BrokenBarrierError))), None)
        if problem is not None:
            raise problem
        return None
    return counts


def adopt_parts(con: duckdb.DuckDBPyConnection, sha: str, counts: list[int]) -> None:
    """In the caller's transaction: give later parts' rows the file's SHA-256 and number
    them after the earlier parts' rows."""
    offset = counts[0]
    for index in range(1, len(counts)):
        con.execute("UPDATE grants SET file_sha256 = ?, row_no = row_no + ? "
                    "WHERE file_sha256 = ?", [sha, offset, part_marker(sha, index)])
        offset += counts[index]


def discard_parts(con: duckdb.DuckDBPyConnection, sha: str, count: int) -> None:
    """Remove the parts' rows (after a failure) and the in-progress note."""
    markers = [part_marker(sha, i) for i in range(count)]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM grants WHERE file_sha256 IN (SELECT unnest(?::VARCHAR[])) "
                    "AND ? NOT IN (SELECT file_sha256 FROM imports)", [markers, sha])
        con.execute("DELETE FROM meta WHERE key = ?", [IMPORT_IN_PROGRESS])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
