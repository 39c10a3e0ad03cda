"""Property-based tests of the IoD maths (hypothesis), against plain reference formulas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from leftbehind.classification import classify, top_share_cut
from leftbehind.indices.domains import DOMAIN_WEIGHTS
from leftbehind.indices.summaries import extent_weight, summarise_lsoas
from leftbehind.indices.transform import (
    decile_from_rank,
    exponential_transform,
    imd_score_from_ranks,
    imd_score_from_scores,
    rank_descending,
)


def test_published_weights() -> None:
    # The IoD publishes the weights rounded (3 x 9.3%), so they sum to 99.9%.
    assert math.isclose(sum(DOMAIN_WEIGHTS.values()), 0.999)
    assert DOMAIN_WEIGHTS["income"] == DOMAIN_WEIGHTS["employment"] == 0.225


@given(st.integers(min_value=1, max_value=100_000))
def test_transform_end_points(n: int) -> None:
    x = exponential_transform(np.array([1, n]), n)
    assert math.isclose(x[0], 100.0, rel_tol=1e-12)
    assert 0 <= x[1] <= 100 + 1e-9
    reference = -23 * math.log(1 - (1 / n) * (1 - math.exp(-100 / 23)))
    assert math.isclose(x[1], reference, rel_tol=1e-9)  # log1p is the more exact


@given(st.integers(min_value=60, max_value=5000), st.data())
def test_transform_is_decreasing_in_rank(n: int, data: st.DataObject) -> None:
    ranks = np.sort(data.draw(arrays(np.int64, st.integers(2, 50),
                                     elements=st.integers(1, n), unique=True)))
    x = exponential_transform(ranks, n)
    assert np.all(np.diff(x) < 0)
    assert np.all((x >= 0) & (x <= 100 + 1e-9))


@given(arrays(np.float64, st.integers(1, 200), elements=st.floats(-100, 100, allow_nan=False)))
def test_rank_descending_ties_share_lowest_rank(values: np.ndarray) -> None:
    rank = rank_descending(values)
    for i in range(len(values)):
        assert rank[i] == 1 + np.sum(values > values[i])


@given(st.integers(10, 50_000), st.data())
def test_decile_formula(n: int, data: st.DataObject) -> None:
    rank = data.draw(st.integers(1, n))
    decile = decile_from_rank(np.array([rank]), n)[0]
    assert decile == math.ceil(rank / (n / 10))
    assert 1 <= decile <= 10


@given(st.integers(7, 300), st.integers(0, 2**32 - 1))
def test_imd_score_from_scores_equals_score_from_their_ranks(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = {d: rng.normal(size=n) for d in DOMAIN_WEIGHTS}
    ranks = {d: rank_descending(s) for d, s in scores.items()}
    np.testing.assert_allclose(imd_score_from_scores(scores), imd_score_from_ranks(ranks, n))
    total = imd_score_from_ranks(ranks, n)
    assert np.all((total >= 0) & (total <= 100 + 1e-9))


def reference_summary(ranks: np.ndarray, scores: np.ndarray, pop: np.ndarray, n: int) -> dict:
    """Plain per-area implementation of the IoD measures, written from the definitions."""
    reversed_rank = n + 1 - ranks
    weights = []
    for r in ranks:
        pct = math.ceil(r / (n / 100))
        weights.append(1.0 if pct <= 10 else (0.95 - (pct - 11) * 0.9 / 19 if pct <= 30 else 0))
    order = np.argsort(ranks, kind="stable")
    remaining, num, den = 0.1 * pop.sum(), 0.0, 0.0
    for i in order:
        take = min(pop[i], max(remaining, 0.0))
        num += take * reversed_rank[i]
        den += take
        remaining -= pop[i]
    return {
        "average_score": float(np.sum(scores * pop) / pop.sum()),
        "average_rank": float(np.sum(reversed_rank * pop) / pop.sum()),
        "proportion_decile1": float(np.mean([math.ceil(r / (n / 10)) == 1 for r in ranks])),
        "extent": float(np.sum(np.array(weights) * pop) / pop.sum()),
        "local_concentration": num / den,
    }


@settings(max_examples=60, deadline=None)
@given(st.integers(20, 400), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_vectorised_summaries_equal_reference(n: int, areas: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.gamma(2.0, 10.0, size=n)
    ranks = rank_descending(scores)
    pop = rng.integers(500, 3000, size=n).astype(float)
    area = rng.integers(0, areas, size=n).astype(str)
    lsoa = pd.DataFrame({"imd_rank": ranks, "imd_score": scores})
    out = summarise_lsoas(lsoa, area, pop, n=n, measures=("imd",)).set_index("area_code")
    for code in np.unique(area):
        sel = area == code
        ref = reference_summary(ranks[sel], scores[sel], pop[sel], n)
        for kind, value in ref.items():
            assert math.isclose(out.loc[code, f"imd_{kind}"], value, rel_tol=1e-9,
                                abs_tol=1e-9), (kind, code)
    ranked = out["rank_of_imd_average_score"]
    assert ranked.min() == 1
    top = out["imd_average_score"].idxmax()
    assert ranked[top] == 1


@given(arrays(np.float64, st.integers(1, 300), elements=st.floats(1, 30_000)))
def test_extent_weight_bounds(ranks: np.ndarray) -> None:
    w = extent_weight(np.floor(ranks), 30_000)
    assert np.all((w >= 0) & (w <= 1))


def test_extent_weight_steps() -> None:
    n = 1000  # percentile p covers ranks 10(p-1)+1 .. 10p
    w = extent_weight(np.array([10.0, 100.0, 101.0, 110.0, 291.0, 300.0, 301.0]), n)
    np.testing.assert_allclose(w, [1, 1, 0.95, 0.95, 0.05, 0.05, 0])


@given(st.integers(10, 2000), st.floats(0.01, 1.0), st.floats(0.01, 1.0),
       st.integers(0, 2**32 - 1))
def test_classify_respects_cuts(n: int, imd_share: float, cni_share: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    imd = pd.Series(rank_descending(rng.normal(size=n)))
    cni = pd.Series(rank_descending(rng.normal(size=n)))
    group = classify(imd, cni, imd_share=imd_share, cni_share=cni_share)
    imd_cut, cni_cut = top_share_cut(imd, imd_share), top_share_cut(cni, cni_share)
    assert imd_cut == math.floor(n * imd_share + 1e-9)
    lb = group == "left_behind"
    assert ((imd[lb] <= imd_cut) & (cni[lb] <= cni_cut)).all()
    assert (group[(imd <= imd_cut) & ~lb] == "other_deprived").all()
    assert (group[imd > imd_cut] == "other").all()
    assert lb.sum() <= min(imd_cut, cni_cut)


def test_classify_unclassified_when_rank_missing() -> None:
    imd = pd.Series([1.0, 2.0, np.nan, 4.0])
    cni = pd.Series([1.0, np.nan, 3.0, 4.0])
    group = classify(imd, cni, imd_share=0.5, cni_share=0.5)
    assert list(group) == ["left_behind", "unclassified", "unclassified", "other"]


@given(st.lists(st.lists(st.tuples(st.integers(-18_000_000, 18_000_000),
                                   st.integers(-9_000_000, 9_000_000)), min_size=4, max_size=12),
                min_size=1, max_size=3))
def test_compact_shapes_decode_to_the_same_coordinates(rings):
    import shapely

    from leftbehind.outputs.boundaries import compact_shapes

    closed = [[*ring, ring[0]] for ring in rings]  # rings as shapely holds them: closed
    coords = [[[x / 10**5, y / 10**5] for x, y in ring] for ring in closed]
    polygon = shapely.Polygon(coords[0], coords[1:])
    compact = compact_shapes(["E05000001", "E05000002"], [polygon, None])
    # what the page's DECODE_SHAPES_JS does: running sums of the steps, over the scale
    [[code, polygons]] = compact["features"]
    decoded = []
    for ring in polygons[0]:
        x = y = 0
        points = []
        for dx, dy in zip(ring[::2], ring[1::2], strict=True):
            x, y = x + dx, y + dy
            points.append([x / compact["scale"], y / compact["scale"]])
        decoded.append(points)
    assert code == "E05000001" and decoded == coords


def test_web_shapes_have_clockwise_exteriors_as_d3_needs():
    import geopandas as gpd
    import shapely

    from leftbehind.outputs.boundaries import web_geojson

    ccw = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])  # GeoJSON (RFC 7946) order
    assert ccw.exterior.is_ccw
    frame = gpd.GeoDataFrame({"area_code": ["E01000001"]}, geometry=[ccw], crs=4326)
    ring = web_geojson(frame, tolerance=0)["features"][0]["geometry"]["coordinates"][0]
    assert not shapely.LinearRing(ring).is_ccw


@settings(max_examples=40, deadline=None)
@given(st.integers(20, 400), st.integers(1, 12), st.integers(0, 2**32 - 1))
def test_income_scale_counts_income_deprived_people(n: int, areas: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rate = rng.uniform(0.0, 0.6, size=n)  # income scores are rates
    pop = rng.integers(500, 3000, size=n).astype(float)
    area = rng.integers(0, areas, size=n).astype(str)
    lsoa = pd.DataFrame({"income_rank": rank_descending(rate), "income_score": rate})
    out = summarise_lsoas(lsoa, area, pop, n=n, measures=("income",)).set_index("area_code")
    for code in np.unique(area):
        sel = area == code
        assert math.isclose(out.loc[code, "income_scale"], float(np.sum(rate[sel] * pop[sel])),
                            rel_tol=1e-12)
    assert out["rank_of_income_scale"][out["income_scale"].idxmax()] == 1
    assert "imd_scale" not in out
