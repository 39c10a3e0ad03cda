"""Readers for the official file layouts, returning tables with the project's own column names.

Two layouts are understood for LSOA-level deprivation data:

* the data-folder layout (``lsoa11_code``/``lsoa21_code``, ``IMD_rank``, ``Income_rank`` …), and
* the government's IoD "File 7" CSV (``LSOA code (2011)``, ``Index of Multiple Deprivation
  (IMD) Score``, ``Income Rank (where 1 is most deprived)`` …).

Every reader checks what it reads (see :mod:`leftbehind.sources.checks`) and raises
:class:`~leftbehind.errors.InputError` naming file, row and column on the first problem.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from leftbehind.errors import InputError
from leftbehind.indices.domains import DOMAIN_LABELS, DOMAINS
from leftbehind.sources import checks

# How each layout names the seven domains (and the IMD).
_BUNDLE_NAMES = {
    "imd": "IMD",
    "income": "Income",
    "employment": "Employment",
    "education": "Education",
    "health": "Health",
    "crime": "Crime",
    "barriers": ("Housing_and_Access", "Housing_and_Services"),
    "environment": "Environment",
}
# File 7 names each domain by its full title; the IMD carries its abbreviation.
_FILE7_NAMES = {**DOMAIN_LABELS, "imd": "Index of Multiple Deprivation (IMD)"}
MEASURES = ("imd", *DOMAINS)


def read_table(path: Path | str, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a CSV (as text, checked) or Parquet file; the caller converts and checks types."""
    path = Path(path)
    checks.check_file_exists(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            present = pq.read_schema(path).names
        except Exception as exc:  # pyarrow raises several types for a broken file
            raise InputError(f"not a readable Parquet file ({exc})", path=path) from None
        checks.require_columns(pd.DataFrame(columns=present), columns or [], path)
        try:
            frame = pd.read_parquet(path, columns=columns)
        except Exception as exc:
            raise InputError(f"not a readable Parquet file ({exc})", path=path) from None
        if frame.empty:
            raise InputError("file has no records", path=path)
        return frame
    checks.check_text_file(path)
    fast = _read_csv_fast(path, columns)
    frame = fast if fast is not None else _read_csv_checked(path, columns)
    if columns:
        checks.require_columns(frame, columns, path)
    if frame.empty:
        raise InputError("file has a header but no records", path=path)
    return frame


def _read_csv_fast(path: Path, columns: list[str] | None) -> pd.DataFrame | None:
    """Arrow's multi-threaded reader with type inference: numeric columns arrive as numbers,
    so only a column with a bad value needs the slow, row-locating checks. ``None`` when the
    file is not clean enough for it (then :func:`_read_csv_checked` says exactly why)."""
    try:
        return pd.read_csv(path, engine="pyarrow", encoding="utf-8-sig", usecols=columns,
                           keep_default_na=False, na_values=[""])
    except Exception:
        return None


def _read_csv_checked(path: Path, columns: list[str] | None) -> pd.DataFrame:
    """Every field as text, so a bad byte or value can be placed by row and column."""
    try:
        return pd.read_csv(
            path,
            dtype=str,
            encoding="utf-8-sig",  # a byte-order mark from Excel is accepted and dropped
            keep_default_na=False,
            na_values=[""],
            usecols=(lambda c: c in columns) if columns else None,
        )
    except UnicodeDecodeError as exc:
        row = _line_of_byte(path, exc.start)
        raise InputError(
            "file is not UTF-8 text (save it as CSV UTF-8)", path=path, row=row
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", path=path) from None
    except pd.errors.ParserError as exc:
        raise InputError(f"not a readable CSV file ({exc})", path=path) from None


def _line_of_byte(path: Path, offset: int) -> int:
    with path.open("rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def _header(path: Path) -> list[str]:
    checks.check_file_exists(path)
    if path.suffix.lower() == ".parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    checks.check_text_file(path)
    try:
        head = pd.read_csv(path, nrows=0, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("file is not UTF-8 text (save it as CSV UTF-8)", path=path) from None
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", path=path) from None
    return [str(c) for c in head.columns]


def read_imd_lsoa(path: Path | str, edition: str) -> pd.DataFrame:
    """LSOA deprivation ranks (and scores where the file has them) in the project's names.

    Columns: ``lsoa_code``, then ``<measure>_rank``, ``<measure>_decile`` and, where present,
    ``<measure>_score`` for ``imd`` and each domain; File 7 adds ``lsoa_name``, ``lad_code``,
    ``lad_name`` and ``population_denominator``.
    """
    path = Path(path)
    geography = "lsoa11" if edition == "2019" else "lsoa21"
    header = _header(path)
    if any(h.startswith("LSOA code (") for h in header):
        return _read_file7(path, header, geography)
    code_col = f"{geography}_code"
    if code_col not in header:
        other = "lsoa21_code" if geography == "lsoa11" else "lsoa11_code"
        if other in header:
            raise InputError(
                f"this file holds {other[:6].upper()} codes ('{other}') but the {edition} "
                f"edition needs {geography.upper()} codes ('{code_col}')",
                path=path, column=other,
            )
    mapping: dict[str, str] = {code_col: "lsoa_code"}
    required = [code_col]
    for key, names in _BUNDLE_NAMES.items():
        options = names if isinstance(names, tuple) else (names,)
        stem = next((n for n in options if f"{n}_rank" in header), options[0])
        required.append(f"{stem}_rank")
        for kind in ("rank", "decile", "score"):
            mapping[f"{stem}_{kind}"] = f"{key}_{kind}"
    checks.require_columns(pd.DataFrame(columns=header), required, path)
    raw = read_table(path, columns=[c for c in header if c in mapping])
    mapping = {k: v for k, v in mapping.items() if k in raw.columns}
    return _finish_imd(raw.rename(columns=mapping), path, geography, mapping)


def _read_file7(path: Path, header: list[str], geography: str) -> pd.DataFrame:
    """The government's File 7 layout (2019 or 2025)."""
    code_col = next(h for h in header if h.startswith("LSOA code ("))
    vintage = code_col[len("LSOA code (") : -1]
    if geography == "lsoa11" and vintage.startswith("2021"):
        raise InputError(
            "this File 7 holds 2021 LSOA codes but the 2019 edition needs 2011 LSOA codes",
            path=path, column=code_col,
        )
    if geography == "lsoa21" and vintage.startswith("2011"):
        raise InputError(
            "this File 7 holds 2011 LSOA codes but this edition needs 2021 LSOA codes",
            path=path, column=code_col,
        )
    mapping: dict[str, str] = {code_col: "lsoa_code"}
    for h in header:
        if h.startswith("LSOA name ("):
            mapping[h] = "lsoa_name"
        elif h.startswith("Local Authority District code"):
            mapping[h] = "lad_code"
        elif h.startswith("Local Authority District name"):
            mapping[h] = "lad_name"
        elif h.startswith("Total population:"):
            mapping[h] = "population_denominator"
    for key, name in _FILE7_NAMES.items():
        for h in header:
            if h in (f"{name} Score", f"{name} Score (rate)"):
                mapping[h] = f"{key}_score"
            elif h.startswith(f"{name} Rank"):
                mapping[h] = f"{key}_rank"
            elif h.startswith(f"{name} Decile"):
                mapping[h] = f"{key}_decile"
    needed = {f"{k}_rank" for k in _FILE7_NAMES}
    found = set(mapping.values())
    missing = sorted(needed - found)
    if missing:
        key = missing[0].removesuffix("_rank")
        raise InputError(
            f"missing column '{_FILE7_NAMES[key]} Rank (where 1 is most deprived)'",
            path=path, column=f"{_FILE7_NAMES[key]} Rank (where 1 is most deprived)",
        )
    raw = read_table(path, columns=list(mapping))
    return _finish_imd(raw.rename(columns=mapping), path, geography, mapping)


def _finish_imd(
    frame: pd.DataFrame, path: Path, geography: str, mapping: dict[str, str]
) -> pd.DataFrame:
    """Check codes and ranges; convert numbers. ``mapping`` maps file names → our names."""
    original = {ours: theirs for theirs, ours in mapping.items()}
    checks.check_codes(frame.rename(columns=original), original["lsoa_code"], path,
                       geography=geography)
    n = len(frame)
    out = pd.DataFrame({"lsoa_code": frame["lsoa_code"].astype(str).to_numpy()})
    for extra in ("lsoa_name", "lad_code", "lad_name"):
        if extra in frame:
            out[extra] = frame[extra].astype(str).to_numpy()
    src = frame.rename(columns=original)
    for key in MEASURES:
        for kind in ("score", "rank", "decile"):
            col = f"{key}_{kind}"
            if col not in frame:
                continue
            if kind == "rank":
                values = checks.to_numeric(src, original[col], path, minimum=1, maximum=n,
                                           integer=True)
            elif kind == "decile":
                values = checks.to_numeric(src, original[col], path, minimum=1, maximum=10,
                                           integer=True)
            else:
                values = checks.to_numeric(src, original[col], path)
            out[col] = values.to_numpy()
    if "population_denominator" in frame:
        out["population_denominator"] = checks.to_numeric(
            src, original["population_denominator"], path, minimum=0).to_numpy()
    return out


def read_cni_ward17(path: Path | str) -> pd.DataFrame:
    """OCSI CNI 2019 for December 2017 wards, in the project's names."""
    path = Path(path)
    names = {
        "ward17_code": "area_code",
        "ward17_name": "area_name",
        "lad19_code": "lad_code",
        "lad19_name": "lad_name",
        "Community Needs Index score": "cni_score",
        "Community Needs Index rank": "cni_rank",
        "Civic Assets score": "civic_assets_score",
        "Civic Assets rank": "civic_assets_rank",
        "Connectedness score": "connectedness_score",
        "Connectedness rank": "connectedness_rank",
        "Engaged community score": "engaged_community_score",
        "Engaged community rank": "engaged_community_rank",
    }
    return _read_cni(path, names, "ward")


def read_cni_lsoa21(path: Path | str) -> pd.DataFrame:
    """OCSI CNI 2023 for 2021 LSOAs, in the project's names."""
    path = Path(path)
    names = {
        "lsoa21_code": "area_code",
        "lsoa21_name": "area_name",
        "Community Needs Index 2023 Score": "cni_score",
        "Community Needs Index 2023 Rank": "cni_rank",
        "Civic Assets Domain Score": "civic_assets_score",
        "Civic Assets Domain Rank": "civic_assets_rank",
        "Connectedness Domain Score": "connectedness_score",
        "Connectedness Domain Rank": "connectedness_rank",
        "Active and Engaged Community Domain Score": "engaged_community_score",
        "Active and Engaged Community Domain Rank": "engaged_community_rank",
    }
    header = _header(path)
    if "lsoa11_code" in header and "lsoa21_code" not in header:
        raise InputError(
            "this file holds LSOA11 codes ('lsoa11_code') but the 2023 edition needs LSOA21 "
            "codes ('lsoa21_code')", path=path, column="lsoa11_code",
        )
    return _read_cni(path, names, "lsoa21")


def _read_cni(path: Path, names: dict[str, str], geography: str) -> pd.DataFrame:
    raw = read_table(path, columns=list(names))
    code_col = next(iter(names))
    checks.check_codes(raw, code_col, path, geography=geography)
    n = len(raw)
    out = pd.DataFrame(index=range(n))
    for theirs, ours in names.items():
        if ours.endswith("_rank"):
            out[ours] = checks.to_numeric(raw, theirs, path, minimum=1, maximum=n,
                                          integer=True).to_numpy()
        elif ours.endswith("_score"):
            out[ours] = checks.to_numeric(raw, theirs, path).to_numpy()
        else:
            out[ours] = raw[theirs].astype(str).to_numpy()
    return out


def read_lookup(
    path: Path | str,
    columns: dict[str, str],
    *,
    key: str,
    geographies: dict[str, str],
) -> pd.DataFrame:
    """A code lookup: ``columns`` maps file names → our names, ``key`` must be unique.

    ``geographies`` maps file column → geography for the code checks.
    """
    path = Path(path)
    raw = read_table(path, columns=list(columns))
    for column, geography in geographies.items():
        checks.check_codes(raw, column, path, geography=geography, unique=(column == key))
    return raw.rename(columns=columns).reset_index(drop=True).astype(str)


def read_population(path: Path | str, code_column: str, value_column: str,
                    geography: str) -> pd.DataFrame:
    """Population per area: ``area_code``, ``population`` (whole, non-negative)."""
    path = Path(path)
    raw = read_table(path, columns=[code_column, value_column])
    checks.check_codes(raw, code_column, path, geography=geography)
    population = checks.to_numeric(raw, value_column, path, minimum=0)
    return pd.DataFrame({"area_code": raw[code_column].astype(str).to_numpy(),
                         "population": population.to_numpy()})


def read_ward_population(path: Path | str) -> pd.DataFrame:
    """ONS ward population estimates, skipping the footnote rows the spreadsheet carried.

    Only rows whose code is a ward code with a population are records; the rest are text
    from the source spreadsheet's notes.
    """
    path = Path(path)
    raw = read_table(path, columns=["Ward Code 1", "Ward Name 1", "comparison_Population_Estimate"])
    code = raw["Ward Code 1"].astype("string")
    keep = code.str.fullmatch(r"[EW]05\d{6}").fillna(False).astype(bool) & raw[
        "comparison_Population_Estimate"
    ].notna()
    rows = raw[keep.to_numpy()]
    population = checks.to_numeric(rows.reset_index(drop=True), "comparison_Population_Estimate",
                                   path, minimum=0)
    out = pd.DataFrame({
        "area_code": rows["Ward Code 1"].astype(str).to_numpy(),
        "area_name": rows["Ward Name 1"].astype(str).to_numpy(),
        "population": population.to_numpy(),
    })
    dup = out["area_code"].duplicated()
    if dup.any():
        code_dup = out.loc[dup, "area_code"].iloc[0]
        raise InputError(f"duplicate area code '{code_dup}'", path=path, column="Ward Code 1")
    return out
