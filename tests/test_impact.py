"""The investment model: its arithmetic and its command."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from leftbehind.cli.app import app
from leftbehind.errors import InputError
from leftbehind.impact.model import BenefitRatios, Programme, model_investment, yearly_profile


def test_frontier_ratios_per_million() -> None:
    areas = pd.DataFrame({"area_code": ["A"], "population": [10_000.0]})
    out = model_investment(areas, Programme(1_000_000, 10, 0.0)).iloc[0]
    assert out["fiscal_benefit_gbp"] == pytest.approx(1_200_000)
    assert out["social_benefit_gbp"] == pytest.approx(2_040_000)  # 740+670+500+130 k
    assert out["investment_per_head_gbp"] == pytest.approx(100)
    # undiscounted: present values equal the nominal sums
    assert out["pv_investment_gbp"] == pytest.approx(1_000_000)
    assert out["pv_fiscal_benefit_gbp"] == pytest.approx(1_200_000)


@given(st.integers(1, 20), st.integers(1, 15), st.floats(0, 0.2))
def test_profile_conserves_money(years: int, benefit_years: int, rate: float) -> None:
    ratios = BenefitRatios(benefit_years=benefit_years)
    profile = yearly_profile(Programme(1.0, years, rate), ratios)
    assert math.isclose(profile["spend"].sum(), 1.0)
    assert math.isclose(profile["benefit_flow"].sum(), 1.0)
    # benefits never come before the spending that causes them
    assert (profile["benefit_flow"].cumsum() <= profile["spend"].cumsum() + 1e-12).all()


def test_discounting_lowers_benefit_cost_ratio() -> None:
    areas = pd.DataFrame({"area_code": ["A"], "population": [5000.0]})
    flat = model_investment(areas, Programme(1e6, 10, 0.0))["benefit_cost_ratio_pv"].iloc[0]
    green = model_investment(areas, Programme(1e6, 10, 0.035))["benefit_cost_ratio_pv"].iloc[0]
    assert flat == pytest.approx(3.24)
    assert green < flat


def test_bad_settings() -> None:
    with pytest.raises(InputError, match="per-area"):
        Programme(-1).check()


def test_impact_command_on_demo(tmp_path: Path) -> None:
    out = tmp_path / "impact.csv"
    result = CliRunner().invoke(app, ["impact", "--out", str(out)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert (frame["data"] == "synthetic demo data").all()
    assert len(frame) > 0 and (frame["investment_gbp"] == 1_200_000).all()
