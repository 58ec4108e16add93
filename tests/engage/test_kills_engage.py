"""Checks written for the survivors of the seed-2 mutation sample of ``engage/``.

Each test names the mistake it catches; each mistake was applied by hand and the test seen to
fail. The values are closed forms (a head-on pursuit, the ends of an arc) or the documented
contract of the function, not outputs of the code under test.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from skyshield.engage.doctrine import interceptors_for_confidence
from skyshield.engage.fighters import intercept_time, launch_on_warning
from skyshield.engage.standoff import SAMPLE_STEP_M, StandOffRule, clip_outside
from skyshield.geo import Theatre, great_circle_distance_m, lonlat_to_unit

from ..engine.builder import THEATRE

RULE = StandOffRule(200e3, ("RUS",))
TH = Theatre(THEATRE["defended"], tuple(THEATRE["allied"]), tuple(THEATRE["adversary"]), tuple(THEATRE["neutral"]))
R_EARTH_M = 6371008.8


def test_a_kill_probability_of_zero_is_refused_with_the_documented_error() -> None:
    # Mistake caught: accepting pk = 0 (the salvo formula then divides by log(1) = 0).
    with pytest.raises(ValueError, match=r"pk must be in \(0, 1\]"):
        interceptors_for_confidence(0.0, 4, 0.9)


@pytest.mark.parametrize("excess", [0.5, 0.9, -0.7])
def test_head_on_intercept_time_is_the_closing_time_when_speeds_almost_match(excess: float) -> None:
    # A threat 100 km east flying straight at the fighter's base, at nearly the fighter's speed
    # (v^2 - s^2 = excess m^2/s^2): they meet after d / (s + v), whatever the two speeds.
    # Mistake caught: treating |v^2 - s^2| < 1 as equal speeds (a linear solve, off by ~2e-6
    # relative); the quadratic's own cancellation costs ~1e-11 here, hence the 1e-9 tolerance.
    s = 250.0
    v = math.sqrt(s * s + excess)
    t = intercept_time((0.0, 0.0), s, 0.0, (100e3, 0.0), (-v, 0.0))
    assert t == pytest.approx(100e3 / (s + v), rel=1e-9)


def _arc(lon0, lat0, lon1, lat1):
    a = lonlat_to_unit(lon0, lat0).reshape(1, 3)
    b = lonlat_to_unit(lon1, lat1).reshape(1, 3)
    cos = float(np.sum(a * b))
    t = b - a * cos
    t /= np.linalg.norm(t)
    return a, t, float(np.arccos(np.clip(cos, -1.0, 1.0)))


def test_no_arcs_give_three_empty_one_dimensional_columns() -> None:
    # Mistake caught: the empty case returning 0-d arrays for the arc ends.
    row, s0, s1 = clip_outside(TH, RULE, np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0), np.zeros(0))
    assert row.shape == s0.shape == s1.shape == (0,)
    assert row.dtype == np.int64 and s0.dtype == s1.dtype == np.float64


@pytest.mark.parametrize("lon1", [24.01, 24.5, 26.0])  # 0.7 km (under one sample step), 36 km, 143 km
def test_an_arc_far_from_the_keep_out_is_kept_whole_to_its_exact_end(lon1: float) -> None:
    # Lviv oblast, some 700 km from Russia: nothing of the arc is inside the keep-out, so the one
    # part kept is [0, arc] exactly. Mistakes caught: a short arc sampled at its start only, and
    # samples running past the arc's end.
    a, t, arc = _arc(24.0, 49.8, lon1, 49.8)
    row, s0, s1 = clip_outside(TH, RULE, a, t, np.array([0.0]), np.array([arc]))
    assert row.tolist() == [0]
    assert s0[0] == 0.0
    assert s1[0] == pytest.approx(arc, rel=1e-12)
    assert (arc * R_EARTH_M < SAMPLE_STEP_M) == (lon1 == 24.01)


def test_an_untracked_threat_launches_no_patrol_and_the_tracked_ones_still_do(tmp_path: Path) -> None:
    # The first threat of the night is taken out of the defended side's picture: the CAP is then
    # launched on the first threat still tracked, at its warning + alert + transit.
    # Mistake caught: an untracked threat's time becoming ``None`` (a patrol that cannot be timed).
    from .test_launch_on_warning import BASE, STATION, _night

    params, cat, raid, seg, pic = _night(tmp_path)
    first = int(np.argmin(pic.network_t[0]))
    net = pic.network_t.copy()
    net[:, first] = np.inf
    blind = dataclasses.replace(pic, network_t=net)
    t_w = float(net[0].min())
    assert np.isfinite(t_w) and t_w > float(pic.network_t[0].min())
    timed = launch_on_warning(params, raid, seg, blind)
    f16 = cat.shooters["f-16-cap"].aircraft
    transit = float(great_circle_distance_m(*BASE, *STATION)) / f16.dash_speed.value
    assert timed.shooters.avail_from_s[0] == pytest.approx(t_w + 900.0 + transit)
