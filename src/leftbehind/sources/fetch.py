"""Downloading catalogue datasets into the cache (or a folder), with pooch.

Why pooch: it streams to a temporary file beside the target and moves it into place only
when the download (and the checksum, where one is pinned) is good, so a failed or
interrupted download never leaves a partial file where the readers would find it.

Where from:

* a **mirror** (``--base-url`` or ``LEFTBEHIND_DATA_URL``) serving files in the data-folder
  layout: ``<base>/<catalogue filename>``, checked against the pinned SHA-256;
* else the catalogue's ``download_url``. A ``bundle``-layout download is checked against the
  pinned SHA-256. An ``iod_file7`` download is the government's own CSV, whose bytes are not
  the data-folder file the checksum pins; it is saved as ``<stem>.file7.csv`` (for example
  ``imd2019_england_lsoa11.file7.csv``), which :class:`~leftbehind.sources.bundle.DataBundle`
  also looks for and :func:`~leftbehind.sources.readers.read_imd_lsoa` reads.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from leftbehind.errors import InputError
from leftbehind.settings import cache_dir
from leftbehind.sources.catalogue import Dataset

DATA_URL_ENV = "LEFTBEHIND_DATA_URL"
FILE7_SUFFIX = ".file7.csv"


def default_dest() -> Path:
    """Where downloads go unless told otherwise: ``<cache>/data``."""
    return cache_dir() / "data"


def file7_name(ds: Dataset) -> str:
    """File name for a dataset's official File 7 download (kept apart from the bundle file)."""
    return Path(ds.filename).stem + FILE7_SUFFIX


def cached_paths(ds: Dataset, folder: Path | None = None) -> list[Path]:
    """Files in the download folder that hold ``ds``, in order of preference."""
    base = folder if folder is not None else default_dest()
    places = [base / ds.filename]
    if ds.download_layout == "iod_file7":
        places.append(base / file7_name(ds))
    return places


def mirror_url(base_url: str | None = None) -> str | None:
    """The mirror to use: the argument, else ``LEFTBEHIND_DATA_URL``, else none."""
    value = (base_url or os.environ.get(DATA_URL_ENV, "")).strip()
    return value or None


def download_plan(ds: Dataset, base_url: str | None = None) -> tuple[str, str, str | None]:
    """``(url, file name, pinned sha256 or None)`` for fetching ``ds``."""
    mirror = mirror_url(base_url)
    if mirror:
        url = mirror.rstrip("/") + "/" + quote(ds.filename)
        return url, ds.filename, ds.sha256
    if not ds.download_url:
        raise InputError(
            f"dataset '{ds.id}' has no direct download: get '{ds.filename}' from "
            f"{ds.source_url} and put it in your data folder (or use --base-url for a mirror)"
        )
    if ds.download_layout == "iod_file7":
        return ds.download_url, file7_name(ds), None
    return ds.download_url, ds.filename, ds.sha256


def fetch_dataset(
    ds: Dataset,
    dest: Path | None = None,
    *,
    base_url: str | None = None,
    progress: bool = True,
) -> Path:
    """Download ``ds`` into ``dest`` (default ``<cache>/data``) and return the file's path.

    A file already there is reused if it matches the pinned checksum (or none is pinned).
    Any failure raises :class:`InputError` with one line and leaves no file behind.
    """
    url, name, sha256 = download_plan(ds, base_url)
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https", "ftp"):
        raise InputError(f"cannot download from '{url}': use an http(s) or ftp URL")
    folder = Path(dest) if dest is not None else default_dest()
    target = folder / name
    if folder.exists() and not folder.is_dir():
        raise InputError("download folder is a file, not a folder", path=folder)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the download folder ({exc.strerror})",
                         path=target.parent) from None

    import pooch
    import requests

    pooch.get_logger().setLevel("WARNING")
    bar = _RichBar(ds.id) if progress else False
    downloader = pooch.HTTPDownloader(progressbar=bar, chunk_size=1 << 16, timeout=60)
    try:
        found = pooch.retrieve(
            url,
            known_hash=f"sha256:{sha256}" if sha256 else None,
            fname=target.name,
            path=target.parent,
            downloader=downloader,
        )
    except requests.exceptions.HTTPError as exc:
        response = exc.response
        status = f"HTTP {response.status_code} {response.reason}" if response is not None \
            else "HTTP error"
        raise InputError(f"download of '{ds.id}' failed: {status} for {url}") from None
    except requests.exceptions.ConnectionError:
        host = urlparse(url).netloc
        raise InputError(
            f"download of '{ds.id}' failed: could not connect to {host} ({url})"
        ) from None
    except requests.exceptions.Timeout:
        raise InputError(f"download of '{ds.id}' failed: timed out ({url})") from None
    except requests.exceptions.RequestException as exc:
        raise InputError(f"download of '{ds.id}' failed: {exc}") from None
    except ValueError as exc:
        if "hash" not in str(exc):
            raise InputError(f"download of '{ds.id}' failed: {exc}") from None
        got = re.search(r"but got ([0-9a-f]{64})", str(exc))
        actual = f" (got {got.group(1)})" if got else ""
        raise InputError(
            f"download of '{ds.id}' from {url} does not match the pinned SHA-256 "
            f"{sha256}{actual}; nothing was saved"
        ) from None
    finally:
        if isinstance(bar, _RichBar):
            bar.close()
    return Path(found)


class _RichBar:
    """The small progress-bar interface pooch drives (``total``, ``update``, ``reset``,
    ``close``), drawn with Rich on stderr so stdout stays clean for paths and JSON."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.total = 0
        self._progress: Any = None
        self._task: Any = None

    def _start(self) -> None:
        if self._progress is not None:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        console = Console(stderr=True)
        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
            TransferSpeedColumn(), TimeRemainingColumn(), console=console,
            disable=not console.is_terminal,  # no bar in logs or pipes
        )
        self._progress.start()
        self._task = self._progress.add_task(self.label, total=self.total or None)

    def update(self, amount: int) -> None:
        self._start()
        self._progress.update(self._task, advance=amount, total=self.total or None)

    def reset(self) -> None:
        if self._progress is not None:
            self._progress.reset(self._task, total=self.total or None)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
