"""``leftbehind impact``: what a long-term programme in the left-behind areas could return."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from leftbehind.classification import identify
from leftbehind.cli.core import banner, stamp
from leftbehind.cli.options import DataDirOption
from leftbehind.impact.model import Programme, model_investment
from leftbehind.outputs.files import table_format, write_table
from leftbehind.sources.bundle import open_bundle

console = Console()


def register(app: typer.Typer) -> None:
    """Add ``impact`` to ``app``."""

    @app.command("impact")
    def impact_cmd(
        out: Path | None = typer.Option(None, "--out", "-o",
                                        help="Per-area table (.csv or .parquet)."),
        data_dir: Path | None = DataDirOption,
        edition: str = typer.Option("2019", "--edition", "-e", help="2019 or 2023."),
        per_area: float = typer.Option(1_200_000.0, help="£ invested in each area."),
        years: int = typer.Option(10, help="Years over which each area's money is spent."),
        discount_rate: float = typer.Option(0.035, help="Yearly discount rate (Green Book)."),
    ) -> None:
        """Model investing in every left-behind area (Frontier Economics benefit ratios)."""
        if out is not None:
            table_format(out)
        programme = Programme(per_area, years, discount_rate)
        programme.check()
        bundle = open_bundle(data_dir)
        banner(bundle)
        areas = identify(bundle, edition)
        frame = model_investment(areas[areas["group"] == "left_behind"], programme)
        if out is not None:
            write_table(stamp(frame, bundle), out)
        table = Table(title=f"Investing £{per_area:,.0f} in each of {len(frame):,} left-behind "
                            f"areas over {years} years")
        table.add_column("measure")
        table.add_column("£", justify="right")
        people = frame["population"].sum()
        rows = [
            ("investment", frame["investment_gbp"].sum()),
            ("fiscal benefit (10 years)", frame["fiscal_benefit_gbp"].sum()),
            ("social and economic benefit (10 years)", frame["social_benefit_gbp"].sum()),
            (f"present value of investment at {discount_rate:.1%}",
             frame["pv_investment_gbp"].sum()),
            ("present value of all benefits",
             frame["pv_fiscal_benefit_gbp"].sum() + frame["pv_social_benefit_gbp"].sum()),
        ]
        for name, value in rows:
            table.add_row(name, f"{value:,.0f}")
        console.print(table)
        if len(frame):
            console.print(f"{people:,.0f} residents; £{frame['investment_gbp'].sum() / people:,.2f}"
                          f" invested per head; benefit-cost ratio (present values) "
                          f"{frame['benefit_cost_ratio_pv'].iloc[0]:.2f}")
        if out is not None:
            console.print(f"Wrote {len(frame):,} rows to {out}")
