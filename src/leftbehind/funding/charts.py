"""Charts of the funding gap: grants per 10,000 people and £ per head by group.

Why two libraries: matplotlib (Agg, no display needed) for PNG/SVG in documents; plotly for
an interactive, self-contained HTML file (plotly.js embedded, so it works offline). The plotly
figure is also available as an object / JSON for the report writer to embed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from leftbehind.errors import InputError
from leftbehind.outputs.files import atomic_path

LABELS = {"left_behind": "Left-behind", "other_deprived": "Other deprived",
          "england": "England"}
COLOURS = {"left_behind": "#c0392b", "other_deprived": "#e67e22", "england": "#2c3e50"}
CHART_SUFFIXES = (".png", ".svg", ".html")


def _rows(summary: pd.DataFrame) -> pd.DataFrame:
    rows = summary[summary["group"].isin(list(LABELS))]
    if rows.empty or "gbp_per_head" not in rows:
        raise InputError("no group summary to chart (expected rows left_behind, "
                         "other_deprived, england)")
    return rows.drop_duplicates("group").set_index("group").reindex(
        [g for g in LABELS if g in set(rows["group"])])


def funding_figure(summary: pd.DataFrame, title: str = "Grant funding by group") -> Any:
    """The plotly figure: two bar panels (grants per 10,000 people, £ per head)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    rows = _rows(summary)
    labels = [LABELS[g] for g in rows.index]
    colours = [COLOURS[g] for g in rows.index]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Grants per 10,000 people",
                                                        "£ per head"))
    fig.add_trace(go.Bar(x=labels, y=rows["grants_per_10k"], marker_color=colours,
                         text=[f"{v:,.1f}" for v in rows["grants_per_10k"]],
                         name="grants per 10,000"), row=1, col=1)
    fig.add_trace(go.Bar(x=labels, y=rows["gbp_per_head"], marker_color=colours,
                         text=[f"£{v:,.2f}" for v in rows["gbp_per_head"]],
                         name="£ per head"), row=1, col=2)
    fig.update_layout(title=title, showlegend=False, template="plotly_white")
    return fig


def funding_figure_json(summary: pd.DataFrame, title: str = "Grant funding by group") -> str:
    """The plotly figure as JSON (for embedding with plotly.js)."""
    return str(funding_figure(summary, title).to_json())


def write_chart(summary: pd.DataFrame, path: Path | str,
                title: str = "Grant funding by group") -> Path:
    """PNG/SVG (matplotlib) or self-contained HTML (plotly), by suffix, written atomically."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise InputError(f"unsupported chart format '{suffix or '(none)'}': use "
                         f"{', '.join(CHART_SUFFIXES)}", path=target)
    if suffix == ".html":
        fig = funding_figure(summary, title)
        with atomic_path(target) as tmp:
            fig.write_html(str(tmp), include_plotlyjs=True, full_html=True)
        return target
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = _rows(summary)
    labels = [LABELS[g] for g in rows.index]
    colours = [COLOURS[g] for g in rows.index]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, column, heading, fmt in (
        (axes[0], "grants_per_10k", "Grants per 10,000 people", "{:,.1f}"),
        (axes[1], "gbp_per_head", "£ per head", "£{:,.2f}"),
    ):
        bars = ax.bar(labels, rows[column], color=colours)
        ax.bar_label(bars, labels=[fmt.format(v) for v in rows[column]])
        ax.set_title(heading)
        ax.spines[["top", "right"]].set_visible(False)
    fig.suptitle(title)
    fig.tight_layout()
    try:
        with atomic_path(target) as tmp:
            fig.savefig(tmp, format=suffix.lstrip("."))
    finally:
        plt.close(fig)
    return target
