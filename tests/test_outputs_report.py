"""Report, profile and export on the real data (one shared build) and the demo data."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
import shapely

from leftbehind import SYNTHETIC_LABEL
from leftbehind.classification import identify
from leftbehind.cli.app import main
from leftbehind.errors import InputError
from leftbehind.outputs.export import export
from leftbehind.outputs.profile import build_profile

pytestmark = pytest.mark.realdata


def test_report_is_fast_small_and_offline(report_2019):
    path, seconds = report_2019
    assert seconds < 60
    assert path.stat().st_size < 15e6
    html = path.read_text(encoding="utf-8")
    assert html.count("cdn.plot.ly") == 0 or "PlotlyGeoAssets" in html
    assert "<script src=" not in html and "<link" not in html
    assert "@import" not in html and "fonts.googleapis" not in html
    assert "E05000028" in html and "Becontree" in html
    assert SYNTHETIC_LABEL not in html.split("<footer>")[0].split("</head>")[1]


def test_report_has_sections_and_provenance(report_2019, real_bundle):
    html = report_2019[0].read_text(encoding="utf-8")
    for anchor in ("headline", "map", "areas", "domains", "method", "provenance"):
        assert f'id="{anchor}"' in html
    assert real_bundle.checksum("cni2019_ward17") in html
    assert real_bundle.checksum("boundaries_lsoa11") in html


def test_profile_becontree(real_bundle, areas_2019):
    html = build_profile(real_bundle, "E05000028", "2019", areas=areas_2019)
    row = areas_2019.set_index("area_code").loc["E05000028"]
    assert 'data-group="left_behind"' in html and "Left behind" in html
    assert f"{row['imd_rank']:,.0f} of 7,421 (decile 1)" in html  # wards with an IMD
    assert f"{row['cni_rank']:,.0f} of 7,433 (decile 1)" in html  # wards with a CNI
    assert 'id="bars-imd"' in html and 'id="bars-cni"' in html
    assert "Barking and Dagenham" in html


def test_profile_domains_share_one_scale_2023(real_bundle):
    from leftbehind.outputs.profile import comparison, find_area

    areas = identify(real_bundle, "2023")
    target = find_area(real_bundle, "2023", areas, "E01026129")  # Lincoln 007C
    imd, description = comparison(areas, target, "imd")
    assert description == "national percentile, 100 = most deprived"
    row = areas.set_index("area_code").loc["E01026129"]
    n = int(areas["income_rank"].notna().sum())
    assert n == 33_755
    assert imd.loc["Income", target.name] == pytest.approx(
        100 * (n - row["income_rank"] + 1) / n)
    # England's population-weighted mean percentile is about the middle on every domain
    assert imd["England"].between(45, 55).all(), imd["England"]
    cni, _ = comparison(areas, target, "cni")
    assert cni.loc["Civic Assets", target.name] == pytest.approx(
        100 * (n - row["civic_assets_rank"] + 1) / n)


def test_profile_domains_2019_wards_use_average_ranks(real_bundle, areas_2019):
    from leftbehind.outputs.profile import comparison, find_area

    target = find_area(real_bundle, "2019", areas_2019, "E05000028")  # Becontree
    imd, description = comparison(areas_2019, target, "imd")
    assert description.startswith("average LSOA rank")
    row = areas_2019.set_index("area_code").loc["E05000028"]
    assert imd.loc["Income", target.name] == pytest.approx(row["income_average_rank"])


@pytest.mark.parametrize(("code", "edition", "words"), [
    ("E99999999", "2019", "unknown area code"),
    ("E01033769", "2019", "2021 LSOA code"),
    ("E05000028", "2023", "2017 ward code"),
])
def test_profile_bad_codes(real_bundle, areas_2019, code, edition, words):
    areas = areas_2019 if edition == "2019" else identify(real_bundle, "2023")
    with pytest.raises(InputError, match=words):
        build_profile(real_bundle, code, edition, areas=areas)


def test_geojson_export(real_bundle, areas_2019, tmp_path):
    out = tmp_path / "areas.geojson"
    export(real_bundle, "2019", "geojson", out, areas=areas_2019)
    features = json.loads(out.read_text())["features"]
    assert len(features) == len(areas_2019)
    assert len({f["properties"]["area_code"] for f in features}) == len(areas_2019)
    shaped = [shapely.geometry.shape(f["geometry"]) for f in features if f["geometry"]]
    classified = (areas_2019["group"].astype(str) != "unclassified").sum()
    assert len(shaped) >= classified
    assert all(g.is_valid and not g.is_empty for g in shaped)


def test_xlsx_export(real_bundle, areas_2019, tmp_path):
    out = tmp_path / "areas.xlsx"
    export(real_bundle, "2019", "xlsx", out, areas=areas_2019)
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["README", "areas", "districts"]
    assert book["areas"].max_row == len(areas_2019) + 1
    assert book["districts"].max_row == 317 + 1
    readme = [r[2] for r in book["README"].iter_rows(values_only=True)]
    assert "real data" in readme


def test_cli_bad_output_path_leaves_nothing(tmp_path, capsys, real_data_dir):
    target = tmp_path / "missing" / "r.html"
    with pytest.raises(SystemExit) as exc:
        main(["report", "--data-dir", str(real_data_dir), "--out", str(target)])
    assert exc.value.code == 2
    assert "output folder does not exist" in capsys.readouterr().err
    assert not target.exists()


def test_cli_profile_mismatch_exit_2(tmp_path, capsys, real_data_dir):
    target = tmp_path / "p.html"
    with pytest.raises(SystemExit) as exc:
        main(["profile", "E01033769", "--edition", "2019", "--data-dir", str(real_data_dir),
              "--out", str(target)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "2021 LSOA" in err and len(err.strip().splitlines()) <= 2
    assert not target.exists() and not list(tmp_path.iterdir())


def test_district_profile_has_official_style_summaries(real_bundle, areas_2019):
    html = build_profile(real_bundle, "E09000002", "2019", areas=areas_2019)
    # Barking and Dagenham ranks 5th of 317 districts on IMD 2019 average rank and 21st on
    # average score in the official File 10; rebuilt here from the LSOAs.
    label = "IMD average rank (reversed) (IMD 2019)</th>"
    assert label + '<td class="num">25,555 — rank 5 of 317' in html
    assert "— rank 21 of 317" in html
    assert "1 ward</td>" in html and "7 wards</td>" in html


def test_profile_with_grant_store_shows_own_grants(real_bundle, areas_2019, real_data_dir,
                                                    tmp_path):
    from leftbehind.funding.ingest import import_file
    from leftbehind.funding.store import open_store
    from leftbehind.outputs.funding import load_funding

    store = tmp_path / "g.duckdb"
    con = open_store(store)
    import_file(con, real_data_dir / "grants_gb_ward_funder_year_2013_2018.csv", None)
    con.close()
    funding = load_funding(store, real_bundle, "2019", areas_2019)
    html = build_profile(real_bundle, "E05000028", "2019", areas=areas_2019, funding=funding)
    table = pd.read_csv(real_data_dir / "grants_gb_ward_funder_year_2013_2018.csv")
    mine = table[(table["Recipient Ward Geographic Code"] == "E05000028")
                 & (table["Amount Awarded"] > 0)]
    population = areas_2019.set_index("area_code").loc["E05000028", "population"]
    per_head = mine["Amount Awarded"].sum() / population
    assert "<strong>Becontree</strong></td><td class=\"num\">" in html
    assert f"{per_head:,.2f}</td>" in html
    assert "Its district (Barking and Dagenham)" in html
