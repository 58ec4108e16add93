"""Results store: Parquet per finished chunk, a manifest, and an embedded DuckDB catalog.

>>> from skyshield.store import ResultStore      # doctest: +SKIP
>>> st = ResultStore.open("runs/night-raid")     # doctest: +SKIP
>>> st.metrics().num_rows                        # doctest: +SKIP
"""

from .files import FORMAT, FORMAT_VERSION, MANIFEST, ChunkFile, StoreError, is_store, read_manifest
from .results import ResultStore, code_version

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "ChunkFile",
    "ResultStore",
    "StoreError",
    "code_version",
    "connect",
    "is_store",
    "query",
    "read_manifest",
    "rebuild_catalog",
]


def __getattr__(name: str):  # DuckDB is an extra: import it only when asked for
    if name in ("connect", "query", "rebuild_catalog"):
        from . import catalog

        return getattr(catalog, name)
    raise AttributeError(name)
