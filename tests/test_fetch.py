"""Downloads against a real HTTP server on 127.0.0.1 serving small fixture files."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from leftbehind.errors import InputError
from leftbehind.sources import readers
from leftbehind.sources.bundle import DataBundle
from leftbehind.sources.catalogue import get_dataset
from leftbehind.sources.fetch import fetch_dataset

REGION_CSV = (
    "ltla19_name,ltla19_code,region19_name,region19_code\n"
    "Hartlepool,E06000001,North East,E12000001\n"
    "Middlesbrough,E06000002,North East,E12000001\n"
)

_FILE7_MEASURES = (
    "Index of Multiple Deprivation (IMD)", "Income", "Employment",
    "Education, Skills and Training", "Health Deprivation and Disability", "Crime",
    "Barriers to Housing and Services", "Living Environment",
    "Income Deprivation Affecting Children Index (IDACI)",
    "Income Deprivation Affecting Older People (IDAOPI)", "Children and Young People Sub-domain",
    "Adult Skills Sub-domain", "Geographical Barriers Sub-domain", "Wider Barriers Sub-domain",
    "Indoors Sub-domain", "Outdoors Sub-domain",
)
_RATES = {"Income", "Employment", "Income Deprivation Affecting Children Index (IDACI)",
          "Income Deprivation Affecting Older People (IDAOPI)"}


def file7_header() -> list[str]:
    """The 57 columns of IoD 2019 File 7, in order (methodology §7)."""
    cols = ["LSOA code (2011)", "LSOA name (2011)", "Local Authority District code (2019)",
            "Local Authority District name (2019)"]
    for name in _FILE7_MEASURES:
        cols += [f"{name} Score (rate)" if name in _RATES else f"{name} Score",
                 f"{name} Rank (where 1 is most deprived)",
                 f"{name} Decile (where 1 is most deprived 10% of LSOAs)"]
    cols += ["Total population: mid 2015 (excluding prisoners)",
             "Dependent Children aged 0-15: mid 2015 (excluding prisoners)",
             "Population aged 16-59: mid 2015 (excluding prisoners)",
             "Older population aged 60 and over: mid 2015 (excluding prisoners)",
             "Working age population 18-59/64: for use with Employment Deprivation Domain "
             "(excluding prisoners)"]
    return cols


def file7_text(n: int = 5) -> str:
    header = file7_header()
    assert len(header) == 57
    lines = [",".join(f'"{h}"' if "," in h else h for h in header)]
    for i in range(n):
        rank = i + 1
        row = [f"E0100000{i + 1}", f"City of London 001{'ABCDE'[i]}", "E09000001",
               "City of London"]
        for _ in _FILE7_MEASURES:
            row += [f"{50 - i * 7.5:.3f}", str(rank), str(min(10, rank * 2))]
        row += ["1500", "300", "900", "300", "950"]
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``(base URL, served folder)`` for a threaded HTTP server on 127.0.0.1."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_mirror_fetch_with_matching_checksum(server: tuple[str, Path], tmp_path: Path) -> None:
    url, root = server
    (root / "lookup_ltla19_region19.csv").write_text(REGION_CSV)
    ds = dataclasses.replace(get_dataset("lookup_ltla19_region19"), sha256=_sha(REGION_CSV))
    dest = tmp_path / "dest"
    path = fetch_dataset(ds, dest, base_url=url + "/", progress=True)
    assert path == dest / "lookup_ltla19_region19.csv"
    assert path.read_text() == REGION_CSV
    assert _files(dest) == [path]
    # a second fetch reuses the verified file
    assert fetch_dataset(ds, dest, base_url=url, progress=False) == path


def test_checksum_mismatch_leaves_nothing(server: tuple[str, Path], tmp_path: Path) -> None:
    url, root = server
    (root / "lookup_ltla19_region19.csv").write_text(REGION_CSV)
    ds = dataclasses.replace(get_dataset("lookup_ltla19_region19"), sha256="0" * 64)
    dest = tmp_path / "dest"
    with pytest.raises(InputError) as info:
        fetch_dataset(ds, dest, base_url=url, progress=False)
    message = str(info.value)
    assert "\n" not in message and "SHA-256" in message and _sha(REGION_CSV) in message
    assert _files(dest) == []


def test_http_404_is_an_input_error(server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = server
    with pytest.raises(InputError, match="HTTP 404"):
        fetch_dataset(get_dataset("cni2019_ward17"), tmp_path / "d", base_url=url,
                      progress=False)
    assert _files(tmp_path / "d") == []


def test_connection_refused_is_an_input_error(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(InputError, match="could not connect"):
        fetch_dataset(get_dataset("cni2019_ward17"), tmp_path / "d",
                      base_url=f"http://127.0.0.1:{port}", progress=False)


def test_environment_mirror(server: tuple[str, Path], tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    url, root = server
    (root / "postcodes_nspl.csv").write_text("pcd,pcds\nDM1 1AA,DM1 1AA\n")
    monkeypatch.setenv("LEFTBEHIND_DATA_URL", url)
    path = fetch_dataset(get_dataset("postcodes_nspl"), progress=False)  # nothing pinned
    assert path.parent.name == "data" and path.read_text().startswith("pcd,pcds")


def test_no_download_url_names_the_source(tmp_path: Path) -> None:
    ds = get_dataset("boundaries_lsoa11")
    with pytest.raises(InputError, match="no direct download") as info:
        fetch_dataset(ds, tmp_path)
    assert ds.source_url in str(info.value)


def test_official_file7_download_is_found_and_read(server: tuple[str, Path],
                                                   tmp_path: Path) -> None:
    url, root = server
    (root / "File_7.csv").write_text(file7_text())
    ds = dataclasses.replace(get_dataset("imd2019_lsoa11"), download_url=f"{url}/File_7.csv")
    path = fetch_dataset(ds, progress=False)  # into the (test) cache; no pinned check
    assert path.name == "imd2019_england_lsoa11.file7.csv"
    frame = readers.read_imd_lsoa(path, "2019")
    assert len(frame) == 5
    assert frame["imd_rank"].tolist() == [1, 2, 3, 4, 5]
    assert {"imd_score", "income_score", "lad_code", "population_denominator"} <= set(frame)
    # a bundle whose data folder lacks the file finds the fetched File 7 in the cache
    empty = tmp_path / "empty"
    empty.mkdir()
    bundle = DataBundle(empty, allow_download=False)
    assert bundle.find("imd2019_lsoa11") == path
    assert len(bundle.imd_lsoa("2019")) == 5
