"""Sources: the catalogue of official datasets, finding them, fetching them, reading them."""
