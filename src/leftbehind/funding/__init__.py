"""Funding: 360Giving grants — the store, locating grants, the funding gap and cold spots."""
