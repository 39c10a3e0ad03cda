"""The catalogue of datasets leftbehind reads: what each is, where it comes from, its licence.

Each entry names the file the project looks for in a data folder (``filename``), the public
page it comes from (``source_url``), and, where a stable direct link exists, a
``download_url`` whose content a reader here understands (``download_layout``). ``sha256`` is
the checksum of the file as the project expects it in a data folder, pinned where known, so
``leftbehind data list`` can say whether a local copy is the expected one.
"""

from __future__ import annotations

from dataclasses import dataclass

OGL = "Open Government Licence v3.0"
OGL_OS = "Open Government Licence v3.0; contains OS data © Crown copyright and database right"
HUMANIVERSE_IMD = "https://github.com/humaniverse/IMD"
HUMANIVERSE_GEO = "https://github.com/humaniverse/geographr"
HUMANIVERSE_DEMO = "https://github.com/humaniverse/demographr"
IMD_RAW = (
    "https://raw.githubusercontent.com/humaniverse/IMD/"
    "2f6c9050afee99a40041eb63b02b6b0c58850704/data-raw/"
)
IOD2019 = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019"
IOD2025 = "https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025"
FILE7_2019 = (
    "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/"
    "file/845345/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv"
)
FILE7_2025 = (
    "https://assets.publishing.service.gov.uk/media/68ff5daabcb10f6bf9bef911/"
    "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"
)


@dataclass(frozen=True)
class Dataset:
    """One dataset in the catalogue."""

    id: str
    title: str
    edition: str
    geography: str
    filename: str
    source_url: str
    licence: str
    sha256: str | None = None
    download_url: str | None = None
    download_layout: str = "bundle"
    """``bundle`` (the layout in the project's data folders) or ``iod_file7`` (official CSV)."""


CATALOGUE: tuple[Dataset, ...] = (
    Dataset(
        "imd2019_lsoa11", "English Indices of Deprivation 2019: LSOA ranks and deciles", "2019",
        "lsoa11", "imd2019_england_lsoa11.csv", IOD2019, OGL,
        "60356fefd7ed2a44b911d1428759adce259b1f4320f940def5eab6bebc5032ef",
        FILE7_2019, "iod_file7",
    ),
    Dataset(
        "imd2025_lsoa21", "English Indices of Deprivation 2025: LSOA scores, ranks, deciles",
        "2025", "lsoa21", "imd2025_england_lsoa21.csv", IOD2025, OGL,
        "e82cc5533ba7c54e12426fbb39a1d472749e9c4115cc4cd3640f3ca59d77af08",
        FILE7_2025, "iod_file7",
    ),
    Dataset(
        "imd2019_ltla19", "IoD 2019 local authority district summaries (File 10)", "2019",
        "ltla19", "imd2019_england_ltla19.csv", IOD2019, OGL,
        "0f1078f1b59cbb6a09a5aeaaeed71b12bc3efef43d848235aac61cc7a22910ff",
    ),
    Dataset(
        "imd2025_ltla24", "IoD 2025 local authority district summaries (File 10)", "2025",
        "ltla24", "imd2025_england_ltla24.csv", IOD2025, OGL,
        "06fe73fc7e9460c76abfad29b46e9f9f76dc24f338f7997b5e93b1493bf8b5f3",
    ),
    Dataset(
        "cni2019_ward17", "OCSI Community Needs Index 2019, wards", "2019", "ward17",
        "cni2019_england_ward17.csv", "https://ocsi.uk/", "OCSI; attribute OCSI when reusing",
        "a651c2ec40f9c1f19f3e9ca58d360bc3c10a5c57e075fc795aa23893fc91d1a6",
        IMD_RAW + "cni2019_england_ward17.csv",
    ),
    Dataset(
        "cni2023_lsoa21", "OCSI Community Needs Index 2023, LSOAs", "2023", "lsoa21",
        "cni2023_england_lsoa21.csv", "https://ocsi.uk/", "OCSI; attribute OCSI when reusing",
        "f3728b468fb9aa5316bf75aafa40e6d998e39b0f9021316cf56b8bd4c3de70c9",
        IMD_RAW + "cni2023_england_lsoa21.csv",
    ),
    Dataset(
        "lookup_lsoa11_ward17", "ONS best-fit lookup: LSOA 2011 → ward December 2017", "2017",
        "lsoa11", "lookup_lsoa11_ward17.csv",
        "https://geoportal.statistics.gov.uk/datasets/ons::lower-layer-super-output-area-2011-to-ward-2017-lookup-in-england-and-wales-1/about",
        OGL, "610cdd80561c16dc5ada299bf9c236a293ab0528f2fd694f2cb8cf598ac435df",
    ),
    Dataset(
        "lookup_lsoa11_ltla19", "ONS lookup: LSOA 2011 → local authority district 2019", "2019",
        "lsoa11", "lookup_lsoa11_ltla19.csv",
        "https://geoportal.statistics.gov.uk/datasets/ons::lower-layer-super-output-area-2011-to-ward-2019-lookup-in-england-and-wales/explore",
        OGL, "1fb5af445b722293d65acc0766f9761e45baffddb49da60923c49c6507b0a2d4",
    ),
    Dataset(
        "lookup_lsoa21_ward24_ltla24",
        "ONS best-fit lookup: LSOA 2021 → ward 2024 → local authority district 2024", "2024",
        "lsoa21", "lookup_lsoa21_ward24_ltla24.csv",
        "https://geoportal.statistics.gov.uk/datasets/ons::lsoa-2021-to-electoral-ward-2024-to-lad-2024-best-fit-lookup-in-ew/about",
        OGL, "f6e5e7faaf254e28b36747247524928dbc5023259653ace095a704203382b8ae",
    ),
    Dataset(
        "lookup_ltla19_region19", "ONS lookup: local authority district 2019 → region", "2019",
        "ltla19", "lookup_ltla19_region19.csv",
        "https://geoportal.statistics.gov.uk/datasets/ons::local-authority-district-to-region-april-2019-lookup-in-england/about",
        OGL, "41068df7a1c1b072b2bf7a770c29bad6f6b4d4f02b1ea7a8e19e53cd9a34af2d",
    ),
    Dataset(
        "population17_lsoa11", "ONS mid-2017 LSOA 2011 population estimates", "2017", "lsoa11",
        "population17_lsoa11.parquet",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates",
        OGL, "e3e11d987133540af2aa2cf38c066902539baef434dd3e714e106af789c30726",
    ),
    Dataset(
        "population19_lsoa11", "ONS mid-2019 LSOA 2011 population estimates", "2019", "lsoa11",
        "population19_lsoa11.parquet",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/lowersuperoutputareamidyearpopulationestimates",
        OGL, "e09cd5fe8e4d6419cf0c64486564dcb5def48c6127169b9ab7a5524487b634df",
    ),
    Dataset(
        "population_ward17", "ONS mid-2017 ward (December 2017) population estimates", "2017",
        "ward17", "ward_population_2017_yanoak.csv",
        "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates/datasets/wardlevelmidyearpopulationestimatesexperimental",
        OGL, "842df86fe823c82629e605dcc5552abb0a0e635443a99ca07465812178fe83d4",
    ),
    Dataset(
        "census21_population_lsoa21", "Census 2021 usual residents, LSOA 2021", "2021",
        "lsoa21", "census21_population_lsoa21.csv",
        "https://www.nomisweb.co.uk/sources/census_2021_bulk", OGL,
        "e178626b5da903d8d79784c7a36fc084d76aad9fc1469ccb730780bc123932fa",
    ),
    Dataset(
        "boundaries_lsoa11", "LSOA 2011 boundaries (super generalised, clipped)", "2011",
        "lsoa11", "boundaries_lsoa11.parquet", HUMANIVERSE_GEO, OGL_OS,
        "0361f4efbb4e2fa52aa7ba4123c2e585f9dc3e1710975eb76f23a021c08a4e79",
    ),
    Dataset(
        "boundaries_lsoa21", "LSOA 2021 boundaries (super generalised, clipped)", "2021",
        "lsoa21", "boundaries_lsoa21.parquet", HUMANIVERSE_GEO, OGL_OS,
        "3b90d3fcf739265c562cfd459ba5dce88ae81935bcb08c0ab3159f52d19211d1",
    ),
    Dataset(
        "boundaries_ltla19", "Local authority district boundaries, December 2019", "2019",
        "ltla19", "boundaries_ltla19.parquet", HUMANIVERSE_GEO, OGL_OS,
        "326367adcbc4302a33de906499584eebe043f74070277c374d0de3e9b5a8279d",
    ),
    Dataset(
        "grants_ward_funder_year", "360Giving grants 2013–2018 by funder, year and ward",
        "2013-2018", "ward", "grants_gb_ward_funder_year_2013_2018.csv",
        "https://github.com/yanoak/360giving-deprivation",
        "360Giving data, each funder's open licence; attribute 360Giving and the funders",
        "d5475dc3a48f2ee46ec9a6d185f923cd54af31b359fed76d499aefb3646092d2",
    ),
    Dataset(
        "grants_covid19", "360Giving COVID-19 grants, March–May 2020 (JSON package)", "2020",
        "grant", "360giving_covid19_grants_2020-05.json",
        "https://github.com/ThreeSixtyGiving/covid19-tracker",
        "360Giving data, each funder's open licence; attribute 360Giving and the funders",
        "362ff6db4feadf1390e11a3729c9acb170b5c0214d45c93178a9c033759befd7",
    ),
    Dataset(
        "schema_360giving", "360Giving Data Standard grant schema 1.4.3", "1.4.3", "grant",
        "360giving-schema/360-giving-schema.json", "https://github.com/ThreeSixtyGiving/standard",
        "CC BY 4.0", "e8a1c581ce18447b2dc9c757d7229862624970a3724718d8319a8d3c47429ebb",
        "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/"
        "9387abcf8fa3db035b1ae9584c1ec68ae561af70/schema/360-giving-schema.json",
    ),
)

_BY_ID = {d.id: d for d in CATALOGUE}


def get_dataset(dataset_id: str) -> Dataset:
    """Look up a catalogue entry by id (a ``KeyError`` names the known ids)."""
    try:
        return _BY_ID[dataset_id]
    except KeyError:
        known = ", ".join(sorted(_BY_ID))
        raise KeyError(f"unknown dataset '{dataset_id}'; known: {known}") from None

# Added for the demo and grant location: the ONS postcode directory (NSPL), in its own
# column layout (``pcd``, ``pcds``, ``doterm``, ``lsoa11``, ``ward``, ``laua``, ``rgn``,
# ``ctry``, ``lat``, ``long``, ``imd``). The full file is a large zip archive with no stable
# direct link, so there is no download URL; users put the CSV in their data folder.
CATALOGUE = (
    *CATALOGUE,
    Dataset(
        "postcodes_nspl", "ONS National Statistics Postcode Lookup (NSPL)", "latest",
        "postcode", "postcodes_nspl.csv",
        "https://geoportal.statistics.gov.uk/search?q=PRD_NSPL",
        OGL_OS + "; contains Royal Mail data © Royal Mail copyright and database right",
    ),
)
_BY_ID = {d.id: d for d in CATALOGUE}
