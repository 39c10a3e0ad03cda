"""Options shared by several commands, so they read and behave the same everywhere."""

from __future__ import annotations

import typer

DataDirOption = typer.Option(
    None, "--data-dir", "-d", envvar="LEFTBEHIND_DATA_DIR",
    help="Folder with the input files (default: synthetic demo data).",
    file_okay=False,
)
