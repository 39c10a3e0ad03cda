"""Classification: left-behind, other deprived and other areas for each edition."""
