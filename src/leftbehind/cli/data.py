"""Commands: ``leftbehind data list | fetch | demo`` (registered by :mod:`leftbehind.cli.app`).

Why: users need to see which inputs they have (and whether each is the expected file), get
the public ones without hunting for links, and look at the demo's layouts to prepare their
own files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import typer
from rich.table import Table

from leftbehind.cli.options import DataDirOption
from leftbehind.errors import InputError
from leftbehind.settings import resolve_data_dir
from leftbehind.sources.bundle import sha256_file
from leftbehind.sources.catalogue import CATALOGUE, Dataset, get_dataset
from leftbehind.sources.fetch import cached_paths, fetch_dataset, file7_name, mirror_url

data_app = typer.Typer(help="List, fetch and generate input data.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``data`` command group to ``app``."""
    app.add_typer(data_app, name="data")


def _status(ds: Dataset, data_dir: Path | None) -> dict[str, Any]:
    """Where ``ds`` is found and whether its checksum is the pinned one."""
    places: list[tuple[str, Path]] = []
    if data_dir is not None:
        places.append(("data dir", data_dir / ds.filename))
    places.extend(("cache", p) for p in cached_paths(ds))
    where, path = next(((w, p) for w, p in places if p.is_file()), (None, None))
    sha = sha256_file(path) if path is not None else None
    official = path is not None and path.name == file7_name(ds) and path.name != ds.filename
    if where is None:
        where = "download available" if ds.download_url or mirror_url() else "not present"
    elif official:
        where += " (official File 7)"
    match: bool | None = None
    if sha is not None and ds.sha256 and not official:
        match = sha == ds.sha256
    return {
        "id": ds.id, "title": ds.title, "edition": ds.edition, "geography": ds.geography,
        "filename": ds.filename, "found": where, "path": str(path) if path else None,
        "sha256": sha, "pinned_sha256": ds.sha256, "checksum_ok": match,
        "licence": ds.licence, "source_url": ds.source_url, "download_url": ds.download_url,
    }


@data_app.command("list")
def list_datasets(
    data_dir: Path | None = DataDirOption,
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Every catalogue dataset: where it is found and whether it is the expected file."""
    from leftbehind.cli.app import console

    root = resolve_data_dir(data_dir)
    if root is not None and not root.is_dir():
        raise InputError("data folder not found", path=root)
    rows = [_status(ds, root) for ds in CATALOGUE]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title="leftbehind datasets")
    table.add_column("id", no_wrap=True)
    table.add_column("edition")
    table.add_column("geography")
    table.add_column("found", min_width=9)
    table.add_column("SHA-256", no_wrap=True)
    table.add_column("licence")
    table.add_column("source")
    for row in rows:
        mark = {True: "[green]✓[/]", False: "[red]✗[/]", None: ""}[row["checksum_ok"]]
        sha = f"{row['sha256'][:8]}… {mark}" if row["sha256"] else ""
        source = row["source_url"]
        table.add_row(row["id"], row["edition"], row["geography"], row["found"], sha,
                      _short_licence(row["licence"]),
                      f"[link={source}]{urlparse(source).netloc}[/link]")
    console.print(table)
    console.print("✓ = the local file's SHA-256 equals the pinned one; ✗ = it differs. "
                  "Full checksums, licences and URLs: --json.", highlight=False)


def _short_licence(text: str) -> str:
    """The licence's first clause, with the Open Government Licence abbreviated."""
    return text.split(";")[0].replace("Open Government Licence", "OGL").split(",")[0]


@data_app.command("fetch")
def fetch(
    ids: list[str] | None = typer.Argument(None, help="Dataset ids (see 'leftbehind data "
                                           "list')."),
    all_: bool = typer.Option(False, "--all", help="Every dataset that can be downloaded."),
    base_url: str | None = typer.Option(None, "--base-url", help="Mirror serving files in "
                                        "the data-folder layout (or LEFTBEHIND_DATA_URL)."),
    dest: Path | None = typer.Option(None, "--dest", help="Folder to save into (default: the "
                                     "cache's data folder)."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show progress bars."),
) -> None:
    """Download datasets (public originals, or a mirror) with checksums checked."""
    from leftbehind.cli.app import console

    mirror = mirror_url(base_url)
    if all_:
        chosen = [ds for ds in CATALOGUE if mirror or ds.download_url]
        skipped = [ds for ds in CATALOGUE if not (mirror or ds.download_url)]
    elif ids:
        chosen = []
        for dataset_id in ids:
            try:
                chosen.append(get_dataset(dataset_id))
            except KeyError as exc:
                raise InputError(str(exc.args[0])) from None
        skipped = []
    else:
        raise InputError("name the dataset ids to fetch, or use --all "
                         "(ids: 'leftbehind data list')")
    for ds in chosen:
        path = fetch_dataset(ds, dest, base_url=base_url, progress=progress)
        console.print(f"{ds.id} → {path}", highlight=False, soft_wrap=True)
    for ds in skipped:
        console.print(f"{ds.id}: no direct download; get it from {ds.source_url}",
                      highlight=False, soft_wrap=True)


@data_app.command("demo")
def demo(
    out: Path | None = typer.Option(None, "--out", help="Folder to write the demo into "
                                    "(default: the cache's demo folder)."),
) -> None:
    """Write the synthetic Demoshire bundle, in the real files' names and layouts."""
    from leftbehind import SYNTHETIC_LABEL
    from leftbehind.cli.app import console
    from leftbehind.sources.demo import ensure_demo_data

    folder = ensure_demo_data(out)
    console.print(f"{SYNTHETIC_LABEL} written to {folder}", highlight=False, soft_wrap=True)
