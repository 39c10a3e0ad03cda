"""Ward-level aggregated grant tables (GrantNav exports summed by funder × year × ward).

Why stored as they are: each row is N grants with a summed amount, so one store row carries
``grant_count = N`` and ``amount`` = the sum; every total sums ``grant_count`` and ``amount``,
so counts and amounts add up exactly as published. The row's key (funder, year, district,
ward) is its ``grant_id``, so importing a second copy of the table adds nothing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

WARD_TABLE_COLUMNS = (
    "Funding Org:Name", "Award Year", "Recipient Ward Geographic Code", "Amount Awarded",
    "Identifier",
)
OPTIONAL_COLUMNS = ("Recipient District Geographic Code", "Recipient Region", "Currency")


def is_ward_table(header: list[str]) -> bool:
    """A ward table has funder, year, ward code, summed amount and a grant count."""
    return all(c in header for c in WARD_TABLE_COLUMNS) and "Award Date" not in header


def stage_ward_table(con: duckdb.DuckDBPyConnection, path: Path, header: list[str],
                     target: str) -> None:
    """Create table ``target`` (the common staging layout) from a ward table."""
    def col(name: str) -> str:
        return f'"{name}"' if name in header else "NULL"

    con.execute(
        f"""CREATE TABLE {target} AS
        WITH src AS (
            SELECT row_number() OVER () + 1 AS row_no, *
            FROM read_csv(?, header = true, all_varchar = true, sample_size = -1)
        ), t AS (
            SELECT row_no,
                trim({col('Funding Org:Name')}) AS funder_name,
                TRY_CAST({col('Award Year')} AS INTEGER) AS award_year,
                {col('Award Year')} AS year_raw,
                trim({col('Recipient Ward Geographic Code')}) AS ward,
                trim({col('Recipient District Geographic Code')}) AS district,
                TRY_CAST({col('Amount Awarded')} AS DOUBLE) AS amount,
                {col('Amount Awarded')} AS amount_raw,
                TRY_CAST(TRY_CAST({col('Identifier')} AS DOUBLE) AS BIGINT) AS n,
                {col('Identifier')} AS n_raw,
                coalesce(upper(trim({col('Currency')})), 'GBP') AS currency
            FROM src
        )
        SELECT row_no,
            concat_ws('|', 'ward-table', funder_name, year_raw, district, ward) AS grant_id,
            NULL::VARCHAR AS title, currency, amount,
            coalesce(n, 1) AS grant_count,
            NULL::DATE AS award_date,
            make_date(award_year, 1, 1) AS date_lo, make_date(award_year, 12, 31) AS date_hi,
            award_year, NULL::VARCHAR AS funder_id, funder_name,
            NULL::VARCHAR AS recipient_id, NULL::VARCHAR AS recipient_name,
            NULL::VARCHAR AS postcode, NULL::VARCHAR AS ben_code,
            coalesce(nullif(ward, ''), nullif(district, '')) AS rec_code,
            TRUE AS aggregated,
            list_filter([
                CASE WHEN funder_name IS NULL OR funder_name = '' THEN
                    {{'field': 'Funding Org:Name', 'problem': 'required field missing'}} END,
                CASE WHEN award_year IS NULL OR award_year NOT BETWEEN 1900 AND 2100 THEN
                    {{'field': 'Award Year', 'problem': 'not a year: '
                      || coalesce(year_raw, '(empty)')}} END,
                CASE WHEN amount IS NULL THEN
                    {{'field': 'Amount Awarded', 'problem': 'must be a number: '
                      || coalesce(amount_raw, '(empty)')}}
                     WHEN amount <= 0 THEN
                    {{'field': 'Amount Awarded', 'problem': 'not positive: ' || amount_raw}} END,
                CASE WHEN n IS NULL OR n < 1 THEN
                    {{'field': 'Identifier', 'problem': 'grant count must be a whole number '
                      || '>= 1: ' || coalesce(n_raw, '(empty)')}} END
            ], lambda p: p IS NOT NULL) AS problems
        FROM t""",
        [str(path)],
    )
