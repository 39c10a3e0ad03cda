"""Area shapes for maps and exports: ward, LSOA and district boundaries in EPSG:4326.

2017 wards have no boundary file in the bundle, so by default they are built by dissolving
2011 LSOA boundaries through the ONS best-fit lookup (the same lookup the ward IMD uses, so
the map shows exactly the LSOAs each ward's figures come from). A user can give a real ward
boundary file instead (``--boundaries``). Dissolving takes a few seconds for England, so the
result is cached on disk, keyed by the checksums of the two input files.

Exports keep full detail; :func:`web_geojson` simplifies (topology-preserving, shared edges
kept shared) and rounds coordinates for the self-contained HTML report.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from leftbehind.errors import InputError
from leftbehind.outputs.files import atomic_path
from leftbehind.settings import cache_dir
from leftbehind.sources.bundle import DataBundle

CRS = "EPSG:4326"
CACHE_VERSION = "1"
CODE_PATTERN = re.compile(r"^[EWSN]\d{8}$")


@dataclass
class AreaShapes:
    """Shapes for one geography, with a sentence saying where they came from."""

    frame: gpd.GeoDataFrame
    """Columns ``area_code``, ``geometry`` (one MultiPolygon per code, full detail)."""
    note: str
    inputs: list[str] = field(default_factory=list)
    """Catalogue ids of the files used (for provenance)."""
    user_file: Path | None = None


def _as_multipolygons(geoms: np.ndarray) -> np.ndarray:
    """Valid MultiPolygons: a dissolve can return Polygons; GeoJSON readers like one type."""
    geoms = shapely.make_valid(geoms)
    polys = shapely.get_type_id(geoms) == 3
    out = np.array(geoms, dtype=object)
    out[polys] = [shapely.MultiPolygon([g]) for g in geoms[polys]]
    return out


def _read_geo(path: Path) -> gpd.GeoDataFrame:
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            return gpd.read_parquet(path)
        return gpd.read_file(path)
    except FileNotFoundError:
        raise InputError("boundary file not found", path=path) from None
    except Exception as exc:  # any reader failure is a bad file from the user's side
        raise InputError(f"cannot read boundary file: {exc}", path=path) from None


def _dissolve(frame: gpd.GeoDataFrame, code: str) -> gpd.GeoDataFrame:
    """One row per code (vectorised union per group), MultiPolygons, EPSG:4326."""
    out = frame[[code, "geometry"]].dissolve(by=code, as_index=False)
    out = out.rename(columns={code: "area_code"})
    out["geometry"] = _as_multipolygons(out.geometry.to_numpy())
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frame.crs)


def read_boundary_file(path: Path, code_column: str | None = None) -> gpd.GeoDataFrame:
    """A user's boundary file → ``area_code``, ``geometry`` in EPSG:4326, one row per code.

    Without ``code_column`` the first text column that holds GSS codes is used.
    """
    frame = _read_geo(Path(path))
    if code_column is None:
        for col in frame.columns:
            if col == frame.geometry.name or frame[col].dtype.kind not in "OUT":
                continue
            sample = frame[col].dropna().astype(str).head(50)
            if len(sample) and sample.map(lambda v: bool(CODE_PATTERN.match(v))).all():
                code_column = str(col)
                break
        if code_column is None:
            raise InputError("no column of area codes found; name it with --code-column",
                             path=path)
    if code_column not in frame.columns:
        raise InputError(f"column '{code_column}' not in boundary file "
                         f"(columns: {', '.join(map(str, frame.columns))})", path=path)
    if frame.crs is None:
        frame = frame.set_crs(CRS)
    elif frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(CRS)
    frame = frame[frame.geometry.notna() & ~frame.geometry.is_empty]
    frame = frame.assign(**{code_column: frame[code_column].astype(str)})
    return _dissolve(frame, code_column)


def _cache_key(bundle: DataBundle, ids: list[str]) -> str:
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for dataset_id in ids:
        digest.update(f"{dataset_id}={bundle.checksum(dataset_id)};".encode())
    return digest.hexdigest()[:20]


def _cached(bundle: DataBundle, name: str, ids: list[str], build: Any) -> gpd.GeoDataFrame:
    """Read ``name`` from the shape cache if its input checksums match, else build and save."""
    folder = cache_dir() / "boundaries"
    target = folder / f"{name}-{_cache_key(bundle, ids)}.parquet"
    if target.exists():
        try:
            return gpd.read_parquet(target)
        except Exception:  # a damaged cache file is rebuilt, never trusted
            target.unlink(missing_ok=True)
    frame: gpd.GeoDataFrame = build()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(target) as tmp:
            frame.to_parquet(tmp, index=False)
    except (OSError, InputError):
        pass  # caching is an optimisation; a read-only cache must not stop a report
    return frame


def ward17_from_lsoa11(bundle: DataBundle) -> gpd.GeoDataFrame:
    """2017 wards as unions of their best-fit 2011 LSOAs (cached by input checksums)."""
    ids = ["boundaries_lsoa11", "lookup_lsoa11_ward17"]

    def build() -> gpd.GeoDataFrame:
        lsoa = gpd.read_parquet(bundle.path("boundaries_lsoa11"))
        lookup = bundle.lsoa11_to_ward17()
        joined = lsoa.merge(lookup, left_on="lsoa11_code", right_on="lsoa_code", how="inner")
        return _dissolve(gpd.GeoDataFrame(joined, geometry="geometry", crs=lsoa.crs),
                         "ward_code")

    return _cached(bundle, "ward17_from_lsoa11", ids, build)


def lsoa_shapes(bundle: DataBundle, vintage: str) -> gpd.GeoDataFrame:
    """LSOA boundaries (``vintage`` 11 or 21) as ``area_code``, ``geometry``."""
    dataset = f"boundaries_lsoa{vintage}"
    frame = gpd.read_parquet(bundle.path(dataset))
    frame = frame.rename(columns={f"lsoa{vintage}_code": "area_code"})
    return frame[["area_code", "geometry"]]


def area_shapes(bundle: DataBundle, edition: str, boundaries: Path | None = None,
                code_column: str | None = None) -> AreaShapes:
    """Shapes of the edition's areas: 2017 wards (2019) or 2021 LSOAs (2023)."""
    if boundaries is not None:
        frame = read_boundary_file(Path(boundaries), code_column)
        return AreaShapes(frame, f"Area shapes from the boundary file {Path(boundaries).name}.",
                          [], Path(boundaries))
    if edition == "2019":
        return AreaShapes(
            ward17_from_lsoa11(bundle),
            "Ward shapes are 2011 LSOA boundaries dissolved through the ONS best-fit "
            "LSOA→ward 2017 lookup: an approximation of the real ward outlines.",
            ["boundaries_lsoa11", "lookup_lsoa11_ward17"],
        )
    return AreaShapes(lsoa_shapes(bundle, "21"),
                      "2021 LSOA boundaries (ONS, super generalised, clipped).",
                      ["boundaries_lsoa21"])


def district_shapes(bundle: DataBundle, edition: str) -> AreaShapes:
    """District outlines: the 2019 file for 2019; 2024 districts dissolved from LSOAs for 2023."""
    if edition == "2019":
        frame = gpd.read_parquet(bundle.path("boundaries_ltla19"))
        frame = frame.rename(columns={"ltla19_code": "area_code"})[["area_code", "geometry"]]
        return AreaShapes(frame, "District boundaries, December 2019 (ONS).",
                          ["boundaries_ltla19"])
    ids = ["boundaries_lsoa21", "lookup_lsoa21_ward24_ltla24"]

    def build() -> gpd.GeoDataFrame:
        lsoa = lsoa_shapes(bundle, "21")
        lookup = bundle.lsoa21_to_ward24_lad24()[["lsoa_code", "lad_code"]]
        joined = lsoa.merge(lookup, left_on="area_code", right_on="lsoa_code")
        joined = joined.drop(columns=["area_code"])
        return _dissolve(gpd.GeoDataFrame(joined, geometry="geometry", crs=CRS), "lad_code")

    return AreaShapes(_cached(bundle, "lad24_from_lsoa21", ids, build),
                      "2024 districts dissolved from 2021 LSOAs.", ids)


def simplify_for_web(geoms: np.ndarray, tolerance: float = 0.0005,
                     precision: int = 5) -> np.ndarray:
    """Fewer vertices, rounded coordinates, exteriors clockwise; neighbours keep one shared
    edge.

    ``coverage_simplify`` treats the areas as a coverage, so simplifying never opens gaps or
    overlaps between neighbouring wards (per-shape simplification would). Rounding to 5
    decimals (about 1 m) keeps the JSON short without visible change.
    """
    geoms = np.asarray(geoms, dtype=object)
    if tolerance > 0 and len(geoms):
        try:
            geoms = shapely.coverage_simplify(geoms, tolerance)
        except Exception:  # not a clean coverage (user file): fall back shape by shape
            geoms = shapely.simplify(geoms, tolerance, preserve_topology=True)
    # plotly draws with d3-geo, which takes a ring's winding to say which side is inside:
    # a counter-clockwise exterior (GeoJSON's RFC 7946 order, as in the ONS LSOA files)
    # would be drawn as the whole globe minus the area. Clockwise exteriors draw the area.
    geoms = shapely.orient_polygons(geoms, exterior_cw=True)
    return shapely.transform(geoms, lambda c: np.round(c, precision))


def web_geojson(frame: gpd.GeoDataFrame, *, tolerance: float = 0.0005,
                precision: int = 5) -> dict[str, Any]:
    """A FeatureCollection with ``id`` = ``area_code``, simplified for a web page."""
    geoms = simplify_for_web(frame.geometry.to_numpy(), tolerance, precision)
    texts = shapely.to_geojson(geoms)
    codes = frame["area_code"].astype(str).to_numpy()
    body = ",".join(
        f'{{"type":"Feature","id":{json.dumps(c)},"properties":{{}},"geometry":{g}}}'
        for c, g in zip(codes, texts, strict=True)
    )
    result: dict[str, Any] = json.loads(f'{{"type":"FeatureCollection","features":[{body}]}}')
    return result


EMPTY_GEOJSON: dict[str, Any] = {"type": "FeatureCollection", "features": []}


def compact_shapes(codes: Any, geoms: Any, precision: int = 5) -> dict[str, Any]:
    """Polygons as delta-encoded integers, for a page to decode (``outputs/charts.py``
    ``DECODE_SHAPES_JS``): about a third of the bytes of GeoJSON text.

    ``{"scale": 10**precision, "features": [[code, [[ring, …], …]], …]}``: each polygon a list
    of rings, each ring ``[x0, y0, dx1, dy1, …]`` — the first point in units of
    ``1 / scale`` degrees, each next one as the step from the one before (small numbers, as
    neighbouring vertices are close). Decoding gives the same coordinates, rounded to
    ``precision`` decimals as :func:`simplify_for_web` already rounds them. Missing or empty
    geometries are left out. Vectorised with shapely: parts, rings and coordinates are
    taken for all areas at once; only the nesting is built in Python.
    """
    scale = 10 ** precision
    codes = np.asarray(codes, dtype=object)
    polygons, area_of_polygon = shapely.get_parts(np.asarray(geoms, dtype=object),
                                                  return_index=True)
    rings, polygon_of_ring = shapely.get_rings(polygons, return_index=True)
    coords, ring_of_point = shapely.get_coordinates(rings, return_index=True)
    points = np.rint(coords * scale).astype(np.int64)
    steps = np.diff(points, axis=0, prepend=np.zeros((1, 2), np.int64))
    starts = np.flatnonzero(np.diff(ring_of_point, prepend=-1))
    steps[starts] = points[starts]  # each ring starts from an absolute point
    flat = steps.ravel().tolist()
    bounds = np.append(starts, len(points)) * 2
    features: list[list[Any]] = []
    last_area = -1
    for ring in range(len(rings)):
        polygon = polygon_of_ring[ring]
        area = area_of_polygon[polygon]
        if area != last_area:  # parts come in the areas' order
            features.append([codes[area], []])
            last_area = area
        if ring == 0 or polygon_of_ring[ring - 1] != polygon:
            features[-1][1].append([])
        features[-1][1][-1].append(flat[bounds[ring]:bounds[ring + 1]])
    return {"scale": scale, "features": features}


def attach(areas: pd.DataFrame, shapes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas table with geometry (areas without a shape keep an empty geometry)."""
    merged = areas.merge(shapes[["area_code", "geometry"]], on="area_code", how="left")
    out = gpd.GeoDataFrame(merged, geometry="geometry", crs=CRS)
    out.attrs.update(areas.attrs)
    return out
