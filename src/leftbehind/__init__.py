"""leftbehind: find England's left-behind neighbourhoods and measure the funding gap they face.

The package follows the data's journey: ``sources`` (load official files) → ``indices``
(rebuild the IMD and its summaries) → ``classification`` (left-behind areas) → ``funding``
(360Giving grants) → ``impact`` (investment modelling) → ``outputs`` (files, reports, maps).
"""

__version__ = "0.1.0"

SYNTHETIC_LABEL = "synthetic demo data"
