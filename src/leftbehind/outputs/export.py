"""Export the classified areas for GIS and spreadsheet users, at full boundary detail.

GeoJSON and GeoParquet carry one feature per area with every attribute; areas without a
shape (e.g. wards the best-fit lookup gives no LSOA) keep a null geometry rather than being
dropped, so counts match the classification. The workbook has one sheet per table and a
README sheet explaining each sheet and column, the sources and whether data are synthetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from leftbehind import SYNTHETIC_LABEL
from leftbehind.errors import InputError
from leftbehind.outputs import boundaries as bnd
from leftbehind.outputs.files import atomic_path, check_writable
from leftbehind.outputs.provenance import Provenance, collect
from leftbehind.outputs.report import FundingSection, check_edition, classify
from leftbehind.sources.bundle import DataBundle

FORMATS = ("geojson", "geoparquet", "xlsx")
COLUMN_NOTES: dict[str, str] = {
    "area_code": "GSS code of the area (2017 ward for 2019, 2021 LSOA for 2023)",
    "area_name": "Area name", "lad_code": "Local authority district code",
    "lad_name": "Local authority district name",
    "population": "Residents (see population_source)",
    "imd_score": "IMD score (ward: population-weighted mean of its LSOAs' scores)",
    "imd_rank": "IMD rank among the edition's areas, 1 = most deprived",
    "imd_decile": "IMD decile, 1 = most deprived 10%",
    "cni_score": "Community Needs Index score, higher = more need",
    "cni_rank": "CNI rank, 1 = highest need", "cni_decile": "CNI decile, 1 = highest need",
    "group": "left_behind, other_deprived, other or unclassified",
    "reason": "Why an area is unclassified (empty otherwise)",
}
SUFFIX_NOTES: dict[str, str] = {
    "_score": "score (higher = more deprived / more need)",
    "_rank": "rank, 1 = most deprived / highest need",
    "_decile": "decile, 1 = most deprived / highest need",
    "_average_rank": "population-weighted mean of reversed LSOA ranks (higher = more deprived)",
    "_average_score": "population-weighted mean LSOA score",
    "_extent": "share of population in the most deprived 30% of LSOAs (weighted)",
    "_proportion_decile1": "share of LSOAs in the most deprived 10%",
    "_local_concentration": "mean reversed rank of the most deprived LSOAs holding 10% of people",
    "_scale": "income-deprived people: sum of LSOA income score × population",
}


def check_format(fmt: str, out: Path) -> str:
    fmt = fmt.lower().strip()
    if fmt not in FORMATS:
        raise InputError(f"unknown format '{fmt}': use {', '.join(FORMATS)}")
    return fmt


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categoricals → text and no attrs, so every writer (and Excel) accepts the frame."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(str)
    out.attrs = {}
    return out


def areas_with_shapes(bundle: DataBundle, edition: str, areas: pd.DataFrame | None = None,
                      boundaries: Path | None = None, code_column: str | None = None,
                      ) -> tuple[gpd.GeoDataFrame, bnd.AreaShapes]:
    """Classified areas joined to full-detail shapes (one row per area)."""
    if areas is None:
        areas = classify(bundle, edition)
    shapes = bnd.area_shapes(bundle, edition, boundaries, code_column)
    frame = bnd.attach(_plain(areas), shapes.frame)
    frame["synthetic"] = bool(bundle.synthetic)
    return frame, shapes


def column_note(column: str) -> str:
    if column in COLUMN_NOTES:
        return COLUMN_NOTES[column]
    if column.startswith("rank_of_") and (of := column_note(column.removeprefix("rank_of_"))):
        return f"rank (1 = most deprived) of {of}"
    for suffix in sorted(SUFFIX_NOTES, key=len, reverse=True):
        if column.endswith(suffix):
            return f"{column.removesuffix(suffix).replace('_', ' ')}: {SUFFIX_NOTES[suffix]}"
    return ""


def readme_sheet(sheets: dict[str, pd.DataFrame], prov: Provenance,
                 notes: list[str]) -> pd.DataFrame:
    """Rows of (sheet, column, description): what is where, sources and the synthetic flag."""
    rows: list[dict[str, Any]] = [
        {"sheet": "", "column": "", "description": "leftbehind export, edition "
         f"{prov.edition}, generated {prov.generated}"},
        {"sheet": "", "column": "data",
         "description": SYNTHETIC_LABEL.upper() + ": not real places" if prov.synthetic
         else "real data"},
    ]
    rows += [{"sheet": "", "column": "note", "description": n} for n in notes]
    for name, frame in sheets.items():
        rows.append({"sheet": name, "column": "", "description": f"{len(frame):,} rows"})
        rows += [{"sheet": name, "column": str(c), "description": column_note(str(c))}
                 for c in frame.columns]
    rows += [{"sheet": "sources", "column": f.dataset_id,
              "description": f"{f.title}; {Path(f.path).name}; sha256 {f.sha256}; {f.licence}"}
             for f in prov.inputs]
    rows += [{"sheet": "software", "column": k, "description": v}
             for k, v in prov.versions.items()]
    return pd.DataFrame(rows, columns=["sheet", "column", "description"])


def district_table(bundle: DataBundle, edition: str) -> pd.DataFrame:
    """IoD summaries per district (2019 IMD for the 2019 edition, IMD 2025 for 2023)."""
    from leftbehind.indices.geographies import summarise_edition

    return _plain(summarise_edition(bundle, "2019" if edition == "2019" else "2025", to="lad"))


def export(bundle: DataBundle, edition: str, fmt: str, out: Path | str, *,
           areas: pd.DataFrame | None = None, funding: FundingSection | None = None,
           boundaries: Path | None = None, code_column: str | None = None) -> Path:
    """Write the areas (and, for xlsx, the other tables) to ``out`` atomically."""
    target = Path(out)
    edition = check_edition(edition)
    fmt = check_format(fmt, target)
    check_writable(target)
    frame, shapes = areas_with_shapes(bundle, edition, areas, boundaries, code_column)
    if fmt == "geojson":
        with atomic_path(target) as tmp:
            tmp.write_text(frame.to_json(na="null", drop_id=True), encoding="utf-8")
        return target
    if fmt == "geoparquet":
        with atomic_path(target) as tmp:
            frame.to_parquet(tmp, index=False)
        return target
    sheets: dict[str, pd.DataFrame] = {"areas": pd.DataFrame(frame.drop(columns="geometry"))}
    sheets["districts"] = district_table(bundle, edition)
    if funding is not None and funding.gap is not None:
        sheets["funding_gap"] = _plain(funding.gap)
    if funding is not None and funding.coldspots is not None:
        sheets["cold_spots"] = _plain(funding.coldspots)
    extra = [("grant store", funding.store)] if funding and funding.store else []
    prov = collect(bundle, edition, extra_ids=shapes.inputs, extra_files=extra)
    readme = readme_sheet(sheets, prov, [shapes.note])
    with atomic_path(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        readme.to_excel(writer, sheet_name="README", index=False)
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)
        for ws in writer.book.worksheets:
            ws.freeze_panes = "A2"
        writer.book["README"].column_dimensions["C"].width = 110
    return target
