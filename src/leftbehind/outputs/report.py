"""The England report: one self-contained HTML file that opens with no network.

Everything the page needs is inside it: plotly.js (inlined once), the area shapes as GeoJSON
(simplified for the web), the tables and a few lines of JavaScript for sorting and filtering.
So the file can be e-mailed, archived or opened offline and still show the same thing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from leftbehind import SYNTHETIC_LABEL
from leftbehind.errors import InputError
from leftbehind.outputs import boundaries as bnd
from leftbehind.outputs import charts
from leftbehind.outputs.files import check_writable, write_text
from leftbehind.outputs.provenance import Provenance, collect
from leftbehind.sources.bundle import DataBundle

EDITIONS = ("2019", "2023")
TEMPLATES = Path(__file__).parent / "templates"
WEB_TOLERANCE = {"2019": 0.0005, "2023": 0.0008}
"""Simplification tolerance (degrees, coverage Visvalingam–Whyatt) for the page's shapes."""


@dataclass
class FundingSection:
    """What the report shows about grants: filled by the funding package or by a caller."""

    gap: pd.DataFrame | None = None
    """``group, areas, population, grants, amount_gbp, grants_per_10k, gbp_per_head``."""
    coldspots: pd.DataFrame | None = None
    figure: Any = None
    note: str = ""
    store: Path | None = None
    by_area: pd.DataFrame | None = None
    """``area_code, population, grants, amount_gbp`` for every area (profiles use it)."""


@dataclass
class Timings:
    """Seconds spent per step, so slow steps show up in logs and tests."""

    steps: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str, start: float) -> float:
        now = time.perf_counter()
        self.steps[name] = round(now - start, 3)
        return now


def check_edition(edition: str) -> str:
    edition = str(edition)
    if edition not in EDITIONS:
        raise InputError(f"unknown edition '{edition}': use 2019 (wards) or 2023 (LSOAs)")
    return edition


@cache
def environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(["html", "j2"]),
                       trim_blocks=True, lstrip_blocks=True)


@cache
def plotly_js() -> Markup:
    """plotly.js source, inlined once per page (no CDN)."""
    from plotly.offline import get_plotlyjs

    # A closing script tag inside the library would end the <script> element early.
    return Markup(get_plotlyjs().replace("</script", "<\\/script"))


def unit_names(edition: str) -> tuple[str, str]:
    return ("ward", "wards") if edition == "2019" else ("LSOA", "LSOAs")


def classify(bundle: DataBundle, edition: str, imd_share: float = 0.1,
             cni_share: float = 0.1) -> pd.DataFrame:
    """The lead's classification (one row per area); imported late to keep start-up fast."""
    from leftbehind.classification import identify

    return identify(bundle, edition=edition, imd_share=imd_share, cni_share=cni_share)


def headline(areas: pd.DataFrame) -> list[dict[str, Any]]:
    """Counts and population per group, plus England, computed from the areas table."""
    total = float(areas["population"].sum())
    rows = []
    for group in ("left_behind", "other_deprived", "other", "unclassified"):
        part = areas[areas["group"] == group]
        if group == "unclassified" and part.empty:
            continue
        pop = float(part["population"].sum())
        rows.append({"group": group, "label": charts.GROUP_LABELS[group], "areas": len(part),
                     "population": pop, "share": 100 * pop / total if total else 0.0,
                     "colour": charts.GROUP_COLOURS[group]})
    rows.append({"group": "england", "label": "England (all areas)", "areas": len(areas),
                 "population": total, "share": 100.0, "colour": charts.GROUP_COLOURS["england"]})
    return rows


TABLE_COLUMNS: list[dict[str, Any]] = [
    {"key": "area_code", "label": "Code"},
    {"key": "area_name", "label": "Name"},
    {"key": "lad_name", "label": "District"},
    {"key": "population", "label": "Population", "num": True, "fmt": "{:,.0f}"},
    {"key": "imd_score", "label": "IMD score", "num": True, "fmt": "{:.1f}"},
    {"key": "imd_rank", "label": "IMD rank", "num": True, "fmt": "{:,.0f}"},
    {"key": "cni_score", "label": "CNI score", "num": True, "fmt": "{:.1f}"},
    {"key": "cni_rank", "label": "CNI rank", "num": True, "fmt": "{:,.0f}"},
    {"key": "civic_assets_rank", "label": "Civic assets rank", "num": True, "fmt": "{:,.0f}"},
    {"key": "connectedness_rank", "label": "Connectedness rank", "num": True, "fmt": "{:,.0f}"},
    {"key": "engaged_community_rank", "label": "Engaged community rank", "num": True,
     "fmt": "{:,.0f}"},
]


def _records(frame: pd.DataFrame, keys: list[str]) -> list[dict[str, Any]]:
    present = [k for k in keys if k in frame.columns]
    out = frame[present].astype(object).where(frame[present].notna(), None)
    return [dict(zip(present, row, strict=True)) for row in out.itertuples(index=False)]


def methodology(edition: str, imd_share: float, cni_share: float, shape_note: str) -> list[str]:
    """The method in the project's words (see docs/OUTPUTS.md)."""
    unit = "wards" if edition == "2019" else "LSOAs"
    paras = [
        "A neighbourhood is called left behind when it is among the most deprived in England on "
        "the Index of Multiple Deprivation (IMD) and, at the same time, among those with the "
        "highest need on OCSI's Community Needs Index (CNI), which measures the lack of places "
        "to meet, poor connections to jobs and services, and a less active community sector. "
        "Deprivation alone does not make an area left behind; it is the combination with weak "
        "social infrastructure.",
        f"Thresholds used here: the {imd_share:.0%} most deprived {unit} on the IMD and the "
        f"{cni_share:.0%} with the highest CNI need. A share is read as the top floor(n × share) "
        f"of the n {unit} ranked. Other deprived = in the IMD threshold but not left behind.",
    ]
    if edition == "2019":
        paras.append(
            "2019 edition: CNI 2019 is published for December 2017 wards. A ward's IMD score is "
            "the population-weighted mean of the IMD 2019 scores of the 2011 LSOAs assigned to it "
            "by the ONS best-fit lookup (scores rebuilt from the published domain ranks with the "
            "IoD exponential transformation and weights; mid-2017 populations). Wards that the "
            "best-fit lookup gives no LSOA have no IMD score and are reported as unclassified.")
    else:
        paras.append(
            "2023 edition: CNI 2023 and IMD 2025 are both published for 2021 LSOAs, so an LSOA is "
            "left behind when it is in decile 1 of both. District names come from the ONS "
            "LSOA 2021 → ward 2024 → district 2024 best-fit lookup.")
    paras.append(
        "IMD rank 1 and CNI rank 1 are the most deprived and the highest need. Deciles: "
        "decile 1 = the 10% most deprived / highest need. " + shape_note)
    return paras


def _funding_context(funding: FundingSection | None) -> dict[str, Any] | None:
    if funding is None:
        return None
    gap_rows = []
    if funding.gap is not None and not funding.gap.empty:
        for rec in funding.gap.to_dict("records"):
            rec["label"] = charts.GROUP_LABELS.get(str(rec.get("group")), str(rec.get("group")))
            gap_rows.append(rec)
    cold_columns: list[str] = []
    cold_rows: list[list[Any]] = []
    if funding.coldspots is not None and not funding.coldspots.empty:
        frame = funding.coldspots
        cold_columns = [str(c) for c in frame.columns]
        cold_rows = [[("" if pd.isna(v) else (f"{v:,.2f}" if isinstance(v, float) else v))
                      for v in row] for row in frame.itertuples(index=False)]
    figure_div = (Markup(charts.to_div(funding.figure, "funding-gap-chart"))
                  if funding.figure is not None else None)
    return {"note": funding.note, "gap_rows": gap_rows, "cold_rows": cold_rows,
            "cold_columns": cold_columns, "figure_div": figure_div}


def render_report(areas: pd.DataFrame, shapes: bnd.AreaShapes, prov: Provenance, *,
                  edition: str, synthetic: bool, funding: FundingSection | None = None,
                  imd_share: float = 0.1, cni_share: float = 0.1) -> str:
    """The report's HTML from an areas table, its shapes and provenance."""
    unit, units = unit_names(edition)
    mapped = areas[areas["group"] != "unclassified"]
    have = set(shapes.frame["area_code"].astype(str))
    on_map = mapped[mapped["area_code"].astype(str).isin(have)]
    geo_frame = shapes.frame[shapes.frame["area_code"].isin(on_map["area_code"])]
    web_shapes = bnd.compact_shapes(
        geo_frame["area_code"].astype(str).to_numpy(),
        bnd.simplify_for_web(geo_frame.geometry.to_numpy(), WEB_TOLERANCE.get(edition, 0.0005)))
    missing = len(mapped) - len(on_map)
    n_unclassified = int((areas["group"] == "unclassified").sum())
    missing_text = " ".join(t for t in (
        f"{missing} classified {units} have no shape and are not drawn." if missing else "",
        f"{n_unclassified} unclassified {units} (no IMD or CNI value) are not drawn."
        if n_unclassified else "") if t)
    # The shapes travel compactly beside the figure (charts.map_div), not inside it.
    map_fig = charts.map_figure(on_map.reset_index(drop=True), bnd.EMPTY_GEOJSON)
    domain_divs = [Markup(charts.to_div(fig, f"domains-{kind}"))
                   for kind in ("imd", "cni")
                   if (fig := charts.domain_figure(areas, kind)) is not None]
    left_behind = areas[areas["group"] == "left_behind"].sort_values("cni_rank")
    columns = [c for c in TABLE_COLUMNS if c["key"] in areas.columns]
    place = "Demoshire (a synthetic region)" if synthetic else "England"
    title = (f"Left-behind neighbourhoods in {place}, {edition} edition"
             + (f" — {SYNTHETIC_LABEL}" if synthetic else ""))
    subtitle = (f"{len(left_behind):,} left-behind {units} of {len(areas):,}: in the "
                f"{imd_share:.0%} most deprived on the IMD and the {cni_share:.0%} highest need "
                f"on the Community Needs Index.")
    rule = (f"Left behind = IMD rank ≤ floor(n × {imd_share:g}) and CNI rank ≤ "
            f"floor(n × {cni_share:g}) among the n {units} ranked on each index.")
    return environment().get_template("report.html.j2").render(
        title=title, subtitle=subtitle, synthetic=synthetic, synthetic_label=SYNTHETIC_LABEL,
        plotly_js=plotly_js(), prov=prov, edition=edition, unit=unit, unit_plural=units,
        headline=headline(areas), rule_text=rule, shape_note=shapes.note,
        missing_shapes=missing_text, n_shapes=len(on_map),
        map_div=Markup(charts.map_div(map_fig, web_shapes, "area-map")),
        domain_divs=domain_divs,
        left_behind=_records(left_behind, [c["key"] for c in columns]),
        table_columns=columns, funding=_funding_context(funding),
        methodology=methodology(edition, imd_share, cni_share, shapes.note),
    )


def build_report(bundle: DataBundle, edition: str, *, areas: pd.DataFrame | None = None,
                 funding: FundingSection | None = None, boundaries: Path | None = None,
                 code_column: str | None = None, imd_share: float = 0.1,
                 cni_share: float = 0.1, timings: Timings | None = None) -> str:
    """Classify (unless ``areas`` is given), fetch shapes, and render the report."""
    edition = check_edition(edition)
    timings = timings if timings is not None else Timings()
    start = time.perf_counter()
    if areas is None:
        areas = classify(bundle, edition, imd_share, cni_share)
    start = timings.mark("classify", start)
    shapes = bnd.area_shapes(bundle, edition, boundaries, code_column)
    start = timings.mark("shapes", start)
    synthetic = bool(bundle.synthetic or areas.attrs.get("synthetic", False))
    extra_files = [("boundary file (user)", shapes.user_file)] if shapes.user_file else []
    if funding is not None and funding.store is not None:
        extra_files.append(("grant store", funding.store))
    prov = collect(
        bundle, edition, extra_ids=shapes.inputs, extra_files=extra_files,
        settings={"edition": edition, "IMD share": f"{imd_share:g}",
                  "CNI share": f"{cni_share:g}", "areas": f"{len(areas):,}",
                  "grant store": str(funding.store) if funding and funding.store else "none"},
        notes=[shapes.note],
    )
    start = timings.mark("provenance", start)
    html = render_report(areas, shapes, prov, edition=edition, synthetic=synthetic,
                         funding=funding, imd_share=imd_share, cni_share=cni_share)
    timings.mark("render", start)
    return html


def write_report(out: Path | str, bundle: DataBundle, edition: str, **kwargs: Any) -> Path:
    """Build the report and write it atomically to ``out`` (checked writable first)."""
    target = Path(out)
    check_writable(target)
    return write_text(build_report(bundle, edition, **kwargs), target)
