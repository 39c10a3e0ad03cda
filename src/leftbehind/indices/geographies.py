"""Summaries of an IMD edition for districts or wards, with the lookup and population that
match the edition.

* 2019: LSOA 2011 → 2019 districts (ONS lookup) or December 2017 wards (best-fit lookup);
  LSOA populations mid-2017 (the bundle has no mid-2015 estimate, which the IoD used).
* 2025: LSOA 2021 → 2024 districts and May 2024 wards (best-fit lookup); Census 2021
  populations (the IoD used mid-2022).
"""

from __future__ import annotations

import pandas as pd

from leftbehind.errors import InputError
from leftbehind.indices.lsoa import lsoa_imd
from leftbehind.indices.summaries import summarise_lsoas, summary_columns
from leftbehind.sources.bundle import DataBundle

GEOGRAPHIES = ("lad", "ward")
POPULATION_NOTE = {
    "2019": "ONS mid-2017 LSOA population estimates",
    "2025": "Census 2021 LSOA usual residents",
}


def lsoa_geography(bundle: DataBundle, edition: str) -> pd.DataFrame:
    """Per LSOA of the edition: ``lsoa_code, lad_code, lad_name, ward_code, ward_name``."""
    if edition == "2019":
        lad = bundle.lsoa11_to_lad19()[["lsoa_code", "lad_code", "lad_name"]]
        ward = bundle.lsoa11_to_ward17()
        names = bundle.cni("2019")[["area_code", "area_name"]].rename(
            columns={"area_code": "ward_code", "area_name": "ward_name"}) \
            if bundle.has("cni2019_ward17") else None
        geo = lad.merge(ward, on="lsoa_code", how="outer")
        if names is not None:
            geo = geo.merge(names, on="ward_code", how="left")
        else:
            geo["ward_name"] = pd.NA
        return geo
    lk = bundle.lsoa21_to_ward24_lad24()
    return lk[["lsoa_code", "lad_code", "lad_name", "ward_code", "ward_name"]]


def summarise_edition(bundle: DataBundle, edition: str, to: str) -> pd.DataFrame:
    """One row per district or ward of England for the IMD ``edition`` (2019 or 2025)."""
    if to not in GEOGRAPHIES:
        raise InputError(f"--to must be one of {', '.join(GEOGRAPHIES)}, not '{to}'")
    if edition not in POPULATION_NOTE:
        raise InputError(f"--edition must be 2019 or 2025 for summaries, not '{edition}'")
    lsoa = lsoa_imd(bundle, edition)
    geo = lsoa_geography(bundle, edition)
    pop = bundle.lsoa_population(edition).rename(columns={"area_code": "lsoa_code"})
    joined = lsoa[["lsoa_code"]].merge(geo, on="lsoa_code", how="left").merge(
        pop, on="lsoa_code", how="left")
    missing_pop = joined["population"].isna()
    if missing_pop.any():
        code = joined.loc[missing_pop, "lsoa_code"].iloc[0]
        raise InputError(
            f"{int(missing_pop.sum())} LSOA(s) of the IMD have no population, e.g. '{code}'",
            path=bundle.path("population17_lsoa11" if edition == "2019"
                             else "census21_population_lsoa21"),
        )
    code_col, name_col = f"{to}_code", f"{to}_name"
    out = summarise_lsoas(lsoa, joined[code_col], joined["population"], n=len(lsoa))
    names = joined[[code_col, name_col]].dropna(subset=[code_col]).drop_duplicates(code_col)
    out = out.merge(names.rename(columns={code_col: "area_code", name_col: "area_name"}),
                    on="area_code", how="left")
    if to == "ward":
        lad = joined[[code_col, "lad_code", "lad_name"]].dropna(subset=[code_col])
        lad = lad.drop_duplicates(code_col).rename(columns={code_col: "area_code"})
        out = out.merge(lad, on="area_code", how="left")
    front = ["area_code", "area_name"] + (["lad_code", "lad_name"] if to == "ward" else [])
    out = out[[*front, "lsoas", "population", *summary_columns(out)]]
    out.attrs.update(edition=edition, geography=to, synthetic=bundle.synthetic,
                     population=POPULATION_NOTE[edition],
                     imd_score_source=lsoa.attrs.get("imd_score_source"))
    return out
