"""Glue between the grant store (``leftbehind.funding``) and the report, profile and export.

The funding package computes the gap, cold spots and chart; this module only collects them into
a :class:`FundingSection`, so outputs work (without a funding section) when no store is given.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from leftbehind.errors import InputError
from leftbehind.outputs.report import FundingSection
from leftbehind.sources.bundle import DataBundle


def load_funding(store: Path | None, bundle: DataBundle, edition: str,
                 areas: pd.DataFrame) -> FundingSection | None:
    """The funding section from the grant store at ``store`` (``None`` without a store)."""
    if store is None:
        return None
    from leftbehind.funding.charts import funding_figure
    from leftbehind.funding.coldspots import cold_spots
    from leftbehind.funding.gap import Filters, funding_gap
    from leftbehind.funding.store import open_store

    store = Path(store)
    if not store.exists():
        raise InputError("grant store not found (import grants first)", path=store)
    lookup = bundle.lsoa11_to_ward17() if edition == "2019" else None
    con = open_store(store, create=False)
    try:
        gap = funding_gap(con, areas, lookup, Filters())
        by_area = funding_gap(con, areas, lookup, Filters(), by="area")
        cold = cold_spots(con, areas, lookup, Filters())
    finally:
        con.close()
    return FundingSection(
        gap=gap, coldspots=cold, figure=funding_figure(gap), store=store, by_area=by_area,
        note=f"Grants in the store {store.name}, located by the best available location "
             "(beneficiary, else recipient). Cold spots: among the 20% most deprived areas, "
             "received less than half their fair share (national £ per head × population).")
