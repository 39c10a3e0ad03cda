"""Bad input: one line naming file, row and column; exit code 2; no partial output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from minibundle import write_mini_bundle


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "leftbehind.cli.app", *args],
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture()
def bundle(tmp_path: Path) -> Path:
    return write_mini_bundle(tmp_path / "data")


def identify(bundle: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("identify", "--data-dir", str(bundle), "--edition", "2019", "--out", str(out))


def assert_clean_failure(result: subprocess.CompletedProcess[str], out: Path, *needles: str):
    assert result.returncode == 2, result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}*")), "temporary file left behind"


def test_good_minibundle_works(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = identify(bundle, out)
    assert result.returncode == 0, result.stderr
    assert out.read_text().count("\n") == 6  # header + 5 wards


def test_missing_file(bundle: Path, tmp_path: Path) -> None:
    (bundle / "cni2019_england_ward17.csv").unlink()
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "cni2019_england_ward17.csv", "not found")


def test_missing_column(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "imd2019_england_lsoa11.csv"
    text = path.read_text().replace("Crime_rank", "Crime_rnk")
    path.write_text(text)
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "imd2019_england_lsoa11.csv", "Crime_rank")


def test_duplicate_area_code(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "imd2019_england_lsoa11.csv"
    lines = path.read_text().splitlines()
    lines[3] = lines[2].split(",")[0] + "," + ",".join(lines[3].split(",")[1:])
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "row 4", "lsoa11_code", "duplicate",
                         "E01000002")


@pytest.mark.parametrize(("value", "needle"), [("abc", "not a number"), ("0", "below"),
                                               ("999", "above"), ("2.5", "whole number")])
def test_bad_rank(bundle: Path, tmp_path: Path, value: str, needle: str) -> None:
    path = bundle / "imd2019_england_lsoa11.csv"
    frame_lines = path.read_text().splitlines()
    header = frame_lines[0].split(",")
    col = header.index("Health_rank")
    cells = frame_lines[5].split(",")
    cells[col] = value
    frame_lines[5] = ",".join(cells)
    path.write_text("\n".join(frame_lines) + "\n")
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "row 6", "Health_rank", needle)


def test_lsoa21_codes_where_lsoa11_expected(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "imd2019_england_lsoa11.csv"
    path.write_text(path.read_text().replace("E01000007,", "E01035001,", 1))
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "row 8", "LSOA21", "lsoa11_code")


def test_lsoa21_header_where_lsoa11_expected(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "imd2019_england_lsoa11.csv"
    path.write_text(path.read_text().replace("lsoa11_code", "lsoa21_code", 1))
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "lsoa21_code", "LSOA11")


def test_empty_file(bundle: Path, tmp_path: Path) -> None:
    (bundle / "lookup_lsoa11_ward17.csv").write_text("")
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "lookup_lsoa11_ward17.csv", "empty")


def test_header_only_file(bundle: Path, tmp_path: Path) -> None:
    (bundle / "lookup_lsoa11_ward17.csv").write_text("lsoa11_code,ward17_code\n")
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "lookup_lsoa11_ward17.csv", "no records")


def test_spreadsheet_renamed_to_csv(bundle: Path, tmp_path: Path) -> None:
    import pandas as pd

    path = bundle / "cni2019_england_ward17.csv"
    xlsx = tmp_path / "cni.xlsx"
    pd.read_csv(path).to_excel(xlsx, index=False)
    path.write_bytes(xlsx.read_bytes())
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "cni2019_england_ward17.csv", "Excel")


def test_not_utf8(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "cni2019_england_ward17.csv"
    text = path.read_text().replace("Ward C", "Ward Ç")
    path.write_bytes(text.encode("cp1252"))
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "cni2019_england_ward17.csv", "row 4",
                         "UTF-8")


def test_utf8_bom_is_read_as_excel_writes_it(bundle: Path, tmp_path: Path) -> None:
    """A byte-order mark (as Excel's "CSV UTF-8" writes) is valid UTF-8: read, not refused."""
    good = tmp_path / "good.csv"
    assert identify(bundle, good).returncode == 0
    path = bundle / "imd2019_england_lsoa11.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    out = tmp_path / "out.csv"
    result = identify(bundle, out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == good.read_bytes()


def test_bom_does_not_hide_a_bad_header(bundle: Path, tmp_path: Path) -> None:
    path = bundle / "imd2019_england_lsoa11.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"lsoa11_code", b"code", 1))
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "imd2019_england_lsoa11.csv", "lsoa11_code")


def test_unwritable_output_leaves_nothing(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "no-such-folder" / "out.csv"
    result = identify(bundle, out)
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_unknown_output_format(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    assert_clean_failure(identify(bundle, out), out, "out.txt", ".csv or .parquet")


def test_existing_output_survives_a_failed_run(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    (bundle / "cni2019_england_ward17.csv").unlink()
    result = identify(bundle, out)
    assert result.returncode == 2
    assert out.read_text() == "precious\n"


def test_outputs_get_the_usual_file_mode(bundle: Path, tmp_path: Path) -> None:
    import os
    import stat

    out = tmp_path / "out.csv"
    assert identify(bundle, out).returncode == 0
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask


def test_parquet_missing_column(bundle: Path, tmp_path: Path) -> None:
    import pandas as pd

    path = bundle / "population17_lsoa11.parquet"
    pd.read_parquet(path).rename(columns={"total_population": "people"}).to_parquet(path)
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "population17_lsoa11.parquet",
                         "total_population")


def test_parquet_that_is_not_parquet(bundle: Path, tmp_path: Path) -> None:
    (bundle / "population17_lsoa11.parquet").write_text("lsoa11_code,total_population\n")
    out = tmp_path / "out.csv"
    assert_clean_failure(identify(bundle, out), out, "population17_lsoa11.parquet",
                         "not a readable Parquet file")


@pytest.mark.parametrize("argv", [["identify", "--nope"], ["data", "list", "--bogus"],
                                  ["summarise"]])
def test_usage_mistakes_exit_2_without_traceback(argv: list[str]) -> None:
    result = run_cli(*argv)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "Usage:" in result.stderr
