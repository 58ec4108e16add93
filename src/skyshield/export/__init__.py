"""Exports of one replication to the field's tools: KML (Google Earth), CZML (Cesium), Tacview
ACMI 2.2, GeoJSON (RFC 7946) and DIS 7 PDUs (a pcap file, or UDP to a loopback port).

Every format is written from one :class:`~skyshield.export.trace.Trace` (the replication's
events and positions over time), by a module with ``to_bytes(trace)`` and ``write(trace, path)``;
the same replication gives the same bytes. Format libraries (``simplekml``, ``czml3``) are the
``export`` extra and are imported only when their format is asked for.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from types import ModuleType

from .trace import DEFAULT_START, DEFAULT_STEP_S, FATES, Trace, trace_params

__all__ = [
    "DEFAULT_START",
    "DEFAULT_STEP_S",
    "FATES",
    "FORMATS",
    "Trace",
    "format_module",
    "suffix",
    "trace_params",
    "write",
]

FORMATS = {"kml": "kml", "czml": "czml", "acmi": "acmi", "geojson": "geojson", "dis": "dis"}
"""Format name -> module of this package."""

_EXTRA = {"kml": "simplekml", "czml": "czml3"}


def format_module(fmt: str) -> ModuleType:
    """The writer module of a format; ``KeyError`` for an unknown one, ``ImportError`` naming
    the ``export`` extra when its library is missing."""
    if fmt not in FORMATS:
        raise KeyError(fmt)
    lib = _EXTRA.get(fmt)
    if lib is not None:
        try:
            import_module(lib)
        except ImportError as exc:
            raise ImportError(f"the {fmt} export needs {lib}: pip install 'skyshield[export]'") from exc
    return import_module(f".{FORMATS[fmt]}", __name__)


SUFFIXES = {"kml": ".kml", "czml": ".czml", "acmi": ".txt.acmi", "geojson": ".geojson", "dis": ".pcap"}
"""File name suffix of each format (the writer modules say the same: tested)."""


def suffix(fmt: str) -> str:
    """The file name suffix of a format (``.kml``, ``.czml``, ``.txt.acmi``, ``.geojson``, ``.pcap``)."""
    return SUFFIXES[fmt]


def write(trace: Trace, fmt: str, path: str | Path) -> Path:
    """Write ``trace`` in format ``fmt`` to ``path``."""
    mod = format_module(fmt)
    return mod.write(trace, path)
