"""Left-behind areas for each published edition.

* **2019 (wards)**: OCSI CNI 2019 for December 2017 wards; ward IMD = population-weighted
  average of its LSOAs' IMD 2019 scores through the ONS best-fit LSOA→ward lookup, with
  mid-2017 LSOA populations; wards ranked on that score. ``population`` is the ONS mid-2017
  ward estimate where available, else the sum of the best-fit LSOAs.
* **2023 (LSOAs)**: OCSI CNI 2023 and IMD 2025 for 2021 LSOAs; Census 2021 populations.

Areas that cannot be classified stay in the table with ``group = unclassified`` and a
``reason``; codes found in one file but not another are listed in ``attrs["excluded"]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leftbehind.classification.rule import classify, top_share_cut
from leftbehind.errors import InputError
from leftbehind.indices.domains import CNI_DOMAINS, DOMAINS
from leftbehind.indices.lsoa import lsoa_imd
from leftbehind.indices.summaries import summarise_lsoas
from leftbehind.indices.transform import decile_from_rank, rank_descending
from leftbehind.sources.bundle import DataBundle

EDITIONS = ("2019", "2023")
BASE_COLUMNS = [
    "area_code", "area_name", "lad_code", "lad_name", "population",
    "imd_score", "imd_rank", "imd_decile", "cni_score", "cni_rank", "cni_decile",
]


def identify(bundle: DataBundle, edition: str = "2019", *, imd_share: float = 0.1,
             cni_share: float = 0.1) -> pd.DataFrame:
    """One row per area of the edition with its IMD, CNI and ``group``."""
    for name, share in (("imd-share", imd_share), ("cni-share", cni_share)):
        if not 0 < share <= 1:
            raise InputError(f"--{name} must be between 0 and 1, not {share}")
    if edition == "2019":
        frame, excluded = _wards_2019(bundle)
    elif edition == "2023":
        frame, excluded = _lsoas_2023(bundle)
    else:
        raise InputError(f"--edition must be one of {', '.join(EDITIONS)}, not '{edition}'")
    frame["group"] = classify(frame["imd_rank"], frame["cni_rank"], imd_share=imd_share,
                              cni_share=cni_share)
    reason = np.where(frame["imd_rank"].isna(), frame["reason"], "")
    frame["reason"] = np.where(frame["cni_rank"].isna(), "no CNI score for this area", reason)
    others = [c for c in frame.columns if c not in [*BASE_COLUMNS, "group", "reason"]]
    frame = frame[[*BASE_COLUMNS, "group", "reason", *others]]
    frame.attrs.update(
        edition=edition, synthetic=bundle.synthetic, imd_share=imd_share, cni_share=cni_share,
        imd_cut=top_share_cut(frame["imd_rank"], imd_share),
        cni_cut=top_share_cut(frame["cni_rank"], cni_share),
        excluded=excluded,
    )
    return frame


def _cni_deciles(cni: pd.DataFrame) -> pd.DataFrame:
    cni = cni.copy()
    cni["cni_decile"] = decile_from_rank(cni["cni_rank"].to_numpy())
    return cni


def _wards_2019(bundle: DataBundle) -> tuple[pd.DataFrame, pd.DataFrame]:
    cni = _cni_deciles(bundle.cni("2019"))
    lsoa = lsoa_imd(bundle, "2019")
    lookup = bundle.lsoa11_to_ward17()
    pop = bundle.lsoa_population("2019").rename(columns={"area_code": "lsoa_code"})
    joined = lsoa[["lsoa_code"]].merge(lookup, on="lsoa_code", how="left").merge(
        pop, on="lsoa_code", how="left")
    excluded = _excluded_lsoas(joined)
    usable = joined["ward_code"].notna() & joined["population"].notna()
    ward_code = joined["ward_code"].where(usable)
    summary = summarise_lsoas(lsoa, ward_code, joined["population"].fillna(0.0),
                              n=len(lsoa))
    keep = ["area_code", "lsoas", "population"] + [
        c for c in summary.columns
        if c.endswith(("_average_score", "_average_rank", "_extent"))
        and not c.startswith("rank_of_")
    ]
    summary = summary[keep].rename(columns={"population": "lsoa_population",
                                            "imd_average_score": "imd_score"})
    wards = cni.merge(summary, on="area_code", how="left")
    wards["imd_rank"] = rank_descending(wards["imd_score"].to_numpy())
    wards["imd_decile"] = decile_from_rank(wards["imd_rank"].to_numpy())
    wards["reason"] = np.where(
        wards["imd_score"].isna(), "no LSOA assigned to this ward by the best-fit lookup", "")
    ons = bundle.ward17_population()
    if ons is not None:
        wards = wards.merge(ons[["area_code", "population"]], on="area_code", how="left")
        wards["population_source"] = np.where(wards["population"].notna(),
                                              "ONS mid-2017 ward estimate",
                                              "sum of best-fit LSOAs (mid-2017)")
        wards["population"] = wards["population"].fillna(wards["lsoa_population"])
    else:
        wards["population"] = wards["lsoa_population"]
        wards["population_source"] = "sum of best-fit LSOAs (mid-2017)"
    lookup_only = sorted(set(lookup["ward_code"][lookup["lsoa_code"].isin(lsoa["lsoa_code"])])
                         - set(cni["area_code"]))
    if lookup_only:
        excluded = pd.concat([excluded, pd.DataFrame({
            "code": lookup_only, "kind": "ward",
            "reason": "ward has LSOAs in the best-fit lookup but no CNI 2019 score",
        })], ignore_index=True)
    wards = wards.rename(columns={f"{d}_average_score": f"{d}_score" for d in DOMAINS})
    return wards, excluded


def _excluded_lsoas(joined: pd.DataFrame) -> pd.DataFrame:
    parts = []
    no_ward = joined["ward_code"].isna()
    if no_ward.any():
        parts.append(pd.DataFrame({"code": joined.loc[no_ward, "lsoa_code"], "kind": "lsoa",
                                   "reason": "LSOA not in the best-fit ward lookup"}))
    no_pop = joined["population"].isna()
    if no_pop.any():
        parts.append(pd.DataFrame({"code": joined.loc[no_pop, "lsoa_code"], "kind": "lsoa",
                                   "reason": "LSOA has no population estimate"}))
    if not parts:
        return pd.DataFrame({"code": pd.Series(dtype=str), "kind": pd.Series(dtype=str),
                             "reason": pd.Series(dtype=str)})
    return pd.concat(parts, ignore_index=True)


def _lsoas_2023(bundle: DataBundle) -> tuple[pd.DataFrame, pd.DataFrame]:
    cni = _cni_deciles(bundle.cni("2023"))
    imd = lsoa_imd(bundle, "2025")
    imd_cols = ["lsoa_code", "imd_score", "imd_rank", "imd_decile"] + [
        f"{d}_{kind}" for d in DOMAINS for kind in ("score", "rank") if f"{d}_{kind}" in imd
    ]
    geo = bundle.lsoa21_to_ward24_lad24()[["lsoa_code", "lad_code", "lad_name", "ward_code",
                                           "ward_name"]]
    pop = bundle.lsoa_population("2025").rename(columns={"area_code": "lsoa_code"})
    frame = cni.merge(imd[imd_cols].rename(columns={"lsoa_code": "area_code"}),
                      on="area_code", how="left")
    frame = frame.merge(geo.rename(columns={"lsoa_code": "area_code"}), on="area_code",
                        how="left").merge(pop.rename(columns={"lsoa_code": "area_code"}),
                                          on="area_code", how="left")
    frame["reason"] = np.where(frame["imd_rank"].isna(), "no IMD 2025 rank for this LSOA", "")
    frame["population_source"] = "Census 2021 usual residents"
    parts = []
    imd_only = sorted(set(imd["lsoa_code"]) - set(cni["area_code"]))
    if imd_only:
        parts.append(pd.DataFrame({"code": imd_only, "kind": "lsoa",
                                   "reason": "LSOA has an IMD 2025 rank but no CNI 2023 score"}))
    no_pop = frame["population"].isna()
    if no_pop.any():
        parts.append(pd.DataFrame({"code": frame.loc[no_pop, "area_code"], "kind": "lsoa",
                                   "reason": "LSOA has no Census 2021 population"}))
    excluded = (pd.concat(parts, ignore_index=True) if parts else
                pd.DataFrame({"code": pd.Series(dtype=str), "kind": pd.Series(dtype=str),
                              "reason": pd.Series(dtype=str)}))
    return frame, excluded


CNI_COLUMNS = [f"{d}_{k}" for d in CNI_DOMAINS for k in ("score", "rank")]
