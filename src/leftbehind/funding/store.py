"""The grant store: one DuckDB file holding grants, import records, quality problems, postcodes.

Why DuckDB: imports of millions of grants and summaries over them are column scans and hash
joins, which DuckDB runs in C++ on all cores; and each file's import is one transaction, so an
interrupted import leaves the store as it was.

Tables
- ``imports``: one row per imported file (keyed by its SHA-256: the same file twice adds nothing;
  its size in bytes lets a new file skip hashing before it is staged).
- ``grants``: one row per grant, or per group of grants for aggregated ward tables
  (``grant_count`` > 1, ``amount`` = their sum). Invalid records are kept with
  ``valid = false`` and their ``problems``; they never enter totals.
- ``quality``: every problem found: file, row, record id, field, problem.
- ``postcodes``: an ONS postcode directory (NSPL/ONSPD) loaded with ``--postcodes``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from leftbehind.errors import InputError
from leftbehind.settings import default_store_path

# Money is summed as an exact decimal: a float sum's last digits would depend on the order in
# which DuckDB's threads meet the rows, and the same inputs must give the same outputs.
EXACT_MONEY = "DECIMAL(38, 4)"

SCHEMA_VERSION = 1

DDL = (
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS imports (
        file_sha256 VARCHAR PRIMARY KEY, path VARCHAR, kind VARCHAR,
        imported_at TIMESTAMP DEFAULT current_timestamp,
        records BIGINT, stored BIGINT, valid BIGINT, invalid BIGINT, duplicates BIGINT,
        bytes BIGINT)""",
    # Stores made before the file size was recorded get the column (NULL for old imports).
    """ALTER TABLE imports ADD COLUMN IF NOT EXISTS bytes BIGINT""",
    """CREATE TABLE IF NOT EXISTS grants (
        file_sha256 VARCHAR, row_no BIGINT, grant_id VARCHAR, title VARCHAR,
        currency VARCHAR, amount DOUBLE, grant_count BIGINT,
        award_date DATE, date_lo DATE, date_hi DATE, award_year INTEGER,
        funder_id VARCHAR, funder_name VARCHAR, recipient_id VARCHAR, recipient_name VARCHAR,
        postcode VARCHAR, ben_code VARCHAR, rec_code VARCHAR,
        aggregated BOOLEAN, valid BOOLEAN, problems VARCHAR,
        problem_list STRUCT(field VARCHAR, problem VARCHAR)[])""",
    # Stores made before problems were kept as a list get the column (NULL for old rows,
    # whose problems are in ``quality`` already).
    """ALTER TABLE grants ADD COLUMN IF NOT EXISTS
        problem_list STRUCT(field VARCHAR, problem VARCHAR)[]""",
    """CREATE TABLE IF NOT EXISTS quality (
        file_sha256 VARCHAR, path VARCHAR, row_no BIGINT, record_id VARCHAR,
        field VARCHAR, problem VARCHAR, severity VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS postcodes (
        pcd VARCHAR, lsoa11 VARCHAR, lsoa21 VARCHAR, ward VARCHAR, lad VARCHAR,
        ctry VARCHAR, doterm VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS postcode_files (
        file_sha256 VARCHAR PRIMARY KEY, path VARCHAR, rows BIGINT,
        loaded_at TIMESTAMP DEFAULT current_timestamp)""",
)


# The store's grant columns, in order; an import's staged records provide them all but the first.
GRANT_COLUMNS = (
    "file_sha256", "row_no", "grant_id", "title", "currency", "amount", "grant_count",
    "award_date", "date_lo", "date_hi", "award_year", "funder_id", "funder_name",
    "recipient_id", "recipient_name", "postcode", "ben_code", "rec_code", "aggregated",
    "valid", "problems", "problem_list",
)
IMPORT_IN_PROGRESS = "import_in_progress"


def grant_values(file_sha256: str = "?") -> str:
    """SELECT list turning staged records (``row_no`` … ``problems`` as a list of
    ``{field, problem}``) into the store's grant columns, in :data:`GRANT_COLUMNS` order."""
    return f"""{file_sha256}, row_no, grant_id, title, currency, amount, grant_count,
        award_date, date_lo, date_hi, award_year, funder_id, funder_name, recipient_id,
        recipient_name, postcode, ben_code, rec_code, aggregated, len(problems) = 0,
        CASE WHEN len(problems) > 0 THEN array_to_string(
            list_transform(problems, lambda p: p.field || ': ' || p.problem), '; ') END,
        CASE WHEN len(problems) > 0 THEN problems END"""


def discard_unfinished_import(con: duckdb.DuckDBPyConnection) -> None:
    """Remove what an interrupted import left: rows of files with no import record.

    A big JSON package is written by several connections at once (one per part, each in
    its own transaction), and only the final transaction, which records the import, makes
    the file count; an import marks itself in ``meta`` first, so a process killed in
    between is noticed and undone here, the next time the store is opened."""
    if not con.execute("SELECT 1 FROM meta WHERE key = ?", [IMPORT_IN_PROGRESS]).fetchall():
        return
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("grants", "quality"):
            con.execute(f"""DELETE FROM {table} WHERE file_sha256 NOT IN
                (SELECT file_sha256 FROM imports)""")
        con.execute("DELETE FROM meta WHERE key = ?", [IMPORT_IN_PROGRESS])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def store_path(path: Path | str | None) -> Path:
    """The store file: the one given, else the default (``LEFTBEHIND_STORE`` or user data)."""
    return Path(path).expanduser() if path is not None else default_store_path()


def open_store(path: Path | str | None = None, *, create: bool = True) -> duckdb.DuckDBPyConnection:
    """Open (and if needed create) the store; a missing store is an error when not creating."""
    target = store_path(path)
    if not target.exists():
        if not create:
            raise InputError("grant store not found; import grants first", path=target)
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(target))
    except duckdb.Error as exc:
        raise InputError(f"cannot open grant store ({exc})", path=target) from None
    for statement in DDL:
        con.execute(statement)
    con.execute(
        "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
    )
    discard_unfinished_import(con)
    return con


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """Headline numbers of the store (used by ``grants status`` and by tests)."""
    row = con.execute(
        f"""SELECT count(*), coalesce(sum(grant_count), 0),
                  coalesce(sum(grant_count) FILTER (WHERE valid), 0),
                  coalesce(sum(grant_count) FILTER (WHERE NOT valid), 0),
                  coalesce(sum(amount::{EXACT_MONEY})
                           FILTER (WHERE valid AND currency = 'GBP'), 0)::DOUBLE,
                  coalesce(sum(grant_count) FILTER (WHERE valid AND currency <> 'GBP'), 0),
                  (SELECT count(*) FROM imports), (SELECT count(*) FROM quality),
                  (SELECT count(*) FROM postcodes)
           FROM grants"""
    ).fetchall()[0]
    assert row is not None
    keys = ("rows", "grants", "valid", "invalid", "amount_gbp", "non_gbp", "files",
            "problems", "postcodes")
    return dict(zip(keys, (float(v) for v in row), strict=True))
