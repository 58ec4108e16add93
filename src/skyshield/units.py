"""Physical quantities at the scenario boundary.

Scenario and catalog files write quantities with their unit (``"180 km/h"``, ``"30 kt"``,
``"9000 m"``, ``"12 min"``). They are converted to SI here, once; everything inside the
engine is SI (metres, seconds, metres per second, radians, US dollars) and says so in its
names (``speed_mps``, ``t_s``).

A bare number is refused for a dimensional quantity: ``speed: 180`` would be ambiguous
(m/s? km/h?), and an ambiguity in a scenario file is a silent error in a result.

>>> parse_quantity("180 km/h", "speed")
50.0
>>> parse_quantity("1.5 h", "time")
5400.0
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Final

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

__all__ = [
    "UNITS",
    "LIMITS",
    "UnitError",
    "parse_quantity",
    "quantity",
    "Length",
    "Speed",
    "Duration",
    "Angle",
    "Area",
    "Money",
    "PositiveLength",
    "PositiveSpeed",
    "PositiveDuration",
    "PositiveArea",
    "PositiveArealDensity",
    "Probability",
    "Real",
]

# Factor to SI for each (kind, unit). Lower-case keys; matching is case-insensitive except
# where that would be ambiguous (none of these are).
UNITS: Final[dict[str, dict[str, float]]] = {
    "length": {
        "m": 1.0,
        "km": 1000.0,
        "ft": 0.3048,
        "nmi": 1852.0,
        "nm": 1852.0,
        "mi": 1609.344,
    },
    "speed": {
        "m/s": 1.0,
        "km/h": 1000.0 / 3600.0,
        "kt": 1852.0 / 3600.0,
        "kn": 1852.0 / 3600.0,
        "mph": 1609.344 / 3600.0,
        # Mach at sea level, ISA (340.3 m/s). Used only for rough catalogue values.
        "mach": 340.3,
    },
    "time": {
        "s": 1.0,
        "min": 60.0,
        "h": 3600.0,
        "d": 86400.0,
    },
    "angle": {
        "deg": math.pi / 180.0,
        "rad": 1.0,
    },
    "area": {
        "m2": 1.0,
        "m^2": 1.0,
        "dbsm": float("nan"),  # handled specially: 10*log10(sigma/1 m^2)
    },
    "money": {
        "usd": 1.0,
        "kusd": 1e3,
        "musd": 1e6,
        "busd": 1e9,
    },
    # Mass per area: the ballistic coefficient m / (C_D A) of a re-entry vehicle.
    "areal-density": {
        "kg/m2": 1.0,
        "kg/m^2": 1.0,
        "t/m2": 1000.0,
    },
}

LIMITS: Final[dict[str, tuple[float, str]]] = {
    "length": (4.0e7, "40,000 km (once around the Earth)"),
    "speed": (1.0e5, "100 km/s"),
    "time": (3650 * 86400.0, "3650 d"),
    "angle": (2 * math.pi, "360 deg"),
    "area": (1.0e6, "1e6 m2"),
    "money": (1.0e13, "1e13 USD"),
    "areal-density": (1.0e6, "1e6 kg/m2"),
}
"""Largest magnitude of each kind of quantity a document may hold (SI, and as written).

Far beyond any real value, these bounds exist so that a typo (``1e300 km``) is an error and
never an overflow in the engine."""

_NUMBER = r"[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QTY = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z/^0-9]*)\s*$")


class UnitError(ValueError):
    """A quantity could not be read; the message says what was expected."""


def _examples(kind: str) -> str:
    units = [u for u in UNITS[kind] if u not in ("nm", "kn", "m^2", "kg/m^2")]
    return ", ".join(units)


def parse_quantity(value: object, kind: str) -> float:
    """Convert ``value`` (a string with a unit) to the SI value of quantity ``kind``.

    Parameters
    ----------
    value
        For example ``"150 km"``, ``"400 kt"``, ``"20 min"``. Zero may be written bare.
    kind
        One of the keys of :data:`UNITS`.

    Returns
    -------
    float
        The value in SI units (m, m/s, s, rad, m^2, USD).

    Raises
    ------
    UnitError
        If the value has no unit, an unknown unit, or is not a number.
    """
    table = UNITS[kind]
    if isinstance(value, bool):
        raise UnitError(f"expected a {kind} with a unit ({_examples(kind)}), got {value!r}")
    if isinstance(value, (int, float)):
        if value == 0:
            return 0.0
        raise UnitError(
            f"expected a {kind} with a unit, e.g. '{value} {next(iter(table))}' "
            f"(units: {_examples(kind)}); a bare number is ambiguous"
        )
    if not isinstance(value, str):
        raise UnitError(f"expected a {kind} such as '10 {next(iter(table))}', got {value!r}")
    m = _QTY.match(value)
    if not m:
        raise UnitError(
            f"expected a {kind} such as '10 {next(iter(table))}' (units: {_examples(kind)}), "
            f"got {value!r}"
        )
    number = float(m.group(1).replace("_", ""))
    unit = m.group(2).lower()
    if unit == "" and number == 0:
        return 0.0
    if unit == "dbsm" and kind == "area":
        if abs(number) > 600:  # 10^60 m^2 either way: no radar cross-section
            raise UnitError(f"{value!r} is not a radar cross-section (|dBsm| must be at most 600)")
        return 10.0 ** (number / 10.0)
    if unit not in table:
        raise UnitError(f"unknown {kind} unit {m.group(2)!r} in {value!r}; use one of: {_examples(kind)}")
    si = number * table[unit]
    if not math.isfinite(si):
        raise UnitError(f"{value!r} is not a finite {kind}")
    return si


_SI_NAME = {"length": "metres", "speed": "metres per second", "time": "seconds", "angle": "radians",
            "area": "square metres", "money": "US dollars", "areal-density": "kilograms per square metre"}


def _parser(kind: str, positive: bool) -> BeforeValidator:
    top, top_text = LIMITS[kind]

    def parse(v: object) -> float:
        x = parse_quantity(v, kind)
        if positive and not x > 0:
            raise UnitError(f"expected a positive {kind}, got {v!r}")
        if x < 0:
            raise UnitError(f"expected a {kind} of at least 0, got {v!r}")
        if x > top:
            raise UnitError(f"{v!r} is beyond the largest {kind} accepted, {top_text}")
        return x

    return BeforeValidator(parse)


def _schema(kind: str, positive: bool) -> WithJsonSchema:
    # JSON Schema regexes (ECMA-262) have no inline flags: spell case-insensitivity out.
    units = "|".join(
        "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in u)
        for u in UNITS[kind]
    )
    # A minus sign is never valid (magnitudes only), except in dBsm (below 1 m^2).
    number = _NUMBER if kind == "area" else _NUMBER.replace("[-+]?", r"\+?", 1)
    if positive:  # not a zero such as 0, 0.0, 0e3
        number = r"(?!\+?0*\.?0*(?:[eE][-+]?\d+)?\s*[a-zA-Z])" + number
    sign = "positive" if positive else "non-negative"
    return WithJsonSchema(
        {
            "type": "string",
            "pattern": rf"^\s*{number}\s*({units})\s*$",
            "description": f"a {sign} {kind} with its unit ({_examples(kind)}), at most {LIMITS[kind][1]}; "
            f"held in {_SI_NAME[kind]}",
        }
    )


_AS_FLOAT = PlainSerializer(lambda x: x, return_type=float)


def quantity(kind: str, positive: bool = False) -> object:
    """The annotated type of a quantity of ``kind`` (a key of :data:`UNITS`).

    Written with its unit, held in SI; finite, at least 0 (above 0 if ``positive``) and at
    most :data:`LIMITS` ``[kind]``. The JSON Schema carries the same domain.
    """
    return Annotated[float, _parser(kind, positive), _schema(kind, positive), _AS_FLOAT]


Length = quantity("length")
"""A length >= 0: written with a unit (``m``, ``km``, ``ft``, ``nmi``), held in metres."""
Speed = quantity("speed")
"""A speed >= 0: written with a unit (``m/s``, ``km/h``, ``kt``, ``mph``, ``mach``), held in m/s."""
Duration = quantity("time")
"""A duration or clock time >= 0: written with a unit (``s``, ``min``, ``h``, ``d``), held in s."""
Angle = quantity("angle")
"""An angle >= 0: written with a unit (``deg``, ``rad``), held in radians."""
Area = quantity("area")
"""An area >= 0 such as a radar cross-section: ``m2`` or ``dBsm``, held in m^2."""
Money = quantity("money")
"""An amount of money >= 0: ``USD``, ``kUSD``, ``MUSD``, ``BUSD``, held in USD."""
PositiveLength = quantity("length", positive=True)
"""A length > 0 (a radius, a range, a speed's distance scale)."""
PositiveSpeed = quantity("speed", positive=True)
"""A speed > 0."""
PositiveDuration = quantity("time", positive=True)
"""A duration > 0 (a revisit, an interval, a window)."""
PositiveArea = quantity("area", positive=True)
"""An area > 0 (a radar cross-section)."""
PositiveArealDensity = quantity("areal-density", positive=True)
"""A mass per area > 0 (a ballistic coefficient): ``kg/m2`` or ``t/m2``, held in kg/m^2."""


def _probability(v: object) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise UnitError(f"expected a probability between 0 and 1, got {v!r}")
    if not 0.0 <= float(v) <= 1.0:
        raise UnitError(f"expected a probability between 0 and 1, got {v!r}")
    return float(v)


Probability = Annotated[float, BeforeValidator(_probability)]
"""A probability in [0, 1]."""


def _not_bool(v: object) -> object:
    if isinstance(v, bool):
        raise UnitError(f"expected a number, got {v!r}")
    return v


Real = Annotated[float, BeforeValidator(_not_bool)]
"""A plain number (``true`` is not 1); finite where the model forbids inf and nan."""
