"""The synthetic Demoshire bundle: deterministic, in the real layouts, and plausible."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leftbehind import SYNTHETIC_LABEL
from leftbehind.errors import InputError
from leftbehind.indices.transform import exponential_transform
from leftbehind.sources import demo, readers
from leftbehind.sources.bundle import DataBundle, open_bundle
from leftbehind.sources.catalogue import get_dataset


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo.generate_demo(tmp_path_factory.mktemp("demo"))


def _file(folder: Path, dataset_id: str) -> Path:
    return folder / get_dataset(dataset_id).filename


def test_generation_is_byte_identical(demo_dir: Path, tmp_path: Path) -> None:
    again = demo.generate_demo(tmp_path / "again")
    names = demo.demo_filenames()
    assert len(names) == 17
    for name in names:
        assert (again / name).read_bytes() == (demo_dir / name).read_bytes(), name


def test_other_seed_gives_other_data(demo_dir: Path, tmp_path: Path) -> None:
    other = demo.generate_demo(tmp_path / "other", seed=7)
    name = get_dataset("imd2019_lsoa11").filename
    assert (other / name).read_bytes() != (demo_dir / name).read_bytes()


def test_csv_headers_match_the_real_bundle(demo_dir: Path, real_data_dir: Path) -> None:
    import pyarrow.parquet as pq

    for name in demo.demo_filenames():
        real = real_data_dir / name
        if name.endswith(".csv") and real.exists():
            assert (demo_dir / name).open().readline() == real.open().readline(), name
        elif name.endswith(".parquet"):
            ours = pq.read_schema(demo_dir / name).names
            theirs = pq.read_schema(real).names
            # the population file omits the single-year age columns
            assert ours == theirs[: len(ours)], name


def test_readers_read_every_file(demo_dir: Path) -> None:
    import geopandas as gpd

    bundle = DataBundle(demo_dir, synthetic=True, allow_download=False)
    imd19 = bundle.imd_lsoa("2019")
    imd25 = bundle.imd_lsoa("2025")
    assert len(imd19) == len(imd25) == 2000
    assert "imd_score" in imd25 and "imd_score" not in imd19
    cni19, cni23 = bundle.cni("2019"), bundle.cni("2023")
    assert len(cni19) == 300 and len(cni23) == 2000
    assert len(bundle.lsoa11_to_ward17()) == 2000
    assert len(bundle.lsoa11_to_lad19()) == 2000
    assert len(bundle.lsoa21_to_ward24_lad24()) == 2000
    regions = bundle.lad19_to_region()
    assert set(regions["region_name"]) == {"Demoshire"}
    assert bundle.lsoa_population("2019")["population"].between(800, 2600).all()
    assert bundle.lsoa_population("2025")["population"].gt(0).all()
    wards = bundle.ward17_population()
    assert wards is not None and len(wards) == 300  # the footnote row is skipped
    for dataset, count in (("boundaries_lsoa11", 2000), ("boundaries_lsoa21", 2000),
                           ("boundaries_ltla19", 15)):
        gdf = gpd.read_parquet(_file(demo_dir, dataset))
        assert len(gdf) == count
        assert gdf.crs.to_epsg() == 4326
        assert set(gdf.geom_type) == {"MultiPolygon"} and gdf.is_valid.all()
    grants = readers.read_table(_file(demo_dir, "grants_ward_funder_year"))
    assert grants["Funding Org:Name"].nunique() == 10
    nspl = pd.read_csv(_file(demo_dir, "postcodes_nspl"), dtype=str)
    assert set(nspl["lsoa11"]) == set(imd19["lsoa_code"])
    assert nspl["pcds"].is_unique and nspl["pcds"].str.fullmatch(r"DM\d{1,2} \d[A-Z]{2}").all()
    assert (nspl["pcd"].str.len() == 7).all()


def test_geography_sizes_and_unclassified_wards(demo_dir: Path) -> None:
    lookup = pd.read_csv(_file(demo_dir, "lookup_lsoa11_ward17"), dtype=str)
    cni = pd.read_csv(_file(demo_dir, "cni2019_ward17"), dtype=str)
    lads = pd.read_csv(_file(demo_dir, "lookup_lsoa11_ltla19"), dtype=str)
    assert lookup["lsoa11_code"].iloc[0] == "E01000001" and len(lookup) == 2000
    assert len(cni) == 300 and lads["ltla19_code"].nunique() == 15
    assert set(lads["ltla19_code"].str[:3]) == {"E06", "E07", "E08"}
    assert "Demoshire North" in set(lads["ltla19_name"])
    assert len(set(cni["ward17_code"]) - set(lookup["ward17_code"])) == 2
    # wards and districts are contiguous blocks of cells
    import geopandas as gpd
    import shapely

    cells = gpd.read_parquet(_file(demo_dir, "boundaries_lsoa11")).merge(
        lookup, on="lsoa11_code")
    for _, group in cells.groupby("ward17_code"):
        assert shapely.union_all(group.geometry.to_numpy()).geom_type == "Polygon"


def test_domains_correlate_and_deciles_follow_ranks(demo_dir: Path) -> None:
    imd = readers.read_imd_lsoa(_file(demo_dir, "imd2019_lsoa11"), "2019")
    ranks = imd[[c for c in imd if c.endswith("_rank")]]
    corr = ranks.corr(method="spearman")
    assert (corr["imd_rank"] > 0).all()
    assert corr.loc["income_rank", "employment_rank"] > 0.6
    assert corr.loc["income_rank", "barriers_rank"] < corr.loc["income_rank", "health_rank"]
    n = len(imd)
    for measure in ("imd", "income", "crime"):
        expected = np.ceil(imd[f"{measure}_rank"] / (n / 10))
        assert (imd[f"{measure}_decile"] == expected).all()
    assert sorted(imd["imd_rank"]) == list(range(1, n + 1))


def test_cni2019_follows_the_real_rule(demo_dir: Path) -> None:
    cni = readers.read_cni_ward17(_file(demo_dir, "cni2019_ward17"))
    n = len(cni)
    domains = ("civic_assets", "connectedness", "engaged_community")
    for d in domains:
        assert np.allclose(cni[f"{d}_score"], exponential_transform(cni[f"{d}_rank"], n))
    total = sum(cni[f"{d}_score"] for d in domains)
    assert np.allclose(cni["cni_score"], total, atol=1e-9)
    assert (cni.sort_values("cni_rank")["cni_score"].diff().dropna() <= 0).all()


def test_left_behind_areas_exist_and_get_less(demo_dir: Path) -> None:
    from leftbehind.classification import identify

    bundle = DataBundle(demo_dir, synthetic=True, allow_download=False)
    wards = identify(bundle, "2019")
    groups = wards["group"].value_counts()
    assert 5 <= groups["left_behind"] <= 30
    assert groups["unclassified"] == 2
    assert identify(bundle, "2023")["group"].eq("left_behind").sum() > 20
    grants = pd.read_csv(_file(demo_dir, "grants_ward_funder_year"))
    amount = grants.groupby("Recipient Ward Geographic Code")["Amount Awarded"].sum()
    wards = wards.assign(amount=wards["area_code"].map(amount).fillna(0))
    per_head = wards.groupby("group")[["amount", "population"]].sum()
    per_head = per_head["amount"] / per_head["population"]
    assert per_head["left_behind"] < per_head["other"] < per_head["other_deprived"]


def test_covid_package_is_schema_valid(demo_dir: Path, real_data_dir: Path) -> None:
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas = real_data_dir / "360giving-schema"
    grant = json.loads((schemas / "360-giving-schema.json").read_text())
    package = json.loads((schemas / "360-giving-package-schema.json").read_text())
    url = package["properties"]["grants"]["items"]["$ref"]
    spec = jsonschema.Draft202012Validator
    registry = Registry().with_resource(url, Resource.from_contents(
        grant, default_specification=DRAFT202012))
    # The schema's date rules need a real RFC 3339 date-time check (see the data README).
    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date-time")
    def _date_time(value: object) -> bool:
        if not isinstance(value, str) or not re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True

    validator = spec(package, registry=registry, format_checker=checker)
    data = json.loads(_file(demo_dir, "grants_covid19").read_text())
    assert len(data["grants"]) == 200
    errors = list(validator.iter_errors(data))
    assert not errors, errors[0].message
    with_lsoa = [g for g in data["grants"] if any(
        loc.get("geoCodeType") == "LSOA" for loc in g.get("beneficiaryLocation", []))]
    with_postcode = [g for g in data["grants"] if "postalCode" in g["recipientOrganization"][0]]
    assert len(with_lsoa) > 30 and len(with_postcode) > 100


def test_readme_says_synthetic(demo_dir: Path) -> None:
    text = (demo_dir / "README.md").read_text()
    assert "synthetic demo data" in text.lower() and SYNTHETIC_LABEL in text


def test_ensure_demo_data_reuses_and_repairs(tmp_path: Path) -> None:
    folder = demo.ensure_demo_data(tmp_path / "d")
    assert demo.is_complete(folder)
    stamp = (folder / "README.md").stat().st_mtime_ns
    assert demo.ensure_demo_data(folder) == folder
    assert (folder / "README.md").stat().st_mtime_ns == stamp  # reused, not regenerated
    (folder / get_dataset("cni2019_ward17").filename).unlink()  # a damaged demo is rebuilt
    demo.ensure_demo_data(folder)
    assert demo.is_complete(folder)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


def test_ensure_demo_data_refuses_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(InputError, match="not empty"):
        demo.ensure_demo_data(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_open_bundle_without_data_is_the_synthetic_demo() -> None:
    bundle = open_bundle(None)
    assert bundle.synthetic and bundle.label == SYNTHETIC_LABEL
    assert demo.is_complete(bundle.root)
    assert bundle.root == demo.default_demo_dir()
