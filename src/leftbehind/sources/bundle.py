"""A data bundle: one folder of input files, resolved and read through the catalogue.

``open_bundle`` follows the documented resolution order: the folder the user named
(``--data-dir`` / ``LEFTBEHIND_DATA_DIR``); for files missing there, the user cache (files
fetched before), then a download of the public original where the catalogue has a direct
link. With no folder at all, the bundle is the synthetic Demoshire data, generated once into
the cache; every output made from it says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from leftbehind.errors import InputError
from leftbehind.settings import cache_dir, offline, resolve_data_dir
from leftbehind.sources import readers
from leftbehind.sources.catalogue import get_dataset


@dataclass
class DataBundle:
    """Where each dataset lives, and cached, checked reads of them."""

    root: Path
    synthetic: bool = False
    allow_download: bool = True
    _cache: dict[tuple[str, ...], pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def label(self) -> str:
        from leftbehind import SYNTHETIC_LABEL

        return SYNTHETIC_LABEL if self.synthetic else f"data from {self.root}"

    def candidates(self, dataset_id: str) -> list[Path]:
        """Places a dataset's file is looked for, in order."""
        ds = get_dataset(dataset_id)
        places = [self.root / ds.filename]
        if not self.synthetic:
            from leftbehind.sources.fetch import cached_paths

            # Downloads: the data-folder file, or a fetched official File 7 (same reader).
            places.extend(cached_paths(ds, cache_dir() / "data"))
        return places

    def find(self, dataset_id: str) -> Path | None:
        """The first existing file for ``dataset_id``, without downloading."""
        return next((p for p in self.candidates(dataset_id) if p.exists()), None)

    def path(self, dataset_id: str) -> Path:
        """The dataset's file: local, cached, or downloaded now (public original)."""
        found = self.find(dataset_id)
        if found is not None:
            return found
        ds = get_dataset(dataset_id)
        if self.allow_download and ds.download_url and not self.synthetic and not offline():
            from leftbehind.sources.fetch import fetch_dataset

            return fetch_dataset(ds)
        raise InputError(
            f"file not found (dataset '{ds.id}': {ds.title}); put it in the data folder or "
            f"run 'leftbehind data fetch {ds.id}'. Source: {ds.source_url}",
            path=self.root / ds.filename,
        )

    def has(self, dataset_id: str) -> bool:
        return self.find(dataset_id) is not None

    def _cached(self, key: tuple[str, ...], load: object) -> pd.DataFrame:
        if key not in self._cache:
            self._cache[key] = load()  # type: ignore[operator]
        return self._cache[key]

    # --- readers -----------------------------------------------------------------------
    def imd_lsoa(self, edition: str) -> pd.DataFrame:
        """LSOA IMD for the 2019 (LSOA11) or 2025 (LSOA21) edition, project column names."""
        dataset = "imd2019_lsoa11" if edition == "2019" else "imd2025_lsoa21"
        return self._cached(
            ("imd", edition),
            lambda: readers.read_imd_lsoa(self.path(dataset), "2019" if edition == "2019"
                                          else "2025"),
        )

    def cni(self, edition: str) -> pd.DataFrame:
        """CNI 2019 (wards) or 2023 (LSOA21)."""
        if edition == "2019":
            return self._cached(("cni", "2019"),
                                lambda: readers.read_cni_ward17(self.path("cni2019_ward17")))
        return self._cached(("cni", "2023"),
                            lambda: readers.read_cni_lsoa21(self.path("cni2023_lsoa21")))

    def lsoa11_to_ward17(self) -> pd.DataFrame:
        """Best-fit lookup: ``lsoa_code`` → ``ward_code``."""
        return self._cached(("lk", "ward17"), lambda: readers.read_lookup(
            self.path("lookup_lsoa11_ward17"),
            {"lsoa11_code": "lsoa_code", "ward17_code": "ward_code"},
            key="lsoa11_code", geographies={"lsoa11_code": "lsoa11", "ward17_code": "ward"},
        ))

    def lsoa11_to_lad19(self) -> pd.DataFrame:
        """``lsoa_code``, ``lsoa_name`` → ``lad_code``, ``lad_name`` (2019 districts)."""
        return self._cached(("lk", "lad19"), lambda: readers.read_lookup(
            self.path("lookup_lsoa11_ltla19"),
            {"lsoa11_code": "lsoa_code", "lsoa11_name": "lsoa_name",
             "ltla19_code": "lad_code", "ltla19_name": "lad_name"},
            key="lsoa11_code", geographies={"lsoa11_code": "lsoa11", "ltla19_code": "lad"},
        ))

    def lsoa21_to_ward24_lad24(self) -> pd.DataFrame:
        """``lsoa_code``, ``lsoa_name`` → ``ward_code``/``ward_name``, ``lad_code``/``lad_name``."""
        return self._cached(("lk", "ward24"), lambda: readers.read_lookup(
            self.path("lookup_lsoa21_ward24_ltla24"),
            {"lsoa21_code": "lsoa_code", "lsoa21_name": "lsoa_name",
             "ward24_code": "ward_code", "ward24_name": "ward_name",
             "ltla24_code": "lad_code", "ltla24_name": "lad_name"},
            key="lsoa21_code",
            geographies={"lsoa21_code": "lsoa21", "ward24_code": "ward", "ltla24_code": "lad"},
        ))

    def lad19_to_region(self) -> pd.DataFrame:
        """``lad_code`` → ``region_code``, ``region_name`` (2019)."""
        return self._cached(("lk", "region19"), lambda: readers.read_lookup(
            self.path("lookup_ltla19_region19"),
            {"ltla19_code": "lad_code", "ltla19_name": "lad_name",
             "region19_code": "region_code", "region19_name": "region_name"},
            key="ltla19_code", geographies={"ltla19_code": "lad"},
        ))

    def lsoa_population(self, edition: str) -> pd.DataFrame:
        """LSOA population matching the edition: mid-2017 for 2019 (its 2017 wards), Census
        2021 for 2025/2023. Columns ``area_code``, ``population``."""
        if edition == "2019":
            return self._cached(("pop", "2019"), lambda: readers.read_population(
                self.path("population17_lsoa11"), "lsoa11_code", "total_population", "lsoa11"))
        return self._cached(("pop", "2021"), lambda: readers.read_population(
            self.path("census21_population_lsoa21"), "lsoa21_code", "total_residents",
            "lsoa21"))

    def ward17_population(self) -> pd.DataFrame | None:
        """ONS mid-2017 ward estimates, if the file is present (else ``None``)."""
        if not self.has("population_ward17"):
            return None
        return self._cached(("pop", "ward17"), lambda: readers.read_ward_population(
            self.path("population_ward17")))

    def checksum(self, dataset_id: str) -> str | None:
        """SHA-256 of the local file (``None`` if absent)."""
        found = self.find(dataset_id)
        return sha256_file(found) if found else None


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def open_bundle(data_dir: Path | str | None = None, *, allow_download: bool = True) -> DataBundle:
    """The bundle for ``data_dir`` (or ``LEFTBEHIND_DATA_DIR``), else the synthetic demo."""
    root = resolve_data_dir(Path(data_dir) if data_dir is not None else None)
    if root is None:
        from leftbehind.sources.demo import ensure_demo_data

        return DataBundle(ensure_demo_data(), synthetic=True, allow_download=False)
    if not root.exists():
        raise InputError("data folder not found", path=root)
    if not root.is_dir():
        raise InputError("data folder is not a folder", path=root)
    return DataBundle(root, synthetic=False, allow_download=allow_download)

