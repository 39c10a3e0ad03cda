"""Benchmark: import + locate + summarise N synthetic 360Giving grants; compare a naive baseline.

Run ``python benchmarks/bench_grants.py`` (a million grants; ``--n`` for another size). Writes
a schema-valid synthetic package (realistic funders, log-normal amounts, real-format
postcodes) and a synthetic NSPL file whose postcodes it uses, then times in a fresh process
(so peak RSS is that of the work alone): store + postcode directory + import + funding
summary, and a second summary on the warm store. The baseline (``json.load`` +
``pandas.json_normalize`` + merge + groupby) runs at ``min(N, --baseline-n)``, as does our
pipeline for the ratio. ``--repeat R`` alternates R runs of each and reports medians (this
shared machine's timings vary by about ±20 %). Prints; never asserts.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import string
import tempfile
import time
from pathlib import Path
from typing import Any

FUNDERS = [
    ("GB-GOR-PB188", "The National Lottery Community Fund"), ("GB-CHC-1093890", "Comic Relief"),
    ("GB-CHC-1045304", "Esmée Fairbairn Foundation"), ("GB-CHC-313413", "BBC Children in Need"),
    ("GB-CHC-226228", "Paul Hamlyn Foundation"), ("GB-CHC-1105580", "Garfield Weston Foundation"),
    ("GB-GOR-D1", "Department for Digital, Culture, Media and Sport"),
    ("GB-CHC-1122166", "Lloyds Bank Foundation"), ("GB-CHC-1164021", "Power to Change"),
    ("GB-CHC-200051", "Joseph Rowntree Foundation"),
]
AREAS_N, LSOAS_PER_WARD, POSTCODES_PER_LSOA = 2000, 5, 10


def _postcode(rng: random.Random) -> str:
    area = "".join(rng.choices(string.ascii_uppercase, k=rng.choice((1, 2))))
    unit = "".join(rng.choices("ABDEFGHJLNPQRSTUWXYZ", k=2))
    return f"{area}{rng.randint(1, 99)} {rng.randint(0, 9)}{unit}"


def write_inputs(folder: Path, n: int, seed: int = 1) -> tuple[Path, Path]:
    """Synthetic NSPL (CSV) and a package of ``n`` grants whose postcodes are in it."""
    rng = random.Random(seed)
    codes = set()
    while len(codes) < AREAS_N * LSOAS_PER_WARD * POSTCODES_PER_LSOA:
        codes.add(_postcode(rng))
    postcodes = sorted(codes)
    nspl = folder / "nspl.csv"
    with nspl.open("w") as out:
        out.write("pcd,pcds,doterm,lsoa11,ward,laua,rgn,ctry,lat,long,imd\n")
        for i, pc in enumerate(postcodes):
            lsoa = i // POSTCODES_PER_LSOA
            ward = lsoa // LSOAS_PER_WARD
            out.write(f"{pc.replace(' ', ''):<7},{pc},,E01{lsoa:06d},E05{ward:06d},"
                      f"E08{ward // 50:06d},E12000001,E92000001,53.4,-2.2,{lsoa + 1}\n")
    package = folder / f"grants_{n}.json"
    with package.open("w") as out:
        out.write('{"grants": [\n')
        for i in range(n):
            fid, fname = FUNDERS[min(int(rng.paretovariate(1.2)) - 1, len(FUNDERS) - 1)]
            g: dict[str, Any] = {
                "id": f"360G-bench-{i}", "title": f"Grant {i}",
                "description": "Core funding for community activities", "currency": "GBP",
                "amountAwarded": round(min(rng.lognormvariate(9.2, 1.1), 5e6), 2),
                "awardDate": f"{rng.randint(2013, 2022)}-{rng.randint(1, 12):02d}-"
                             f"{rng.randint(1, 28):02d}",
                "recipientOrganization": [{"id": f"GB-CHC-{rng.randint(200000, 1199999)}",
                                           "name": f"Community Group {i % 50000}",
                                           "postalCode": rng.choice(postcodes)}],
                "fundingOrganization": [{"id": fid, "name": fname}],
            }
            if i % 4 == 0:
                lsoa = rng.randrange(AREAS_N * LSOAS_PER_WARD)
                g["beneficiaryLocation"] = [{"name": "area", "geoCode": f"E01{lsoa:06d}",
                                             "geoCodeType": "LSOA"}]
            out.write(("," if i else "") + json.dumps(g) + "\n")
        out.write("]}\n")
    return nspl, package


def areas_frame() -> tuple[Any, Any]:
    import pandas as pd

    rng = random.Random(7)
    codes = [f"E05{w:06d}" for w in range(AREAS_N)]
    ranks = list(range(1, AREAS_N + 1))
    rng.shuffle(ranks)
    groups = ["left_behind" if r <= AREAS_N * 0.03 else "other_deprived" if r <= AREAS_N * 0.1
              else "other" for r in ranks]
    areas = pd.DataFrame({"area_code": codes, "area_name": codes, "group": groups,
                          "population": [rng.randint(3000, 15000) for _ in codes],
                          "imd_rank": ranks})
    lookup = pd.DataFrame({"lsoa_code": [f"E01{i:06d}" for i in range(AREAS_N * LSOAS_PER_WARD)],
                           "ward_code": [f"E05{i // LSOAS_PER_WARD:06d}"
                                         for i in range(AREAS_N * LSOAS_PER_WARD)]})
    return areas, lookup


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(package: str, nspl: str, store: str, schema_dir: str, q: Any) -> None:
    from leftbehind.funding.gap import funding_gap
    from leftbehind.funding.ingest import import_file
    from leftbehind.funding.postcodes import load_postcodes
    from leftbehind.funding.schema import load_schema
    from leftbehind.funding.store import open_store

    areas, lookup = areas_frame()
    t0 = time.perf_counter()
    con = open_store(store)
    load_postcodes(con, nspl)
    t1 = time.perf_counter()
    result = import_file(con, package, load_schema(schema_dir), validate="fast")
    t2 = time.perf_counter()
    gap = funding_gap(con, areas, lookup)
    t3 = time.perf_counter()
    funding_gap(con, areas, lookup)
    t4 = time.perf_counter()
    q.put({"postcodes_s": t1 - t0, "import_s": t2 - t1, "summary_s": t3 - t2,
           "summary_warm_s": t4 - t3, "total_s": t3 - t0, "valid": result.valid,
           "located": int(gap.set_index("group").loc["england", "grants"]),
           "peak_rss_mb": _peak_mb()})


def run_baseline(package: str, nspl: str, q: Any) -> None:
    import pandas as pd

    areas, lookup = areas_frame()
    t0 = time.perf_counter()
    with open(package) as handle:
        data = json.load(handle)
    flat = pd.json_normalize(data["grants"], "recipientOrganization",
                             ["id", "amountAwarded", "currency"], record_prefix="rec.")
    pcs = pd.read_csv(nspl, dtype=str)
    pcs["key"] = pcs["pcds"].str.replace(" ", "").str.upper()
    flat["key"] = flat["rec.postalCode"].str.replace(" ", "").str.upper()
    merged = flat.merge(pcs[["key", "lsoa11"]], on="key", how="left").merge(
        lookup, left_on="lsoa11", right_on="lsoa_code", how="left").merge(
        areas, left_on="ward_code", right_on="area_code", how="left")
    merged.groupby("group")["amountAwarded"].sum()
    q.put({"total_s": time.perf_counter() - t0, "peak_rss_mb": _peak_mb()})


def _in_process(target: Any, *args: Any) -> dict:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, q))
    proc.start()
    out = q.get()
    proc.join()
    return dict(out)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _ours(package: Path, nspl: Path, folder: Path, schema: str, run: int) -> dict:
    store = folder / f"s{run}.duckdb"
    res = _in_process(run_pipeline, str(package), str(nspl), str(store), schema)
    store.unlink()
    return res


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    # Defaults: the scale the targets are set at (a million grants, baseline at the same N).
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--baseline-n", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of ours and of the baseline, alternating; medians reported")
    parser.add_argument("--schema", default=str(Path(__file__).resolve().parents[2] / "shared"
                                                / "data" / "360giving-schema"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-grants-") as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        nspl, package = write_inputs(folder, args.n)
        nb = min(args.n, args.baseline_n)
        small = write_inputs(folder, nb)[1] if nb != args.n else package
        os.sync()  # the generator's writes reach the disk before anything is timed
        print(f"generated {args.n:,} grants ({package.stat().st_size / 1e6:,.0f} MB) and "
              f"{AREAS_N * LSOAS_PER_WARD * POSTCODES_PER_LSOA:,} postcodes in "
              f"{time.perf_counter() - t:.1f} s")
        runs, bases, ours_at_nb = [], [], []
        for run in range(args.repeat):
            res = _ours(package, nspl, folder, args.schema, run)
            runs.append(res)
            print(f"N={args.n:,}: import+locate+summarise {res['total_s']:.2f} s "
                  f"({args.n / res['total_s']:,.0f} grants/s; postcodes {res['postcodes_s']:.2f}"
                  f" s, import {res['import_s']:.2f} s, summary {res['summary_s']:.3f} s, warm "
                  f"summary {res['summary_warm_s']:.3f} s); valid {res['valid']:,}, located "
                  f"{res['located']:,}; peak RSS {res['peak_rss_mb']:,.0f} MB", flush=True)
            ours_at_nb.append(res if nb == args.n else _ours(small, nspl, folder, args.schema,
                                                              run))
            base = _in_process(run_baseline, str(small), str(nspl))
            bases.append(base)
            print(f"baseline N={nb:,}: json.load+json_normalize+merge {base['total_s']:.2f} s "
                  f"(peak RSS {base['peak_rss_mb']:,.0f} MB)", flush=True)
        ours_s = _median([r["total_s"] for r in ours_at_nb])
        base_s = _median([b["total_s"] for b in bases])
        ratio = base_s / ours_s  # baseline time / our time, same N
        verdict = f"ours {ratio:.1f}× faster" if ratio >= 1 else f"ours {1 / ratio:.1f}× slower"
        label = "median of " + str(args.repeat) + " runs" if args.repeat > 1 else "one run"
        print(f"N={args.n:,} ({label}): {_median([r['total_s'] for r in runs]):.2f} s, "
              f"{args.n / _median([r['total_s'] for r in runs]):,.0f} grants/s, peak RSS "
              f"{max(r['peak_rss_mb'] for r in runs):,.0f} MB (largest)")
        print(f"baseline N={nb:,} ({label}): {base_s:.2f} s (peak RSS "
              f"{max(b['peak_rss_mb'] for b in bases):,.0f} MB) vs ours {ours_s:.2f} s: "
              f"{verdict} (baseline/ours = {ratio:.2f})")


if __name__ == "__main__":
    main()
