"""Engines: where the parse runs (this machine's cores, or Dask workers)."""
