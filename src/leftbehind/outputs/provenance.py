"""Provenance: which files, which software and which settings made an output.

Every report, profile and workbook lists its inputs with SHA-256 checksums so a reader can
tell whether two outputs came from the same data.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from leftbehind import SYNTHETIC_LABEL, __version__
from leftbehind.sources.bundle import DataBundle, sha256_file
from leftbehind.sources.catalogue import get_dataset

EDITION_INPUTS: dict[str, list[str]] = {
    "2019": ["imd2019_lsoa11", "cni2019_ward17", "lookup_lsoa11_ward17", "lookup_lsoa11_ltla19",
             "population17_lsoa11", "population_ward17"],
    "2023": ["imd2025_lsoa21", "cni2023_lsoa21", "lookup_lsoa21_ward24_ltla24",
             "census21_population_lsoa21"],
}
PACKAGES = ("numpy", "pandas", "pyarrow", "geopandas", "shapely", "plotly", "jinja2", "openpyxl")


@dataclass
class InputFile:
    """One file read to make an output."""

    dataset_id: str
    title: str
    path: str
    sha256: str
    size_bytes: int
    licence: str


@dataclass
class Provenance:
    """What made an output: inputs, versions, date, edition and thresholds."""

    edition: str
    synthetic: bool
    inputs: list[InputFile] = field(default_factory=list)
    versions: dict[str, str] = field(default_factory=dict)
    generated: str = ""
    settings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def data_label(self) -> str:
        return SYNTHETIC_LABEL if self.synthetic else "real data"


def package_versions() -> dict[str, str]:
    versions = {"leftbehind": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _file(dataset_id: str, title: str, path: Path, licence: str) -> InputFile:
    return InputFile(dataset_id, title, str(path), sha256_file(path), path.stat().st_size,
                     licence)


def collect(bundle: DataBundle, edition: str, *, extra_ids: list[str] | None = None,
            extra_files: list[tuple[str, Path]] | None = None,
            settings: dict[str, str] | None = None,
            notes: list[str] | None = None) -> Provenance:
    """Provenance for ``edition``: the edition's inputs present in the bundle, plus extras."""
    ids = list(dict.fromkeys(EDITION_INPUTS.get(edition, []) + (extra_ids or [])))
    inputs = []
    for dataset_id in ids:
        found = bundle.find(dataset_id)
        if found is None:
            continue
        ds = get_dataset(dataset_id)
        inputs.append(_file(dataset_id, ds.title, found, ds.licence))
    for label, path in extra_files or []:
        if Path(path).exists():
            inputs.append(_file(label, label, Path(path), ""))
    return Provenance(
        edition=edition, synthetic=bundle.synthetic, inputs=inputs,
        versions=package_versions(),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        settings=dict(settings or {}), notes=list(notes or []),
    )
