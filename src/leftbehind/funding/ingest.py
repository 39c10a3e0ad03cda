"""Importing grant files into the store: detect the layout, stage, check, deduplicate, commit.

Why this shape: every layout (JSON package, flattened CSV/XLSX, ward table) is first *staged*
into one table with the same columns and a list of problems per record, in an in-memory
database attached for the import; the duplicate handling and the final insert are then the
same SQL for all. Each file is one DuckDB transaction: an error or a killed process leaves
the store exactly as it was.

Checks (see ``docs/GRANTS.md`` and :mod:`leftbehind.funding.checks`): the fast checks are
vectorised SQL generated from the schema, plus two rules the schema does not state but totals
need: amounts must be positive. Small files (``validate="auto"``) are also checked record by
record with the full JSON Schema validator.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from leftbehind.errors import InputError
from leftbehind.funding import (
    checks,
    ingest_finish,
    ingest_flat,
    ingest_json,
    ingest_parallel,
    ingest_ward_table,
)
from leftbehind.funding.schema import GrantSchema
from leftbehind.funding.store import GRANT_COLUMNS, grant_values
from leftbehind.sources.bundle import sha256_file

FULL_VALIDATION_MAX_BYTES = 10 * 1024 * 1024


@dataclass
class ImportResult:
    """What one file's import did."""

    path: Path
    sha256: str
    kind: str
    bytes: int = 0
    skipped: bool = False
    records: int = 0
    stored: int = 0
    valid: int = 0
    invalid: int = 0
    duplicates: int = 0
    non_gbp: int = 0
    grants: int = 0
    seconds: float = 0.0
    validation: str = "fast"


def detect_kind(path: Path) -> tuple[str, list[str]]:
    """``json``, ``xlsx``, ``flat_csv`` or ``ward_table`` (by suffix, then by CSV header)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json", []
    if suffix in (".xlsx", ".xlsm"):
        return "xlsx", []
    if suffix == ".csv":
        import csv

        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                header = [h.strip() for h in next(csv.reader(handle), [])]
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
        if ingest_ward_table.is_ward_table(header):
            return "ward_table", header
        if all(t in header for t in ingest_flat.REQUIRED_TITLES):
            return "flat_csv", header
        raise InputError(
            "unrecognised CSV: expected 360Giving columns ('Identifier', 'Amount Awarded', …) "
            "or a ward table ('Funding Org:Name', 'Award Year', 'Recipient Ward Geographic "
            "Code', …)", path=path, row=1)
    raise InputError(f"unsupported grant file type '{suffix or '(none)'}': use .json, .csv "
                     "or .xlsx", path=path)


# --- staging -------------------------------------------------------------------------------
@contextlib.contextmanager
def _staging_area(con: duckdb.DuckDBPyConnection) -> Iterator[str]:
    """An in-memory database attached for one import, holding its intermediate tables (its
    name is yielded); detaching it frees them all, however the import ends.

    Not temp tables: the parallel readers use cursors, which cannot see each other's."""
    name = f"_stage_{uuid.uuid4().hex}"
    con.execute(f"ATTACH ':memory:' AS {name}")
    try:
        yield name
    finally:
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DETACH DATABASE IF EXISTS {name}")


def _read_raw(con: duckdb.DuckDBPyConnection, area: str, schema: GrantSchema, source: str,
              fmt: str, offset: int, *, package: bool, records: bool = True) -> None:
    """Read ``source`` with every field as JSON into ``raw``, then stage it.

    The general path (any file the typed read refused, and records re-serialised from
    Python). Two statements, not one: the reader runs on one thread, while the staging
    expressions over a table run on all of them."""
    fields = checks.read_fields(schema)
    if records:
        columns = checks.reader_columns(schema, typed=False, package=package)
        read = f"SELECT * FROM {ingest_json.duckdb_reader(fmt, columns)}"
    else:
        picks = ", ".join(
            f"""CASE WHEN json_type(json) = 'OBJECT' THEN json_extract(json, '$."{f}"') END
                AS "{f}" """ for f in fields)
        read = f"""SELECT {picks},
                   CASE WHEN json_type(json) <> 'OBJECT' THEN to_json({checks.json_kind('json')})
                   END AS _not_object
            FROM {ingest_json.duckdb_reader(fmt)}"""
    try:
        con.execute(f"CREATE OR REPLACE TABLE {area}.raw AS {read}", [source])
        # The table keeps the reader's order (insertion order is preserved), so its rowid is
        # the record's index: cheaper than ``row_number() OVER ()``, a blocking window.
        numbered = f"(SELECT rowid + 1 + {offset} AS row_no, * FROM {area}.raw)"
        select = checks.stage_select(schema, f"{area}._currencies")
        con.execute(f"CREATE OR REPLACE TABLE {area}.staged AS "
                    + select.replace(checks.SOURCE,
                                     checks.json_source(schema, numbered, package=package)))
    finally:
        con.execute(f"DROP TABLE IF EXISTS {area}.raw")


def _stage_json(con: duckdb.DuckDBPyConnection, area: str, path: Path, schema: GrantSchema,
                hasher: _Hasher) -> list[int] | None:
    """Read a JSON package: straight into the store, in parallel parts, when it is a plain
    ``{"grants": [...]}`` whose lists read as typed (returns the parts' record counts); else
    stage it (``None``): the whole array with every field as JSON, else through ijson."""
    span = ingest_json.fast_path_span(path)
    if span is None:
        _stage_records(con, area, schema, ingest_json.iter_package(path), 0, path, package=True)
        return None
    with ingest_json.part_copies(path, *span) as parts:
        if parts is not None:
            counts = ingest_parallel.write_parts(con, schema, parts, hasher.result(),
                                                 f"{area}._currencies")
            if counts is not None:
                return counts
    with ingest_json.span_copy(path, *span) as copy:
        for records in (True, False):
            feed: contextlib.AbstractContextManager[tuple[str, list[BaseException]]] = (
                contextlib.nullcontext((str(copy), [])) if copy is not None
                else ingest_json.fifo_feed(ingest_json.copy_span(path, *span)))
            with feed as (source, _):
                try:
                    _read_raw(con, area, schema, source, "array", 0, package=True,
                              records=records)
                    return None
                except duckdb.Error as exc:
                    text = str(exc)
                    if records and "Expected OBJECT" in text:
                        continue  # some items are not objects: read them as values
                    if "Expected OBJECT" in text or "transform" in text.lower():
                        break
                    raise InputError(f"invalid or truncated JSON ({_duck_message(exc)})",
                                     path=path) from None
    _stage_records(con, area, schema, ingest_json.iter_package(path), 0, path, package=True)
    return None


def _stage_records(con: duckdb.DuckDBPyConnection, area: str, schema: GrantSchema,
                   records: Iterator[Any], offset: int, path: Path, *, package: bool) -> None:
    with ingest_json.fifo_feed(ingest_json.lines_writer(records)) as (fifo, errors):
        try:
            _read_raw(con, area, schema, fifo, "newline_delimited", offset, package=package)
        except duckdb.Error as exc:
            if errors:
                raise errors[0] from None
            raise InputError(f"unreadable records ({_duck_message(exc)})", path=path) from None
    if errors:
        if isinstance(errors[0], InputError):
            raise errors[0]
        raise InputError(f"unreadable file ({errors[0]})", path=path) from errors[0]


def _duck_message(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:240]


# --- the import -----------------------------------------------------------------------------
class _Hasher:
    """SHA-256 of a file, on a thread when asked: the hash identifies an import, and on a
    big file it costs as much as the copies made for reading, which it can overlap."""

    def __init__(self, path: Path, background: bool) -> None:
        self.path = path
        self.value: str | None = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        if background:
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()
        else:
            self._run()

    def _run(self) -> None:
        try:
            self.value = sha256_file(self.path)
        except BaseException as exc:
            self.error = exc

    def result(self) -> str:
        if self.thread is not None:
            self.thread.join()
        if self.error is not None:
            raise InputError(f"cannot read file ({self.error})", path=self.path)
        assert self.value is not None
        return self.value


def _already_imported(con: duckdb.DuckDBPyConnection, sha: str) -> bool:
    return bool(con.execute("SELECT 1 FROM imports WHERE file_sha256 = ?", [sha]).fetchall())


def import_file(con: duckdb.DuckDBPyConnection, path: Path | str, schema: GrantSchema | None,
                *, validate: str = "auto") -> ImportResult:
    """Import one file as one transaction; a file already imported (same SHA-256) is skipped.

    ``schema`` (the 360Giving schema) is needed for grant records; aggregated ward tables are
    not 360Giving records and import without it."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    if not path.is_file():
        raise InputError("not a file", path=path)
    if validate not in ("auto", "full", "fast"):
        raise InputError(f"unknown validation mode '{validate}': use auto, full or fast")
    started = time.perf_counter()
    size = path.stat().st_size
    kind, header = detect_kind(path)
    if kind != "ward_table" and schema is None:
        raise InputError("360Giving grant records need the 360Giving schema (dataset "
                         "'schema_360giving'): give --data-dir with it or run 'leftbehind data "
                         "fetch schema_360giving'", path=path)
    # Hash first only if an earlier import could be this file (same size, or unknown size):
    # then a re-import is skipped at once. Otherwise the hash runs beside the reading.
    maybe_seen = bool(con.execute("SELECT 1 FROM imports WHERE bytes = ? OR bytes IS NULL "
                                  "LIMIT 1", [size]).fetchall())
    hasher = _Hasher(path, background=not maybe_seen)
    if maybe_seen and _already_imported(con, hasher.result()):
        return ImportResult(path=path, sha256=hasher.result(), kind=kind, skipped=True)
    full = kind != "ward_table" and (
        validate == "full" or (validate == "auto" and size <= FULL_VALIDATION_MAX_BYTES))
    with _staging_area(con) as area:
        # Staging writes only the staging area; parts written straight into the store are
        # not an import until the transaction below records it.
        parts: list[int] | None = None
        if kind == "ward_table":
            ingest_ward_table.stage_ward_table(con, path, header, f"{area}.staged")
        else:
            assert schema is not None
            con.execute(f"CREATE TABLE {area}._currencies AS "
                        "SELECT unnest(?::VARCHAR[]) AS code", [schema.currencies])
            if kind == "json":
                parts = _stage_json(con, area, path, schema, hasher)
            else:
                _stage_records(con, area, schema, _records(path, kind, schema), 1, path,
                               package=False)
        result = ImportResult(path=path, sha256=hasher.result(), kind=kind, bytes=size,
                              validation="full" if full else "fast")
        _finish(con, result, area, parts, schema if full else None)
    result.seconds = time.perf_counter() - started
    return result


def _finish(con: duckdb.DuckDBPyConnection, result: ImportResult, area: str,
            parts: list[int] | None, schema: GrantSchema | None) -> None:
    """The final transaction: store the staged records (or adopt the parts written
    directly), check fully if ``schema`` is given, drop duplicates, record the import."""
    sha = result.sha256
    con.execute("BEGIN TRANSACTION")
    try:
        if parts is None:
            con.execute(f"INSERT INTO grants ({', '.join(GRANT_COLUMNS)}) "
                        f"SELECT {grant_values()} FROM {area}.staged", [sha])
        else:
            ingest_parallel.adopt_parts(con, sha, parts)
        if schema is not None:
            offset = 0 if result.kind == "json" else 1  # spreadsheet rows: header is row 1
            ingest_finish.full_validation(con, sha, schema,
                                          _records(result.path, result.kind, schema), offset)
        duplicates = ingest_finish.remove_duplicates(con, sha, str(result.path))
        ingest_finish.record_import(con, result, duplicates)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        if parts is not None:
            ingest_parallel.discard_parts(con, sha, len(parts))
        raise


def _records(path: Path, kind: str, schema: GrantSchema) -> Iterator[Any]:
    if kind == "json":
        return ingest_json.iter_package(path)
    if kind == "xlsx":
        return ingest_flat.iter_xlsx(path, schema)
    return ingest_flat.iter_csv(path, schema)


def quality_report(con: duckdb.DuckDBPyConnection) -> Any:
    """All problems found, as a table: file, row, record id, field, problem, severity."""
    return con.execute("""SELECT path AS file, row_no AS row, record_id, field, problem,
        severity FROM quality ORDER BY path, row_no, field""").df()
