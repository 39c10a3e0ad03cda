"""``leftbehind data list | fetch | demo`` through the real entry point."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from leftbehind.cli.app import main
from leftbehind.sources.catalogue import CATALOGUE
from test_fetch import server  # noqa: F401  (the HTTP server fixture)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``leftbehind <argv>``."""
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_list_real_bundle_shows_matching_checksums(real_data_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["data", "list", "--data-dir", str(real_data_dir)], capsys)
    assert code == 0
    assert out.count("✓") >= 20 and "✗" not in out.replace("✗ = it differs", "")
    assert "imd2019_lsoa11" in out and "data dir" in out


def test_list_json(real_data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["data", "list", "--data-dir", str(real_data_dir), "--json"], capsys)
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert set(rows) == {ds.id for ds in CATALOGUE}
    imd = rows["imd2019_lsoa11"]
    assert imd["checksum_ok"] is True and imd["sha256"] == imd["pinned_sha256"]
    assert imd["found"] == "data dir" and imd["licence"].startswith("Open Government")
    assert rows["postcodes_nspl"]["found"] == "not present"


def test_list_without_data_marks_downloads(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["data", "list", "--json"], capsys)
    rows = {row["id"]: row for row in json.loads(out)}
    assert code == 0
    assert rows["cni2019_ward17"]["found"] == "download available"
    assert rows["boundaries_lsoa11"]["found"] == "not present"


def test_list_flags_a_changed_file(real_data_dir: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(real_data_dir / "lookup_ltla19_region19.csv", tmp_path)
    with (tmp_path / "lookup_ltla19_region19.csv").open("a") as handle:
        handle.write("Nowhere,E06999999,Nowhere,E12999999\n")
    code, out, _ = run(["data", "list", "--data-dir", str(tmp_path), "--json"], capsys)
    row = next(r for r in json.loads(out) if r["id"] == "lookup_ltla19_region19")
    assert code == 0 and row["checksum_ok"] is False


def test_list_missing_folder_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code, _, err = run(["data", "list", "--data-dir", str(tmp_path / "nope")], capsys)
    assert code == 2 and "data folder not found" in err and err.count("\n") == 1


def test_fetch_from_mirror(server: tuple[str, Path], real_data_dir: Path,  # noqa: F811
                           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url, root = server
    shutil.copy(real_data_dir / "lookup_ltla19_region19.csv", root)  # the pinned file
    dest = tmp_path / "dest"
    code, out, _ = run(["data", "fetch", "lookup_ltla19_region19", "--base-url", url,
                        "--dest", str(dest), "--no-progress"], capsys)
    assert code == 0, out
    assert (dest / "lookup_ltla19_region19.csv").read_bytes() == (
        real_data_dir / "lookup_ltla19_region19.csv").read_bytes()
    assert str(dest / "lookup_ltla19_region19.csv") in out.replace("\n", "")


def test_fetch_bad_checksum_is_exit_2(server: tuple[str, Path], tmp_path: Path,  # noqa: F811
                                      capsys: pytest.CaptureFixture[str]) -> None:
    url, root = server
    (root / "lookup_ltla19_region19.csv").write_text("ltla19_name,ltla19_code\nX,E06000001\n")
    dest = tmp_path / "dest"
    code, _, err = run(["data", "fetch", "lookup_ltla19_region19", "--base-url", url,
                        "--dest", str(dest)], capsys)
    assert code == 2 and "does not match the pinned SHA-256" in err
    assert err.strip().count("\n") == 0
    assert not any(dest.rglob("*")) if dest.exists() else True


def test_fetch_404_is_exit_2(server: tuple[str, Path], tmp_path: Path,  # noqa: F811
                             capsys: pytest.CaptureFixture[str]) -> None:
    url, _ = server
    code, _, err = run(["data", "fetch", "cni2019_ward17", "--base-url", url,
                        "--dest", str(tmp_path)], capsys)
    assert code == 2 and "HTTP 404" in err


@pytest.mark.parametrize("argv, message", [
    (["data", "fetch"], "name the dataset ids"),
    (["data", "fetch", "nope"], "unknown dataset 'nope'"),
    (["data", "fetch", "boundaries_lsoa11"], "no direct download"),
])
def test_fetch_bad_input(argv: list[str], message: str,
                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(argv, capsys)
    assert code == 2 and message in err


def test_demo_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_dir = tmp_path / "demo"
    code, out, _ = run(["data", "demo", "--out", str(out_dir)], capsys)
    assert code == 0 and "synthetic demo data" in out
    assert (out_dir / "imd2019_england_lsoa11.csv").exists()
    assert "synthetic demo data" in (out_dir / "README.md").read_text().lower()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    code, _, err = run(["data", "demo", "--out", str(tmp_path / "mine")], capsys)
    assert code == 2 and "not empty" in err
