"""Cold spots: deprived areas that received less than their fair share of a funder's money.

Big Local's rule: fair share = the funder's national £ per head × the area's population
(national = all areas of the edition); an area among the ``imd_share`` most deprived is a cold
spot when it received less than ``threshold`` × its fair share. ``owed_gbp`` = fair share −
received, the sum that would bring it to its fair share.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from leftbehind.errors import InputError
from leftbehind.funding.gap import Filters, area_totals, most_deprived


def cold_spots(con: duckdb.DuckDBPyConnection, areas: pd.DataFrame,
               lsoa_lookup: pd.DataFrame | None, filters: Filters, *,
               imd_share: float = 0.2, threshold: float = 0.5) -> pd.DataFrame:
    """Cold spots sorted by ``owed_gbp`` (largest first)."""
    if threshold <= 0:
        raise InputError(f"--threshold must be positive, got {threshold}")
    totals = area_totals(con, areas, lsoa_lookup, filters)
    frame = areas.merge(totals[["area_code", "amount_gbp"]], on="area_code", how="left")
    frame["received_gbp"] = frame["amount_gbp"].fillna(0.0)
    population = float(frame["population"].sum())
    national = float(frame["received_gbp"].sum())
    if population <= 0:
        raise InputError("areas have no population")
    if national <= 0:
        who = ", ".join(filters.funders) or "all funders"
        raise InputError(f"no located £ grants for {who} with these filters: no fair share "
                         "to compare with (check the funder name with 'leftbehind grants "
                         "status')")
    per_head = national / population
    deprived = most_deprived(frame, imd_share).copy()
    deprived["fair_share_gbp"] = deprived["population"] * per_head
    deprived["owed_gbp"] = deprived["fair_share_gbp"] - deprived["received_gbp"]
    deprived["share_of_fair"] = deprived["received_gbp"] / deprived["fair_share_gbp"]
    cold = deprived[deprived["received_gbp"] < threshold * deprived["fair_share_gbp"]]
    cols = [c for c in ("area_code", "area_name", "lad_code", "lad_name", "group", "imd_rank",
                        "population", "received_gbp", "fair_share_gbp", "owed_gbp",
                        "share_of_fair") if c in cold.columns]
    out = cold[cols].sort_values("owed_gbp", ascending=False).reset_index(drop=True)
    out.attrs["national_gbp_per_head"] = per_head
    out.attrs["deprived_areas"] = len(deprived)
    return out
