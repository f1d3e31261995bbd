"""Rating engine (filled in as the modules land)."""
