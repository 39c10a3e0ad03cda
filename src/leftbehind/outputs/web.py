"""The web app: the same analysis as the command line, browsable and queryable over HTTP.

Pages are the self-contained report and profiles; the JSON API serves the tables behind them
(areas with their group, district summaries, the funding gap, the data catalogue), filterable
and paginated, in the spirit of datasette. Results are computed on first request from the
data folder and kept in memory for the life of the server.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from leftbehind import SYNTHETIC_LABEL, __version__
from leftbehind.classification import identify
from leftbehind.errors import InputError
from leftbehind.sources.bundle import DataBundle, open_bundle
from leftbehind.sources.catalogue import CATALOGUE

MAX_LIMIT = 5000


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: NaN → null, categories → strings."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): (None if isinstance(v, float) and math.isnan(v) else v)
             for k, v in r.items()} for r in rows]


def create_app(data_dir: Path | str | None = None, store: Path | str | None = None) -> FastAPI:
    """A FastAPI app over one data folder (default: the synthetic demo) and grant store."""
    bundle: DataBundle = open_bundle(data_dir)
    store_path = Path(store) if store is not None else None
    app = FastAPI(title="leftbehind", version=__version__,
                  description="Left-behind neighbourhoods and the funding gap they face."
                              + (f" Serving {SYNTHETIC_LABEL}." if bundle.synthetic else ""))

    @cache
    def areas(edition: str) -> pd.DataFrame:
        return identify(bundle, edition)

    @cache
    def funding(edition: str) -> Any:
        from leftbehind.outputs.funding import load_funding

        return load_funding(store_path, bundle, edition, areas(edition))

    @cache
    def report(edition: str) -> str:
        from leftbehind.outputs.report import build_report

        return build_report(bundle, edition, areas=areas(edition), funding=funding(edition))

    @app.exception_handler(InputError)
    async def _bad_input(_: Request, exc: InputError) -> JSONResponse:
        status = 404 if "unknown area code" in exc.message else 400
        return JSONResponse({"error": str(exc)}, status_code=status)

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        """The 2019 report (map, table, charts, funding gap when a store is given)."""
        return report("2019")

    @app.get("/report/{edition}", response_class=HTMLResponse)
    def report_page(edition: str) -> str:
        return report(_edition(edition))

    @app.get("/profile/{code}", response_class=HTMLResponse)
    def profile_page(code: str, edition: str = "2019") -> str:
        from leftbehind.outputs.profile import build_profile

        edition = _edition(edition)
        return build_profile(bundle, code, edition, areas=areas(edition),
                             funding=funding(edition))

    @app.get("/api/areas")
    def api_areas(
        edition: str = "2019",
        group: str | None = Query(None, description="left_behind, other_deprived, other, "
                                                    "unclassified"),
        lad: str | None = Query(None, description="District code"),
        q: str | None = Query(None, description="Text in the area name"),
        sort: str = Query("imd_rank", description="Column to sort by (prefix - for desc)"),
        limit: int = Query(100, ge=1, le=MAX_LIMIT),
        offset: int = Query(0, ge=0),
        fmt: str = Query("json", alias="format", description="json or csv"),
    ) -> Any:
        """Areas of an edition with their IMD, CNI and group; filter, sort and page."""
        frame = areas(_edition(edition))
        if group is not None:
            frame = frame[frame["group"].astype(str) == group]
        if lad is not None:
            frame = frame[frame["lad_code"] == lad]
        if q:
            frame = frame[frame["area_name"].str.contains(q, case=False, regex=False, na=False)]
        column = sort.lstrip("-")
        if column not in frame.columns:
            raise InputError(f"unknown sort column '{column}'")
        frame = frame.sort_values(column, ascending=not sort.startswith("-"), kind="stable")
        page = frame.iloc[offset: offset + limit]
        if fmt == "csv":
            return PlainTextResponse(page.to_csv(index=False), media_type="text/csv")
        return {"edition": edition, "synthetic": bundle.synthetic, "total": len(frame),
                "offset": offset, "limit": limit, "rows": _records(page)}

    @app.get("/api/areas/{code}")
    def api_area(code: str, edition: str = "2019") -> dict[str, Any]:
        frame = areas(_edition(edition))
        row = frame[frame["area_code"] == code]
        if row.empty:
            raise InputError(f"unknown area code '{code}' for the {edition} edition")
        return {"edition": edition, "synthetic": bundle.synthetic, **_records(row)[0]}

    @app.get("/api/summaries")
    def api_summaries(edition: str = "2019", to: str = "lad") -> dict[str, Any]:
        """IoD summaries (average score and rank, proportion, extent, local concentration)."""
        from leftbehind.indices.geographies import summarise_edition

        frame = summarise_edition(bundle, edition, to)
        return {"edition": edition, "to": to, "population": frame.attrs["population"],
                "synthetic": bundle.synthetic, "rows": _records(frame)}

    @app.get("/api/funding")
    def api_funding(edition: str = "2019") -> dict[str, Any]:
        """The funding gap by group (needs the server started with a grant store)."""
        section = funding(_edition(edition))
        if section is None:
            raise InputError("no grant store: start the server with --store")
        return {"edition": edition, "synthetic": bundle.synthetic,
                "gap": _records(section.gap), "coldspots": _records(section.coldspots)}

    @app.get("/api/datasets")
    def api_datasets() -> list[dict[str, Any]]:
        """The catalogue, with where each file was found here."""
        return [{"id": d.id, "title": d.title, "edition": d.edition, "file": d.filename,
                 "found": str(bundle.find(d.id)) if bundle.find(d.id) else None,
                 "licence": d.licence, "source_url": d.source_url} for d in CATALOGUE]

    return app


def _edition(edition: str) -> str:
    if edition not in ("2019", "2023"):
        raise InputError(f"unknown edition '{edition}': use 2019 or 2023")
    return edition
