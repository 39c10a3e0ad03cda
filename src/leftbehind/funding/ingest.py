"""Importing grant files into the store: detect the layout, stage, check, deduplicate, commit.

Why this shape: every layout (JSON package, flattened CSV/XLSX, ward table) is first *staged*
into one temporary table with the same columns and a list of problems per record; the checks,
duplicate handling and the final insert are then the same SQL for all. Each file is one DuckDB
transaction: an error or a killed process leaves the store exactly as it was.

Checks (see ``docs/GRANTS.md``): the fast checks are vectorised SQL generated from the schema
(required fields and their JSON types, the ``oneOf`` recipient rule, organisation ``id``/``name``,
currency codelist, award date pattern and calendar validity, ``dateModified`` date-time) plus
two rules the schema does not state but totals need: amounts must be positive. Small files
(``validate="auto"``) are also checked record by record with the full JSON Schema validator.
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
from leftbehind.funding import ingest_flat, ingest_json, ingest_ward_table
from leftbehind.funding.schema import DATE_RE, DATETIME_RE, GrantSchema
from leftbehind.sources.bundle import sha256_file

EXTRA_FIELDS = ("beneficiaryLocation", "dateModified", "_recipient_codes", "_not_object")
GSS_RE = r"^[EWSNK][0-9]{8}$"
LSOA_PREFIXES = ("E01", "W01")
WARD_PREFIXES = ("E05", "W05", "S13", "N08")
RAW = "__RAW__"
FULL_VALIDATION_MAX_BYTES = 10 * 1024 * 1024
_JSON_TYPES = {
    "string": "('VARCHAR')",
    "number": "('DOUBLE', 'BIGINT', 'UBIGINT', 'HUGEINT')",
    "integer": "('BIGINT', 'UBIGINT', 'HUGEINT')",
    "array": "('ARRAY')",
    "object": "('OBJECT')",
    "boolean": "('BOOLEAN')",
}


@dataclass
class ImportResult:
    """What one file's import did."""

    path: Path
    sha256: str
    kind: str
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
def _fields(schema: GrantSchema) -> list[str]:
    wanted = [*schema.required_common, *schema.recipient_alternatives, *EXTRA_FIELDS]
    return list(dict.fromkeys(wanted))


def _read_raw(con: duckdb.DuckDBPyConnection, source: str, fmt: str, fields: list[str],
              offset: int, stage: str, records: bool = True) -> None:
    """Read ``source`` with DuckDB's JSON reader into the temp table ``raw`` (one JSON column
    per field), then run the staging SQL ``stage`` over it.

    Two statements, not one: the reader runs on one thread,
    while the staging expressions over a table run on all of them; for a million grants that
    is about a third faster than evaluating them inside the reading query.
    """
    if records:
        columns = "{" + ", ".join(f"'{f}': 'JSON'" for f in fields) + "}"
        read = f"""SELECT *
            FROM read_json(?, format = '{fmt}', records = true, columns = {columns},
                           maximum_object_size = 67108864)"""
    else:
        picks = ", ".join(
            f"""CASE WHEN json_type(json) = 'OBJECT' THEN json_extract(json, '$."{f}"') END
                AS "{f}" """ for f in fields if f != "_not_object")
        read = f"""SELECT {picks},
                   CASE WHEN json_type(json) <> 'OBJECT' THEN to_json(lower(json_type(json)))
                   END AS _not_object
            FROM read_json(?, format = '{fmt}', records = false,
                           maximum_object_size = 67108864)"""
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS {read}", [source])
        # The table keeps the reader's order (insertion order is preserved), so its rowid is
        # the record's index: cheaper than ``row_number() OVER ()``, a blocking window.
        con.execute(stage.replace(RAW, f"(SELECT rowid + 1 + {offset} AS row_no, * FROM raw)"))
    finally:
        con.execute("DROP TABLE IF EXISTS raw")


def _stage_json_bytes(con: duckdb.DuckDBPyConnection, path: Path, fields: list[str],
                      stage: str) -> None:
    """Stage a JSON package into ``raw``: fast path through DuckDB, else via ijson."""
    span = ingest_json.fast_path_span(path)
    if span is not None and _stage_split(con, path, span, fields, stage):
        return
    if span is not None:
        with ingest_json.span_copy(path, *span) as copy:
            for records in (True, False):
                feed: contextlib.AbstractContextManager[tuple[str, list[BaseException]]] = (
                    contextlib.nullcontext((str(copy), [])) if copy is not None
                    else ingest_json.fifo_feed(ingest_json.copy_span(path, *span)))
                with feed as (source, _):
                    try:
                        _read_raw(con, source, "array", fields, 0, stage, records)
                        return
                    except duckdb.Error as exc:
                        text = str(exc)
                        if records and "Expected OBJECT" in text:
                            continue  # some items are not objects: read them as values
                        if "Expected OBJECT" in text or "transform" in text.lower():
                            break
                        raise InputError(f"invalid or truncated JSON ({_duck_message(exc)})",
                                         path=path) from None
    _stage_records(con, ingest_json.iter_package(path), fields, 0, path, stage)


def _stage_split(con: duckdb.DuckDBPyConnection, path: Path, span: tuple[int, int],
                 fields: list[str], stage: str) -> bool:
    """Stage a large package read as two halves on two threads; ``False`` (nothing staged) if
    it cannot be split or either half does not read cleanly as objects: the caller then
    reads the whole array, which also gives the error messages.

    DuckDB reads one JSON file on one thread; two files read by two cursors at once take
    about 60 % of the time. Each half goes into a table of an in-memory database attached
    for the purpose (cursors cannot see each other's temp tables); a table's rowid is the
    record's index within its half.
    """
    columns = "{" + ", ".join(f"'{f}': 'JSON'" for f in fields) + "}"
    name = f"_split_{uuid.uuid4().hex}"
    with ingest_json.split_copies(path, *span) as parts:
        if parts is None:
            return False
        con.execute(f"ATTACH ':memory:' AS {name}")
        try:
            errors: list[BaseException] = []

            def read(index: int, part: Path) -> None:
                try:
                    with con.cursor() as cur:
                        cur.execute(f"""CREATE TABLE {name}.half{index} AS SELECT *
                            FROM read_json(?, format = 'array', records = true,
                                           columns = {columns}, maximum_object_size = 67108864)
                            """, [str(part)])
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=read, args=(i, part), daemon=True)
                       for i, part in enumerate(parts)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if errors:
                return False
            both = f"""(SELECT rowid + 1 AS row_no, * FROM {name}.half0
                UNION ALL SELECT rowid + 1 + (SELECT count(*) FROM {name}.half0), *
                FROM {name}.half1)"""
            try:
                con.execute(stage.replace(RAW, both))
            except duckdb.Error:
                return False  # the whole-array path reports it as it always has
            return True
        finally:
            con.execute(f"DETACH DATABASE IF EXISTS {name}")


def _stage_records(con: duckdb.DuckDBPyConnection, records: Iterator[Any], fields: list[str],
                   offset: int, path: Path, stage: str) -> None:
    with ingest_json.fifo_feed(ingest_json.lines_writer(records)) as (fifo, errors):
        try:
            _read_raw(con, fifo, "newline_delimited", fields, offset, stage)
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


# A JSON column holds its value re-serialised by DuckDB (minified), so the first character
# gives the type of strings, numbers, arrays and objects without parsing the value again
# (``NaN``/``Infinity`` are numbers to DuckDB's reader; ``null``/``true``/``false`` are not).
_FIRST_CHARS = {
    "string": "('\"')",
    "number": "('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'N', 'I')",
    "array": "('[')",
    "object": "('{')",
}


def _type_check(column: str, kind: str) -> str:
    if kind in _FIRST_CHARS:
        return f"left(\"{column}\"::VARCHAR, 1) IN {_FIRST_CHARS[kind]}"
    return f"json_type(\"{column}\") IN {_JSON_TYPES.get(kind, _JSON_TYPES['string'])}"


def stage_sql(schema: GrantSchema) -> str:
    """SQL turning ``raw`` (one JSON column per field) into ``staged``, generated from the
    schema's required fields and types."""
    checks: list[str] = ["""CASE WHEN _not_object IS NOT NULL THEN
        {'field': '(record)', 'problem': 'not a JSON object but ' || (_not_object->>'$')} END"""]
    props = schema.grant["properties"]
    for field in schema.required_common:
        kind = schema.resolve(props.get(field, {})).get("type", "string")
        checks.append(f"""CASE WHEN _not_object IS NOT NULL THEN NULL
            WHEN "{field}" IS NULL THEN {{'field': '{field}', 'problem': 'required field missing'}}
            WHEN NOT {_type_check(field, kind)} THEN {{'field': '{field}', 'problem':
                'must be {'an' if kind[0] in 'aeiou' else 'a'} {kind}, got '
                || lower(json_type("{field}"))}} END""")
    alternatives = schema.recipient_alternatives
    if alternatives:
        present = " + ".join(f'("{a}" IS NOT NULL)::INT' for a in alternatives)
        names = " or ".join(alternatives)
        checks.append(f"""CASE WHEN _not_object IS NULL AND {present} = 0 THEN
            {{'field': '{alternatives[0]}', 'problem': 'required field missing (one of {names})'}}
            WHEN {present} > 1 THEN {{'field': '{alternatives[-1]}',
            'problem': 'give only one of {names}'}} END""")
    org_required = schema.organization_required
    # One parse per organisation list: JSON of its second item (to tell a list of one) and of
    # the first item's fields, whose types and string values are then read cheaply.
    org_keys = {field: list(dict.fromkeys([*own, *org_required])) for field, own in (
        ("recipientOrganization", ["id", "name", "postalCode"]),
        ("fundingOrganization", ["id", "name"]))}
    for field in ("recipientOrganization", "fundingOrganization"):
        if field not in props:
            continue
        item_ok = " AND ".join(f"json_type(x, '$.{r}') = 'VARCHAR'" for r in org_required)
        # The usual case, one organisation with string fields, is checked without a lambda
        # (one parse giving the types of the value, of a second item and of the first item's
        # fields, computed in ``e``); anything else gets the general per-item check.
        one_ok = " AND ".join(f"left(_j_{field}[{org_keys[field].index(r) + 2}]::VARCHAR, 1)"
                              " = '\"'" for r in org_required)
        checks.append(f"""CASE WHEN {_type_check(field, 'array')}
                AND NOT coalesce(_j_{field}[1] IS NULL AND {one_ok}, FALSE)
                AND (json_array_length("{field}") < 1 OR NOT coalesce(list_bool_and(list_transform(
                json_extract("{field}", '$[*]'), lambda x: {item_ok})), FALSE))
            THEN {{'field': '{field}', 'problem':
                'needs at least one organisation, each with a string {" and ".join(org_required)}'
            }} END""")
    checks += [
        """CASE WHEN currency_s IS NOT NULL AND currency_s NOT IN (SELECT code FROM _currencies)
            THEN {'field': 'currency', 'problem': 'not an ISO 4217 currency code: '
                  || currency_s} END""",
        """CASE WHEN amount IS NOT NULL AND amount <= 0 THEN {'field': 'amountAwarded',
            'problem': 'not positive: ' || ("amountAwarded"->>'$')} END""",
        """CASE WHEN date_s IS NOT NULL AND award_date IS NULL THEN {'field': 'awardDate',
            'problem': 'not a valid date (YYYY-MM-DD or date-time): ' || date_s} END""",
        f"""CASE WHEN "dateModified" IS NOT NULL AND NOT ({_type_check('dateModified', 'string')}
                AND regexp_full_match("dateModified"->>'$', '{DATETIME_RE}'))
            THEN {{'field': 'dateModified', 'problem': 'not a date-time: '
                  || ("dateModified"->>'$')}} END""",
        """CASE WHEN "beneficiaryLocation" IS NOT NULL
                AND json_type("beneficiaryLocation") <> 'ARRAY'
            THEN {'field': 'beneficiaryLocation', 'problem': 'must be an array'} END""",
    ]
    gss = f"'{GSS_RE}'"
    lsoa = ", ".join(f"'{p}'" for p in LSOA_PREFIXES)
    ward = ", ".join(f"'{p}'" for p in WARD_PREFIXES)
    org_json = "".join(
        f"""json_extract("{field}", ['$[1]', {", ".join(f"'$[0].{k}'" for k in keys)}])
            AS _j_{field},""" for field, keys in org_keys.items())

    def org_value(field: str, key: str) -> str:
        item = f"_j_{field}[{org_keys[field].index(key) + 2}]"
        # A JSON string without escapes is its text between the quotes.
        return f"""CASE WHEN left({item}::VARCHAR, 1) = '"' AND NOT contains({item}::VARCHAR,
            '\\') THEN ({item}::VARCHAR)[2:-2] ELSE {item}->>'$' END"""

    return f"""
    CREATE OR REPLACE TEMP TABLE staged AS
    WITH e AS (
        SELECT *,
            CASE WHEN {_type_check('id', 'string')} THEN "id"->>'$' END AS grant_id,
            CASE WHEN {_type_check('title', 'string')} THEN "title"->>'$' END AS title_s,
            CASE WHEN {_type_check('currency', 'string')} THEN "currency"->>'$' END AS currency_s,
            CASE WHEN {_type_check('amountAwarded', 'number')}
                 THEN CAST("amountAwarded" AS DOUBLE) END AS amount,
            CASE WHEN {_type_check('awardDate', 'string')} THEN "awardDate"->>'$' END AS date_s,
            CASE WHEN regexp_full_match(date_s, '{DATE_RE}') THEN TRY_CAST(date_s AS DATE)
                 WHEN regexp_full_match(date_s, '{DATETIME_RE}')
                 THEN TRY_CAST(left(date_s, 10) AS DATE) END AS award_date,
            {org_json}
            list_filter(list_transform(json_extract("beneficiaryLocation", '$[*]'),
                lambda x: CASE
                    WHEN regexp_full_match(upper(trim(x->>'geoCode')), {gss})
                        THEN upper(trim(x->>'geoCode'))
                    WHEN regexp_full_match(upper(trim(x->>'geoCodeType')), {gss})
                        THEN upper(trim(x->>'geoCodeType')) END),
                lambda c: c IS NOT NULL) AS ben_codes
        FROM __RAW__
    ), c AS (
        SELECT *, {", ".join(f"{check} AS _c{i}" for i, check in enumerate(checks))}
        FROM e
    )
    SELECT row_no, grant_id, title_s AS title, currency_s AS currency, amount,
        1::BIGINT AS grant_count, award_date, award_date AS date_lo, award_date AS date_hi,
        year(award_date)::INTEGER AS award_year,
        {org_value("fundingOrganization", "id")} AS funder_id,
        trim({org_value("fundingOrganization", "name")}) AS funder_name,
        {org_value("recipientOrganization", "id")} AS recipient_id,
        {org_value("recipientOrganization", "name")} AS recipient_name,
        nullif(upper(regexp_replace({org_value("recipientOrganization", "postalCode")},
                                    '[^A-Za-z0-9]', '', 'g')), '') AS postcode,
        coalesce(list_filter(ben_codes, lambda c: left(c, 3) IN ({lsoa}))[1],
                 list_filter(ben_codes, lambda c: left(c, 3) IN ({ward}))[1],
                 ben_codes[1]) AS ben_code,
        upper(coalesce("_recipient_codes"->>'$.lsoa', "_recipient_codes"->>'$.ward',
                       "_recipient_codes"->>'$.district')) AS rec_code,
        FALSE AS aggregated,
        CASE WHEN {" AND ".join(f"_c{i} IS NULL" for i in range(len(checks)))}
            THEN []::STRUCT(field VARCHAR, problem VARCHAR)[]
            ELSE list_filter([{", ".join(f"_c{i}" for i in range(len(checks)))}],
                             lambda p: p IS NOT NULL) END AS problems
    FROM c"""


# --- full validation -----------------------------------------------------------------------
def _full_validation(con: duckdb.DuckDBPyConnection, schema: GrantSchema,
                     records: Iterator[Any], offset: int) -> None:
    """Check records the fast checks passed with the complete JSON Schema validator."""
    passed = {r[0] for r in con.execute(
        "SELECT row_no FROM staged WHERE len(problems) = 0").fetchall()}
    validator = schema.validator()
    found: list[tuple[int, str, str]] = []
    for n, record in enumerate(records, start=1 + offset):
        if n not in passed or not isinstance(record, dict):
            continue
        clean = {k: v for k, v in record.items() if not k.startswith("_")}
        for error in validator.iter_errors(clean):
            field = error.json_path.removeprefix("$.") or "(record)"
            found.append((n, field, " ".join(error.message.split())[:200]))
    if found:
        con.execute("CREATE OR REPLACE TEMP TABLE _extra (row_no BIGINT, field VARCHAR, "
                    "problem VARCHAR)")
        con.executemany("INSERT INTO _extra VALUES (?, ?, ?)", found)
        con.execute("""UPDATE staged SET problems = list_concat(staged.problems, x.p)
            FROM (SELECT row_no, list({'field': field, 'problem': problem}) AS p
                  FROM _extra GROUP BY row_no) x WHERE staged.row_no = x.row_no""")


# --- finishing ------------------------------------------------------------------------------
def _finish(con: duckdb.DuckDBPyConnection, result: ImportResult) -> None:
    """Deduplicate, insert grants and quality rows, record the import."""
    # Usually no id repeats, in the file or against the store: check that cheaply (one hash
    # aggregate, one semi join) and then insert straight from ``staged``.
    clean = con.execute("""SELECT count(grant_id) = count(DISTINCT grant_id)
            AND NOT EXISTS (SELECT 1 FROM staged s SEMI JOIN grants g USING (grant_id))
        FROM staged""").fetchall()[0][0]
    if clean:
        con.execute("""CREATE OR REPLACE TEMP TABLE dup (row_no BIGINT, grant_id VARCHAR,
            problem VARCHAR)""")
        keep = "staged"
    else:
        _find_duplicates(con)
        keep = "keep"
    _insert(con, result, keep)


def _find_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    """Temp tables ``dup`` (later repeats of an id in the file, ids already in the store: first
    seen wins) and ``keep`` (the rest of ``staged``)."""
    con.execute("""CREATE OR REPLACE TEMP TABLE dup AS
        WITH k AS (
            SELECT row_no, grant_id,
                   row_number() OVER (PARTITION BY grant_id ORDER BY row_no) AS k,
                   min(row_no) OVER (PARTITION BY grant_id) AS first_row
            FROM staged WHERE grant_id IS NOT NULL)
        SELECT row_no, grant_id, 'duplicate id: same as row ' || first_row
               || ' of this file; not stored' AS problem FROM k WHERE k > 1
        UNION ALL
        SELECT k.row_no, k.grant_id, 'duplicate id: already in the store (from '
               || any_value(i.path) || '); not stored'
        FROM k JOIN grants g ON g.grant_id = k.grant_id
        LEFT JOIN imports i ON i.file_sha256 = g.file_sha256
        WHERE k.k = 1 GROUP BY k.row_no, k.grant_id""")
    con.execute("""CREATE OR REPLACE TEMP TABLE keep AS
        SELECT * FROM staged ANTI JOIN dup USING (row_no)""")


def _insert(con: duckdb.DuckDBPyConnection, result: ImportResult, keep: str) -> None:
    """Insert the kept records (table ``keep``: ``staged`` or ``keep``), their problems and
    the import record."""
    sha, path = result.sha256, str(result.path)
    con.execute(f"""INSERT INTO grants SELECT ?, row_no, grant_id, title, currency, amount,
            grant_count, award_date, date_lo, date_hi, award_year, funder_id, funder_name,
            recipient_id, recipient_name, postcode, ben_code, rec_code, aggregated,
            len(problems) = 0,
            CASE WHEN len(problems) > 0 THEN array_to_string(
                list_transform(problems, lambda p: p.field || ': ' || p.problem), '; ') END
        FROM {keep}""", [sha])
    con.execute(f"""INSERT INTO quality
        SELECT ?, ?, row_no, grant_id, p.field, p.problem, 'invalid'
        FROM (SELECT row_no, grant_id, unnest(problems) AS p FROM {keep})""", [sha, path])
    con.execute("""INSERT INTO quality SELECT ?, ?, row_no, grant_id, 'id', problem,
        'duplicate' FROM dup""", [sha, path])
    con.execute(f"""INSERT INTO quality SELECT ?, ?, row_no, grant_id, 'currency',
            'not GBP (' || currency || '): kept, excluded from £ totals', 'warning'
        FROM {keep} WHERE len(problems) = 0 AND currency <> 'GBP'""", [sha, path])
    row = con.execute(f"""SELECT (SELECT count(*) FROM staged), count(*),
            count(*) FILTER (WHERE len(problems) = 0),
            count(*) FILTER (WHERE len(problems) > 0), (SELECT count(*) FROM dup),
            count(*) FILTER (WHERE len(problems) = 0 AND currency <> 'GBP'),
            coalesce(sum(grant_count) FILTER (WHERE len(problems) = 0), 0)
        FROM {keep}""").fetchall()[0]
    assert row is not None
    (result.records, result.stored, result.valid, result.invalid, result.duplicates,
     result.non_gbp, result.grants) = (int(v) for v in row)
    con.execute("INSERT INTO imports VALUES (?, ?, ?, current_timestamp, ?, ?, ?, ?, ?)",
                [sha, path, result.kind, result.records, result.stored, result.valid,
                 result.invalid, result.duplicates])
    for table in ("raw", "staged", "dup", "keep", "_extra"):
        con.execute(f"DROP TABLE IF EXISTS {table}")


def import_file(con: duckdb.DuckDBPyConnection, path: Path | str, schema: GrantSchema | None,
                *, validate: str = "auto") -> ImportResult:
    """Import one file in one transaction; a file already imported (same SHA-256) is skipped.

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
    sha = sha256_file(path)
    kind, header = detect_kind(path)
    result = ImportResult(path=path, sha256=sha, kind=kind)
    if con.execute("SELECT 1 FROM imports WHERE file_sha256 = ?", [sha]).fetchall():
        result.skipped = True
        return result
    full = kind != "ward_table" and (
        validate == "full" or (validate == "auto"
                               and path.stat().st_size <= FULL_VALIDATION_MAX_BYTES))
    result.validation = "full" if full else "fast"
    # Staging writes only connection-local temp tables, so it runs before the transaction
    # (a failed read there, e.g. a retry of the JSON reader, must not abort the store's).
    if kind == "ward_table":
        ingest_ward_table.stage_ward_table(con, path, header)
    elif schema is None:
        raise InputError("360Giving grant records need the 360Giving schema (dataset "
                         "'schema_360giving'): give --data-dir with it or run 'leftbehind data "
                         "fetch schema_360giving'", path=path)
    else:
        _stage_grants(con, path, kind, schema, full)
    con.execute("BEGIN TRANSACTION")
    try:
        _finish(con, result)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    result.seconds = time.perf_counter() - started
    return result


def _records(path: Path, kind: str, schema: GrantSchema) -> Iterator[Any]:
    if kind == "json":
        return ingest_json.iter_package(path)
    if kind == "xlsx":
        return ingest_flat.iter_xlsx(path, schema)
    return ingest_flat.iter_csv(path, schema)


def _stage_grants(con: duckdb.DuckDBPyConnection, path: Path, kind: str, schema: GrantSchema,
                  full: bool) -> None:
    fields = _fields(schema)
    con.execute("CREATE OR REPLACE TEMP TABLE _currencies AS SELECT unnest(?::VARCHAR[]) AS code",
                [schema.currencies])
    offset = 0 if kind == "json" else 1  # spreadsheet rows: the header is row 1
    if kind == "json":
        _stage_json_bytes(con, path, fields, stage_sql(schema))
    else:
        _stage_records(con, _records(path, kind, schema), fields, offset, path, stage_sql(schema))
    if full:
        _full_validation(con, schema, _records(path, kind, schema), offset)


def quality_report(con: duckdb.DuckDBPyConnection) -> Any:
    """All problems found, as a table: file, row, record id, field, problem, severity."""
    return con.execute("""SELECT path AS file, row_no AS row, record_id, field, problem,
        severity FROM quality ORDER BY path, row_no, field""").df()
