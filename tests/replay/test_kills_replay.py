"""Checks written for the survivors of the seed-2 mutation sample of ``replay/``.

Each names the mistake it catches, applied by hand and seen to fail. Expected values are closed
forms or the functions' documented contracts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyshield.replay.fit import _curve
from skyshield.replay.night import _reachable
from skyshield.replay.places import load_places
from skyshield.replay.predict import estimate_rho, mixture_pmf
from skyshield.replay.records import RecordsError, read_records


def test_spread_is_zero_when_every_night_is_one_launch() -> None:
    # With n_i = 1 the method-of-moments denominator sum m(1-m)(n-1)/n is 0: nothing can be
    # said about the spread, and the estimate is 0. Mistake caught: dividing by that zero.
    assert estimate_rho([1.0, 0.0, 1.0], [0.5, 0.4, 0.7], [1, 1, 1]) == 0.0


def test_a_correlation_of_one_is_refused_with_its_range() -> None:
    # Mistake caught: a changed message (the analyst reads it).
    with pytest.raises(ValueError, match=r"^rho must be in \[0, 1\)$"):
        mixture_pmf(10, [0.5], rho=1.0)


def test_no_simulated_nights_interpolate_to_an_empty_table_of_the_fine_grid() -> None:
    # Mistake caught: the empty case returning a 0-d array.
    fine = np.linspace(0.0, 2.0, 21)
    out = _curve(np.zeros((0, 3)), [0.0, 1.0, 2.0], fine)
    assert out.shape == (0, 21)


def test_with_no_aim_in_reach_and_no_aims_the_nearest_allowed_region_is_taken() -> None:
    # From 36 E 50 N: Kharkiv (36.23 E, 49.99 N) is nearer than Poltava (34.55 E, 49.59 N) and
    # Kyiv (30.52 E, 50.45 N); distances by the haversine formula, apart from the code's geodesy.
    where = {"kyiv": (30.52, 50.45), "poltava": (34.55, 49.59), "kharkiv": (36.23, 49.99)}

    def hav(a, b):
        lo1, la1, lo2, la2 = map(np.radians, (*a, *b))
        h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
        return 2 * 6371.0 * np.arcsin(np.sqrt(h))

    origin = (36.0, 50.0)
    nearest = min(where, key=lambda k: hav(origin, where[k]))
    assert nearest == "kharkiv"
    # Mistake caught: the origin's latitude read from a third coordinate that is not there.
    assert _reachable({}, origin, where, 1e3, set(where)) == {nearest: 1.0}


@pytest.mark.parametrize("text,expected", [("North", True), ("  south ", True), ("EAST", True), ("Kyiv", False)])
def test_directions_are_recognised_whatever_their_case(text: str, expected: bool) -> None:
    # Mistake caught: comparing upper-cased text with the lower-case direction names.
    assert load_places().is_direction(text) is expected


def test_a_nul_byte_is_reported_on_its_line(tmp_path: Path) -> None:
    # The NUL is on the third line of the file. Mistake caught: an off-by-one line number.
    f = tmp_path / "att.csv"
    f.write_bytes(b"time_start,time_end\n2025-01-01 00:00,2025-01-01 06:00\n2025-01-02\x00 00:00,x\n")
    with pytest.raises(RecordsError, match=r"att\.csv:3: NUL byte"):
        read_records(f)
