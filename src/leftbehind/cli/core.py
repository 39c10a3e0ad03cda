"""Core commands: ``identify``, ``summarise`` and ``run`` (the main job)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from leftbehind import SYNTHETIC_LABEL
from leftbehind.classification import GROUPS, identify
from leftbehind.cli.options import DataDirOption
from leftbehind.indices.geographies import summarise_edition
from leftbehind.outputs.files import table_format, write_table, write_text
from leftbehind.sources.bundle import DataBundle, open_bundle

console = Console()


def stamp(frame: pd.DataFrame, bundle: DataBundle) -> pd.DataFrame:
    """Mark every row made from the demo so no one mistakes it for real figures."""
    if bundle.synthetic:
        frame = frame.copy()
        frame.insert(0, "data", SYNTHETIC_LABEL)
    return frame


def banner(bundle: DataBundle) -> None:
    if bundle.synthetic:
        console.print(f"[bold yellow]⚠ {SYNTHETIC_LABEL.upper()}[/]: no --data-dir or "
                      "LEFTBEHIND_DATA_DIR given, so these results come from Demoshire, "
                      "a synthetic region. They describe no real place.")


def group_table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title)
    for col in ("group", "areas", "population"):
        table.add_column(col, justify="right" if col != "group" else "left")
    sizes = frame["group"].astype(str).value_counts()
    totals = frame.groupby(frame["group"].astype(str))["population"].sum()
    for group in GROUPS:
        table.add_row(group, f"{int(sizes.get(group, 0)):,}", f"{totals.get(group, 0.0):,.0f}")
    table.add_row("all", f"{len(frame):,}", f"{frame['population'].sum():,.0f}", style="bold")
    return table


def top_districts(frame: pd.DataFrame, n: int = 10) -> Table:
    lb = frame[frame["group"] == "left_behind"]
    counts = lb.value_counts(["lad_name", "lad_code"]).head(n)
    table = Table(title=f"Districts with most left-behind areas (top {n})")
    table.add_column("district")
    table.add_column("code")
    table.add_column("left-behind areas", justify="right")
    for key, count in counts.items():
        name, code = key if isinstance(key, tuple) else (key, "")
        table.add_row(str(name), str(code), str(count))
    return table


def register(app: typer.Typer) -> None:
    """Add ``identify``, ``summarise`` and ``run`` to ``app``."""

    @app.command("identify")
    def identify_cmd(
        out: Path = typer.Option(..., "--out", "-o", help="Output file (.csv or .parquet)."),
        data_dir: Path | None = DataDirOption,
        edition: str = typer.Option("2019", "--edition", "-e",
                                    help="2019 (2017 wards) or 2023 (2021 LSOAs)."),
        imd_share: float = typer.Option(0.1, help="Share of most deprived areas on the IMD."),
        cni_share: float = typer.Option(0.1, help="Share of highest-need areas on the CNI."),
    ) -> None:
        """Classify every area as left_behind, other_deprived, other or unclassified."""
        table_format(out)
        bundle = open_bundle(data_dir)
        banner(bundle)
        frame = identify(bundle, edition, imd_share=imd_share, cni_share=cni_share)
        write_table(stamp(frame, bundle), out)
        console.print(group_table(frame, f"Edition {edition}: areas by group"))
        console.print(f"Wrote {len(frame):,} rows to {out}")

    @app.command("summarise")
    def summarise_cmd(
        out: Path = typer.Option(..., "--out", "-o", help="Output file (.csv or .parquet)."),
        data_dir: Path | None = DataDirOption,
        edition: str = typer.Option("2019", "--edition", "-e", help="IMD edition: 2019 or 2025."),
        to: str = typer.Option("lad", "--to", help="lad (districts) or ward."),
    ) -> None:
        """IoD summaries (average score and rank, proportion, extent, local concentration)."""
        table_format(out)
        bundle = open_bundle(data_dir)
        banner(bundle)
        frame = summarise_edition(bundle, edition, to)
        write_table(stamp(frame, bundle), out)
        console.print(f"Wrote {len(frame):,} {to} summaries of IMD {edition} to {out} "
                      f"(population: {frame.attrs['population']})")

    @app.command("run")
    def run_cmd(
        data_dir: Path | None = DataDirOption,
        out_dir: Path = typer.Option(Path("results"), "--out-dir", "-o",
                                     help="Folder for the results (created if needed)."),
        fmt: str = typer.Option("csv", "--format", help="csv or parquet."),
        grants: bool = typer.Option(True, "--grants/--no-grants",
                                    help="Import the data folder's grant files and measure "
                                         "the funding gap."),
        report: bool = typer.Option(True, "--report/--no-report",
                                    help="Write the HTML report with its map."),
    ) -> None:
        """The main job: identify left-behind areas, summarise districts, measure the funding
        gap, and write tables, a chart and a report to a folder."""
        if fmt not in ("csv", "parquet"):
            raise typer.BadParameter("use csv or parquet", param_hint="--format")
        bundle = open_bundle(data_dir)
        banner(bundle)
        out_dir.mkdir(parents=True, exist_ok=True)
        jobs = _run_jobs(bundle)
        written: list[tuple[str, str]] = []
        results: dict[str, pd.DataFrame] = {}
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task("starting", total=len(jobs))
            for name, what, make in jobs:
                progress.update(task, description=what)
                frame = make()
                results[name] = frame
                path = out_dir / f"{name}.{fmt}"
                write_table(stamp(frame, bundle), path)
                written.append((path.name, what))
                progress.advance(task)
        excluded = results["identify_2019_wards"].attrs.get("excluded")
        unclassified = results["identify_2019_wards"].query("group == 'unclassified'")
        listing = pd.concat([
            pd.DataFrame({"code": unclassified["area_code"], "kind": "ward",
                          "reason": unclassified["reason"]}),
            excluded if excluded is not None else pd.DataFrame(),
        ], ignore_index=True)
        write_table(stamp(listing, bundle), out_dir / f"unclassified_2019.{fmt}")
        written.append((f"unclassified_2019.{fmt}", "areas not classified, with the reason"))
        wards = results["identify_2019_wards"]
        store = _grant_store(bundle, out_dir) if grants else None
        gap = None
        if store is not None:
            gap = _funding_outputs(bundle, wards, store, out_dir, fmt, written)
        if report:
            from leftbehind.outputs.funding import load_funding
            from leftbehind.outputs.report import write_report

            with console.status("writing the report and map"):
                write_report(out_dir / "report_2019.html", bundle, "2019", areas=wards,
                             funding=load_funding(store, bundle, "2019", wards))
            written.append(("report_2019.html", "the report: headline figures, map, table of "
                            "left-behind wards, domain charts, funding gap, provenance"))
        write_text(_readme(bundle, written), out_dir / "README.md")
        console.print(group_table(wards, "2019 edition (December 2017 wards): areas by group"))
        console.print(top_districts(wards))
        if gap is not None:
            console.print(_gap_table(gap))
        if "identify_2023_lsoas" in results:
            console.print(group_table(results["identify_2023_lsoas"],
                                      "2023 edition (2021 LSOAs): areas by group"))
        console.print(f"Results in [bold]{out_dir}/[/] ({len(written)} files; see README.md)")


def _run_jobs(bundle: DataBundle) -> list[tuple[str, str, Callable[[], pd.DataFrame]]]:
    jobs: list[tuple[str, str, Callable[[], pd.DataFrame]]] = [
        ("identify_2019_wards", "2019 left-behind wards", lambda: identify(bundle, "2019")),
        ("summary_2019_lad", "IMD 2019 district summaries",
         lambda: summarise_edition(bundle, "2019", "lad")),
    ]
    if bundle.has("imd2025_lsoa21") and bundle.has("cni2023_lsoa21"):
        jobs += [
            ("identify_2023_lsoas", "2023 left-behind LSOAs", lambda: identify(bundle, "2023")),
            ("summary_2025_lad", "IMD 2025 district summaries",
             lambda: summarise_edition(bundle, "2025", "lad")),
        ]
    return jobs


GRANT_FILES = ("grants_ward_funder_year", "grants_covid19")


def _grant_store(bundle: DataBundle, out_dir: Path) -> Path | None:
    """Import the data folder's grant files into ``out_dir/grants.duckdb`` (files imported
    before are skipped, so re-running adds nothing). ``None`` when there are none."""
    from leftbehind.funding.ingest import import_file
    from leftbehind.funding.postcodes import load_postcodes
    from leftbehind.funding.schema import load_schema
    from leftbehind.funding.store import open_store

    schema_file = bundle.find("schema_360giving")
    schema = load_schema(schema_file) if schema_file else None
    files = [bundle.find(d) for d in GRANT_FILES]
    # 360Giving packages need the schema to be checked; ward tables do not
    files[1:] = [f for f in files[1:] if f is not None and schema is not None]
    present = [f for f in files if f is not None]
    if not present:
        return None
    store = out_dir / "grants.duckdb"
    con = open_store(store)
    try:
        postcodes = bundle.find("postcodes_nspl")
        if postcodes is not None:
            load_postcodes(con, postcodes)
        with console.status("importing grants"):
            for path in present:
                import_file(con, path, schema)
    finally:
        con.close()
    return store


def _funding_outputs(bundle: DataBundle, wards: pd.DataFrame, store: Path, out_dir: Path,
                     fmt: str, written: list[tuple[str, str]]) -> pd.DataFrame:
    from leftbehind.funding.charts import write_chart
    from leftbehind.funding.gap import Filters, funding_gap
    from leftbehind.funding.store import open_store

    con = open_store(store, create=False)
    try:
        gap = funding_gap(con, wards, bundle.lsoa11_to_ward17(), Filters())
    finally:
        con.close()
    write_table(stamp(gap, bundle), out_dir / f"funding_gap_2019.{fmt}")
    title = "Grant funding by group, 2019 wards" + (
        f" ({SYNTHETIC_LABEL})" if bundle.synthetic else "")
    write_chart(gap, out_dir / "funding_gap_2019.html", title)
    written += [
        (f"funding_gap_2019.{fmt}", "grants, £, grants per 10,000 people and £ per head in "
                                    "left-behind areas, other deprived areas and England"),
        ("funding_gap_2019.html", "the funding-gap chart (interactive)"),
        ("grants.duckdb", "the grant store built from the data folder's grant files"),
    ]
    return gap


def _gap_table(gap: pd.DataFrame) -> Table:
    table = Table(title="Funding gap, 2019 wards (grants in the data folder)")
    for col in ("group", "grants", "£", "grants per 10k", "£ per head"):
        table.add_column(col, justify="left" if col == "group" else "right")
    frame = gap.reset_index() if "group" not in gap.columns else gap
    for _, row in frame.iterrows():
        table.add_row(str(row["group"]), f"{row['grants']:,.0f}", f"{row['amount_gbp']:,.0f}",
                      f"{row['grants_per_10k']:.2f}", f"{row['gbp_per_head']:.2f}")
    return table


def _readme(bundle: DataBundle, written: list[tuple[str, str]]) -> str:
    lines = ["# leftbehind results", ""]
    if bundle.synthetic:
        lines += [f"**{SYNTHETIC_LABEL.upper()}** — made from Demoshire, a synthetic region. "
                  "These figures describe no real place.", ""]
    else:
        lines += [f"Input data: `{bundle.root}`", ""]
    lines += ["| file | what it holds |", "|---|---|"]
    lines += [f"| `{name}` | {what} |" for name, what in written]
    lines += ["", "Method: see the leftbehind documentation (docs/METHODOLOGY.md)."]
    return "\n".join(lines) + "\n"
