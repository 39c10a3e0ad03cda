"""Commands: ``report``, ``profile`` and ``export`` (registered by :mod:`leftbehind.cli.app`).

Each checks the output path before any slow work, so a typo fails in a second with one line.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from leftbehind.cli.options import DataDirOption

console = Console()

EditionOption = typer.Option("2019", "--edition", "-e",
                             help="2019 (2017 wards) or 2023 (2021 LSOAs).")
StoreOption = typer.Option(None, "--store", help="Grant store (DuckDB) for the funding gap.")
BoundariesOption = typer.Option(
    None, "--boundaries", help="Boundary file for the areas (GeoParquet, GeoJSON, GeoPackage…); "
    "default: LSOA boundaries dissolved through the best-fit lookup.")
CodeColumnOption = typer.Option(None, "--code-column",
                                help="Column of area codes in --boundaries (default: detected).")


def _prepare(out: Path, data_dir: Path | None, edition: str,
             store: Path | None) -> tuple[Any, str, Any, Any]:
    from leftbehind.cli.core import banner
    from leftbehind.outputs.files import check_writable
    from leftbehind.outputs.funding import load_funding
    from leftbehind.outputs.report import check_edition, classify
    from leftbehind.sources.bundle import open_bundle

    edition = check_edition(edition)
    check_writable(out)
    bundle = open_bundle(data_dir)
    banner(bundle)
    areas = classify(bundle, edition)
    funding = load_funding(store, bundle, edition, areas)
    return bundle, edition, areas, funding


def _build(out: Path, data_dir: Path | None, edition: str, store: Path | None,
           write: Callable[[Any, str, Any, Any], object]) -> None:
    """Check the path, load and classify, call ``write(bundle, edition, areas, funding)``,
    and report the file written and how long it took."""
    start = time.perf_counter()
    bundle, edition, areas, funding = _prepare(out, data_dir, edition, store)
    write(bundle, edition, areas, funding)
    size = out.stat().st_size / 1e6
    console.print(f"Wrote {out} ({size:.1f} MB) in {time.perf_counter() - start:.1f} s")


def register(app: typer.Typer) -> None:
    """Add ``report``, ``profile`` and ``export`` to ``app``."""

    @app.command("report")
    def report_cmd(
        out: Path = typer.Option(..., "--out", "-o", help="Output HTML file."),
        data_dir: Path | None = DataDirOption,
        edition: str = EditionOption,
        store: Path | None = StoreOption,
        boundaries: Path | None = BoundariesOption,
        code_column: str | None = CodeColumnOption,
    ) -> None:
        """One self-contained HTML report (map, tables, charts) that opens offline."""
        from leftbehind.outputs.report import write_report

        _build(out, data_dir, edition, store, lambda bundle, edition, areas, funding:
               write_report(out, bundle, edition, areas=areas, funding=funding,
                            boundaries=boundaries, code_column=code_column))

    @app.command("profile")
    def profile_cmd(
        code: str = typer.Argument(..., help="Ward (E05…), LSOA (E01…) or district code."),
        out: Path = typer.Option(..., "--out", "-o", help="Output HTML file."),
        data_dir: Path | None = DataDirOption,
        edition: str = EditionOption,
        store: Path | None = StoreOption,
        boundaries: Path | None = BoundariesOption,
        code_column: str | None = CodeColumnOption,
    ) -> None:
        """A one-page profile of one area against its district and England."""
        from leftbehind.outputs.profile import write_profile

        _build(out, data_dir, edition, store, lambda bundle, edition, areas, funding:
               write_profile(out, bundle, code, edition, areas=areas, funding=funding,
                             boundaries=boundaries, code_column=code_column))

    @app.command("export")
    def export_cmd(
        fmt: str = typer.Option(..., "--format", "-f", help="geojson, geoparquet or xlsx."),
        out: Path = typer.Option(..., "--out", "-o", help="Output file."),
        data_dir: Path | None = DataDirOption,
        edition: str = EditionOption,
        store: Path | None = StoreOption,
        boundaries: Path | None = BoundariesOption,
        code_column: str | None = CodeColumnOption,
    ) -> None:
        """Areas with every attribute and full-detail geometry; xlsx adds district tables."""
        from leftbehind.outputs.export import check_format, export

        check_format(fmt, out)
        _build(out, data_dir, edition, store, lambda bundle, edition, areas, funding:
               export(bundle, edition, fmt, out, areas=areas, funding=funding,
                      boundaries=boundaries, code_column=code_column))

    @app.command("serve")
    def serve_cmd(
        data_dir: Path | None = DataDirOption,
        store: Path | None = StoreOption,
        host: str = typer.Option("127.0.0.1", help="Address to listen on."),
        port: int = typer.Option(8000, help="Port to listen on."),
    ) -> None:
        """The web app: report, profiles and a JSON API (/docs) over the same data."""
        import uvicorn

        from leftbehind.outputs.web import create_app

        app_ = create_app(data_dir, store)
        console.print(f"leftbehind web app on http://{host}:{port}/  (API docs: /docs)")
        uvicorn.run(app_, host=host, port=port, log_level="warning")
