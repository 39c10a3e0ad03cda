"""The IoD's exponential transformation, the IMD score, ranks and deciles (all vectorised).

Formulas (``../shared/docs/methodology.md`` §2, IoD technical report):

* ``R = (N - rank + 1) / N`` so the most deprived area has ``R = 1``;
* ``X = -23 * ln(1 - R * (1 - exp(-100/23)))`` runs from about 0 to 100;
* IMD score = Σ weight × X over the seven domains (2019, from domain ranks), or Σ weight ×
  X(rank of domain score) (2025, from domain scores, ranked here first);
* rank 1 = highest score; **tie rule**: equal scores share the lowest rank and the next rank
  is skipped ("min" ranking, as the published files do);
* ``decile = ceil(rank / (N / 10))``, decile 1 = the 10% most deprived.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from leftbehind.indices.domains import DOMAIN_WEIGHTS

_EXP_CONST = 1.0 - math.exp(-100.0 / 23.0)


def exponential_transform(rank: ArrayLike, n: int | None = None) -> NDArray[np.float64]:
    """Exponentially transform ranks (1 = most deprived) to a 0–100 scale (100 = most)."""
    r = np.asarray(rank, dtype=np.float64)
    size = int(n) if n is not None else r.size
    if size <= 0:
        raise ValueError("n must be positive")
    scaled = (size - r + 1.0) / size
    return np.asarray(-23.0 * np.log1p(-scaled * _EXP_CONST), dtype=np.float64)


def rank_descending(values: ArrayLike) -> NDArray[np.float64]:
    """Rank 1 = highest value; ties share the lowest rank (``min``); NaN stays NaN."""
    series = pd.Series(np.asarray(values, dtype=np.float64))
    return np.asarray(series.rank(ascending=False, method="min"), dtype=np.float64)


def decile_from_rank(rank: ArrayLike, n: int | None = None) -> NDArray[np.float64]:
    """``ceil(rank / (N / 10))``; decile 1 = the most deprived 10%."""
    r = np.asarray(rank, dtype=np.float64)
    size = int(n) if n is not None else int(np.count_nonzero(~np.isnan(r)))
    return np.ceil(r / (size / 10.0))


def imd_score_from_ranks(
    domain_ranks: Mapping[str, ArrayLike], n: int | None = None,
    weights: Mapping[str, float] = DOMAIN_WEIGHTS,
) -> NDArray[np.float64]:
    """IMD score from the seven domain ranks (the 2019 route, when scores are not given)."""
    missing = set(weights) - set(domain_ranks)
    if missing:
        raise ValueError(f"missing domain ranks: {sorted(missing)}")
    total: NDArray[np.float64] | None = None
    for domain, weight in weights.items():
        part = weight * exponential_transform(domain_ranks[domain], n)
        total = part if total is None else total + part
    assert total is not None
    return total


def imd_score_from_scores(
    domain_scores: Mapping[str, ArrayLike],
    weights: Mapping[str, float] = DOMAIN_WEIGHTS,
) -> NDArray[np.float64]:
    """IMD score from domain scores: rank each (highest = most deprived), then transform."""
    ranks = {d: rank_descending(domain_scores[d]) for d in weights}
    n = len(next(iter(ranks.values())))
    return imd_score_from_ranks(ranks, n, weights)


def rank_and_decile(scores: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """IMD rank and decile from IMD scores, with the documented tie rule."""
    rank = rank_descending(scores)
    return rank, decile_from_rank(rank)
