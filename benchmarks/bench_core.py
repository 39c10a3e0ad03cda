"""Benchmark of the core pipeline on the real data (prints, never asserts).

* full England 2019 ``identify`` end to end (read + compute) and after load (files cached);
* 33,755 LSOAs (IMD 2025) summarised to districts and wards with the vectorised code, against
  a plain pandas ``groupby().apply`` baseline computing the same five measures, same process;
* peak memory: the process's peak resident set size, and the Python allocation peak of each
  step (tracemalloc).

Run: ``python benchmarks/bench_core.py [--data-dir ../shared/data]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leftbehind.classification import identify
from leftbehind.indices.geographies import lsoa_geography
from leftbehind.indices.lsoa import lsoa_imd
from leftbehind.indices.summaries import extent_weight, summarise_lsoas
from leftbehind.sources.bundle import open_bundle

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def timed(fn: Callable[[], Any], repeat: int = 5,
          memory: bool = True) -> tuple[float, float, Any]:
    """Best wall time of ``repeat`` runs (seconds) and the Python allocation peak (MB)."""
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    if not memory:
        return best, float("nan"), result
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 1e6, result


def baseline_summaries(lsoa: pd.DataFrame, area: pd.Series, pop: pd.Series, n: int) -> pd.DataFrame:
    """The obvious pandas way: one Python function call per area via groupby-apply."""
    frame = pd.DataFrame({"area": area.to_numpy(), "rank": lsoa["imd_rank"].to_numpy(),
                          "score": lsoa["imd_score"].to_numpy(), "pop": pop.to_numpy()})

    def one(g: pd.DataFrame) -> pd.Series:
        rev = n + 1 - g["rank"]
        w = g["pop"] / g["pop"].sum()
        g = g.sort_values("rank")
        cum = g["pop"].cumsum() - g["pop"]
        take = (0.1 * g["pop"].sum() - cum).clip(lower=0).combine(g["pop"], min)
        return pd.Series({
            "average_score": (g["score"] * g["pop"]).sum() / g["pop"].sum(),
            "average_rank": (rev * w).sum(),
            "proportion": (np.ceil(g["rank"] / (n / 10)) == 1).mean(),
            "extent": (extent_weight(g["rank"].to_numpy(), n) * g["pop"]).sum() / g["pop"].sum(),
            "local_concentration": ((n + 1 - g["rank"]) * take).sum() / take.sum(),
        })

    return frame.groupby("area").apply(one)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path,
                        default=Path(os.environ.get("LEFTBEHIND_DATA_DIR", DEFAULT_DATA)))
    args = parser.parse_args()
    print(f"data: {args.data_dir}")
    print(f"{'step':56} {'time':>10} {'py peak':>10} {'vs baseline':>12}")

    def row(name: str, seconds: float, peak: float, ratio: str = "") -> None:
        memory = f"{peak:8.1f}MB" if peak == peak else f"{'—':>10}"  # NaN: not measured
        print(f"{name:56} {seconds * 1000:8.0f}ms {memory} {ratio:>12}")

    cold, peak, _ = timed(lambda: identify(open_bundle(args.data_dir), "2019"), repeat=2)
    row("identify 2019 England, end to end (read+compute)", cold, peak)
    bundle = open_bundle(args.data_dir)
    identify(bundle, "2019")  # load and cache the files
    warm, peak, wards = timed(lambda: identify(bundle, "2019"))
    row("identify 2019 England, after load", warm, peak)
    print(f"  → {int((wards['group'] == 'left_behind').sum())} left-behind wards of {len(wards)}")

    lsoa = lsoa_imd(bundle, "2025")
    geo = lsoa[["lsoa_code"]].merge(lsoa_geography(bundle, "2025"), on="lsoa_code", how="left")
    pop = lsoa[["lsoa_code"]].merge(bundle.lsoa_population("2025").rename(
        columns={"area_code": "lsoa_code"}), on="lsoa_code", how="left")["population"]
    n = len(lsoa)
    for to in ("lad", "ward"):
        area = geo[f"{to}_code"]
        every, epeak, out = timed(lambda area=area: summarise_lsoas(lsoa, area, pop, n=n))
        fast, fpeak, imd = timed(lambda area=area: summarise_lsoas(lsoa, area, pop, n=n,
                                                                    measures=("imd",)))
        slow, _, base = timed(lambda area=area: baseline_summaries(lsoa, area, pop, n),
                              repeat=1, memory=False)
        ours = imd.set_index("area_code").loc[base.index]
        agrees = all(np.allclose(ours[f"imd_{k}"], base[k]) for k in
                     ("average_score", "average_rank", "extent", "local_concentration"))
        row(f"summaries {n:,} LSOAs → {len(out):,} {to}s, IMD + 7 domains", every, epeak)
        row(f"summaries {n:,} LSOAs → {len(out):,} {to}s, IMD", fast, fpeak,
            f"{slow / fast:.0f}x")
        row(f"  baseline groupby-apply, IMD ({'agrees' if agrees else 'DIFFERS'})", slow,
            float("nan"))
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak_rss:.0f} MB")


if __name__ == "__main__":
    main()
