"""The seven IoD domains and their weights in the Index of Multiple Deprivation."""

from __future__ import annotations

DOMAIN_WEIGHTS: dict[str, float] = {
    "income": 0.225,
    "employment": 0.225,
    "education": 0.135,
    "health": 0.135,
    "crime": 0.093,
    "barriers": 0.093,
    "environment": 0.093,
}
"""IoD 2019 and 2025 weights (technical reports): they sum to 1."""

DOMAINS: tuple[str, ...] = tuple(DOMAIN_WEIGHTS)

DOMAIN_LABELS: dict[str, str] = {
    "imd": "Index of Multiple Deprivation",
    "income": "Income",
    "employment": "Employment",
    "education": "Education, Skills and Training",
    "health": "Health Deprivation and Disability",
    "crime": "Crime",
    "barriers": "Barriers to Housing and Services",
    "environment": "Living Environment",
}

CNI_DOMAINS: tuple[str, ...] = ("civic_assets", "connectedness", "engaged_community")
CNI_LABELS: dict[str, str] = {
    "cni": "Community Needs Index",
    "civic_assets": "Civic Assets",
    "connectedness": "Connectedness",
    "engaged_community": "Active and Engaged Community",
}
