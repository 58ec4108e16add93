"""Replay real nights from the public attack records and compare with reported results.

``records`` reads the format, ``places`` maps the records' place texts to launch areas and
defended regions (data: ``places.yaml``), ``night`` rebuilds a night's raid on the reference
scenario's defences, ``calibrate`` simulates a night and compares destroyed fractions by
weapon class, ``predict`` gives the predictive interval of a reported count, ``validate``
judges the model over many nights, ``fit`` calibrates its parameters on a period (written to
a calibration file, ``params``), ``plot`` draws the validation chart.
"""

from .calibrate import ClassResult, NightResult, replay_night, tolerance
from .night import build_night, decoy_share, region_weights
from .params import Calibration, load_calibration
from .places import load_places
from .records import NightRow, RecordsError, available_nights, read_night, read_nights
from .validate import Validation, validate

__all__ = [
    "Calibration",
    "ClassResult",
    "NightResult",
    "NightRow",
    "RecordsError",
    "Validation",
    "available_nights",
    "build_night",
    "decoy_share",
    "load_calibration",
    "load_places",
    "read_night",
    "read_nights",
    "region_weights",
    "replay_night",
    "tolerance",
    "validate",
]

from .._api_names import make_callable  # noqa: E402  (sk.replay(...) is the API function, see there)

make_callable(__name__)
