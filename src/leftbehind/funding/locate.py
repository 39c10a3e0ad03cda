"""Placing each grant in an area of an edition, with GrantNav's "best available" precedence.

Precedence (``location="best"``):
1. the grant's beneficiary location code (finest given: LSOA, else ward, else district; a
   GSS code found in ``geoCodeType`` with the type in ``geoCode`` — swapped, as some funders
   publish — is read the right way round);
2. else the recipient organisation's location code (GrantNav's ``Recipient … Geographic Code``
   columns, or the ward/district of a ward table);
3. else the recipient's postcode in the ONS postcode directory loaded in the store (its LSOA,
   else ward, else district).

The first source that gives *any* code decides; ``beneficiary`` and ``recipient`` use one
source only. The code is then mapped to the edition's areas: 2019 wards take 2017 ward codes
directly and LSOA 2011 codes through the best-fit lookup; the 2023 edition takes LSOA 2021
codes (LSOA 2011 codes unchanged in 2021 match too). Everything else is counted by reason.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from leftbehind.errors import InputError
from leftbehind.funding.store import EXACT_MONEY

MODES = ("best", "beneficiary", "recipient")
ENGLAND = "E92000001"
GOVERNMENT_ID_PREFIXES = ("GB-GOR-", "GB-GOV-")
GOVERNMENT_NAME_RE = (
    r"^(department (for|of)|ministry of|hm |cabinet office|office for |.*\bgovernment\b)"
)
REASONS = (
    "located", "invalid record", "no location given", "no postcode directory loaded",
    "postcode not in directory", "outside England", "district or county only",
    "other geography", "code not in the edition's areas",
)


def register_geography(con: duckdb.DuckDBPyConnection, areas: pd.DataFrame,
                       lsoa_lookup: pd.DataFrame | None) -> None:
    """Temp table ``_geo(code, area_code)``: every code that places a grant in an area."""
    codes = areas[["area_code"]].drop_duplicates()
    parts = [pd.DataFrame({"code": codes["area_code"], "area_code": codes["area_code"]})]
    if lsoa_lookup is not None and len(lsoa_lookup):
        lk = lsoa_lookup[["lsoa_code", "ward_code"]].rename(
            columns={"lsoa_code": "code", "ward_code": "area_code"})
        parts.append(lk[lk["area_code"].isin(codes["area_code"])])
    geo = pd.concat(parts, ignore_index=True).drop_duplicates("code")
    con.register("_geo_frame", geo)
    con.execute("CREATE OR REPLACE TEMP TABLE _geo AS SELECT * FROM _geo_frame")
    con.unregister("_geo_frame")


def filter_sql(funders: list[str] | None = None, date_from: str | None = None,
               date_to: str | None = None, exclude_government: bool = False
               ) -> tuple[str, list[Any]]:
    """WHERE clause (on ``grants g``) for the user's filters, with its parameters."""
    where: list[str] = ["TRUE"]
    params: list[Any] = []
    if funders:
        where.append("(lower(g.funder_name) IN (SELECT unnest(?::VARCHAR[])) "
                     "OR lower(g.funder_id) IN (SELECT unnest(?::VARCHAR[])))")
        names = [f.strip().lower() for f in funders]
        params += [names, names]
    if date_from:
        where.append("g.date_lo >= ?::DATE")
        params.append(parse_when(date_from, end=False))
    if date_to:
        where.append("g.date_hi <= ?::DATE")
        params.append(parse_when(date_to, end=True))
    if exclude_government:
        prefixes = " OR ".join(f"starts_with(upper(coalesce(g.funder_id, '')), '{p}')"
                               for p in GOVERNMENT_ID_PREFIXES)
        where.append(f"NOT ({prefixes} OR regexp_matches(lower(coalesce(g.funder_name, '')), "
                     f"'{GOVERNMENT_NAME_RE}'))")
    return " AND ".join(where), params


def parse_when(value: str, *, end: bool) -> str:
    """A year (``2015``) or a date (``2015-06-30``) as an ISO date; a year means its whole span."""
    text = str(value).strip()
    if text.isdigit() and len(text) == 4:
        return f"{text}-12-31" if end else f"{text}-01-01"
    try:
        return pd.Timestamp(text).date().isoformat()
    except ValueError:
        raise InputError(f"not a year or date: '{value}' (use 2015 or 2015-06-30)") from None


def located_sql(mode: str, where: str = "TRUE") -> str:
    """SELECT of grants with ``source``, ``loc_code``, ``area_code`` and ``reason``."""
    if mode not in MODES:
        raise InputError(f"unknown location mode '{mode}': use {', '.join(MODES)}")
    ben = mode in ("best", "beneficiary")
    rec = mode in ("best", "recipient")
    return f"""
    WITH x AS (
        SELECT g.*, p.pcd IS NOT NULL AS pc_found, p.ctry AS pc_ctry,
               coalesce(p.lsoa11, p.lsoa21, p.ward, p.lad) AS pc_code
        FROM grants g LEFT JOIN postcodes p ON p.pcd = g.postcode
        WHERE {where}
    ), y AS (
        SELECT *, CASE
            WHEN {ben} AND ben_code IS NOT NULL THEN 'beneficiary'
            WHEN {rec} AND rec_code IS NOT NULL THEN 'recipient code'
            WHEN {rec} AND postcode IS NOT NULL THEN 'recipient postcode' END AS source
        FROM x
    ), z AS (
        SELECT *, CASE source WHEN 'beneficiary' THEN ben_code
                              WHEN 'recipient code' THEN rec_code
                              WHEN 'recipient postcode' THEN pc_code END AS loc_code
        FROM y
    )
    SELECT z.*, geo.area_code AS area_code, CASE
        WHEN NOT z.valid THEN 'invalid record'
        WHEN source IS NULL THEN 'no location given'
        WHEN source = 'recipient postcode' AND NOT pc_found THEN
            CASE WHEN (SELECT count(*) FROM postcodes) = 0 THEN 'no postcode directory loaded'
                 ELSE 'postcode not in directory' END
        WHEN geo.area_code IS NOT NULL THEN 'located'
        WHEN left(loc_code, 1) IN ('W', 'S', 'N', 'K')
             OR (source = 'recipient postcode' AND pc_ctry IS NOT NULL
                 AND pc_ctry <> '{ENGLAND}') THEN 'outside England'
        WHEN left(loc_code, 3) IN ('E06', 'E07', 'E08', 'E09', 'E10', 'E11')
            THEN 'district or county only'
        WHEN left(loc_code, 3) IN ('E00', 'E02', 'E12', 'E92') THEN 'other geography'
        ELSE 'code not in the edition''s areas' END AS reason
    FROM z LEFT JOIN _geo geo ON geo.code = z.loc_code"""


def location_status(con: duckdb.DuckDBPyConnection, mode: str = "best") -> pd.DataFrame:
    """Grants (records and grant counts) by location reason; needs ``register_geography``."""
    return con.execute(f"""
        SELECT reason, count(*) AS records, sum(grant_count) AS grants,
               sum(amount::{EXACT_MONEY})
                   FILTER (WHERE valid AND currency = 'GBP')::DOUBLE AS amount_gbp
        FROM ({located_sql(mode)}) GROUP BY reason ORDER BY grants DESC""").df()
