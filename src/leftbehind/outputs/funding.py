"""Glue between the grant store (``leftbehind.funding``) and the report, profile and export.

The funding package computes the gap; this module only turns its results into a
:class:`FundingSection`, so outputs work (without a funding section) when no store is given.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pandas as pd

from leftbehind.errors import InputError
from leftbehind.outputs.report import FundingSection
from leftbehind.sources.bundle import DataBundle


def load_funding(store: Path | None, bundle: DataBundle, edition: str,
                 areas: pd.DataFrame) -> FundingSection | None:
    """The funding section from the grant store at ``store`` (``None`` without a store)."""
    if store is None:
        return None
    store = Path(store)
    if not store.exists():
        raise InputError("grant store not found (import grants first)", path=store)
    try:
        gap_mod: Any = importlib.import_module("leftbehind.funding.gap")
    except ImportError:
        raise InputError("this build has no funding-gap analysis (leftbehind.funding.gap)",
                         path=store) from None
    gap = gap_mod.funding_gap(store, areas=areas, bundle=bundle, edition=edition)
    cold = None
    figure = None
    try:
        cold_mod: Any = importlib.import_module("leftbehind.funding.coldspots")
        cold = cold_mod.cold_spots(store, areas=areas, bundle=bundle, edition=edition)
    except ImportError:
        pass
    try:
        chart_mod: Any = importlib.import_module("leftbehind.funding.charts")
        figure = chart_mod.gap_figure(gap)
    except ImportError:
        pass
    return FundingSection(gap=gap, coldspots=cold, figure=figure, store=store,
                          note=f"Grants from the store {store.name}, located by recipient.")
