import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skyshield.units import UnitError, parse_quantity


@pytest.mark.parametrize(
    ("text", "kind", "si"),
    [
        ("180 km/h", "speed", 50.0),
        ("1 kt", "speed", 1852.0 / 3600.0),
        ("10 ft", "length", 3.048),
        ("1 nmi", "length", 1852.0),
        ("12 min", "time", 720.0),
        ("1.5 h", "time", 5400.0),
        ("90 deg", "angle", math.pi / 2),
        ("-10 dBsm", "area", 0.1),
        ("4.1 MUSD", "money", 4.1e6),
        ("2_500 km", "length", 2.5e6),
    ],
)
def test_quantities_convert_to_si(text: str, kind: str, si: float) -> None:
    assert parse_quantity(text, kind) == pytest.approx(si)


def test_bare_number_is_refused_as_ambiguous() -> None:
    with pytest.raises(UnitError, match="ambiguous"):
        parse_quantity(180, "speed")


def test_zero_needs_no_unit() -> None:
    assert parse_quantity(0, "time") == 0.0


@pytest.mark.parametrize("bad", ["180 furlongs", "fast", "km/h 180", "", None, [1]])
def test_unknown_units_and_garbage_are_refused(bad: object) -> None:
    with pytest.raises(UnitError):
        parse_quantity(bad, "speed")


@given(st.floats(min_value=1e-3, max_value=1e6, allow_nan=False))
def test_km_is_a_thousand_metres(x: float) -> None:
    assert parse_quantity(f"{x!r} km", "length") == pytest.approx(1000 * parse_quantity(f"{x!r} m", "length"))
