"""Checks every reader applies, so bad input fails with one line naming file, row and column.

Row numbers are line numbers as a person sees them: in a CSV the header is row 1, so the
first record is row 2; in a Parquet file there is no header and records count from 1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from leftbehind.errors import InputError

# GSS codes carry a vintage; the last LSOA code of the 2011 set in England is E01033768,
# codes after it were created for the 2021 set.
LAST_LSOA11_CODE = "E01033768"
CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "lsoa11": re.compile(r"^[EW]01\d{6}$"),
    "lsoa21": re.compile(r"^[EW]01\d{6}$"),
    "ward": re.compile(r"^[EWSN]\d{2}\d{6}$"),
    "lad": re.compile(r"^[EWSN]\d{2}\d{6}$"),
}

_SPREADSHEET_MAGIC = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or other zip file",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
}


def first_data_row(path: Path) -> int:
    """1-based line of the first record: 2 for CSV (after the header), 1 for Parquet."""
    return 2 if path.suffix.lower() == ".csv" else 1


def check_file_exists(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", path=path)
    if path.is_dir():
        raise InputError("expected a file, found a folder", path=path)
    if path.stat().st_size == 0:
        raise InputError("file is empty", path=path)


def check_text_file(path: Path) -> None:
    """Refuse binary spreadsheets renamed to ``.csv`` before a parser makes noise of them."""
    with path.open("rb") as handle:
        head = handle.read(4)
    for magic, what in _SPREADSHEET_MAGIC.items():
        if head.startswith(magic):
            raise InputError(
                f"this is {what}, not a CSV text file: save it as CSV (UTF-8) first", path=path
            )


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        present = ", ".join(map(str, frame.columns[:8]))
        raise InputError(
            f"missing column(s) {', '.join(repr(m) for m in missing)}; found: {present}"
            + (", …" if len(frame.columns) > 8 else ""),
            path=path,
            column=missing[0],
        )


def check_codes(
    frame: pd.DataFrame,
    column: str,
    path: Path,
    *,
    geography: str,
    unique: bool = True,
) -> None:
    """Codes present, well formed, of the right vintage and (optionally) unique."""
    codes = frame[column]
    base = first_data_row(path)
    missing = codes.isna() | (codes.astype("string").str.strip() == "")
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError("empty area code", path=path, row=row + base, column=column)
    text = codes.astype("string")
    pattern = CODE_PATTERNS.get(geography)
    if pattern is not None:
        bad = ~text.str.fullmatch(pattern.pattern).fillna(False).astype(bool)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"'{text.iloc[row]}' is not a valid {geography} code",
                path=path, row=row + base, column=column,
            )
    if geography == "lsoa11":
        newer = (text.str.startswith("E01") & (text > LAST_LSOA11_CODE)).fillna(False)
        if newer.any():
            row = int(np.flatnonzero(newer.to_numpy())[0])
            raise InputError(
                f"'{text.iloc[row]}' is a 2021 LSOA code (LSOA21) but this file must hold "
                "2011 LSOA codes (LSOA11): use the file that matches the edition",
                path=path, row=row + base, column=column,
            )
    if unique:
        dup = text.duplicated()
        if dup.any():
            row = int(np.flatnonzero(dup.to_numpy())[0])
            first = int(np.flatnonzero((text == text.iloc[row]).to_numpy())[0])
            raise InputError(
                f"duplicate area code '{text.iloc[row]}' (first seen at row {first + base})",
                path=path, row=row + base, column=column,
            )


def to_numeric(
    frame: pd.DataFrame,
    column: str,
    path: Path,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
    allow_missing: bool = False,
) -> pd.Series:
    """Column as float64, failing on the first non-number or out-of-range value."""
    raw = frame[column]
    base = first_data_row(path)
    if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
        values = raw.astype("float64")  # parsed as numbers already: only blanks can be NaN
        blank = values.isna()
        bad = pd.Series(False, index=raw.index)
    else:
        values = pd.to_numeric(raw, errors="coerce").astype("float64")
        blank = raw.isna() | (raw.astype("string").str.strip() == "").fillna(True)
        bad = values.isna() & ~blank
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"'{raw.iloc[row]}' is not a number", path=path, row=row + base, column=column
        )
    if not allow_missing and blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0])
        raise InputError("missing value", path=path, row=row + base, column=column)
    arr = values.to_numpy()
    checks: list[tuple[np.ndarray, str]] = []
    if integer:
        checks.append((~np.isnan(arr) & (arr != np.round(arr)), "is not a whole number"))
    if minimum is not None:
        checks.append((arr < minimum, f"is below the minimum {minimum:g}"))
    if maximum is not None:
        checks.append((arr > maximum, f"is above the maximum {maximum:g}"))
    for mask, what in checks:
        if mask.any():
            row = int(np.flatnonzero(mask)[0])
            raise InputError(
                f"value {raw.iloc[row]} {what}", path=path, row=row + base, column=column
            )
    return values
