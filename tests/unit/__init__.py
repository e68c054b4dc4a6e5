"""Pure functions: no store, no network."""
