"""The data link: latency, update interval, outages and jamming never make pictures earlier."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.picture.network import Link, track_quality

T = np.linspace(0.0, 20000.0, 400)
P = np.arange(400) % 7


@pytest.mark.parametrize("lat", [0.0, 5.0, 30.0, 120.0])
def test_more_latency_never_gives_an_earlier_picture(lat: float) -> None:
    base = Link(12.0, lat, 0.05, 300.0, 0.1, key=42).arrival_s(P, T)
    later = Link(12.0, lat + 7.0, 0.05, 300.0, 0.1, key=42).arrival_s(P, T)
    assert np.all(later >= base) and np.all(base >= T)
    np.testing.assert_allclose(later - base, 7.0)


def test_outages_and_jamming_never_give_an_earlier_picture() -> None:
    clean = Link(12.0, 10.0, key=3).arrival_s(P, T)
    for frac, jam in [(0.1, 0.0), (0.0, 0.3), (0.3, 0.3)]:
        worse = Link(12.0, 10.0, frac, 300.0, jam, key=3).arrival_s(P, T)
        assert np.all(worse >= clean)
        assert np.any(worse > clean)


def test_a_clean_link_delivers_at_the_next_reporting_cycle() -> None:
    link = Link(12.0, 10.0, key=1)
    arr = link.arrival_s(P, T)
    wait = arr - 10.0 - T
    assert np.all((wait >= -1e-9) & (wait < 12.0))


def test_outage_fraction_is_honoured_on_average() -> None:
    link = Link(12.0, 0.0, 0.25, 60.0, key=9)
    t = np.arange(0, 3.6e6, 60.0)
    assert abs(1 - link.delivered(np.int64(5), t).mean() - 0.25) < 0.02


def test_track_quality_falls_one_step_per_doubling_of_error() -> None:
    var = np.array([10.0, 100.0, 200.0, 400.0, 1e7]) ** 2
    Pm = np.zeros((5, 4, 4))
    Pm[:, 0, 0] = Pm[:, 2, 2] = var / 2
    tq = track_quality(Pm)
    assert tq[0] == 15 and np.all(np.diff(tq) <= 0) and tq[-1] == 0
