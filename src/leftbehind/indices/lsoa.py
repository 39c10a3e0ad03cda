"""LSOA-level IMD for an edition, with the IMD score always present.

The data-folder IMD 2019 file carries ranks only, so the IMD score is rebuilt from the seven
domain ranks (exponential transformation + weights); the 2025 file and the official File 7
carry scores, which are used as published. ``imd_score_source`` in ``attrs`` says which.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leftbehind.indices.domains import DOMAINS
from leftbehind.indices.transform import decile_from_rank, imd_score_from_ranks, rank_descending
from leftbehind.sources.bundle import DataBundle

IMD_EDITIONS = ("2019", "2025")


def lsoa_imd(bundle: DataBundle, edition: str) -> pd.DataFrame:
    """The edition's LSOA IMD with ``imd_score`` (published or rebuilt) and ``imd_rank``."""
    if edition not in IMD_EDITIONS:
        raise ValueError(f"IMD edition must be one of {IMD_EDITIONS}, not {edition!r}")
    frame = bundle.imd_lsoa(edition).copy()
    n = len(frame)
    if "imd_score" in frame and frame["imd_score"].notna().all():
        frame.attrs["imd_score_source"] = "published"
    else:
        ranks = {d: frame[f"{d}_rank"].to_numpy() for d in DOMAINS}
        frame["imd_score"] = imd_score_from_ranks(ranks, n)
        frame.attrs["imd_score_source"] = "rebuilt from the seven domain ranks"
    if "imd_rank" not in frame:
        frame["imd_rank"] = rank_descending(frame["imd_score"].to_numpy())
    if "imd_decile" not in frame:
        frame["imd_decile"] = decile_from_rank(frame["imd_rank"].to_numpy(), n)
    frame.attrs["edition"] = edition
    frame.attrs["synthetic"] = bundle.synthetic
    return frame


def recomputed_rank_agreement(frame: pd.DataFrame) -> tuple[float, float]:
    """Share of LSOAs whose rank from the rebuilt score equals the published rank, and the
    largest difference — the check that the transformation is implemented right."""
    ranks = {d: frame[f"{d}_rank"].to_numpy() for d in DOMAINS}
    rebuilt = rank_descending(imd_score_from_ranks(ranks, len(frame)))
    published = frame["imd_rank"].to_numpy()
    return float(np.mean(rebuilt == published)), float(np.max(np.abs(rebuilt - published)))
