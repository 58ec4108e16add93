"""The adaptive adversary's size and mix responses, common random numbers, determinism, and the
detour geometry against an independent great-circle check.

* Size: every group's count is ``round(n (1 - a delta))`` with the deterrence score ``delta``
  read from the option's tripwires, clauses and allied presence (closed form, several ``a``);
  the night's ``launched`` metric is that sum.
* CRN: a smaller group keeps exactly the first threats of the fixed raid (same launch time,
  target, waypoints, failure); threats added to a group come from their own streams, after all
  others, and leave the rest alone.
* Mix: where allied fighters reach a drone group's aim, the documented share of its drones is
  traded for ballistic missiles of the same catalog cost.
* Determinism: one worker and two give the same rows under ``adaptive``.
* The detour never enters the disc it goes round (hypothesis, distances by haversine along
  points sampled on the flown great circles).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.catalog import THREAT_CLASSES, load_catalog
from skyshield.engine import compile_scenario, simulate
from skyshield.engine.adversary import (
    AdaptiveRules,
    AdversaryPlan,
    adapt_params,
    detour,
    plan_adversary,
)
from skyshield.engine.raid import sample_raid
from skyshield.geo import great_circle_distance_m, lonlat_to_unit, unit_to_lonlat
from skyshield.options import resolve_option
from skyshield.rng import Streams
from skyshield.runner import Experiment, run_experiment
from skyshield.scenario import load_scenario


@pytest.fixture(scope="module")
def night():
    sc = load_scenario("eastern-flank-night-raid-v1")
    cat = load_catalog()
    return sc, cat, {o: compile_scenario(sc, cat, resolve_option(o, sc)) for o in ("tripwire", "contingency-clauses")}


def _delta(params, rules: AdaptiveRules) -> float:
    """The documented deterrence score, from the option's policy as compiled."""
    pol = params.policy
    trip = 1.0 if len(pol.tripwire_ids) else 0.0
    clause = pol.credibility0 * max((c.probability for c in pol.clauses), default=0.0)
    presence = 1.0 if len(pol.exposed_ids) else 0.0
    return min(1.0, rules.w_tripwire * trip + rules.w_clauses * clause + rules.w_presence * presence)


@pytest.mark.parametrize("option", ["tripwire", "contingency-clauses"])
@pytest.mark.parametrize("a", [0.0, 0.3, 0.6, 1.0])
def test_raid_size_follows_the_response_function(night, option, a) -> None:
    _, _, params = night
    p = params[option]
    rules = AdaptiveRules(size_response=a)
    plan = plan_adversary(p, rules)
    delta = _delta(p, rules)
    assert plan.deterrence["score"] == pytest.approx(delta) and delta > 0.25  # both options deter
    assert plan.size_multiplier == pytest.approx(1.0 - a * delta)
    want = [int(np.floor(g.count * (1.0 - a * delta) + 0.5)) for g in p.raid]
    assert plan.counts.tolist() == want  # no allied fighter over the defended country: no mix change
    raid = sample_raid(replace(p, adversary=plan), Streams(7, 0))
    assert raid.size == sum(want)
    assert np.bincount(raid.group, minlength=len(want)).tolist() == want


def test_deterrence_ingredients_of_the_presets(night) -> None:
    _, _, params = night
    d = plan_adversary(params["tripwire"]).deterrence
    assert d["tripwires"] == 1.0 and d["clauses"] == 0.0
    d = plan_adversary(params["contingency-clauses"]).deterrence
    assert d["tripwires"] == 0.0 and 0.0 < d["clauses"] <= 1.0 and d["presence"] == 0.0


def test_a_smaller_raid_keeps_the_first_threats_of_each_group_with_their_draws(night) -> None:
    _, _, params = night
    p = params["tripwire"]
    pa = adapt_params(p, "adaptive")
    for rep in range(2):
        rf, ra = sample_raid(p, Streams(7, rep)), sample_raid(pa, Streams(7, rep))
        assert ra.size < rf.size
        for gi in range(len(p.raid)):
            f, a = np.flatnonzero(rf.group == gi), np.flatnonzero(ra.group == gi)
            k = a.size
            assert 0 < k < f.size or f.size <= 4
            for col in ("launch_s", "target", "type_index", "n_points"):
                assert np.array_equal(getattr(rf, col)[f[:k]], getattr(ra, col)[a]), col
            assert np.array_equal(rf.fail_frac[f[:k]], ra.fail_frac[a], equal_nan=True)
            assert np.array_equal(rf.waypoints[f[:k]], ra.waypoints[a], equal_nan=True)
        # Rows before the first dropped threat keep their place in the raid (and so their later dice).
        first_drop = int(np.flatnonzero(rf.group == 0)[pa.adversary.counts[0]])
        assert np.array_equal(rf.launch_s[:first_drop], ra.launch_s[:first_drop])


def test_added_threats_come_from_their_own_streams_after_all_others(night) -> None:
    _, _, params = night
    p = params["contingency-clauses"]
    plan = plan_adversary(p)
    full = plan.counts.copy()
    full[0] = p.raid[0].count  # group 0 at the scenario's count ...
    grown = full.copy()
    grown[0] += 7  # ... and seven more than that
    pa = replace(adapt_params(p, "adaptive"), adversary=replace(plan, counts=grown))
    base = replace(pa, adversary=replace(plan, counts=full))
    ra, rb = sample_raid(pa, Streams(7, 1)), sample_raid(base, Streams(7, 1))
    assert ra.size == rb.size + 7
    assert np.array_equal(ra.launch_s[: rb.size], rb.launch_s)  # every other threat untouched
    assert (ra.group[rb.size :] == 0).all()
    lo, hi = p.raid[0].window_s
    assert ((ra.launch_s[rb.size :] >= lo) & (ra.launch_s[rb.size :] <= hi)).all()
    assert not np.isin(ra.launch_s[rb.size :], rb.launch_s).any()  # fresh draws, not copies


def test_drones_are_traded_for_ballistic_missiles_of_equal_cost_where_allied_fighters_reach(night) -> None:
    sc, cat, _ = night
    p = compile_scenario(sc, cat, resolve_option("forward-cap", sc))
    x = 1.0  # the most: on this night a Shahed costs 35 kUSD and an Iskander-M 3 MUSD
    plan = plan_adversary(p, AdaptiveRules(mix_shift=x, size_response=0.0))
    tt = p.threat_types
    drone = THREAT_CLASSES.index("drone")
    n0 = np.array([g.count for g in p.raid])
    d = plan.counts - n0
    is_drone = np.array([tt.cls[g.type_index] == drone for g in p.raid])
    is_bal = np.array([bool(tt.ballistic[g.type_index]) for g in p.raid])
    assert (d[is_drone] <= 0).all() and d[is_drone].sum() < 0  # some drone groups shrink
    assert (d[~is_drone & ~is_bal] == 0).all()  # cruise missiles and decoys untouched
    assert (d[is_bal] >= 0).all()
    cost = np.array([tt.cost_usd[g.type_index] for g in p.raid])
    freed, bought = -(d[is_drone] * cost[is_drone]).sum(), (d[is_bal] * cost[is_bal]).sum()
    assert bought <= freed < bought + cost[is_bal].max()  # equal cost, up to one whole missile
    assert d[is_bal].sum() >= 1  # the trade buys ballistic missiles
    # Each drone group loses round(x f_g n_g) with f_g its aim share the fighters reach (<= 1).
    assert (-d[is_drone] <= np.floor(x * n0[is_drone] + 0.5)).all()
    assert plan_adversary(p, AdaptiveRules(mix_shift=0.0, size_response=0.0)).counts.tolist() == n0.tolist()


@pytest.mark.slow
def test_one_worker_and_two_give_the_same_rows_under_the_adaptive_adversary() -> None:
    sc = load_scenario("western-raid-v1")
    exp = Experiment(sc, ("none", "forward-cap", "tripwire"), 4, 7, adversary="adaptive")
    serial = run_experiment(exp, workers=1)
    pooled = run_experiment(exp, workers=2, chunk_size=1)
    assert serial.metrics.equals(pooled.metrics)
    assert serial.provenance["adversary"] == "adaptive"


def test_the_adapted_raid_is_deterministic_keyed_by_the_replication_and_flown(night) -> None:
    _, _, params = night
    p = adapt_params(params["tripwire"], "adaptive")
    r1, r2 = sample_raid(p, Streams(7, 1)), sample_raid(p, Streams(7, 1))
    assert all(np.array_equal(getattr(r1, c), getattr(r2, c), equal_nan=True) for c in
               ("type_index", "group", "launch_s", "target", "waypoints", "n_points", "fail_frac"))
    assert not np.array_equal(r1.launch_s, sample_raid(p, Streams(7, 2)).launch_s)
    assert simulate(p, 7, 1).metrics["launched"] == float(p.adversary.counts.sum())  # the engine flies the adapted raid


def _gc_points(u: np.ndarray, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Points along the great-circle chain of unit vectors ``u`` (independent slerp)."""
    out = []
    for a, b in zip(u[:-1], u[1:]):
        om = np.arccos(np.clip(a @ b, -1.0, 1.0))
        t = np.linspace(0.0, 1.0, n)[:, None]
        out.append(a[None, :] if om < 1e-12 else (np.sin((1 - t) * om) * a + np.sin(t * om) * b) / np.sin(om))
    return unit_to_lonlat(np.concatenate(out))


@settings(max_examples=30, deadline=None)
@given(clon=st.floats(22.0, 40.0), clat=st.floats(45.0, 53.0), r_km=st.floats(10.0, 250.0),
       ang_a=st.floats(0.0, 360.0), ang_b=st.floats(0.0, 360.0), da=st.floats(1.05, 6.0), db=st.floats(1.05, 6.0))
def test_a_detour_never_enters_the_disc_it_goes_round(clon, clat, r_km, ang_a, ang_b, da, db) -> None:
    from skyshield.geo import destination_point

    r = r_km * 1000.0
    ax, ay = destination_point(clon, clat, ang_a, da * r)
    bx, by = destination_point(clon, clat, ang_b, db * r)
    path = np.array([[float(ax), float(ay)], [float(bx), float(by)]])
    out = detour(path, np.array([[clon, clat]]), np.array([r]))
    assert np.array_equal(out[0], path[0]) and np.array_equal(out[-1], path[-1])
    lon, lat = _gc_points(lonlat_to_unit(out[:, 0], out[:, 1]))
    dmin = float(np.min(great_circle_distance_m(lon, lat, clon, clat)))
    assert dmin >= r * (1 - 1e-6)
    # A detour only where the straight track entered the disc; and no longer than half the circumference
    # plus the two legs (the shorter side).
    lon0, lat0 = _gc_points(lonlat_to_unit(path[:, 0], path[:, 1]))
    entered = float(np.min(great_circle_distance_m(lon0, lat0, clon, clat))) < r
    assert (out.shape[0] > 2) == entered or not entered
    if entered:
        legs = np.sum(great_circle_distance_m(out[:-1, 0], out[:-1, 1], out[1:, 0], out[1:, 1]))
        assert legs <= (da + db) * r + np.pi * r * 1.1


def test_no_way_round_when_the_aim_point_is_inside_the_disc() -> None:
    path = np.array([[33.8, 52.8], [31.29, 51.49]])
    out = detour(path, np.array([[31.29, 51.49]]), np.array([40_000.0]))
    assert np.array_equal(out, path)


def test_the_plan_is_frozen_and_reroutes_nothing_without_envelopes(night) -> None:
    _, _, params = night
    plan = plan_adversary(params["contingency-clauses"])
    assert isinstance(plan, AdversaryPlan) and plan.env_lonlat.shape == (0, 2)
    from dataclasses import FrozenInstanceError

    with pytest.raises(FrozenInstanceError):
        plan.size_multiplier = 1.0  # type: ignore[misc]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(28.0, 34.0), st.floats(48.0, 52.0), st.floats(5.0, 150.0)), min_size=1, max_size=3),
       st.lists(st.tuples(st.floats(24.0, 40.0), st.floats(45.0, 55.0)), min_size=2, max_size=4))
def test_detours_round_several_discs_keep_the_path_s_points_and_stay_finite(discs, pts) -> None:
    centres = np.array([[d[0], d[1]] for d in discs])
    radius = np.array([d[2] * 1000.0 for d in discs])
    path = np.array(pts, dtype=float)
    out = detour(path, centres, radius)
    assert np.isfinite(out).all()
    assert np.array_equal(out[0], path[0]) and np.array_equal(out[-1], path[-1])
    # The path's own points are kept, in order (only vertices are inserted between them).
    k = 0
    for p in out:
        if k < len(path) and np.array_equal(p, path[k]):
            k += 1
    assert k == len(path)
    if len(discs) == 1:  # one disc and no path point inside it: the detour never enters it
        d_pts = great_circle_distance_m(path[:, 0], path[:, 1], centres[0, 0], centres[0, 1])
        if (np.asarray(d_pts) > radius[0] * 1.001).all():
            lon, lat = _gc_points(lonlat_to_unit(out[:, 0], out[:, 1]))
            assert float(np.min(great_circle_distance_m(lon, lat, centres[0, 0], centres[0, 1]))) >= radius[0] * (1 - 1e-6)
