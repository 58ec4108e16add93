"""Replay real nights from the public attack records and compare with reported results.

``records`` reads the format, ``night`` rebuilds a night's raid on the reference scenario's
defences, ``calibrate`` simulates it and compares destroyed fractions by weapon class.
"""

from .calibrate import ClassResult, NightResult, replay_night, tolerance
from .night import build_night, decoy_share
from .records import NightRow, RecordsError, available_nights, read_night

__all__ = [
    "ClassResult",
    "NightResult",
    "replay_night",
    "tolerance",
    "build_night",
    "decoy_share",
    "NightRow",
    "RecordsError",
    "available_nights",
    "read_night",
]

from .._api_names import make_callable  # noqa: E402  (sk.replay(...) is the API function, see there)

make_callable(__name__)
