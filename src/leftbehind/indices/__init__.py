"""Indices: the IoD exponential transformation, IMD scores, ranks, deciles and area summaries."""
