"""Where data comes from and where results go: a setting, an environment variable, a default.

Resolution order for input data (see ``docs/ARCHITECTURE.md``):
``--data-dir`` option → ``LEFTBEHIND_DATA_DIR`` → the user cache (files fetched before) →
download of the public original. With none of these the commands use the synthetic demo data.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "leftbehind"
DATA_DIR_ENV = "LEFTBEHIND_DATA_DIR"
CACHE_DIR_ENV = "LEFTBEHIND_CACHE_DIR"
STORE_ENV = "LEFTBEHIND_STORE"
OFFLINE_ENV = "LEFTBEHIND_OFFLINE"


def offline() -> bool:
    """True when ``LEFTBEHIND_OFFLINE`` is set: never download a missing file, just say so."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def env_data_dir() -> Path | None:
    """The data folder named by ``LEFTBEHIND_DATA_DIR``, if set and not empty."""
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def resolve_data_dir(data_dir: Path | None) -> Path | None:
    """The folder the user asked for (option first, then environment), else ``None``."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    return env_data_dir()


def cache_dir() -> Path:
    """Folder for downloaded originals and generated demo data (``LEFTBEHIND_CACHE_DIR``)."""
    value = os.environ.get(CACHE_DIR_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    return Path(platformdirs.user_cache_dir(APP_NAME))


def user_data_dir() -> Path:
    """Folder for user state such as the default grant store."""
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_store_path() -> Path:
    """The grant store used when ``--store`` is not given (``LEFTBEHIND_STORE`` overrides)."""
    value = os.environ.get(STORE_ENV, "").strip()
    if value:
        return Path(value).expanduser()
    return user_data_dir() / "grants.duckdb"
