"""One-area profile: where a ward, LSOA or district stands, as a self-contained HTML page.

The code's kind is detected from its prefix and the edition's own code lists, so a code of
the wrong vintage (a 2021 LSOA with the 2019 edition) is named as such instead of being
reported as "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from leftbehind import SYNTHETIC_LABEL
from leftbehind.errors import InputError
from leftbehind.indices.domains import CNI_DOMAINS, CNI_LABELS
from leftbehind.outputs import boundaries as bnd
from leftbehind.outputs import charts
from leftbehind.outputs.files import check_writable, write_text
from leftbehind.outputs.provenance import collect
from leftbehind.outputs.report import (
    FundingSection,
    check_edition,
    classify,
    environment,
    plotly_js,
    unit_names,
)
from leftbehind.sources.bundle import DataBundle

DISTRICT_PREFIXES = ("E06", "E07", "E08", "E09")


@dataclass
class Target:
    """The area asked for: its kind and the rows of the areas table it covers."""

    code: str
    kind: str  # "ward", "lsoa" or "district"
    name: str
    rows: pd.DataFrame
    note: str = ""


def _lsoa_codes(bundle: DataBundle, vintage: str) -> set[str]:
    try:
        frame = (bundle.lsoa11_to_lad19() if vintage == "11" else bundle.lsoa21_to_ward24_lad24())
    except InputError:
        return set()
    return set(frame["lsoa_code"].astype(str))


def _ward24(bundle: DataBundle) -> pd.DataFrame | None:
    try:
        return bundle.lsoa21_to_ward24_lad24()
    except InputError:
        return None


def find_area(bundle: DataBundle, edition: str, areas: pd.DataFrame, code: str) -> Target:
    """Resolve ``code`` for ``edition``; wrong-vintage and unknown codes raise InputError."""
    code = code.strip().upper()
    codes = areas["area_code"].astype(str)
    if code in set(codes):
        row = areas[codes == code]
        kind = "ward" if edition == "2019" else "lsoa"
        return Target(code, kind, str(row["area_name"].iloc[0]), row)
    if code.startswith(DISTRICT_PREFIXES) and code in set(areas["lad_code"].astype(str)):
        rows = areas[areas["lad_code"].astype(str) == code]
        return Target(code, "district", str(rows["lad_name"].iloc[0]), rows)
    if code.startswith("E01"):
        if edition == "2019" and code in _lsoa_codes(bundle, "11"):
            ward = bundle.lsoa11_to_ward17()
            hit = ward[ward["lsoa_code"] == code]
            if not hit.empty and hit["ward_code"].iloc[0] in set(codes):
                row = areas[codes == hit["ward_code"].iloc[0]]
                return Target(str(row["area_code"].iloc[0]), "ward",
                              str(row["area_name"].iloc[0]), row,
                              note=f"2011 LSOA {code} lies in this ward (ONS best-fit lookup); "
                                   "the 2019 edition classifies wards, so its ward is shown.")
            raise InputError(f"2011 LSOA {code} lies in a ward with no CNI 2019 score "
                             "(not classified)")
        other = "11" if edition == "2023" else "21"
        if code in _lsoa_codes(bundle, other):
            right = "2019" if other == "11" else "2023"
            raise InputError(f"{code} is a 20{other} LSOA code, but edition {edition} uses "
                             f"{'2017 wards' if edition == '2019' else '2021 LSOAs'}; "
                             f"use --edition {right}")
    if code.startswith("E05"):
        ward24 = _ward24(bundle)
        if edition == "2023" and ward24 is not None and code in set(ward24["ward_code"]):
            lsoas = ward24.loc[ward24["ward_code"] == code, "lsoa_code"]
            rows = areas[codes.isin(set(lsoas))]
            if not rows.empty:
                return Target(code, "ward", str(ward24.loc[ward24["ward_code"] == code,
                                                           "ward_name"].iloc[0]), rows,
                              note="2024 ward made of its best-fit 2021 LSOAs.")
        if edition == "2019" and ward24 is not None and code in set(ward24["ward_code"]):
            raise InputError(f"{code} is a 2024 ward code, but edition 2019 uses December 2017 "
                             "wards; use --edition 2023 or a 2017 ward code")
        if edition == "2023" and code in set(bundle.lsoa11_to_ward17()["ward_code"]):
            raise InputError(f"{code} is a 2017 ward code, but edition 2023 uses 2021 LSOAs "
                             "and 2024 wards; use --edition 2019")
    raise InputError(f"unknown area code '{code}' for edition {edition} "
                     "(expected a ward E05…, LSOA E01… or district E06–E09… code)")


def _weighted(rows: pd.DataFrame, column: str) -> float:
    return _weighted_values(rows[column].to_numpy(dtype=float),
                            rows["population"].to_numpy(dtype=float))


def comparison(areas: pd.DataFrame, target: Target,
               kind: str) -> tuple[pd.DataFrame, str] | None:
    """Domain values (see :func:`charts.domain_measure`) for the area, its district and
    England (population-weighted means), and the measure's description."""
    measured = charts.domain_measure(areas, kind)
    if measured is None:
        return None
    values, description = measured
    classified = areas["group"].astype(str) != "unclassified"
    lad = target.rows["lad_code"].iloc[0]
    parts = {target.name: areas.index.isin(target.rows.index),
             "District": classified & (areas["lad_code"] == lad), "England": classified}
    weights = areas["population"].to_numpy(dtype=float)
    data: dict[str, list[float]] = {}
    for name, mask in parts.items():
        data[name] = [_weighted_values(values[col].to_numpy(dtype=float)[mask], weights[mask])
                      for col in values.columns]
    frame = pd.DataFrame(data, index=list(values.columns))
    if target.kind == "district":
        frame = frame.drop(columns="District")
    return frame, description


def _weighted_values(values: np.ndarray, weights: np.ndarray) -> float:
    ok = ~np.isnan(values) & ~np.isnan(weights)
    return float(np.average(values[ok], weights=weights[ok])) if ok.any() else float("nan")


def _facts(target: Target, areas: pd.DataFrame) -> list[tuple[str, str]]:
    rows = target.rows
    unit, units = unit_names(str(areas.attrs.get("edition", "2019")))
    pop = float(rows["population"].sum())
    facts = [("Population", f"{pop:,.0f}")]
    if len(rows) == 1:
        r = rows.iloc[0]
        for key, label in (("imd", "IMD"), ("cni", "CNI")):
            rank, decile, score = r.get(f"{key}_rank"), r.get(f"{key}_decile"), r.get(
                f"{key}_score")
            ranked = int(areas[f"{key}_rank"].notna().sum())  # each index ranks its own areas
            if pd.notna(rank):
                facts.append((f"{label} rank", f"{rank:,.0f} of {ranked:,} (decile {decile:.0f})"))
            if pd.notna(score):
                facts.append((f"{label} score", f"{score:.1f}"))
        for d in CNI_DOMAINS:
            if pd.notna(r.get(f"{d}_rank")):
                facts.append((f"{CNI_LABELS[d]} rank", f"{r[f'{d}_rank']:,.0f}"))
        facts.append(("District", f"{r['lad_name']} ({r['lad_code']})"))
    else:
        counts = rows["group"].astype(str).value_counts()
        for g in ("left_behind", "other_deprived", "other", "unclassified"):
            if counts.get(g, 0):
                noun = unit if counts[g] == 1 else units
                facts.append((charts.GROUP_LABELS[g], f"{counts[g]:,} {noun}"))
        facts.append(("IMD score (population-weighted)", f"{_weighted(rows, 'imd_score'):.1f}"))
        facts.append(("CNI score (population-weighted)", f"{_weighted(rows, 'cni_score'):.1f}"))
    return facts


SUMMARY_FACTS = (
    ("imd_average_score", "IMD average score", "{:.1f}"),
    ("imd_average_rank", "IMD average rank (reversed)", "{:,.0f}"),
    ("imd_proportion_decile1", "LSOAs in the most deprived 10%", "{:.1%}"),
    ("imd_extent", "IMD extent", "{:.1%}"),
    ("imd_local_concentration", "IMD local concentration", "{:,.0f}"),
    ("income_scale", "Income-deprived people (income scale)", "{:,.0f}"),
)


def _district_summary(bundle: DataBundle, edition: str, target: Target) -> list[tuple[str, str]]:
    """For a district: the IoD district summaries of the matching IMD, each with its rank."""
    if target.kind != "district":
        return []
    from leftbehind.indices.geographies import summarise_edition

    imd_edition = "2019" if edition == "2019" else "2025"
    summary = summarise_edition(bundle, imd_edition, "lad").set_index("area_code")
    if target.code not in summary.index:
        return []
    row, n = summary.loc[target.code], len(summary)
    return [(f"{label} (IMD {imd_edition})",
             f"{fmt.format(row[col])} — rank {row['rank_of_' + col]:,.0f} of {n:,}")
            for col, label, fmt in SUMMARY_FACTS if col in summary.columns]


def _per_head(rows: pd.DataFrame, label: str, strong: bool = False) -> dict[str, Any]:
    """Grants per 10,000 people and £ per head over ``rows`` of the by-area funding table."""
    pop = float(rows["population"].sum())
    return {
        "label": label, "strong": strong,
        "grants_per_10k": rows["grants"].sum() / pop * 10_000 if pop else float("nan"),
        "gbp_per_head": rows["amount_gbp"].sum() / pop if pop else float("nan"),
    }


def build_profile(bundle: DataBundle, code: str, edition: str = "2019", *,
                  areas: pd.DataFrame | None = None, funding: FundingSection | None = None,
                  boundaries: Path | None = None, code_column: str | None = None) -> str:
    """The profile page for ``code``."""
    edition = check_edition(edition)
    if areas is None:
        areas = classify(bundle, edition)
    target = find_area(bundle, edition, areas, code)
    unit, units = unit_names(edition)
    groups = target.rows["group"].astype(str)
    if len(target.rows) == 1:
        group = groups.iloc[0]
    else:
        group = "left_behind" if (groups == "left_behind").any() else groups.mode().iloc[0]
    bars = []
    for kind, title in (("imd", "Indices of Deprivation domains"),
                        ("cni", "Community Needs Index domains")):
        compared = comparison(areas, target, kind)
        if compared is not None:
            frame, description = compared
            fig = charts.profile_bars(frame, f"{title} ({description})")
            bars.append(Markup(charts.to_div(fig, f"bars-{kind}")))
    lad = target.rows["lad_code"].iloc[0] if target.kind != "district" else target.code
    district_rows = areas[areas["lad_code"] == lad]
    shapes = bnd.area_shapes(bundle, edition, boundaries, code_column)
    local = shapes.frame[shapes.frame["area_code"].isin(district_rows["area_code"])]
    map_div = None
    if not local.empty:
        geojson = bnd.web_geojson(local, tolerance=0.0)
        highlight = set(target.rows["area_code"])
        fig = charts.small_map(geojson, list(local["area_code"]), highlight,
                               dict(zip(district_rows["area_code"], district_rows["area_name"],
                                        strict=True)))
        map_div = Markup(charts.to_div(fig, "small-map"))
    gap_rows: list[dict[Any, Any]] = []
    if funding is not None and funding.by_area is not None:
        own = funding.by_area[funding.by_area["area_code"].isin(target.rows["area_code"])]
        district = funding.by_area[funding.by_area["area_code"].isin(district_rows["area_code"])]
        gap_rows += [_per_head(own, target.name, strong=True)]
        if target.kind != "district":
            lad_name = target.rows["lad_name"].iloc[0]
            gap_rows.append(_per_head(district, f"Its district ({lad_name})"))
    if funding is not None and funding.gap is not None:
        for rec in funding.gap.to_dict("records"):
            rec["label"] = charts.GROUP_LABELS.get(str(rec.get("group")), str(rec.get("group")))
            gap_rows.append(rec)
    prov = collect(bundle, edition, extra_ids=shapes.inputs,
                   settings={"edition": edition, "area": target.code})
    kind_label = {"ward": "Ward", "lsoa": "LSOA", "district": "District"}[target.kind]
    return environment().get_template("profile.html.j2").render(
        title=f"{target.name} ({target.code}) — area profile, {edition} edition"
              + (f" — {SYNTHETIC_LABEL}" if bundle.synthetic else ""),
        plotly_js=plotly_js(), prov=prov, synthetic=bundle.synthetic,
        synthetic_label=SYNTHETIC_LABEL, target=target, kind_label=kind_label,
        group=group, group_label=charts.GROUP_LABELS.get(group, group),
        group_colour=charts.GROUP_COLOURS.get(group, "#455a64"),
        facts=[*_facts(target, areas), *_district_summary(bundle, edition, target)],
        bars=bars, map_div=map_div, unit=unit, units=units,
        gap_rows=gap_rows, funding_note=funding.note if funding else "",
        shape_note=shapes.note, edition=edition,
    )


def write_profile(out: Path | str, bundle: DataBundle, code: str, edition: str = "2019",
                  **kwargs: Any) -> Path:
    """Build the profile and write it atomically (output path checked before any work)."""
    target = Path(out)
    check_writable(target)
    return write_text(build_profile(bundle, code, edition, **kwargs), target)
