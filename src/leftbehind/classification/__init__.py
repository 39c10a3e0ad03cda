"""Classification: left-behind, other deprived and other areas for each edition."""

from leftbehind.classification.editions import EDITIONS, identify
from leftbehind.classification.rule import GROUPS, classify, top_share_cut

__all__ = ["EDITIONS", "GROUPS", "classify", "identify", "top_share_cut"]
