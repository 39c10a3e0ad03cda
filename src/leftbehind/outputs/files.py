"""Writing results safely: never leave a half-written file where the user asked for one.

Every writer goes through :func:`atomic_path`: it yields a temporary path in the same
folder, and only when the caller finishes without error is that file renamed onto the
target (an atomic ``os.replace`` on the same file system).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from leftbehind.errors import InputError

TABLE_SUFFIXES = (".csv", ".parquet")


def check_writable(path: Path) -> None:
    """Fail early, with one line, if ``path`` cannot be written."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError("output path is a folder, expected a file name", path=path)
    if not parent.exists():
        raise InputError(f"output folder does not exist: {parent}", path=path)
    if not os.access(parent, os.W_OK):
        raise InputError(f"output folder is not writable: {parent}", path=path)


@contextlib.contextmanager
def atomic_path(path: Path | str) -> Iterator[Path]:
    """Yield a temporary file next to ``path``; rename it onto ``path`` on success."""
    target = Path(path)
    check_writable(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual mode
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def table_format(path: Path | str) -> str:
    """``csv`` or ``parquet`` from the file suffix; anything else is an input error."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(
            f"unsupported output format '{suffix or '(none)'}': use .csv or .parquet", path=path
        )
    return suffix.lstrip(".")


def write_table(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write ``frame`` as CSV or Parquet (by suffix), atomically."""
    target = Path(path)
    fmt = table_format(target)
    frame = frame.copy(deep=False)
    frame.attrs = {}  # attrs may hold tables (e.g. exclusions); Parquet metadata is JSON
    with atomic_path(target) as tmp:
        if fmt == "csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
    return target


def write_text(text: str, path: Path | str) -> Path:
    """Write a text file (HTML, JSON, Markdown) atomically, UTF-8."""
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target
