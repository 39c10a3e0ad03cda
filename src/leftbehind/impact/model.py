"""Modelling long-term investment in left-behind areas and the benefits it may bring.

The benefit ratios are **settings** with documented defaults, not results: Frontier Economics
(2021) estimated that £1m of community-led social infrastructure investment in a left-behind
area yields about £1.2m fiscal benefit and £2.0m social and economic benefit over 10 years
(employment £0.74m, health and wellbeing £0.67m, higher local income £0.50m, reduced crime
£0.13m per £1m). The study gives no yearly profile or discount rate, so here spending is spread
evenly over the investment period, each year's spending yields its benefits evenly over the
following ``benefit_years``, and present values use the HM Treasury Green Book rate (3.5%)
unless told otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leftbehind.errors import InputError


@dataclass(frozen=True)
class BenefitRatios:
    """Benefit per £1 invested, over ``benefit_years`` (defaults: Frontier Economics 2021)."""

    fiscal: float = 1.2
    social_components: dict[str, float] = field(default_factory=lambda: {
        "employment": 0.74, "health_and_wellbeing": 0.67, "higher_local_income": 0.50,
        "reduced_crime": 0.13,
    })
    benefit_years: int = 10

    @property
    def social(self) -> float:
        return float(sum(self.social_components.values()))


@dataclass(frozen=True)
class Programme:
    """An investment programme such as Big Local or a Community Wealth Fund."""

    per_area_gbp: float = 1_200_000.0
    years: int = 10
    discount_rate: float = 0.035

    def check(self) -> None:
        if self.per_area_gbp <= 0:
            raise InputError(f"--per-area must be positive, not {self.per_area_gbp:g}")
        if not 1 <= self.years <= 50:
            raise InputError(f"--years must be between 1 and 50, not {self.years}")
        if not 0 <= self.discount_rate < 1:
            raise InputError(f"--discount-rate must be in [0, 1), not {self.discount_rate:g}")


def yearly_profile(programme: Programme, ratios: BenefitRatios) -> pd.DataFrame:
    """Per £1 of total investment: spending and benefits in each year (year 1 = first)."""
    horizon = programme.years + ratios.benefit_years
    years = np.arange(1, horizon + 1)
    spend = np.where(years <= programme.years, 1.0 / programme.years, 0.0)
    # benefits of each year's spending arrive evenly over the next ``benefit_years`` years
    kernel = np.full(ratios.benefit_years, 1.0 / ratios.benefit_years)
    flow = np.convolve(spend, kernel)[:horizon]
    flow = np.concatenate(([0.0], flow[:-1]))  # benefits start the year after spending
    discount = (1.0 + programme.discount_rate) ** -(years - 1.0)
    return pd.DataFrame({
        "year": years, "spend": spend, "benefit_flow": flow, "discount_factor": discount,
    })


def model_investment(areas: pd.DataFrame, programme: Programme | None = None,
                     ratios: BenefitRatios | None = None) -> pd.DataFrame:
    """Investment and benefits for each area (needs ``area_code`` and ``population``)."""
    programme = programme or Programme()
    ratios = ratios or BenefitRatios()
    programme.check()
    profile = yearly_profile(programme, ratios)
    pv_spend = float((profile["spend"] * profile["discount_factor"]).sum())
    pv_flow = float((profile["benefit_flow"] * profile["discount_factor"]).sum())
    invest = programme.per_area_gbp
    out = areas[[c for c in ("area_code", "area_name", "lad_name", "population")
                 if c in areas]].copy()
    out["investment_gbp"] = invest
    out["investment_per_head_gbp"] = invest / out["population"].where(out["population"] > 0)
    out["fiscal_benefit_gbp"] = invest * ratios.fiscal
    out["social_benefit_gbp"] = invest * ratios.social
    for name, ratio in ratios.social_components.items():
        out[f"{name}_benefit_gbp"] = invest * ratio
    out["pv_investment_gbp"] = invest * pv_spend
    out["pv_fiscal_benefit_gbp"] = invest * ratios.fiscal * pv_flow
    out["pv_social_benefit_gbp"] = invest * ratios.social * pv_flow
    out["benefit_cost_ratio_pv"] = (ratios.fiscal + ratios.social) * pv_flow / pv_spend
    out.attrs.update(per_area_gbp=invest, years=programme.years,
                     discount_rate=programme.discount_rate, benefit_years=ratios.benefit_years)
    return out
