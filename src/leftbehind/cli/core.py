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
    ) -> None:
        """The main job: identify left-behind areas, summarise districts, write a folder."""
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
        write_text(_readme(bundle, written), out_dir / "README.md")
        wards = results["identify_2019_wards"]
        console.print(group_table(wards, "2019 edition (December 2017 wards): areas by group"))
        console.print(top_districts(wards))
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
