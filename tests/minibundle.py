"""A tiny data folder in the official layouts (20 LSOAs, 5 wards, 2 districts), written by
the tests themselves, for fast checks of readers, bad input and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DOMAIN_COLUMNS = ["IMD", "Income", "Employment", "Education", "Health", "Crime",
                  "Housing_and_Access", "Environment"]
N_LSOA = 20


def lsoa_codes(n: int = N_LSOA) -> list[str]:
    return [f"E0100{i:04d}" for i in range(1, n + 1)]


def write_mini_bundle(folder: Path) -> Path:
    """Write the files the 2019 edition needs; return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    codes = lsoa_codes()
    imd = pd.DataFrame({"lsoa11_code": codes})
    for name in DOMAIN_COLUMNS:
        ranks = rng.permutation(N_LSOA) + 1
        imd[f"{name}_rank"] = ranks
        imd[f"{name}_decile"] = np.ceil(ranks / (N_LSOA / 10)).astype(int)
    ordered = ["lsoa11_code"] + [f"{n}_decile" for n in DOMAIN_COLUMNS] + [
        f"{n}_rank" for n in DOMAIN_COLUMNS]
    imd[ordered].to_csv(folder / "imd2019_england_lsoa11.csv", index=False)
    wards = [f"E0500000{i}" for i in range(1, 6)]
    ward_of = [wards[i // 4] for i in range(N_LSOA)]
    pd.DataFrame({"lsoa11_code": codes, "ward17_code": ward_of}).to_csv(
        folder / "lookup_lsoa11_ward17.csv", index=False)
    lads = ["E06000001" if w in wards[:3] else "E06000002" for w in ward_of]
    pd.DataFrame({
        "lsoa11_name": [f"Mini {i:03d}A" for i in range(N_LSOA)], "lsoa11_code": codes,
        "ltla19_name": ["Minitown" if c == "E06000001" else "Miniville" for c in lads],
        "ltla19_code": lads,
    }).to_csv(folder / "lookup_lsoa11_ltla19.csv", index=False)
    pd.DataFrame({"lsoa11_code": codes, "lsoa11_name": [f"Mini {i:03d}A" for i in range(N_LSOA)],
                  "total_population": rng.integers(1000, 2000, N_LSOA).astype(float)}).to_parquet(
        folder / "population17_lsoa11.parquet", index=False)
    civic, conn, eng = (rng.permutation(5) + 1 for _ in range(3))
    cni = pd.DataFrame({
        "ward17_code": wards, "ward17_name": [f"Ward {c}" for c in "ABCDE"],
        "lad19_code": ["E06000001"] * 3 + ["E06000002"] * 2,
        "lad19_name": ["Minitown"] * 3 + ["Miniville"] * 2,
        "Civic Assets score": 10.0 * civic, "Civic Assets rank": 6 - civic,
        "Connectedness score": 10.0 * conn, "Connectedness rank": 6 - conn,
        "Engaged community score": 10.0 * eng, "Engaged community rank": 6 - eng,
    })
    cni["Community Needs Index score"] = (cni["Civic Assets score"] + cni["Connectedness score"]
                                          + cni["Engaged community score"])
    cni["Community Needs Index rank"] = cni["Community Needs Index score"].rank(
        ascending=False, method="min").astype(int)
    cni.to_csv(folder / "cni2019_england_ward17.csv", index=False)
    return folder
