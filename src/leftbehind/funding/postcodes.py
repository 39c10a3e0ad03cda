"""ONS postcode directories (NSPL / ONSPD) loaded into the store for locating recipients.

Why in DuckDB: the directory has about 2.7 million rows; DuckDB reads the CSV in parallel and
the grants join it by hash, so locating a million grants by postcode takes a fraction of a
second. Postcodes are matched on the no-space upper-case form (``SW1A 1AA`` → ``SW1A1AA``).
Terminated postcodes (``doterm`` set) are kept: old grants were made to old postcodes.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from leftbehind.errors import InputError
from leftbehind.sources.bundle import sha256_file

# Our column ← the first of these present in the file (NSPL names, then ONSPD names).
COLUMNS = {
    "pcd": ("pcds", "pcd", "pcd7", "pcd8", "postcode"),
    "lsoa11": ("lsoa11", "lsoa11cd"),
    "lsoa21": ("lsoa21", "lsoa21cd"),
    "ward": ("ward", "osward", "wd"),
    "lad": ("laua", "oslaua", "lad"),
    "ctry": ("ctry", "ctry25cd", "ctry12"),
    "doterm": ("doterm",),
}


def normalise(postcode: str | None) -> str | None:
    """Upper case, no spaces: the form postcodes are matched on."""
    if postcode is None:
        return None
    text = "".join(ch for ch in postcode.upper() if ch.isalnum())
    return text or None


def postcode_key_sql(text: str) -> str:
    """SQL for the matching form of the postcode text ``text`` (NULL if it has no letters or
    digits); the same expression keys the directory and the grants.

    Usual postcodes (capitals, digits, spaces) only lose their spaces, which is about twice
    as fast as the general regular expression replacement the rest get."""
    return f"""nullif(CASE WHEN regexp_full_match({text}, '[A-Z0-9 ]*')
        THEN replace({text}, ' ', '')
        ELSE upper(regexp_replace({text}, '[^A-Za-z0-9]', '', 'g')) END, '')"""


def load_postcodes(con: duckdb.DuckDBPyConnection, path: Path | str) -> int:
    """Replace the store's postcode directory with ``path`` (one transaction); rows loaded."""
    path = Path(path)
    if not path.is_file():
        raise InputError("postcode directory not found", path=path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = [h.strip() for h in next(csv.reader(handle), [])]
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", path=path) from None
    lower = {h.lower(): h for h in header}
    chosen = {ours: next((lower[c] for c in names if c in lower), None)
              for ours, names in COLUMNS.items()}
    if chosen["pcd"] is None:
        raise InputError("not an ONS postcode directory: no 'pcd' or 'pcds' column",
                         path=path, row=1, column="pcds")
    if not any(chosen[c] for c in ("lsoa11", "lsoa21", "ward", "lad")):
        raise InputError("postcode directory has no lsoa11/lsoa21/ward/laua column",
                         path=path, row=1)
    sha = sha256_file(path)
    if con.execute("SELECT 1 FROM postcode_files WHERE file_sha256 = ?", [sha]).fetchall():
        return int(con.execute("SELECT count(*) FROM postcodes").fetchall()[0][0])

    # The header is known, so the columns are given (all text) rather than sniffed: reading
    # then takes about two thirds of the time.
    columns = "{" + ", ".join("'" + h.replace("'", "''") + "': 'VARCHAR'" for h in header) + "}"

    def pick(ours: str) -> str:
        source = chosen[ours]
        return f'nullif(trim("{source}"), \'\')' if source else "NULL"

    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM postcodes")
        con.execute("DELETE FROM postcode_files")
        con.execute(
            f"""INSERT INTO postcodes
            SELECT DISTINCT ON (pcd) * FROM (
                SELECT {postcode_key_sql(pick('pcd'))} AS pcd,
                       {pick('lsoa11')}, {pick('lsoa21')}, {pick('ward')}, {pick('lad')},
                       {pick('ctry')}, {pick('doterm')}
                FROM read_csv(?, header = true, auto_detect = false, columns = {columns},
                              delim = ',', quote = '"', escape = '"'))
            WHERE pcd IS NOT NULL""", [str(path)])
        rows = int(con.execute("SELECT count(*) FROM postcodes").fetchall()[0][0])
        con.execute("INSERT INTO postcode_files VALUES (?, ?, ?, current_timestamp)",
                    [sha, str(path), rows])
        con.execute("COMMIT")
    except duckdb.Error as exc:
        con.execute("ROLLBACK")
        raise InputError(f"unreadable postcode directory ({' '.join(str(exc).split())[:200]})",
                         path=path) from None
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return rows
