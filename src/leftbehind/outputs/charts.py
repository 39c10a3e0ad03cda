"""Plotly figures for the report and profiles, drawn without any network resource.

Maps use ``go.Choropleth`` on a geo subplot with the base layers hidden and
``fitbounds="locations"``: the shapes come from the embedded GeoJSON, so no tiles, no
topojson and no web fonts are fetched.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from leftbehind.indices.domains import CNI_DOMAINS, CNI_LABELS, DOMAIN_LABELS, DOMAINS

GROUPS: tuple[str, ...] = ("left_behind", "other_deprived", "other", "unclassified")
GROUP_LABELS: dict[str, str] = {
    "left_behind": "Left behind",
    "other_deprived": "Other deprived",
    "other": "Other areas",
    "unclassified": "Unclassified",
    "england": "England (all areas)",
}
GROUP_COLOURS: dict[str, str] = {
    "left_behind": "#c2185b",
    "other_deprived": "#f39c12",
    "other": "#cfd8dc",
    "unclassified": "#9e9e9e",
    "england": "#455a64",
    "district": "#5c6bc0",
    "area": "#c2185b",
}
DECILE_SCALE = [  # decile 1 (most deprived / highest need) darkest
    [0.0, "#3f007d"], [0.25, "#6a51a3"], [0.5, "#9e9ac8"], [0.75, "#dadaeb"], [1.0, "#fcfbfd"],
]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "responsive": True,
                               "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


def _layout(fig: go.Figure, **extra: Any) -> go.Figure:
    base: dict[str, Any] = {"font": {"family": FONT, "size": 13}, "paper_bgcolor": "white",
                            "plot_bgcolor": "white",
                            "margin": {"l": 10, "r": 10, "t": 40, "b": 10}}
    fig.update_layout(**{**base, **extra})
    return fig


def to_div(fig: go.Figure, div_id: str) -> str:
    """The figure as a ``<div>`` + script; plotly.js itself is inlined once by the page."""
    html: str = pio.to_html(fig, include_plotlyjs=False, full_html=False, div_id=div_id,
                            config=PLOT_CONFIG, include_mathjax=False)
    return html


DECODE_SHAPES_JS = """function (c) { var s = c.scale; return {type: "FeatureCollection",
  features: c.features.map(function (f) { return {type: "Feature", id: f[0], properties: {},
    geometry: {type: "MultiPolygon", coordinates: f[1].map(function (polygon) {
      return polygon.map(function (ring) { var out = [], x = 0, y = 0;
        for (var i = 0; i < ring.length; i += 2) { x += ring[i]; y += ring[i + 1];
          out.push([x / s, y / s]); }
        return out; }); })}}; })}; }"""
"""Turns :func:`leftbehind.outputs.boundaries.compact_shapes` back into GeoJSON in the page."""


def _script_json(value: Any) -> str:
    # JSON inside <script>: "</" would end the element early.
    return pio.to_json(value, validate=False).replace("</", "<\\/")


def map_div(fig: go.Figure, shapes: dict[str, Any], div_id: str) -> str:
    """A map figure as a ``<div>`` + script whose shapes travel compactly (see
    :func:`leftbehind.outputs.boundaries.compact_shapes`) and are decoded into the first
    trace's GeoJSON before plotting: a national map of small areas is then a third of the
    size. ``fig`` is drawn as given apart from its first trace's ``geojson``."""
    spec = fig.to_plotly_json()
    spec["data"][0]["geojson"] = None  # filled in the page
    height = fig.layout.height or 600
    return (f'<div id="{div_id}" class="plotly-graph-div" style="height:{height}px; '
            f'width:100%;"></div>\n<script>(function () {{\n'
            f'  var fig = {_script_json(spec)};\n'
            f'  fig.data[0].geojson = ({DECODE_SHAPES_JS})({_script_json(shapes)});\n'
            f'  Plotly.newPlot("{div_id}", fig.data, fig.layout, {_script_json(PLOT_CONFIG)});\n'
            f'}})();</script>')


MAP_GROUPS: tuple[str, ...] = GROUPS[:3]
"""Unclassified areas have no IMD or CNI value, so the map leaves them out."""


def _group_scale() -> tuple[list[list[Any]], list[int], list[str]]:
    """A stepped colour scale for the group codes 0..2."""
    n = len(MAP_GROUPS)
    scale: list[list[Any]] = []
    for i, group in enumerate(MAP_GROUPS):
        scale.append([i / n, GROUP_COLOURS[group]])
        scale.append([(i + 1) / n, GROUP_COLOURS[group]])
    return scale, list(range(n)), [GROUP_LABELS[g] for g in MAP_GROUPS]


def map_figure(areas: pd.DataFrame, geojson: dict[str, Any], *, height: int = 720,
               title: str | None = None) -> go.Figure:
    """Areas coloured by group, with buttons to switch to IMD or CNI decile.

    One trace, so there is exactly one drawn shape per area; the buttons restyle its colours.
    """
    codes = areas["area_code"].astype(str).to_numpy()
    group = areas["group"].astype(str)
    group_code = group.map({g: i for i, g in enumerate(MAP_GROUPS)}).fillna(2).astype(float)
    custom = np.column_stack([
        areas["area_name"].astype(str), areas["lad_name"].fillna("").astype(str),
        areas["imd_rank"].astype(float), areas["imd_decile"].astype(float),
        areas["cni_rank"].astype(float), areas["cni_decile"].astype(float),
        group.map(GROUP_LABELS).fillna("").astype(str),
        areas["population"].astype(float), codes,
    ])
    scale, ticks, labels = _group_scale()
    n = len(MAP_GROUPS)
    group_colorbar = {"title": {"text": "Group"}, "tickvals": [i + 0.5 for i in ticks],
                      "ticktext": labels, "len": 0.5, "thickness": 14}
    decile_colorbar = {"title": {"text": "Decile<br>(1 = most)"}, "tickvals": list(range(1, 11)),
                       "len": 0.6, "thickness": 14}
    fig = go.Figure(go.Choropleth(
        geojson=geojson, locations=codes, featureidkey="id",
        z=group_code + 0.5, zmin=0, zmax=n, colorscale=scale, colorbar=group_colorbar,
        marker={"line": {"width": 0.2, "color": "white"}},
        customdata=custom,
        hovertemplate=(
            "<b>%{customdata[0]}</b> (%{customdata[8]})<br>%{customdata[1]}<br>"
            "Group: <b>%{customdata[6]}</b><br>"
            "IMD rank %{customdata[2]:,.0f} (decile %{customdata[3]:.0f})<br>"
            "CNI rank %{customdata[4]:,.0f} (decile %{customdata[5]:.0f})<br>"
            "Population %{customdata[7]:,.0f}<extra></extra>"
        ),
    ))
    views = [
        ("Group", group_code + 0.5, 0, n, scale, group_colorbar),
        ("IMD decile", areas["imd_decile"], 1, 10, DECILE_SCALE, decile_colorbar),
        ("CNI decile", areas["cni_decile"], 1, 10, DECILE_SCALE, decile_colorbar),
    ]
    buttons = [
        {"label": label, "method": "restyle",
         "args": [{"z": [list(np.asarray(z, dtype=float))], "zmin": zmin, "zmax": zmax,
                   "colorscale": [cs], "colorbar": bar}]}
        for label, z, zmin, zmax, cs, bar in views
    ]
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator",
                    bgcolor="white")
    _layout(fig, height=height, margin={"l": 0, "r": 0, "t": 40 if title else 10, "b": 0},
            title=title,
            updatemenus=[{"type": "buttons", "direction": "right", "buttons": buttons,
                          "x": 0.0, "y": 1.0, "xanchor": "left", "yanchor": "top",
                          "showactive": True, "bgcolor": "#f5f5f5", "pad": {"r": 4, "t": 4}}])
    return fig


def _mean_by_group(areas: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    groups = [g for g in ("left_behind", "other_deprived") if (areas["group"] == g).any()]
    rows = {g: areas.loc[areas["group"] == g, columns].mean() for g in groups}
    rows["england"] = areas.loc[areas["group"] != "unclassified", columns].mean()
    return pd.DataFrame(rows).T


def domain_measure(areas: pd.DataFrame, kind: str) -> tuple[pd.DataFrame, str] | None:
    """Each area's value on every domain of ``kind`` (``imd`` or ``cni``), on one scale so
    that domains can share an axis, with the scale's description; None without the columns.

    Domain scores are not comparable with each other (income and employment are rates, health
    and crime z-scores, the rest 0–100 scores), so where the edition has each area's domain
    ranks they become national percentiles: ``100 × (n − rank + 1) / n`` over the n areas
    ranked (100 = most deprived / highest need). The 2019 wards have no domain ranks of their
    own: their population-weighted average of reversed LSOA ranks is used (higher = more
    deprived), which shares one scale too. Columns are the domains' labels.
    """
    domains = DOMAINS if kind == "imd" else CNI_DOMAINS
    labels = DOMAIN_LABELS if kind == "imd" else CNI_LABELS
    worst = "most deprived" if kind == "imd" else "highest need"

    def have(suffix: str) -> bool:
        return all(f"{d}{suffix}" in areas.columns and areas[f"{d}{suffix}"].notna().any()
                   for d in domains)

    if have("_rank"):
        values = {}
        for d in domains:
            rank = areas[f"{d}_rank"].astype(float)
            n = float(rank.notna().sum())
            values[labels[d]] = 100 * (n - rank + 1) / n
        return pd.DataFrame(values, index=areas.index), f"national percentile, 100 = {worst}"
    if have("_average_rank"):
        return (pd.DataFrame({labels[d]: areas[f"{d}_average_rank"].astype(float)
                              for d in domains}, index=areas.index),
                "average LSOA rank, reversed: higher = more deprived")
    return None


def domain_figure(areas: pd.DataFrame, kind: str) -> go.Figure | None:
    """Mean domain values by group (``kind`` ``imd`` or ``cni``; see :func:`domain_measure`);
    None without the columns."""
    measured = domain_measure(areas, kind)
    if measured is None:
        return None
    values, description = measured
    means = _mean_by_group(values.assign(group=areas["group"]), list(values.columns))
    fig = go.Figure()
    for group, row in means.iterrows():
        fig.add_bar(x=list(values.columns), y=row.to_numpy(), name=GROUP_LABELS[str(group)],
                    marker_color=GROUP_COLOURS[str(group)],
                    hovertemplate="%{x}<br>%{fullData.name}: %{y:.1f}<extra></extra>")
    name = "IoD domains" if kind == "imd" else "Community Needs Index domains"
    # The legend sits above the bars: below them it would cover the slanted domain names.
    _layout(fig, barmode="group", height=420, margin={"l": 10, "r": 10, "t": 80, "b": 10},
            title={"text": f"{name}: mean by group ({description})", "font": {"size": 15}},
            legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
            yaxis={"gridcolor": "#eceff1"})
    return fig


def profile_bars(values: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars: one row per domain, one bar per comparison (columns of ``values``)."""
    fig = go.Figure()
    colours = ["area", "district", "england", "left_behind", "other_deprived"]
    for i, column in enumerate(values.columns):
        fig.add_bar(y=values.index, x=values[column], name=str(column), orientation="h",
                    marker_color=GROUP_COLOURS[colours[i % len(colours)]],
                    hovertemplate="%{y}<br>%{fullData.name}: %{x:.1f}<extra></extra>")
    _layout(fig, barmode="group", height=110 + 70 * len(values),
            title={"text": title, "font": {"size": 15}},
            legend={"orientation": "h", "y": -0.12},
            yaxis={"autorange": "reversed"}, xaxis={"gridcolor": "#eceff1"})
    return fig


def small_map(geojson: dict[str, Any], codes: list[str], highlight: Collection[str],
              labels: dict[str, str]) -> go.Figure:
    """The area (highlighted) among the other areas of its district."""
    z = [1.0 if c in highlight else 0.0 for c in codes]
    fig = go.Figure(go.Choropleth(
        geojson=geojson, locations=codes, featureidkey="id", z=z, zmin=0, zmax=1,
        colorscale=[[0, "#e3e7ea"], [1, GROUP_COLOURS["area"]]], showscale=False,
        marker={"line": {"width": 0.6, "color": "white"}},
        text=[labels.get(c, c) for c in codes], hovertemplate="%{text}<extra></extra>",
    ))
    fig.update_geos(fitbounds="locations", visible=False, projection_type="mercator")
    _layout(fig, height=380, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig
