"""Impact: modelling long-term investment in left-behind areas and its benefits."""
