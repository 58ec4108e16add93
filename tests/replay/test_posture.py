"""The duty posture: the share of the defended country's short- and medium-range shooters on
duty grows with the night's size (replay/night.py: duty_share, on_duty).

Shown on a hand-built front-line night, where it must matter (a small night loses its mobile
fire groups, Gepards, fighters and the IRIS-T units near the front), and on a mass night,
where it must not (every unit is on duty from 400 launches)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.catalog import load_catalog
from skyshield.engine.compile import _unit_sites
from skyshield.replay.calibrate import simulate_night
from skyshield.replay.night import (
    POSTURE_FULL_LAUNCHES,
    POSTURE_TYPES,
    build_night,
    duty_share,
    on_duty,
)
from skyshield.replay.params import ReplayParameters
from skyshield.replay.records import NightRow
from skyshield.scenario import load_scenario


@pytest.fixture(scope="module")
def world():
    cat = load_catalog()
    return cat, load_scenario("eastern-flank-night-raid-v1", cat)


def _row(**kw) -> NightRow:
    base = {"model": "Shahed-136/131", "weapon_class": "drone", "threat_type": "shahed-136", "launched": 60.0,
            "destroyed": 40.0, "not_reach_goal": 0.0, "is_shahed": None,
            "launch_place": "Kursk oblast and Belgorod oblast", "target": "Sumy oblast",
            "affected_regions": ("Kharkiv oblast", "Donetsk oblast"),
            "time_start": "2025-08-09 19:00", "time_end": "2025-08-10 08:00", "line": 7}
    base.update(kw)
    return NightRow(**base)


def test_duty_share_is_the_power_law_capped_at_one() -> None:
    assert duty_share(100.0, 0.0) == 1.0  # exponent 0: the whole laydown every night
    assert duty_share(100.0, 0.5) == pytest.approx(0.5)  # (100 / 400) ** 0.5
    assert duty_share(25.0, 1.0) == pytest.approx(25.0 / 400.0)
    assert duty_share(POSTURE_FULL_LAUNCHES, 0.7) == 1.0 and duty_share(800.0, 0.7) == 1.0
    assert duty_share(0.0, 0.5) == pytest.approx(math.sqrt(1.0 / 400.0))  # never zero


@given(st.floats(1.0, 2000.0), st.floats(1.0, 2000.0), st.floats(0.0, 1.0))
def test_duty_share_grows_with_the_night_and_falls_with_the_exponent(a: float, b: float, g: float) -> None:
    lo, hi = sorted((a, b))
    assert duty_share(lo, g) <= duty_share(hi, g) <= 1.0
    assert duty_share(lo, min(g + 0.1, 1.0)) <= duty_share(lo, g)


def _origin(force_id: str) -> str:
    """The full force a unit on duty came from (``ua-mfg-sumy-u3`` -> ``ua-mfg-sumy``)."""
    return re.sub(r"-u\d+$", "", force_id)


def test_on_duty_thins_only_the_posture_types_and_is_keyed(world) -> None:
    _, ref = world
    assert on_duty(ref.forces, 1.0, key=3) == tuple(ref.forces)
    out = on_duty(ref.forces, 0.5, key=3)
    assert out == on_duty(ref.forces, 0.5, key=3)  # same key, same units
    assert out != on_duty(ref.forces, 0.5, key=4)
    keep = [f for f in ref.forces if f.side != "defended" or f.type not in POSTURE_TYPES]
    assert [f for f in out if f.side != "defended" or f.type not in POSTURE_TYPES] == keep  # Patriot, EW, allied...
    before = {f.id: f for f in ref.forces}
    on: dict[str, int] = {}
    for f in out:
        on[_origin(f.id)] = on.get(_origin(f.id), 0) + f.count
    assert all(1 <= n <= before[k].count for k, n in on.items())


def test_units_on_duty_stay_where_the_full_force_had_them(world) -> None:
    """A thinned screen keeps its units on duty at their own places on the full force's ring
    (a smaller ring would move them: 20 mobile fire groups sit 25 km out, 4 would sit 10 km)."""
    _, ref = world
    sites = {uid: (lon, lat) for f in ref.forces for uid, lon, lat in _unit_sites(f)}
    out = on_duty(ref.forces, 0.3, key=11)
    thinned = [f for f in out if f.id not in {g.id for g in ref.forces}]
    assert len(thinned) > 50
    for f in thinned:
        k = int(f.id.rsplit("-u", 1)[1])
        assert f.count == 1 and f.lonlat == pytest.approx(sites[f"{_origin(f.id)}#{k}"])


def test_on_duty_counts_are_binomial(world) -> None:
    """Over many keys the mobile fire groups on duty average share x 341 within 4 standard
    errors, with the binomial spread sqrt(341 p (1 - p))."""
    _, ref = world
    total = sum(f.count for f in ref.forces if f.type == "mobile-fire-group" and f.side == "defended")
    p = 0.3
    n = np.array([sum(f.count for f in on_duty(ref.forces, p, key=k) if f.type == "mobile-fire-group"
                      and f.side == "defended") for k in range(300)])
    sd = math.sqrt(total * p * (1 - p))
    assert abs(n.mean() - total * p) < 4 * sd / math.sqrt(n.size)
    assert 0.8 * sd < n.std(ddof=1) < 1.2 * sd


@settings(max_examples=25, deadline=None)
@given(st.floats(0.0, 1.0), st.integers(0, 2**32))
def test_on_duty_never_adds_a_unit(world, share: float, key: int) -> None:
    _, ref = world
    before = {f.id: f.count for f in ref.forces}
    out = on_duty(ref.forces, share, key)
    on: dict[str, int] = {}
    for f in out:
        on[_origin(f.id)] = on.get(_origin(f.id), 0) + f.count
    assert all(1 <= n <= before[k] for k, n in on.items())
    assert sum(f.count for f in out) <= sum(before.values())


def _fraction(world, rows, gamma: float) -> tuple[float, float]:
    cat, ref = world
    draws = tuple(ReplayParameters(aim_exponent={"drone": 0.5, "cruise": 1.0, "ballistic": 1.0}, decoy_share=0.0,
                                   posture_exponent=gamma) for _ in range(8))
    sim = simulate_night(rows, "2025-08-10", 24, 5, draws, cat, ref)
    f = sim.stopped["drone"] / sim.launched["drone"]
    return float(f.mean()), 1.96 * float(f.std(ddof=1)) / math.sqrt(f.size)


def test_a_small_front_line_night_loses_its_off_duty_shooters(world) -> None:
    """60 drones at Sumy, Kharkiv and Donetsk oblasts: with gamma = 0.5 about 39 % of the
    posture units are on duty ((60 / 400) ** 0.5): the destroyed fraction falls by more than
    0.08, and the 95 % intervals are apart (measured: 0.53 -> 0.43)."""
    rows = [_row()]
    full, h_full = _fraction(world, rows, 0.0)
    thin, h_thin = _fraction(world, rows, 0.5)
    assert full - thin > 0.08 and full - thin > h_full + h_thin, (full, h_full, thin, h_thin)


def test_a_mass_night_keeps_every_unit(world) -> None:
    cat, ref = world
    big = [_row(launched=450.0, destroyed=400.0)]
    a = build_night(ref, cat, big, "2025-08-10", aim_exponent=0.5, posture_exponent=0.0)
    b = build_night(ref, cat, big, "2025-08-10", aim_exponent=0.5, posture_exponent=0.8, posture_key=9)
    assert b.forces == a.forces == ref.forces
