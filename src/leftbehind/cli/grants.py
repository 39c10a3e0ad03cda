"""Commands: ``grants import|postcodes|status|quality``, ``funding`` and ``coldspots``.

Every command takes ``--store`` (default: ``LEFTBEHIND_STORE`` or the user data folder).
Unreadable input raises :class:`InputError` (one line, exit code 2) and leaves the store as
it was; problems inside readable files are listed by ``grants quality``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from leftbehind import SYNTHETIC_LABEL
from leftbehind.cli.core import stamp
from leftbehind.cli.options import DataDirOption
from leftbehind.errors import InputError
from leftbehind.funding.gap import Filters
from leftbehind.outputs.files import table_format, write_table

console = Console()
grants_app = typer.Typer(help="Import 360Giving grants into the store and check them.",
                         no_args_is_help=True)

StoreOption = typer.Option(None, "--store", help="Grant store (DuckDB file). Default: "
                           "LEFTBEHIND_STORE or the user data folder.", dir_okay=False)
LocationOption = typer.Option("best", "--location",
                              help="Where a grant is placed: best, beneficiary or recipient.")
EditionOption = typer.Option("2019", "--edition", help="2019 (2017 wards) or 2023 (LSOAs).")


def _table(frame: pd.DataFrame, title: str, money: tuple[str, ...] = ()) -> Table:
    table = Table(title=title)
    for col in frame.columns:
        table.add_column(str(col), justify="left" if frame[col].dtype == object else "right")
    for _, row in frame.iterrows():
        cells = []
        for col in frame.columns:
            value = row[col]
            if isinstance(value, float):
                cells.append("" if pd.isna(value) else
                             f"{value:,.2f}" if col in money or abs(value) < 1000
                             else f"{value:,.0f}")
            else:
                cells.append(str(value))
        table.add_row(*cells)
    return table


@grants_app.command("import")
def import_cmd(
    files: list[Path] = typer.Argument(..., help="360Giving JSON/CSV/XLSX or ward tables."),
    store: Path | None = StoreOption,
    postcodes: Path | None = typer.Option(None, "--postcodes",
                                          help="ONS postcode directory (NSPL/ONSPD CSV)."),
    data_dir: Path | None = DataDirOption,
    validate: str = typer.Option("auto", "--validate",
                                 help="auto (full schema check for files up to 10 MB), "
                                      "full or fast."),
) -> None:
    """Import grant files (each in one transaction; files imported before are skipped)."""
    from leftbehind.funding.ingest import import_file
    from leftbehind.funding.postcodes import load_postcodes
    from leftbehind.funding.schema import schema_from_bundle
    from leftbehind.funding.store import counts, open_store

    for f in files:  # fail before touching the store if a path is plainly wrong
        if not f.is_file():
            raise InputError("file not found", path=f)
    from leftbehind.funding.ingest import detect_kind

    needs_schema = any(detect_kind(f)[0] != "ward_table" for f in files)
    schema = schema_from_bundle(data_dir) if needs_schema else None
    con = open_store(store)
    try:
        if postcodes is not None:
            rows = load_postcodes(con, postcodes)
            console.print(f"postcode directory: {rows:,} postcodes from {postcodes}")
        # Progress in bytes over all files: one import is one DuckDB statement per part,
        # which reports nothing until done, so the bar moves file by file.
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      DownloadColumn(), TimeElapsedColumn(), console=console,
                      transient=True) as progress:
            task = progress.add_task("importing", total=sum(f.stat().st_size for f in files))
            for f in files:
                progress.update(task, description=f"importing {f.name}")
                result = import_file(con, f, schema, validate=validate)
                progress.advance(task, f.stat().st_size)
                if result.skipped:
                    progress.console.print(f"{f}: already imported (same SHA-256), nothing "
                                           "added")
                    continue
                progress.console.print(
                    f"{f}: {result.records:,} records ({result.kind}, {result.validation} "
                    f"validation) → stored {result.stored:,} ({result.grants:,} valid grants),"
                    f" invalid {result.invalid:,}, duplicate ids skipped {result.duplicates:,},"
                    f" non-GBP {result.non_gbp:,}; {result.seconds:.1f} s")
        c = counts(con)
        console.print(f"store: {int(c['grants']):,} grants ({int(c['valid']):,} valid), "
                      f"£{c['amount_gbp']:,.2f} in GBP, {int(c['problems']):,} quality notes "
                      "('leftbehind grants quality')")
    finally:
        con.close()


@grants_app.command("postcodes")
def postcodes_cmd(file: Path = typer.Argument(..., help="NSPL/ONSPD CSV."),
                  store: Path | None = StoreOption) -> None:
    """Load (replace) the store's postcode directory."""
    from leftbehind.funding.postcodes import load_postcodes
    from leftbehind.funding.store import open_store

    con = open_store(store)
    try:
        console.print(f"{load_postcodes(con, file):,} postcodes loaded")
    finally:
        con.close()


@grants_app.command("status")
def status_cmd(store: Path | None = StoreOption, data_dir: Path | None = DataDirOption,
               edition: str = EditionOption, location: str = LocationOption) -> None:
    """What the store holds, and how many grants are located (counts by reason)."""
    from leftbehind.funding.gap import edition_inputs
    from leftbehind.funding.locate import location_status, register_geography
    from leftbehind.funding.store import counts, open_store
    from leftbehind.sources.bundle import open_bundle

    con = open_store(store, create=False)
    try:
        c = counts(con)
        console.print(f"{int(c['files'])} files, {int(c['grants']):,} grants "
                      f"({int(c['valid']):,} valid, {int(c['invalid']):,} invalid, "
                      f"{int(c['non_gbp']):,} not in GBP), £{c['amount_gbp']:,.2f}; "
                      f"{int(c['postcodes']):,} postcodes")
        files = con.execute("SELECT path, kind, records, stored, valid, invalid, duplicates "
                            "FROM imports ORDER BY imported_at").df()
        console.print(_table(files, "Imported files"))
        bundle = open_bundle(data_dir)
        areas, lookup = edition_inputs(bundle, edition)
        register_geography(con, areas, lookup)
        console.print(_table(location_status(con, location),
                             f"Location ({location}, edition {edition})", ("amount_gbp",)))
        if bundle.synthetic:
            console.print(f"[yellow]{SYNTHETIC_LABEL}[/]")
    finally:
        con.close()


@grants_app.command("quality")
def quality_cmd(store: Path | None = StoreOption,
                out: Path | None = typer.Option(None, "--out", "-o",
                                                help="Write the report (.csv or .parquet).")
                ) -> None:
    """The data-quality report: file, row, record id, field, problem, severity."""
    from leftbehind.funding.ingest import quality_report
    from leftbehind.funding.store import open_store

    if out is not None:
        table_format(out)
    con = open_store(store, create=False)
    try:
        report = quality_report(con)
    finally:
        con.close()
    if out is not None:
        write_table(report, out)
        console.print(f"wrote {len(report):,} rows to {out}")
    if report.empty:
        console.print("no problems found")
        return
    summary = (report.groupby(["file", "severity", "field", "problem"]).size()
               .rename("records").reset_index())
    summary["problem"] = summary["problem"].str.replace(r":\s.*$", "", regex=True)
    summary = (summary.groupby(["file", "severity", "field", "problem"])["records"].sum()
               .reset_index().sort_values("records", ascending=False).head(30))
    console.print(_table(summary, "Data-quality problems (summary)"))


def _filters(funder: list[str] | None, date_from: str | None, date_to: str | None,
             exclude_government: bool, location: str) -> Filters:
    return Filters(funders=list(funder or []), date_from=date_from, date_to=date_to,
                   exclude_government=exclude_government, location=location)


def _query_store(data_dir: Path | None, store: Path | None, edition: str,
                 query: Callable[[Any, pd.DataFrame, pd.DataFrame | None], pd.DataFrame],
                 ) -> tuple[Any, pd.DataFrame]:
    """Classify the edition's areas, run ``query(con, areas, lookup)`` on the store, and
    return the bundle and the result."""
    from leftbehind.cli.core import banner
    from leftbehind.funding.gap import edition_inputs
    from leftbehind.funding.store import open_store
    from leftbehind.sources.bundle import open_bundle

    bundle = open_bundle(data_dir)
    banner(bundle)
    areas, lookup = edition_inputs(bundle, edition)
    con = open_store(store, create=False)
    try:
        result = query(con, areas, lookup)
    finally:
        con.close()
    return bundle, result


def funding_cmd(
    data_dir: Path | None = DataDirOption,
    store: Path | None = StoreOption,
    edition: str = EditionOption,
    out: Path | None = typer.Option(None, "--out", "-o", help="Table: .csv or .parquet."),
    funder: list[str] | None = typer.Option(None, "--funder",
                                            help="Funder name or id (repeatable)."),
    date_from: str | None = typer.Option(None, "--from", help="Year or date."),
    date_to: str | None = typer.Option(None, "--to", help="Year or date."),
    exclude_government: bool = typer.Option(False, "--exclude-government",
                                            help="Leave out central-government funders."),
    by: str | None = typer.Option(None, "--by", help="Breakdown: funder, year or area."),
    location: str = LocationOption,
    chart: Path | None = typer.Option(None, "--chart", help="Chart: .png, .svg or .html."),
) -> None:
    """The funding gap: grants and £ per head in left-behind areas, other deprived, England."""
    from leftbehind.funding.charts import write_chart
    from leftbehind.funding.gap import funding_gap

    if out is not None:
        table_format(out)
    filters = _filters(funder, date_from, date_to, exclude_government, location)
    breakdown: list[pd.DataFrame] = []

    def query(con: Any, areas: pd.DataFrame, lookup: pd.DataFrame | None) -> pd.DataFrame:
        if by:
            breakdown.append(funding_gap(con, areas, lookup, filters, by=by))
        return funding_gap(con, areas, lookup, filters)

    bundle, summary = _query_store(data_dir, store, edition, query)
    table = breakdown[0] if breakdown else summary
    console.print(_table(summary, f"Funding gap, edition {edition} ({location} location)",
                         ("amount_gbp", "gbp_per_head", "grants_per_10k")))
    if out is not None:
        write_table(stamp(table, bundle), out)
        console.print(f"wrote {len(table):,} rows to {out}")
    if chart is not None:
        title = f"Grant funding by group, edition {edition}"
        if bundle.synthetic:
            title += f" ({SYNTHETIC_LABEL})"
        write_chart(summary, chart, title)
        console.print(f"wrote chart {chart}")


def coldspots_cmd(
    data_dir: Path | None = DataDirOption,
    store: Path | None = StoreOption,
    funder: list[str] = typer.Option(..., "--funder", help="Funder name or id (repeatable)."),
    edition: str = EditionOption,
    imd_share: float = typer.Option(0.2, "--imd-share", help="Most deprived share (0-1]."),
    threshold: float = typer.Option(0.5, "--threshold", help="Cold below this × fair share."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Table: .csv or .parquet."),
    date_from: str | None = typer.Option(None, "--from", help="Year or date."),
    date_to: str | None = typer.Option(None, "--to", help="Year or date."),
    location: str = LocationOption,
) -> None:
    """Deprived areas that received less than their fair share of a funder's money."""
    from leftbehind.funding.coldspots import cold_spots

    if out is not None:
        table_format(out)
    filters = _filters(funder, date_from, date_to, False, location)
    bundle, cold = _query_store(data_dir, store, edition, lambda con, areas, lookup: cold_spots(
        con, areas, lookup, filters, imd_share=imd_share, threshold=threshold))
    console.print(f"{len(cold):,} cold spots among {cold.attrs['deprived_areas']:,} most "
                  f"deprived areas; national £{cold.attrs['national_gbp_per_head']:,.2f} per "
                  f"head; owed £{cold['owed_gbp'].sum():,.0f}")
    shown = [c for c in ("area_code", "area_name", "lad_name", "population", "received_gbp",
                         "fair_share_gbp", "owed_gbp") if c in cold.columns]
    console.print(_table(cold[shown].head(15), "Largest cold spots",
                         ("received_gbp", "fair_share_gbp", "owed_gbp")))
    if out is not None:
        write_table(stamp(cold, bundle), out)
        console.print(f"wrote {len(cold):,} rows to {out}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.add_typer(grants_app, name="grants")
    app.command("funding")(funding_cmd)
    app.command("coldspots")(coldspots_cmd)
