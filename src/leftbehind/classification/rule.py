"""The left-behind rule, shared by every edition.

An area is **left behind** when it is among the ``imd_share`` most deprived areas on the IMD
*and* the ``cni_share`` highest-need areas on the CNI. "Among the top share" is read as
``rank <= floor(n * share)`` where ``n`` is the number of areas that have a rank (ties at the
cut share the lower rank and are all included). **Other deprived** = in the IMD top share but
not left behind; **other** = the rest; **unclassified** = an area missing the IMD or the CNI
(its ``reason`` says why).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

GROUPS = ("left_behind", "other_deprived", "other", "unclassified")


def top_share_cut(rank: pd.Series, share: float) -> int:
    """Largest rank inside the top ``share`` of the ranked areas: ``floor(n * share)``."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], not {share}")
    return math.floor(int(rank.notna().sum()) * share + 1e-9)


def classify(imd_rank: pd.Series, cni_rank: pd.Series, *, imd_share: float = 0.1,
             cni_share: float = 0.1) -> pd.Series:
    """Group of each area from its IMD rank and CNI rank (1 = most deprived / most need)."""
    imd_cut = top_share_cut(imd_rank, imd_share)
    cni_cut = top_share_cut(cni_rank, cni_share)
    deprived = (imd_rank <= imd_cut).to_numpy()
    need = (cni_rank <= cni_cut).to_numpy()
    missing = (imd_rank.isna() | cni_rank.isna()).to_numpy()
    group = np.select(
        [missing, deprived & need, deprived],
        ["unclassified", "left_behind", "other_deprived"],
        default="other",
    )
    return pd.Series(pd.Categorical(group, categories=GROUPS), index=imd_rank.index, name="group")
