"""The adaptive adversary (``skyshield.engine.adversary``) on a hand-built geometry.

Drones launched near Bryansk fly to two cities. An allied IRIS-T SLM fire unit (40 km against
drones), deployed at Chernihiv under "anything in reach", covers that city and the dog-leg of
route A (group ``a``: launch -> a via point north-west of Chernihiv -> Poltava, the second leg
passing about 18 km from the battery). Group ``b`` flies direct, half to Chernihiv, half to
Poltava. Nothing defends Poltava.

* Under ``fixed`` every route-A track enters the battery's envelope; under ``adaptive`` none
  does (checked by great-circle distances of points sampled along the flown chain, not by the
  gnomonic construction the module uses).
* The retargeting rule moves the documented share of group ``b``'s aim from Chernihiv (covered)
  to Poltava (the least covered): weights (0.5, 0.5) -> (0.25, 0.75), in the compiled plan
  exactly and in the sampled aim points within a binomial interval.
* Leakers at Chernihiv fall and leakers at Poltava rise (paired over the same raids).
* Under ``none`` (no allied posture) the adaptive adversary flies the fixed raid, bit for bit.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from skyshield.engine import compile_scenario, simulate
from skyshield.engine.adversary import AdaptiveRules, adapt_params, plan_adversary
from skyshield.engine.raid import sample_raid
from skyshield.geo import great_circle_distance_m, lonlat_to_unit, unit_to_lonlat
from skyshield.options import resolve_option
from skyshield.rng import Streams

from .builder import build, paired_ci

SAM_LONLAT = (31.29, 51.49)
SAM_REACH_M = 40_000.0  # iris-t-slm against drones (catalog)
REPS = 10


#: The hand-built corridor: Chernihiv under an allied IRIS-T, Poltava uncovered, drones from Bryansk.
CORRIDOR = {
    "assets": [{"id": "chernihiv", "kind": "city", "lonlat": list(SAM_LONLAT), "radius": "8 km",
             "population": 280000, "value": 3e8},
            {"id": "poltava", "kind": "city", "lonlat": [34.55, 49.59], "radius": "8 km", "population": 280000,
             "value": 3e8}],
    "launch_areas": [{"id": "bryansk", "lonlat": [33.8, 52.8], "radius": "10 km"}],
    "forces": [{"id": "radar", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [32.0, 51.0]},
            {"id": "iris-allied", "type": "iris-t-slm", "side": "allied", "package": "shield",
             "lonlat": list(SAM_LONLAT), "deployed_forward": True}],
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("adversary")
    return build(
        tmp,
        **CORRIDOR,
        groups=[{"id": "a", "type": "shahed-136", "count": 30, "launch_areas": ["bryansk"],
                 "launch_window": ["0 h", "2 h"], "targets": {"poltava": 1}, "via": [[[30.9, 51.9]]],
                 "dispersion": "1 km"},
                {"id": "b", "type": "shahed-136", "count": 40, "launch_areas": ["bryansk"],
                 "launch_window": ["0 h", "2 h"], "targets": {"chernihiv": 1, "poltava": 1}, "dispersion": "1 km"}],
        options={"shield": {"packages": ["shield"], "data_sharing": "fire-control", "roe": "in-reach"}},
        duration="10 h",
    )


@pytest.fixture(scope="module")
def params(world):
    sc, cat = world
    return {(o, a): compile_scenario(sc, cat, resolve_option(o, sc), a)
            for o in ("none", "shield") for a in ("fixed", "adaptive")}


def _min_distance_to_sam_m(raid, rows) -> np.ndarray:
    """Smallest great-circle distance to the battery along each track's chain (points every ~1 km)."""
    out = np.empty(len(rows))
    for k, i in enumerate(rows):
        p = raid.waypoints[i, : raid.n_points[i]]
        u = lonlat_to_unit(p[:, 0], p[:, 1])
        best = np.inf
        for a, b in zip(u[:-1], u[1:]):
            t = np.linspace(0.0, 1.0, 800)[:, None]
            om = np.arccos(np.clip(a @ b, -1.0, 1.0))
            pts = (np.sin((1 - t) * om) * a + np.sin(t * om) * b) / np.sin(om) if om > 0 else a[None, :]
            lon, lat = unit_to_lonlat(pts)
            best = min(best, float(np.min(great_circle_distance_m(lon, lat, *SAM_LONLAT))))
        out[k] = best
    return out


def test_route_a_enters_the_envelope_under_fixed_and_never_under_adaptive(params) -> None:
    for rep in range(3):
        fixed = sample_raid(params["shield", "fixed"], Streams(11, rep))
        adapt = sample_raid(params["shield", "adaptive"], Streams(11, rep))
        rows_f, rows_a = np.flatnonzero(fixed.group == 0), np.flatnonzero(adapt.group == 0)
        assert rows_f.size == rows_a.size == 30
        d_fixed, d_adapt = _min_distance_to_sam_m(fixed, rows_f), _min_distance_to_sam_m(adapt, rows_a)
        assert (d_fixed < SAM_REACH_M - 10_000).all()  # every route-A track passes well inside
        assert (d_adapt >= SAM_REACH_M).all()  # none enters, after the detour
        assert (d_adapt <= SAM_REACH_M * 1.2).all()  # and the detour hugs the envelope (no wild loop)
        # Launch point, launch time and aim point are the fixed raid's: the detour draws nothing.
        assert np.array_equal(fixed.launch_s[rows_f], adapt.launch_s[rows_a])
        assert np.array_equal(fixed.waypoints[rows_f, 0], adapt.waypoints[rows_a, 0])
        last = adapt.waypoints[rows_a, adapt.n_points[rows_a] - 1]
        assert np.array_equal(fixed.waypoints[rows_f, 2], last)


def test_retargeting_moves_the_documented_share_to_the_least_covered_city(params, world) -> None:
    s = AdaptiveRules().retarget_share
    plan = params["shield", "adaptive"].adversary
    w_a, w_b = plan.weights
    assert w_a.tolist() == [1.0]  # one aim area: nothing to move
    assert w_b == pytest.approx([0.5 * (1 - s), 0.5 * (1 - s) + s])  # (0.25, 0.75)
    assert plan.deterrence["score"] == 0.0 and plan.size_multiplier == 1.0  # a SAM is no tripwire
    # Half the share again: the rule is linear in s.
    sc, cat = world
    p = compile_scenario(sc, cat, resolve_option("shield", sc))
    half = plan_adversary(p, AdaptiveRules(retarget_share=s / 2))
    assert half.weights[1] == pytest.approx([0.5 * (1 - s / 2), 0.5 * (1 - s / 2) + s / 2])
    # The sampled aim follows: share aimed at Chernihiv over 20 raids of 40 threats.
    n = at_c = at_c_fixed = 0
    for rep in range(20):
        ra = sample_raid(params["shield", "adaptive"], Streams(3, rep))
        rf = sample_raid(params["shield", "fixed"], Streams(3, rep))
        rows = np.flatnonzero(ra.group == 1)
        n += rows.size
        at_c += int((ra.target[rows] == 0).sum())
        at_c_fixed += int((rf.target[rf.group == 1] == 0).sum())
        assert np.array_equal(ra.launch_s[rows], rf.launch_s[rf.group == 1])  # same draws, new weights
    lo, hi = stats.binomtest(at_c, n).proportion_ci(0.99)
    assert lo <= 0.5 * (1 - s) <= hi < 0.4
    lo_f, hi_f = stats.binomtest(at_c_fixed, n).proportion_ci(0.99)
    assert lo_f <= 0.5 <= hi_f


@pytest.fixture(scope="module")
def nights(params):
    keys = ("asset_chernihiv_leaked", "asset_poltava_leaked", "leaked", "launched")
    out = {}
    for a in ("fixed", "adaptive"):
        ms = [simulate(params["shield", a], 5, r).metrics for r in range(REPS)]
        out[a] = {k: np.array([m[k] for m in ms]) for k in keys}
    return out


def test_leakers_fall_at_the_covered_city_and_rise_where_no_one_defends(nights) -> None:
    f, a = nights["fixed"], nights["adaptive"]
    assert (f["launched"] == 70).all() and (a["launched"] == 70).all()
    # Chernihiv: about 20 drones aimed there under fixed, about 10 under adaptive.
    d, h = paired_ci(f["asset_chernihiv_leaked"], a["asset_chernihiv_leaked"])
    assert d - h > 0.0
    # Poltava: about 10 more drones aimed there, and route A no longer passes the battery.
    d, h = paired_ci(a["asset_poltava_leaked"], f["asset_poltava_leaked"])
    assert d - h > 5.0
    d, h = paired_ci(a["leaked"], f["leaked"])
    assert d - h > 5.0


def test_without_an_allied_posture_the_adaptive_raid_is_the_fixed_raid(params) -> None:
    fixed, adapt = params["none", "fixed"], params["none", "adaptive"]
    assert fixed.adversary is None and adapt.adversary is not None
    assert adapt.adversary.env_lonlat.shape[0] == 0 and (adapt.adversary.counts == [30, 40]).all()
    for r in range(2):
        assert simulate(fixed, 9, r).metrics == simulate(adapt, 9, r).metrics


def test_fixed_is_the_compiled_option_unchanged(world) -> None:
    sc, cat = world
    p = compile_scenario(sc, cat, resolve_option("shield", sc))
    assert p.adversary is None
    assert adapt_params(p, "fixed") is p
    with pytest.raises(ValueError, match="unknown adversary"):
        adapt_params(p, "clever")
