"""The core pipeline on the real data bundle (../shared/data): published facts reproduced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leftbehind.classification import identify
from leftbehind.indices.geographies import summarise_edition
from leftbehind.indices.lsoa import lsoa_imd, recomputed_rank_agreement
from leftbehind.sources.bundle import DataBundle, open_bundle

PUBLISHED_EXAMPLES = [  # methodology §4: (ward, district)
    ("Becontree", "Barking and Dagenham"),
    ("Bransholme West", "Kingston upon Hull, City of"),
    ("Longhill", "Kingston upon Hull, City of"),
    ("Redhill", "Sunderland"),
    ("Yew Tree", "Liverpool"),
    ("Wakefield East", "Wakefield"),
    ("Pitsea South East", "Basildon"),
    ("Manor House", "Hartlepool"),
    ("St Oswald", "Sefton"),
    ("Kitty Brewster", "Northumberland"),
    ("West Heywood", "Rochdale"),
    ("Central & New Cross", "Ashfield"),
]


@pytest.fixture(scope="session")
def bundle(real_data_dir: Path) -> DataBundle:
    return open_bundle(real_data_dir)


@pytest.fixture(scope="session")
def wards2019(bundle: DataBundle) -> pd.DataFrame:
    return identify(bundle, "2019")


def test_2019_left_behind_count_and_population(wards2019: pd.DataFrame) -> None:
    assert len(wards2019) == 7433
    lb = wards2019[wards2019["group"] == "left_behind"]
    assert 220 <= len(lb) <= 230
    assert len(lb) == 226  # floor(n/10) reading with mid-2017 populations
    assert 2.2e6 < lb["population"].sum() < 2.6e6  # "about 2.4 million people"
    assert wards2019.attrs["imd_cut"] == 742 and wards2019.attrs["cni_cut"] == 743


def test_published_examples_are_left_behind(wards2019: pd.DataFrame) -> None:
    for ward, district in PUBLISHED_EXAMPLES:
        row = wards2019[(wards2019["area_name"] == ward) & (wards2019["lad_name"] == district)]
        assert len(row) == 1, (ward, district)
        assert row["group"].iloc[0] == "left_behind", (ward, district)


def test_becontree_values(wards2019: pd.DataFrame) -> None:
    row = wards2019.set_index("area_code").loc["E05000028"]
    assert row["area_name"] == "Becontree"
    assert row["cni_rank"] == 690  # as published by OCSI
    assert row["imd_rank"] == 715
    assert row["imd_score"] == pytest.approx(35.358, abs=1e-3)
    assert row["population"] == 14862  # ONS mid-2017 ward estimate


def test_unclassified_wards_are_listed_with_reason(wards2019: pd.DataFrame) -> None:
    unclassified = wards2019[wards2019["group"] == "unclassified"]
    assert set(unclassified["area_code"]) == {
        "E05003230", "E05003257", "E05003259", "E05006760", "E05006764", "E05008917",
        "E05008922", "E05009880", "E05010102", "E05010187", "E05010593", "E05010599"}
    assert (unclassified["reason"].str.contains("best-fit")).all()
    excluded = wards2019.attrs["excluded"]
    assert len(excluded[excluded["kind"] == "ward"]) == 6  # City of London, Isles of Scilly


def test_other_deprived_is_rest_of_top_decile(wards2019: pd.DataFrame) -> None:
    top = wards2019[wards2019["imd_rank"] <= 742]
    assert set(top["group"]) == {"left_behind", "other_deprived"}
    assert len(top) == 742


def test_imd2019_ranks_rebuilt_from_domain_ranks(bundle: DataBundle) -> None:
    share, worst = recomputed_rank_agreement(lsoa_imd(bundle, "2019"))
    assert share >= 0.995
    assert worst <= 2


def test_2023_lsoa_edition(bundle: DataBundle) -> None:
    lsoas = identify(bundle, "2023")
    assert len(lsoas) == 33755
    lb = lsoas["group"] == "left_behind"
    assert (lsoas.loc[lb, "imd_decile"] == 1).all() and (lsoas.loc[lb, "cni_decile"] == 1).all()
    both = (lsoas["imd_decile"] == 1) & (lsoas["cni_decile"] == 1)
    assert lb.sum() == both.sum() == 1262
    assert (lsoas["group"] == "unclassified").sum() == 0


def _corr(a: pd.Series, b: pd.Series) -> float:
    return float(np.corrcoef(a.to_numpy(float), b.to_numpy(float))[0, 1])


def test_2019_district_summaries_match_official(bundle: DataBundle, real_data_dir: Path) -> None:
    ours = summarise_edition(bundle, "2019", "lad")
    official = pd.read_csv(real_data_dir / "imd2019_england_ltla19.csv")
    m = ours.merge(official, left_on="area_code", right_on="ltla19_code")
    assert len(m) == len(official) == 317
    assert _corr(m["imd_average_score"], m["Score"]) >= 0.9999
    assert _corr(m["imd_extent"], m["Extent"]) >= 0.9999
    for ours_col, theirs in [("imd_proportion_decile1", "Proportion"),
                             ("income_proportion_decile1", "Income_Proportion"),
                             ("crime_proportion_decile1", "Crime_Proportion"),
                             ("barriers_proportion_decile1", "Housing_and_Access_Proportion")]:
        assert np.abs(m[ours_col] - m[theirs]).max() <= 1e-4 + 1e-9, ours_col


def test_2025_district_summaries_match_official(bundle: DataBundle, real_data_dir: Path) -> None:
    ours = summarise_edition(bundle, "2025", "lad").add_prefix("our_")
    official = pd.read_csv(real_data_dir / "imd2025_england_ltla24.csv")
    m = ours.merge(official, left_on="our_area_code", right_on="ltla24_code")
    assert len(m) == len(official) == 296
    pairs = {
        "imd_average_score": "imd_average_score",
        "imd_average_rank": "imd_average_rank",
        "imd_extent": "imd25_extent",
        "imd_local_concentration": "imd25_local_concentration",
        "income_average_score": "income_average_score",
        "health_average_rank": "health_deprivation_and_disability_average_rank",
    }
    for col, theirs in pairs.items():
        assert _corr(m[f"our_{col}"], m[theirs]) >= 0.9999, col
    prop = "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally"
    assert np.abs(m["our_imd_proportion_decile1"] - m[prop]).max() <= 1e-4 + 1e-9
    # income scale: people income-deprived, with Census 2021 rather than the IoD's populations
    assert _corr(m["our_income_scale"], m["income_scale"]) >= 0.9999
    assert m["our_income_scale"].sum() / m["income_scale"].sum() == pytest.approx(0.992,
                                                                                  abs=0.002)
    assert (m["our_rank_of_income_scale"] - m["rank_of_income_scale"]).abs().max() <= 7
    assert "our_employment_scale" not in m  # needs working-age populations
    hartlepool = m.set_index("ltla24_code").loc["E06000001"]
    assert hartlepool["our_imd_average_score"] == pytest.approx(37.58, abs=0.01)
    assert hartlepool["our_rank_of_imd_average_score"] == hartlepool["imd_rank_of_average_score"]


def test_ward_summaries_cover_every_assigned_ward(bundle: DataBundle) -> None:
    wards = summarise_edition(bundle, "2019", "ward")
    assert len(wards) == 7427  # English wards receiving at least one LSOA
    assert wards["lsoas"].sum() == 32844
    assert {"rank_of_imd_extent", "rank_of_imd_local_concentration"} <= set(wards.columns)
