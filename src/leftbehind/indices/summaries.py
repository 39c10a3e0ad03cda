"""IoD summary measures for larger areas built from LSOAs (IoD technical report, §2 of the
methodology).

For a larger area with LSOA populations ``p`` and national LSOA count ``N``, LSOA ranks are
first *reversed* (``N + 1 - rank``, so the most deprived LSOA has the highest value):

* **average score** — population-weighted mean of LSOA scores;
* **average rank** — population-weighted mean of reversed LSOA ranks;
* **proportion in decile 1** — unweighted share of the area's LSOAs in the national 10%;
* **extent** — share of population in the most deprived 30% nationally, weighted 1 for
  national percentiles 1–10, then 0.95 at 11 falling by 0.9/19 a percentile to 0.05 at 30;
* **local concentration** — population-weighted mean reversed rank of the area's most deprived
  LSOAs holding exactly 10% of its population (the last LSOA counted only in part);
* **income scale** — the number of income-deprived people: the income score (a rate) times the
  population, summed. The IoD uses its own denominators (mid-2022 estimates for 2025); with
  the summary's population (Census 2021 for 2025) England's total is 0.8% lower and district
  ranks move by at most 7 places. The employment scale needs working-age populations, which
  the data folder does not have, so it is not computed.

Each measure is then ranked over the areas, 1 = most deprived (``min`` ties). All group
statistics are ``numpy.bincount`` over factorised codes: no per-area Python loop.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from leftbehind.indices.domains import DOMAINS
from leftbehind.indices.transform import rank_descending

MEASURES: tuple[str, ...] = ("imd", *DOMAINS)
SUMMARY_KINDS: tuple[str, ...] = (
    "average_score", "average_rank", "proportion_decile1", "extent", "local_concentration",
    "scale",
)
SCALE_MEASURES: tuple[str, ...] = ("income",)
"""Domains whose score is a rate of the whole population, so score × population counts people."""


def extent_weight(rank: np.ndarray, n: int) -> np.ndarray:
    """IoD extent weight of each LSOA from its national rank (1 = most deprived)."""
    percentile = np.ceil(rank / (n / 100.0))
    sloped = 0.95 - (percentile - 11.0) * (0.9 / 19.0)
    return np.where(percentile <= 10, 1.0, np.where(percentile <= 30, sloped, 0.0))


def _group_mean(codes: np.ndarray, k: int, values: np.ndarray,
                weights: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(codes, weights=values * weights, minlength=k) / total


def local_concentration(codes: np.ndarray, k: int, rank: np.ndarray,
                        population: np.ndarray, n: int,
                        share: float = 0.1) -> np.ndarray:
    """Population-weighted mean reversed rank of each area's most deprived ``share`` of people."""
    order = np.lexsort((rank, codes))  # by area, then most deprived first
    c, r, p = codes[order], rank[order], population[order]
    cum = np.cumsum(p)
    total = np.bincount(c, weights=p, minlength=k)
    start = np.concatenate(([0.0], np.cumsum(total)))[:-1]
    before = cum - p - start[c]  # population of more deprived LSOAs in the same area
    threshold = share * total[c]
    included = np.clip(threshold - before, 0.0, p)
    reversed_rank = n + 1.0 - r
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(c, weights=included * reversed_rank, minlength=k) / np.bincount(
            c, weights=included, minlength=k
        )


def summarise_lsoas(
    lsoa: pd.DataFrame,
    area_code: Sequence[str] | pd.Series | np.ndarray,
    population: Sequence[float] | pd.Series | np.ndarray,
    *,
    n: int | None = None,
    measures: Sequence[str] = MEASURES,
) -> pd.DataFrame:
    """Summaries of ``lsoa`` (``<m>_rank`` and optional ``<m>_score`` columns) per area.

    ``area_code`` and ``population`` are aligned with ``lsoa``'s rows; rows whose area code is
    missing are left out. ``n`` is the national number of LSOAs (default: ``len(lsoa)``).
    Returns one row per area: ``area_code, lsoas, population`` and
    ``<m>_<kind>``/``rank_of_<m>_<kind>`` for each measure present.
    """
    national = int(n if n is not None else len(lsoa))
    areas = pd.Series(np.asarray(area_code, dtype=object))
    keep = areas.notna().to_numpy()
    codes, uniques = pd.factorize(areas[keep], sort=True)
    k = len(uniques)
    pop = np.asarray(population, dtype=np.float64)[keep]
    total = np.bincount(codes, weights=pop, minlength=k)
    count = np.bincount(codes, minlength=k).astype(np.float64)
    columns: dict[str, np.ndarray] = {
        "area_code": np.asarray(uniques, dtype=object),
        "lsoas": count,
        "population": total,
    }
    for m in measures:
        if f"{m}_rank" not in lsoa:
            continue
        rank = lsoa[f"{m}_rank"].to_numpy(dtype=np.float64)[keep]
        reversed_rank = national + 1.0 - rank
        if f"{m}_score" in lsoa and lsoa[f"{m}_score"].notna().all():
            score = lsoa[f"{m}_score"].to_numpy(dtype=np.float64)[keep]
            columns[f"{m}_average_score"] = _group_mean(codes, k, score, pop, total)
            if m in SCALE_MEASURES:
                columns[f"{m}_scale"] = np.bincount(codes, weights=score * pop, minlength=k)
        columns[f"{m}_average_rank"] = _group_mean(codes, k, reversed_rank, pop, total)
        decile1 = (np.ceil(rank / (national / 10.0)) <= 1).astype(np.float64)
        in_decile1 = np.bincount(codes, weights=decile1, minlength=k)
        columns[f"{m}_proportion_decile1"] = in_decile1 / count
        columns[f"{m}_extent"] = _group_mean(codes, k, extent_weight(rank, national), pop, total)
        columns[f"{m}_local_concentration"] = local_concentration(codes, k, rank, pop, national)
    out = pd.DataFrame(columns)
    for m in measures:
        for kind in SUMMARY_KINDS:
            col = f"{m}_{kind}"
            if col in out:
                out[f"rank_of_{col}"] = rank_descending(out[col].to_numpy())
    return out


def summary_columns(frame: pd.DataFrame) -> list[str]:
    """The measure columns of a summary frame, each followed by its rank, in a stable order."""
    ordered: list[str] = []
    for m in MEASURES:
        for kind in SUMMARY_KINDS:
            col = f"{m}_{kind}"
            if col in frame:
                ordered += [col, f"rank_of_{col}"]
    return ordered
