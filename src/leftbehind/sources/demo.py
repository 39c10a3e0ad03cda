"""Synthetic "Demoshire": a made-up region in the real bundle's file names and layouts.

Why: every command must run (and every test can run) without the real data, and the same
readers must read both, so the demo is written in exactly the layouts of the real files
(``/work/shared/data/README.md``). It is deterministic: the same seed gives the same bytes.

The region: 2,000 LSOAs laid out as cells of a 50 × 40 grid over a lon/lat box near
(-1.5, 52.5); 15 districts are contiguous blocks of cells and 300 wards are contiguous runs
of cells inside them (two small wards receive no LSOA in the best-fit lookup, as in the real
data). Deprivation comes from one latent factor (a smooth spatial field + a ward effect +
noise) shared by the domains; crime, barriers and living environment load on it less. The
CNI is correlated with deprivation and with distance from the city, so some deprived wards
have high community need (left behind) and others, in the well-served centre, do not.
Grants are skewed so that left-behind wards receive less per head.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from leftbehind import SYNTHETIC_LABEL
from leftbehind.errors import InputError
from leftbehind.indices.transform import (
    decile_from_rank,
    exponential_transform,
    imd_score_from_ranks,
    imd_score_from_scores,
    rank_descending,
)
from leftbehind.settings import cache_dir
from leftbehind.sources.catalogue import get_dataset

DEMO_VERSION = 1
"""Bump when the generator's output changes, so cached demos are rebuilt."""
DEMO_DIRNAME = f"demo-v{DEMO_VERSION}"
DEFAULT_SEED = 20190926  # the IoD 2019 publication date
MARKER = ".leftbehind-demo.json"
REGION_CODE, REGION_NAME = "E12000099", "Demoshire"

# Grid: 50 columns × 40 rows of LSOA cells; districts are 5 × 3 blocks of 10 columns.
_COLS, _ROWS = 50, 40
_BLOCK_W, _BLOCK_HEIGHTS = 10, (14, 13, 13)
_WARDS_PER_DISTRICT = 20
_EMPTY_WARD_DISTRICTS = (3, 11)  # these districts have one ward with no best-fit LSOA
_LON0, _LAT_TOP, _DX, _DY = -1.75, 52.64, 0.01, 0.007

# Districts in grid order (north-west first), with GSS codes in an unused range.
_DISTRICTS: tuple[tuple[str, str], ...] = (
    ("E07000901", "Westmoor"),
    ("E07000902", "Demoshire Dales"),
    ("E07000903", "Demoshire North"),
    ("E06000902", "Northfield"),
    ("E07000904", "Demoshire Wolds"),
    ("E07000905", "Demoshire West"),
    ("E08000902", "Old Demford"),
    ("E08000901", "Demoshire City"),
    ("E06000901", "Ashby Demo"),
    ("E07000906", "Demoshire East"),
    ("E08000903", "Port Demo"),
    ("E07000907", "Demoshire Vale"),
    ("E07000908", "Demoshire South"),
    ("E07000909", "Southwick"),
    ("E07000910", "Demoshire Fens"),
)

# Centres (col, row, strength, spread) of the deprivation field: the city, an old mill town,
# a port and a poor rural fen.
_DEPRIVED_SPOTS = ((25, 20, 1.0, 6.0), (15, 20, 0.9, 5.0), (4, 34, 1.1, 5.0), (45, 35, 0.6, 7.0))
_CITY = (25.0, 20.0)

_WARD_PREFIXES = (
    "Ash", "Beck", "Birch", "Bramble", "Brook", "Castle", "Church", "Clay", "Cross", "Elm",
    "Fair", "Fern", "Green", "Hazel", "High", "Holly", "King", "Lark", "Long", "Mill", "Moor",
    "New", "Oak", "Old", "Park", "Queen", "Red", "Rose", "Stone", "Thorn", "Water", "Wyke",
)
_WARD_SUFFIXES = (
    "bank", "bridge", "brook", "by", "dale", "field", "ford", "gate", "ham", "hill", "ley",
    "mead", "side", "ton", "well", "wood",
)

_FUNDERS: tuple[tuple[str, str, float, float, float], ...] = (
    # name, org id, grants per 10,000 people a year, median amount, skew exponent
    ("Demoshire Community Foundation", "GB-CHC-9900001", 3.0, 4_000, 1.0),
    ("Big Demo Lottery Fund", "GB-GOR-DM0001", 2.2, 22_000, 0.6),
    ("The Demoshire Trust", "GB-CHC-9900002", 1.0, 8_000, 1.2),
    ("Northgate Charitable Trust", "GB-CHC-9900003", 0.6, 5_000, 1.4),
    ("Department for Demo Communities", "GB-GOV-DM0002", 0.4, 60_000, 0.8),
    ("Demoshire County Council", "GB-LAE-DMSH", 1.2, 3_000, 0.7),
    ("Sir Thomas Demo Foundation", "GB-CHC-9900004", 0.5, 15_000, 1.5),
    ("The Greenleaf Foundation", "GB-CHC-9900005", 0.4, 10_000, 1.3),
    ("Port Demo Housing Fund", "GB-COH-99000006", 0.5, 2_500, 0.9),
    ("Arts Council Demo", "GB-CHC-9900007", 0.6, 12_000, 1.6),
)
_GRANT_YEARS = (2013, 2014, 2015, 2016, 2017, 2018)

# Postcode units use the letters Royal Mail allows in the inward code.
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

Array = NDArray[np.float64]


@dataclass
class _Geography:
    lsoa_code: NDArray[np.str_]
    lsoa_name: NDArray[np.str_]
    lsoa_col: NDArray[np.int64]
    lsoa_row: NDArray[np.int64]
    lsoa_ward: NDArray[np.int64]
    lsoa_lad: NDArray[np.int64]
    ward_code: NDArray[np.str_]
    ward24_code: NDArray[np.str_]
    ward_name: NDArray[np.str_]
    ward_lad: NDArray[np.int64]
    ward_has_lsoa: NDArray[np.bool_]
    lad_code: NDArray[np.str_]
    lad_name: NDArray[np.str_]


@dataclass
class _Deprivation:
    latent: Array  # 2019 latent deprivation per LSOA (standardised)
    latent25: Array
    periphery: Array  # 0 at the city centre, ~1 at the edge
    population17: NDArray[np.int64]
    population21: NDArray[np.int64]
    domain19_rank: dict[str, NDArray[np.int64]]
    imd19_rank: NDArray[np.int64]
    imd19_score: Array
    ward_dep: Array  # population-weighted ward mean of ``latent`` (all 300 wards)
    ward_periphery: Array
    ward_cni: Array  # overall ward CNI 2019 score (set when the CNI file is written)
    ward_population: NDArray[np.int64]


# --- public API -------------------------------------------------------------------------


def default_demo_dir() -> Path:
    return cache_dir() / DEMO_DIRNAME


def demo_filenames() -> list[str]:
    """Every file the demo writes (catalogue file names), README and marker excluded."""
    return [get_dataset(i).filename for i in _DEMO_DATASETS]


def ensure_demo_data(folder: Path | None = None) -> Path:
    """The demo folder, generated now unless a complete one of this version is there.

    Generation happens in a temporary sibling folder that is renamed into place, so a run
    killed half-way never leaves a half-made demo where readers would find it.
    """
    target = Path(folder) if folder is not None else default_demo_dir()
    if is_complete(target):
        return target
    if target.exists() and not target.is_dir():
        raise InputError("demo output path exists and is not a folder", path=target)
    if target.exists() and any(target.iterdir()) and not (target / MARKER).exists():
        raise InputError(
            "folder exists and is not empty (and is not a demo folder): choose a new folder",
            path=target,
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    try:
        generate_demo(work)
        _install(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def is_complete(folder: Path) -> bool:
    """True if ``folder`` holds a finished demo of this generator version and seed."""
    try:
        meta = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("version") != DEMO_VERSION or meta.get("seed") != DEFAULT_SEED:
        return False
    files = meta.get("files", {})
    return set(files) >= set(demo_filenames()) and all(
        (folder / name).is_file() and (folder / name).stat().st_size == size
        for name, size in files.items()
    )


def generate_demo(folder: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write the whole demo bundle into ``folder`` (created if needed); returns it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    streams = np.random.SeedSequence(seed).spawn(8)
    rng = {name: np.random.default_rng(s) for name, s in zip(
        ("geo", "dep", "imd25", "cni", "pop", "grants", "covid", "postcodes"), streams,
        strict=True)}
    geo = _make_geography(rng["geo"])
    dep = _make_deprivation(geo, rng["dep"], rng["pop"], rng["cni"])
    _write_imd2019(folder, geo, dep)
    _write_imd2025(folder, geo, dep, rng["imd25"])
    _write_cni2019(folder, geo, dep, rng["cni"])
    _write_cni2023(folder, geo, dep, rng["cni"])
    _write_lookups(folder, geo)
    _write_populations(folder, geo, dep)
    _write_boundaries(folder, geo, rng["geo"])
    postcodes = _write_postcodes(folder, geo, dep, rng["postcodes"])
    _write_grants(folder, geo, dep, rng["grants"])
    _write_covid_grants(folder, geo, dep, postcodes, rng["covid"])
    (folder / "README.md").write_text(_readme(seed), encoding="utf-8")
    files = {name: (folder / name).stat().st_size for name in demo_filenames()}
    meta = {"generator": DEMO_DIRNAME, "version": DEMO_VERSION, "seed": seed,
            "label": SYNTHETIC_LABEL, "files": files}
    (folder / MARKER).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder


_DEMO_DATASETS = (
    "imd2019_lsoa11", "imd2025_lsoa21", "cni2019_ward17", "cni2023_lsoa21",
    "lookup_lsoa11_ward17", "lookup_lsoa11_ltla19", "lookup_ltla19_region19",
    "lookup_lsoa21_ward24_ltla24", "population17_lsoa11", "population_ward17",
    "census21_population_lsoa21", "boundaries_lsoa11", "boundaries_lsoa21",
    "boundaries_ltla19", "grants_ward_funder_year", "grants_covid19", "postcodes_nspl",
)


def _install(work: Path, target: Path) -> None:
    """Move a finished demo into place, replacing an old or broken demo there."""
    old: Path | None = None
    if target.exists():
        if any(target.iterdir()):
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        else:
            target.rmdir()
    try:
        os.replace(work, target)
    except OSError:
        # Another process finished first: use its demo if it is complete.
        if not is_complete(target):
            raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


# --- geography ----------------------------------------------------------------------------


def _make_geography(rng: np.random.Generator) -> _Geography:
    """Districts as grid blocks; wards as runs of a snake-order walk through each block."""
    cols: list[int] = []
    rows: list[int] = []
    lsoa_ward: list[int] = []
    lsoa_lad: list[int] = []
    ward_lad: list[int] = []
    has_lsoa: list[bool] = []
    ward_index = 0
    district = 0
    row0 = 0
    for height in _BLOCK_HEIGHTS:
        for block_col in range(_COLS // _BLOCK_W):
            col0 = block_col * _BLOCK_W
            cells = [
                (r, c)
                for i, r in enumerate(range(row0, row0 + height))
                for c in (range(col0, col0 + _BLOCK_W) if i % 2 == 0
                          else range(col0 + _BLOCK_W - 1, col0 - 1, -1))
            ]
            n_wards = _WARDS_PER_DISTRICT - (district in _EMPTY_WARD_DISTRICTS)
            minimum = 3
            extra = rng.multinomial(len(cells) - minimum * n_wards,
                                    rng.dirichlet(np.full(n_wards, 4.0)))
            sizes = minimum + extra
            start = 0
            for size in sizes:
                for r, c in cells[start:start + int(size)]:
                    rows.append(r)
                    cols.append(c)
                    lsoa_ward.append(ward_index)
                    lsoa_lad.append(district)
                start += int(size)
                ward_lad.append(district)
                has_lsoa.append(True)
                ward_index += 1
            if district in _EMPTY_WARD_DISTRICTS:
                ward_lad.append(district)
                has_lsoa.append(False)
                ward_index += 1
            district += 1
        row0 += height

    n_wards_total = ward_index
    names = np.array([p + s for p in _WARD_PREFIXES for s in _WARD_SUFFIXES])
    ward_name = names[rng.permutation(names.size)[:n_wards_total]]
    lad_code = np.array([c for c, _ in _DISTRICTS])
    lad_name = np.array([n for _, n in _DISTRICTS])
    n = len(rows)
    # Codes in district, ward, walk order, so neighbouring LSOAs have neighbouring codes.
    lsoa_code = np.array([f"E01{i + 1:06d}" for i in range(n)])
    ward_code = np.array([f"E0501{i + 1:04d}" for i in range(n_wards_total)])
    ward24_code = np.array([f"E0502{i + 1:04d}" for i in range(n_wards_total)])
    lad_arr = np.asarray(lsoa_lad, dtype=np.int64)
    # LSOA names: "<district> <MSOA number><letter>", MSOAs being runs of about 5 LSOAs.
    lsoa_name = np.empty(n, dtype=object)
    for d in range(len(_DISTRICTS)):
        idx = np.flatnonzero(lad_arr == d)
        local = np.arange(idx.size)
        msoa = local // 5 + 1
        letter = np.array(list("ABCDE"))[local % 5]
        lsoa_name[idx] = [f"{lad_name[d]} {m:03d}{x}" for m, x in zip(msoa, letter, strict=True)]
    return _Geography(
        lsoa_code=lsoa_code,
        lsoa_name=lsoa_name.astype(str),
        lsoa_col=np.asarray(cols, dtype=np.int64),
        lsoa_row=np.asarray(rows, dtype=np.int64),
        lsoa_ward=np.asarray(lsoa_ward, dtype=np.int64),
        lsoa_lad=lad_arr,
        ward_code=ward_code,
        ward24_code=ward24_code,
        ward_name=ward_name,
        ward_lad=np.asarray(ward_lad, dtype=np.int64),
        ward_has_lsoa=np.asarray(has_lsoa, dtype=bool),
        lad_code=lad_code,
        lad_name=lad_name,
    )


def _standardise(x: Array) -> Array:
    return (x - x.mean()) / x.std()


def _ward_mean(values: Array, weights: Array, ward: NDArray[np.int64], n_wards: int) -> Array:
    total = np.bincount(ward, weights=values * weights, minlength=n_wards)
    weight = np.bincount(ward, weights=weights, minlength=n_wards)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / weight


def _make_deprivation(geo: _Geography, rng: np.random.Generator, rng_pop: np.random.Generator,
                      rng_cni: np.random.Generator) -> _Deprivation:
    n = geo.lsoa_code.size
    n_wards = geo.ward_code.size
    col = geo.lsoa_col.astype(float)
    row = geo.lsoa_row.astype(float)
    field = np.zeros(n)
    for c, r, strength, spread in _DEPRIVED_SPOTS:
        field += strength * np.exp(-((col - c) ** 2 + (row - r) ** 2) / (2 * spread**2))
    ward_effect = rng.normal(size=n_wards)
    latent = _standardise(0.75 * _standardise(field) + 0.45 * ward_effect[geo.lsoa_ward]
                          + 0.5 * rng.normal(size=n))
    latent25 = _standardise(0.93 * latent + 0.37 * rng.normal(size=n))
    distance = np.hypot(col - _CITY[0], row - _CITY[1])
    periphery = distance / distance.max()

    population17 = np.clip(np.round(rng_pop.normal(1500, 300, size=n)), 800, 2600).astype(
        np.int64)
    growth = 1 + rng_pop.normal(0.035, 0.04, size=n)
    population21 = np.round(population17 * growth).astype(np.int64)

    domain_z = _domain_latents(latent, periphery, rng)
    ranks = {d: rank_descending(z).astype(np.int64) for d, z in domain_z.items()}
    imd19_score = imd_score_from_ranks(ranks, n)
    imd19_rank = rank_descending(imd19_score).astype(np.int64)

    pop = population17.astype(float)
    ward_dep = _ward_mean(latent, pop, geo.lsoa_ward, n_wards)
    ward_per = _ward_mean(periphery, pop, geo.lsoa_ward, n_wards)
    ward_pop = np.bincount(geo.lsoa_ward, weights=pop, minlength=n_wards)
    empty = ~geo.ward_has_lsoa
    # Wards with no best-fit LSOA: small, and like their district on average.
    lad_dep = _ward_mean(latent, pop, geo.lsoa_lad, len(_DISTRICTS))
    lad_per = _ward_mean(periphery, pop, geo.lsoa_lad, len(_DISTRICTS))
    ward_dep[empty] = lad_dep[geo.ward_lad[empty]] + rng_cni.normal(0, 0.3, empty.sum())
    ward_per[empty] = lad_per[geo.ward_lad[empty]]
    ward_pop[empty] = rng_cni.integers(700, 1300, size=int(empty.sum()))

    return _Deprivation(
        latent=latent, latent25=latent25, periphery=periphery,
        population17=population17, population21=population21,
        domain19_rank=ranks, imd19_rank=imd19_rank, imd19_score=imd19_score,
        ward_dep=ward_dep, ward_periphery=ward_per, ward_cni=np.zeros(n_wards),
        ward_population=np.round(ward_pop).astype(np.int64),
    )


# How strongly each domain follows the shared deprivation factor (crime, barriers and
# living environment much less than income or employment, as in the real indices).
_LOADINGS = {"income": 0.93, "employment": 0.9, "education": 0.8, "health": 0.82,
             "crime": 0.55, "barriers": 0.2, "environment": 0.35}


def _domain_latents(latent: Array, periphery: Array, rng: np.random.Generator) -> dict[str, Array]:
    out: dict[str, Array] = {}
    for domain, loading in _LOADINGS.items():
        noise = rng.normal(size=latent.size)
        z = loading * latent + np.sqrt(1 - loading**2) * noise
        if domain == "barriers":  # distance to services: worse away from the city
            z = z + 0.8 * _standardise(periphery)
        elif domain == "environment":  # older housing, air quality: worse in the centre
            z = z - 0.5 * _standardise(periphery)
        out[domain] = _standardise(z)
    return out


# --- writers ------------------------------------------------------------------------------


def _csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def _ints(values: Array) -> NDArray[np.int64]:
    return np.asarray(values).astype(np.int64)


_IMD19_STEMS = {"Income": "income", "Employment": "employment", "Education": "education",
                "Health": "health", "Crime": "crime", "Housing_and_Access": "barriers",
                "Environment": "environment"}
_IMD25_STEMS = {**{k: v for k, v in _IMD19_STEMS.items() if k != "Housing_and_Access"},
                "Housing_and_Services": "barriers"}
_IMD25_ORDER = ("Income", "Employment", "Education", "Health", "Crime",
                "Housing_and_Services", "Environment")


def _write_imd2019(folder: Path, geo: _Geography, dep: _Deprivation) -> None:
    """Ranks and deciles only, like the bundle's 2019 file (which has no scores)."""
    n = geo.lsoa_code.size
    ranks = {"IMD": dep.imd19_rank, **{s: dep.domain19_rank[d] for s, d in _IMD19_STEMS.items()}}
    frame = pd.DataFrame({"lsoa11_code": geo.lsoa_code})
    for stem, rank in ranks.items():
        frame[f"{stem}_decile"] = _ints(decile_from_rank(rank, n))
    for stem, rank in ranks.items():
        frame[f"{stem}_rank"] = rank
    _csv(frame, folder / get_dataset("imd2019_lsoa11").filename)


def _domain_scores_2025(z: dict[str, Array]) -> dict[str, Array]:
    """Domain scores on the published scales (rates for income and employment, z-like
    scores for health and crime, 0–100-ish for the others), rounded like the file."""
    scale = {
        "income": np.clip(0.11 * np.exp(0.75 * z["income"]), 0.003, 0.75),
        "employment": np.clip(0.085 * np.exp(0.65 * z["employment"]), 0.003, 0.6),
        "education": 18.0 * np.exp(0.75 * z["education"]),
        "health": 0.9 * z["health"] - 0.1,
        "crime": 0.8 * z["crime"],
        "barriers": 22.0 * np.exp(0.4 * z["barriers"]),
        "environment": 20.0 * np.exp(0.5 * z["environment"]),
    }
    return {d: np.round(v, 3) for d, v in scale.items()}


def _write_imd2025(folder: Path, geo: _Geography, dep: _Deprivation,
                   rng: np.random.Generator) -> None:
    """Scores, ranks and deciles on 2021 LSOAs (the demo keeps the 2011 codes)."""
    n = geo.lsoa_code.size
    scores = _domain_scores_2025(_domain_latents(dep.latent25, dep.periphery, rng))
    imd = np.round(imd_score_from_scores(scores), 3)
    by_stem = {"IMD": imd, **{s: scores[_IMD25_STEMS[s]] for s in _IMD25_ORDER}}
    ranks = {s: _ints(rank_descending(v)) for s, v in by_stem.items()}
    frame = pd.DataFrame({"lsoa21_code": geo.lsoa_code})
    for stem in by_stem:
        frame[f"{stem}_decile"] = _ints(decile_from_rank(ranks[stem], n))
    for stem in by_stem:
        frame[f"{stem}_rank"] = ranks[stem]
    for stem, value in by_stem.items():
        frame[f"{stem}_score"] = value
    _csv(frame, folder / get_dataset("imd2025_lsoa21").filename)


def _g15(values: Array) -> list[str]:
    """Up to 15 significant digits, as the source CSV writes CNI 2019 scores."""
    return [format(float(v), ".15g") for v in values]


def _write_cni2019(folder: Path, geo: _Geography, dep: _Deprivation,
                   rng: np.random.Generator) -> None:
    """Ward CNI 2019: each domain score is the exponential transform of its rank over the
    wards, and the overall score is their sum (the rule the real file follows)."""
    n = geo.ward_code.size
    dep_z = _standardise(np.nan_to_num(dep.ward_dep))
    per_z = _standardise(dep.ward_periphery)
    latents = {
        "Civic Assets": 0.6 * dep_z + 0.5 * per_z,
        "Connectedness": 0.35 * dep_z + 0.7 * per_z,
        "Engaged community": 0.65 * dep_z + 0.35 * per_z,
    }
    frame = pd.DataFrame({
        "ward17_code": geo.ward_code,
        "ward17_name": geo.ward_name,
        "lad19_code": geo.lad_code[geo.ward_lad],
        "lad19_name": geo.lad_name[geo.ward_lad],
    })
    total = np.zeros(n)
    for name, z in latents.items():
        rank = _ints(rank_descending(z + 0.55 * rng.normal(size=n)))
        score = exponential_transform(rank, n)
        total += score
        frame[f"{name} score"] = _g15(score)
        frame[f"{name} rank"] = rank
    frame["Community Needs Index score"] = _g15(total)
    frame["Community Needs Index rank"] = _ints(rank_descending(total))
    dep.ward_cni = total
    _csv(frame, folder / get_dataset("cni2019_ward17").filename)


def _write_cni2023(folder: Path, geo: _Geography, dep: _Deprivation,
                   rng: np.random.Generator) -> None:
    """LSOA CNI 2023, built differently: the overall score is not the sum of the domains."""
    n = geo.lsoa_code.size
    dep_z = dep.latent25
    per_z = _standardise(dep.periphery)
    latents = {
        "Civic Assets Domain": 0.55 * dep_z + 0.5 * per_z,
        "Connectedness Domain": 0.3 * dep_z + 0.75 * per_z,
        "Active and Engaged Community Domain": 0.65 * dep_z + 0.3 * per_z,
    }
    cols: dict[str, object] = {}
    combined = np.zeros(n)
    for name, z in latents.items():
        noisy = z + 0.6 * rng.normal(size=n)
        combined += _standardise(noisy)
        score = np.round(exponential_transform(rank_descending(noisy), n), 2)
        cols[f"{name} Score"] = score
        cols[f"{name} Rank"] = _ints(rank_descending(score))
    overall = np.round(2.6 * exponential_transform(rank_descending(combined), n), 2)
    frame = pd.DataFrame({
        "lsoa21_code": geo.lsoa_code,
        "lsoa21_name": geo.lsoa_name,
        "Community Needs Index 2023 Score": overall,
        "Community Needs Index 2023 Rank": _ints(rank_descending(overall)),
        **cols,
    })
    frame = frame.sort_values(["Community Needs Index 2023 Rank", "lsoa21_code"], kind="stable")
    _csv(frame, folder / get_dataset("cni2023_lsoa21").filename)


def _write_lookups(folder: Path, geo: _Geography) -> None:
    lad = geo.lsoa_lad
    _csv(pd.DataFrame({"lsoa11_code": geo.lsoa_code,
                       "ward17_code": geo.ward_code[geo.lsoa_ward]}),
         folder / get_dataset("lookup_lsoa11_ward17").filename)
    _csv(pd.DataFrame({"lsoa11_name": geo.lsoa_name, "lsoa11_code": geo.lsoa_code,
                       "ltla19_name": geo.lad_name[lad], "ltla19_code": geo.lad_code[lad]}),
         folder / get_dataset("lookup_lsoa11_ltla19").filename)
    _csv(pd.DataFrame({"ltla19_name": geo.lad_name, "ltla19_code": geo.lad_code,
                       "region19_name": REGION_NAME, "region19_code": REGION_CODE}),
         folder / get_dataset("lookup_ltla19_region19").filename)
    _csv(pd.DataFrame({
        "lsoa21_name": geo.lsoa_name, "lsoa21_code": geo.lsoa_code,
        "ward24_name": geo.ward_name[geo.lsoa_ward],
        "ward24_code": geo.ward24_code[geo.lsoa_ward],
        "ltla24_name": geo.lad_name[lad], "ltla24_code": geo.lad_code[lad],
    }), folder / get_dataset("lookup_lsoa21_ward24_ltla24").filename)


def _write_populations(folder: Path, geo: _Geography, dep: _Deprivation) -> None:
    pd.DataFrame({
        "lsoa11_code": geo.lsoa_code,
        "lsoa11_name": geo.lsoa_name,
        "total_population": dep.population17.astype(np.float64),
    }).to_parquet(folder / get_dataset("population17_lsoa11").filename, index=False,
                  compression="zstd")
    _csv(pd.DataFrame({"lsoa21_code": geo.lsoa_code, "total_residents": dep.population21}),
         folder / get_dataset("census21_population_lsoa21").filename)
    # ONS ward estimates are built from output areas, so they differ a little from best-fit
    # sums of LSOAs; a footnote row is carried over as in the real file.
    wards = pd.DataFrame({
        "Ward Code 1": geo.ward_code,
        "Ward Name 1": geo.ward_name,
        "comparison_Population_Estimate": dep.ward_population.astype(np.float64),
    })
    note = pd.DataFrame({
        "Ward Code 1": ["Note: synthetic demo data; Demoshire ward estimates are made up."],
        "Ward Name 1": [None], "comparison_Population_Estimate": [np.nan],
    })
    _csv(pd.concat([wards, note], ignore_index=True),
         folder / get_dataset("population_ward17").filename)


def _node_grid(rng: np.random.Generator) -> tuple[Array, Array]:
    """Grid corner coordinates, jittered inside (shared by neighbours, so cells tile)."""
    lon = _LON0 + _DX * np.arange(_COLS + 1)[None, :] + np.zeros((_ROWS + 1, 1))
    lat = _LAT_TOP - _DY * np.arange(_ROWS + 1)[:, None] + np.zeros((1, _COLS + 1))
    inner = (slice(1, _ROWS), slice(1, _COLS))
    lon[inner] += rng.uniform(-0.2, 0.2, size=(_ROWS - 1, _COLS - 1)) * _DX
    lat[inner] += rng.uniform(-0.2, 0.2, size=(_ROWS - 1, _COLS - 1)) * _DY
    return lon, lat


def _write_boundaries(folder: Path, geo: _Geography, rng: np.random.Generator) -> None:
    import geopandas as gpd
    import shapely

    lon, lat = _node_grid(rng)
    r, c = geo.lsoa_row, geo.lsoa_col
    # Corners anticlockwise: top-left, bottom-left, bottom-right, top-right, closing point.
    corner_r = np.stack([r, r + 1, r + 1, r, r], axis=1)
    corner_c = np.stack([c, c, c + 1, c + 1, c], axis=1)
    coords = np.stack([lon[corner_r, corner_c], lat[corner_r, corner_c]], axis=2)
    cells = shapely.polygons(coords)
    multi = shapely.multipolygons(cells[:, None])
    for prefix, dataset in (("lsoa11", "boundaries_lsoa11"), ("lsoa21", "boundaries_lsoa21")):
        gdf = gpd.GeoDataFrame({f"{prefix}_name": geo.lsoa_name, f"{prefix}_code": geo.lsoa_code},
                               geometry=multi, crs="EPSG:4326")
        gdf.to_parquet(folder / get_dataset(dataset).filename, index=False, compression="zstd")
    districts = []
    for d in range(len(_DISTRICTS)):
        merged = shapely.union_all(cells[geo.lsoa_lad == d])
        districts.append(shapely.multipolygons(shapely.get_parts(merged)))
    gdf = gpd.GeoDataFrame({"ltla19_name": geo.lad_name, "ltla19_code": geo.lad_code},
                           geometry=districts, crs="EPSG:4326")
    gdf.to_parquet(folder / get_dataset("boundaries_ltla19").filename, index=False,
                   compression="zstd")


def _write_postcodes(folder: Path, geo: _Geography, dep: _Deprivation,
                     rng: np.random.Generator) -> pd.DataFrame:
    """A small NSPL: 3–6 postcodes per LSOA (outward code DM<n> per district), a few
    terminated. ``ward`` holds the December 2017 ward, ``imd`` the LSOA's IMD 2019 rank."""
    per_lsoa = rng.integers(3, 7, size=geo.lsoa_code.size)
    lsoa = np.repeat(np.arange(geo.lsoa_code.size), per_lsoa)
    district = geo.lsoa_lad[lsoa]
    units = np.array([f"{s}{a}{b}" for s in range(1, 10) for a in _UNIT_LETTERS
                      for b in _UNIT_LETTERS])
    inward = np.empty(lsoa.size, dtype=object)
    for d in range(len(_DISTRICTS)):
        idx = np.flatnonzero(district == d)
        inward[idx] = np.sort(units[rng.permutation(units.size)[:idx.size]])
    outward = np.array([f"DM{d + 1}" for d in district])
    pcds = np.char.add(np.char.add(outward.astype(str), " "), inward.astype(str))
    pcd = np.array([f"{o:<4}{i}"[:7] if len(o) < 4 else f"{o}{i}" for o, i in
                    zip(outward, inward, strict=True)])
    terminated = rng.random(lsoa.size) < 0.05
    months = rng.integers(0, 60, size=lsoa.size)
    doterm = np.where(terminated, [f"{2015 + m // 12}{m % 12 + 1:02d}" for m in months], "")
    jitter = rng.uniform(-0.2, 0.2, size=(2, lsoa.size))
    lon = _LON0 + _DX * (geo.lsoa_col[lsoa] + 0.5 + jitter[0])
    lat = _LAT_TOP - _DY * (geo.lsoa_row[lsoa] + 0.5 + jitter[1])
    frame = pd.DataFrame({
        "pcd": pcd, "pcds": pcds, "doterm": doterm,
        "laua": geo.lad_code[district], "ward": geo.ward_code[geo.lsoa_ward[lsoa]],
        "ctry": "E92000001", "rgn": REGION_CODE, "lsoa11": geo.lsoa_code[lsoa],
        "lat": np.round(lat, 6), "long": np.round(lon, 6), "imd": dep.imd19_rank[lsoa],
    }).sort_values("pcd", kind="stable").reset_index(drop=True)
    frame["doterm"] = frame["doterm"].replace("", None)
    _csv(frame, folder / get_dataset("postcodes_nspl").filename)
    return frame


def _funding_pull(dep: _Deprivation) -> Array:
    """Relative grant rate per ward: higher in deprived wards, much lower where community
    need (CNI) is high, so left-behind wards get less per head than other deprived ones."""
    dep_z = _standardise(np.nan_to_num(dep.ward_dep))
    need_z = _standardise(dep.ward_cni)
    pull = np.exp(0.6 * dep_z - 0.9 * need_z)
    return pull / pull.mean()


def _write_grants(folder: Path, geo: _Geography, dep: _Deprivation,
                  rng: np.random.Generator) -> None:
    """Funder × year × ward rows (count and sum of grants), like the 2013–2018 file."""
    wards = np.flatnonzero(geo.ward_has_lsoa)
    pull = _funding_pull(dep)[wards]
    population = dep.ward_population[wards].astype(float)
    rows = []
    for f, (name, _org, rate, median, skew) in enumerate(_FUNDERS):
        for year in _GRANT_YEARS:
            part = 0.75 if year == 2018 else 1.0  # 2018 is a part year, as in the real file
            lam = rate * population / 10_000 * pull**skew * part
            counts = rng.poisson(lam)
            hit = np.flatnonzero(counts)
            amounts = np.round(median * rng.lognormal(0.0, 0.8, size=int(counts.sum())), 2)
            owner = np.repeat(np.arange(hit.size), counts[hit])
            sums = np.round(np.bincount(owner, weights=amounts, minlength=hit.size), 2)
            ward_idx = wards[hit]
            rows.append(pd.DataFrame({
                "Funding Org:Name": name,
                "Award Year": year,
                "Recipient District Geographic Code": geo.lad_code[geo.ward_lad[ward_idx]],
                "Recipient Ward Geographic Code": geo.ward_code[ward_idx],
                "Recipient Region": REGION_NAME,
                "Amount Awarded": sums,
                "Identifier": counts[hit],
                "_order": f,
            }))
    frame = pd.concat(rows, ignore_index=True).sort_values(
        ["Funding Org:Name", "Award Year", "Recipient District Geographic Code",
         "Recipient Ward Geographic Code"], kind="stable").drop(columns="_order")
    _csv(frame, folder / get_dataset("grants_ward_funder_year").filename)


_COVID_TITLES = (
    "COVID-19 emergency food support", "Coronavirus response: befriending by phone",
    "COVID-19 community response fund", "Emergency hardship grant (coronavirus)",
    "Mutual aid volunteers during the pandemic", "COVID-19 digital access for older people",
)
_ORG_KINDS = ("Community Association", "Food Bank", "Mutual Aid Group", "Youth Club",
              "Residents' Association", "Community Centre")
_GEOCODE_TYPES = {"E06": "UA", "E07": "NMD", "E08": "MD"}


def _write_covid_grants(folder: Path, geo: _Geography, dep: _Deprivation,
                        postcodes: pd.DataFrame, rng: np.random.Generator) -> None:
    """A 360Giving package of 200 grants, located by recipient postcode and/or an LSOA or
    district beneficiary location (some have only a country), dates in mixed formats."""
    n_grants = 200
    pull = _funding_pull(dep)[geo.lsoa_ward] * dep.population17
    lsoa = rng.choice(geo.lsoa_code.size, size=n_grants, p=pull / pull.sum())
    live = postcodes[postcodes["doterm"].isna()]
    by_lsoa = live.groupby("lsoa11")["pcds"].first()
    funders = rng.integers(0, 8, size=n_grants)
    amounts = np.round(np.exp(rng.normal(np.log(4000), 0.9, size=n_grants)) / 50) * 50
    days = rng.integers(0, 50, size=n_grants)
    kind = rng.random(size=(4, n_grants))
    grants = []
    for i in range(n_grants):
        code = geo.lsoa_code[lsoa[i]]
        ward = geo.ward_name[geo.lsoa_ward[lsoa[i]]]
        lad = geo.lsoa_lad[lsoa[i]]
        name = f"{ward} {_ORG_KINDS[i % len(_ORG_KINDS)]}"
        day = date(2020, 3, 17) + timedelta(days=int(days[i]))
        award = day.isoformat() if kind[0, i] < 0.6 else f"{day.isoformat()}T00:00:00+00:00"
        recipient: dict[str, object] = {"id": f"GB-CHC-{1190000 + i:07d}", "name": name}
        if kind[1, i] < 0.75:
            recipient["postalCode"] = str(by_lsoa[code])
        funder_name, funder_id = _FUNDERS[funders[i]][0], _FUNDERS[funders[i]][1]
        grant: dict[str, object] = {
            "id": f"360G-demo-{i + 1:05d}",
            "title": _COVID_TITLES[i % len(_COVID_TITLES)],
            "description": f"Synthetic demo grant to {name} in {geo.lad_name[lad]}.",
            "currency": "GBP",
            "amountAwarded": float(amounts[i]) if i % 3 else int(amounts[i]),
            "awardDate": award,
            "recipientOrganization": [recipient],
            "fundingOrganization": [{"id": funder_id, "name": funder_name}],
        }
        if kind[2, i] < 0.5 or "postalCode" not in recipient:
            if kind[3, i] < 0.75:
                location = {"name": geo.lsoa_name[lsoa[i]], "geoCode": code,
                            "geoCodeType": "LSOA", "countryCode": "GB"}
            elif kind[3, i] < 0.92 or "postalCode" not in recipient:
                lad_code = str(geo.lad_code[lad])
                location = {"name": str(geo.lad_name[lad]), "geoCode": lad_code,
                            "geoCodeType": _GEOCODE_TYPES[lad_code[:3]], "countryCode": "GB"}
            else:
                location = {"name": "UK", "countryCode": "GB"}
            grant["beneficiaryLocation"] = [location]
        grants.append(grant)
    text = json.dumps({"grants": grants}, indent=4, ensure_ascii=True)
    (folder / get_dataset("grants_covid19").filename).write_text(text + "\n", encoding="utf-8")


def _readme(seed: int) -> str:
    files = "\n".join(f"- `{name}`" for name in demo_filenames())
    return f"""# Demoshire: {SYNTHETIC_LABEL}

**This is synthetic demo data.** Every number, name, code, boundary, postcode and grant in
this folder is made up by `leftbehind.sources.demo` (generator {DEMO_DIRNAME}, seed {seed}).
It describes no real place and must not be used for any finding about real areas.

Demoshire ({REGION_CODE}) has 2,000 LSOAs (codes E01000001 to E01002000, used for both the
2011 and 2021 sets), 300 December 2017 wards (two get no LSOA in the best-fit lookup, as
some small wards do in the real data) and 15 districts. The files have exactly the names and
column layouts of the real data bundle, so the same readers read both. Ranks and deciles are
over Demoshire's own LSOAs and wards (rank 1 = most deprived / highest need). The postcode
directory (`postcodes_nspl.csv`, outward codes DM1 to DM15) gives December 2017 wards in
its `ward` column and the LSOA's IMD 2019 rank in `imd`.

Files:
{files}
"""
