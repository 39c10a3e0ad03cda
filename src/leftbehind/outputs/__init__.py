"""Outputs: tables, reports, maps and exports made from the analysis."""
