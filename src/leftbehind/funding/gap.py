"""The funding gap: grants and £ per head in left-behind areas, other deprived areas, England.

Why per area first: DuckDB sums the located grants per area (and per funder or year) in one
pass over the store; the group figures are then sums of at most a few thousand area rows.
England is every area of the edition. Population is the edition's area population (the
``population`` column of :func:`leftbehind.classification.identify`). Grants in a currency
other than GBP count as grants but not in £ amounts; invalid records count in neither.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from leftbehind.errors import InputError
from leftbehind.funding.locate import filter_sql, located_sql, register_geography
from leftbehind.funding.store import EXACT_MONEY

GROUP_ROWS = ("left_behind", "other_deprived", "england")
BY_OPTIONS = ("funder", "year", "area")
METRICS = ["areas", "population", "grants", "amount_gbp", "grants_per_10k", "gbp_per_head"]


@dataclass
class Filters:
    """The user's choice of grants."""

    funders: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    exclude_government: bool = False
    location: str = "best"


def area_totals(con: duckdb.DuckDBPyConnection, areas: pd.DataFrame,
                lsoa_lookup: pd.DataFrame | None, filters: Filters,
                by: str | None = None) -> pd.DataFrame:
    """Located grants per area (and per ``by`` = funder/year): ``grants``, ``amount_gbp``."""
    register_geography(con, areas, lsoa_lookup)
    where, params = filter_sql(filters.funders, filters.date_from, filters.date_to,
                               filters.exclude_government)
    dim = {"funder": "coalesce(funder_name, funder_id)", "year": "award_year"}.get(by or "")
    select_dim = f", {dim} AS {by}" if dim else ""
    group_dim = ", 2" if dim else ""
    return con.execute(f"""
        SELECT area_code{select_dim}, sum(grant_count) AS grants,
               coalesce(sum(amount::{EXACT_MONEY}) FILTER (WHERE currency = 'GBP'), 0)::DOUBLE
                   AS amount_gbp
        FROM ({located_sql(filters.location, where)})
        WHERE reason = 'located' GROUP BY 1{group_dim} ORDER BY ALL""", params).df()


def _metrics(frame: pd.DataFrame) -> pd.DataFrame:
    pop = frame["population"].astype(float)
    frame["grants_per_10k"] = (frame["grants"] / pop * 10_000).where(pop > 0)
    frame["gbp_per_head"] = (frame["amount_gbp"] / pop).where(pop > 0)
    return frame


def _group_table(areas: pd.DataFrame, totals: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Group rows (left_behind, other_deprived, england) × optional keys."""
    rows = []
    for group in GROUP_ROWS:
        members = areas if group == "england" else areas[areas["group"] == group]
        pop = float(members["population"].sum())
        mine = totals[totals["area_code"].isin(members["area_code"])]
        if keys:
            agg = mine.groupby(keys, dropna=False)[["grants", "amount_gbp"]].sum().reset_index()
        else:
            agg = pd.DataFrame({"grants": [mine["grants"].sum()],
                                "amount_gbp": [mine["amount_gbp"].sum()]})
        agg.insert(0, "group", group)
        agg["areas"] = len(members)
        agg["population"] = pop
        rows.append(agg)
    out = pd.concat(rows, ignore_index=True)
    out["grants"] = out["grants"].astype("int64")
    out = _metrics(out)
    return out[["group", *keys, *METRICS]]


def funding_gap(con: duckdb.DuckDBPyConnection, areas: pd.DataFrame,
                lsoa_lookup: pd.DataFrame | None = None, filters: Filters | None = None,
                by: str | None = None) -> pd.DataFrame:
    """One row per group (``left_behind``, ``other_deprived``, ``england``), or a long table
    by funder/year (group × key) or by area."""
    filters = filters or Filters()
    if by is not None and by not in BY_OPTIONS:
        raise InputError(f"unknown breakdown '{by}': use {', '.join(BY_OPTIONS)}")
    _check_areas(areas)
    totals = area_totals(con, areas, lsoa_lookup, filters, by if by != "area" else None)
    if by == "area":
        cols = [c for c in ("area_code", "area_name", "lad_code", "lad_name", "group",
                            "population", "imd_rank") if c in areas.columns]
        out = areas[cols].merge(totals, on="area_code", how="left")
        out["grants"] = out["grants"].fillna(0).astype("int64")
        out["amount_gbp"] = out["amount_gbp"].fillna(0.0)
        out = _metrics(out).sort_values("gbp_per_head", ascending=True, na_position="last")
        return out.reset_index(drop=True)
    return _group_table(areas, totals, [by] if by else [])


def _check_areas(areas: pd.DataFrame) -> None:
    missing = [c for c in ("area_code", "group", "population") if c not in areas.columns]
    if missing:
        raise InputError(f"areas table lacks column(s) {', '.join(missing)}")


def edition_inputs(bundle: Any, edition: str, imd_share: float = 0.1,
                   cni_share: float = 0.1) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Areas (from ``identify``) and the LSOA → area lookup for an edition."""
    from leftbehind.classification import identify

    if edition not in ("2019", "2023"):
        raise InputError(f"unknown edition '{edition}': use 2019 or 2023")
    areas = identify(bundle, edition=edition, imd_share=imd_share, cni_share=cni_share)
    lookup = bundle.lsoa11_to_ward17() if edition == "2019" else None
    return areas, lookup


def most_deprived(areas: pd.DataFrame, share: float) -> pd.DataFrame:
    """Areas among the ``share`` most deprived: ``imd_rank <= floor(n * share)``, n = ranked."""
    if not 0 < share <= 1:
        raise InputError(f"--imd-share must be in (0, 1], got {share}")
    ranked = areas[areas["imd_rank"].notna()]
    cut = math.floor(len(ranked) * share)
    return ranked[ranked["imd_rank"] <= cut]
