"""Policy details that mutation testing found unchecked: where intercept debris falls for a
tripwire, the exposure metrics and the channel of allied aircraft fired upon, and the count of
allied losses.

Each test names the mistake it catches; each was checked by applying that mistake by hand.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pytest

from skyshield.geo import Zone, destination_point
from skyshield.policy.compile import PolicyParams
from skyshield.policy.events import PolicyEvent, derive_events, exposure_events
from skyshield.policy.laydown import Envelope, Laydown
from skyshield.policy.phase import walk_ladder
from skyshield.policy.spec import Escalation
from skyshield.rng import Streams

from .hand_built import NEAR_BELARUS, cap, scenario_params


class _Theatre:
    """Everything is defended territory (no allied soil: no strays, no incursions)."""

    def classify(self, lon, lat):
        return np.full(np.shape(lon), int(Zone.DEFENDED))

    def territory(self, lon, lat):
        return np.full(np.shape(lon), "UKR", dtype=object)


def _kill_table(intercept: tuple[float, float], debris: tuple[float, float]) -> pa.Table:
    """One kill of threat 0 by a defended-country shooter, its debris falling elsewhere."""
    return pa.table({
        "kind": ["kill"], "t_s": [1800.0], "threat": [0], "shooter": ["ukr-sam#0"], "zone": ["defended"],
        "lon_deg": [intercept[0]], "lat_deg": [intercept[1]], "debris_zone": ["defended"],
        "debris_lon_deg": [debris[0]], "debris_lat_deg": [debris[1]],
    })


def test_a_tripwire_unit_is_hit_where_the_debris_falls_not_where_the_intercept_was() -> None:
    # Mistakes caught: the debris point's latitude (or longitude) taken from the intercept point;
    # the event's actor or wording lost.
    # The intercept is over one tripwire unit; its debris falls 30 km north-east, on the other.
    intercept = (30.0, 50.0)
    lon, lat = destination_point(30.0, 50.0, 45.0, 30e3)
    debris = (float(lon), float(lat))
    params = SimpleNamespace(
        threat_types=SimpleNamespace(cls=np.array([0]), names=("shahed-136",)),
        assets=SimpleNamespace(kind=["city"], ids=("kyiv",), lonlat=np.zeros((0, 2))),
        theatre=_Theatre(), duration_s=8 * 3600.0)
    raid = SimpleNamespace(size=1, type_index=np.array([0]), target=np.array([0]), launch_s=np.array([0.0]))
    seg = SimpleNamespace(t0_s=np.zeros(0))
    pol = PolicyParams(tripwire_ids=("at-intercept", "at-debris"), tripwire_lonlat=np.array([intercept, debris]),
                       tripwire_radius_m=np.array([5e3, 5e3]), tripwire_p_debris=np.array([1.0, 1.0]))
    out, _ = derive_events(params, pol, raid, seg, _kill_table(intercept, debris), Streams(3, 0))
    trip = [e for e in out if e.kind == "tripwire"]
    assert [e.detail for e in trip] == ["tripwire unit at-debris hit by intercept debris"]
    assert (trip[0].lon_deg, trip[0].lat_deg) == debris and trip[0].t_s == 1800.0 and trip[0].threat == 0
    assert trip[0].actor == "adversary"  # the hit is an act of the adversary


H = 3600.0


def _envelope(eid: str, lonlat, rate_factor: float, pk: float = 0.5) -> Envelope:
    return Envelope(id=eid, system="s-400", kind="sam", country="BLR", region=eid, lon_deg=lonlat[0],
                    lat_deg=lonlat[1], reach_fighter_m=150e3, reach_aew_m=380e3, pk_fighter=pk, pk_aew=pk,
                    rate_factor=rate_factor, radar_height_m=25.0)


@pytest.fixture(scope="module")
def one_cap_params():
    esc = {"exposure_fire_rate_per_h": 2.0, "response_rate_deliberate": 0.0, "response_rate_inadvertent": 0.0,
           "response_rate_accidental": 0.0}
    return scenario_params([cap("c", NEAR_BELARUS, count=1, sorties=4)], esc)


def test_exposure_weighted_hours_are_rate_factor_times_share_inside_times_hours_and_every_fire_is_accidental(one_cap_params):
    # Mistakes caught: weighted exposure hours subtracted (or not weighted by the rate factor),
    # an allied aircraft fired upon counted in another channel than "accidental", or its loss
    # probability not the envelope's Pk at the orbit's distance.
    p = one_cap_params
    stn = p.policy.stations[0]
    # An envelope centred on the station: the whole orbit (25 km) is inside its 150 km reach.
    env = _envelope("over", (stn.lon_deg, stn.lat_deg), rate_factor=0.5)
    pol = replace(p.policy, laydown=Laydown("test", (env,), 6000.0, 9000.0, 25e3, 0.25))
    fired, expo = exposure_events(p, pol, Streams(5, 0))
    hours = expo["allied_aircraft_h"]
    assert hours > 1.0
    assert expo["exposure_weighted_h"] == pytest.approx(0.5 * 1.0 * hours, rel=1e-12)
    assert expo["exposure_h_in_sam_envelopes"] == pytest.approx(hours, rel=1e-12)
    assert expo["exposure_h_in_fighter_envelopes"] == 0.0
    assert expo["exposure_hazard"] == pytest.approx(2.0 * 0.5 * hours, rel=1e-12)
    assert len(fired) > 0
    p_hit = 0.5 * (1 - 0.75 * 25e3 / 150e3)  # Pk falls linearly to a quarter at the reach
    for e in fired:
        assert (e.kind, e.channel, e.actor, e.rung) == ("allied-fired-upon", "accidental", "adversary", 6)
        assert e.p_loss == pytest.approx(p_hit, rel=1e-9)
    assert [e.seq for e in fired] == list(range(len(fired)))


def test_every_allied_aircraft_lost_adds_one_to_the_losses() -> None:
    # Mistake caught: a loss decrementing (or resetting) the count. With P(loss) 1 each of five
    # engagements is a loss; with P(loss) 0 none is.
    esc = Escalation(response_rate_deliberate=0.0, response_rate_inadvertent=0.0, response_rate_accidental=0.0)
    for p_loss, want in ((1.0, 5.0), (0.0, 0.0)):
        ev = [PolicyEvent(t_s=600.0 * (k + 1), seq=k, kind="allied-fired-upon", rung=6, channel="accidental",
                          actor="adversary", p_loss=p_loss) for k in range(5)]
        res = walk_ladder(ev, PolicyParams(escalation=esc), Streams(4, 0))
        assert res.metrics["allied_fired_upon"] == 5.0
        assert res.metrics["allied_losses"] == want
        assert sum(e.kind == "allied-loss" for e in res.rows) == want


def test_station_hazard_is_the_nights_exposure_hazard_of_that_station(one_cap_params) -> None:
    # Mistake caught: the public station hazard not the sum of the envelope rates times the hours
    # (the escalate phase computes the same figure inline; the two must agree).
    from skyshield.policy.exposure import station_exposure, station_hazard

    p = one_cap_params
    stn = p.policy.stations[0]
    env = _envelope("over", (stn.lon_deg, stn.lat_deg), rate_factor=0.5)
    lay = Laydown("test", (env,), 6000.0, 9000.0, 25e3, 0.25)
    pol = replace(p.policy, laydown=lay)
    _, expo = exposure_events(p, pol, Streams(5, 0))
    esc = pol.escalation
    sx = station_exposure(stn, lay, float(esc.envelope_scale), float(esc.allied_airspace_factor))
    h = station_hazard(sx, expo["allied_aircraft_h"], esc)
    assert h == pytest.approx(expo["exposure_hazard"], rel=1e-12) and h == pytest.approx(2.0 * 0.5 * expo["allied_aircraft_h"])
    assert station_hazard(sx, expo["allied_aircraft_h"], esc, multiplier=3.0) == pytest.approx(3.0 * h)


def test_the_distance_to_no_area_or_an_empty_area_is_infinite() -> None:
    # Mistake caught: "no geometry or an empty one" tested with ``and`` (then it crashes on both).
    import shapely

    from skyshield.policy.exposure import distance_to_geometry_m

    for geom in (None, shapely.Polygon()):
        d = distance_to_geometry_m(geom, [30.0, 31.0], [50.0, 51.0])
        assert d.tolist() == [np.inf, np.inf]
    square = shapely.box(30.0, 50.0, 31.0, 51.0)
    assert distance_to_geometry_m(square, [30.5], [50.5]).tolist() == [0.0]


def test_a_tripwire_options_units_are_compiled_with_their_positions() -> None:
    # Mistake caught: the tripwire units' positions not compiled as a (units, 2) lon/lat table
    # (dropped or flattened), so no hit can be placed near them.
    from skyshield.catalog import load_catalog
    from skyshield.engine import compile_scenario
    from skyshield.options import resolve_option
    from skyshield.scenario import load_scenario

    sc = load_scenario("eastern-flank-night-raid-v1")
    pol = compile_scenario(sc, load_catalog(), resolve_option("tripwire", sc)).policy
    want = {f.id: f.lonlat for f in sc.forces if f.package == "tripwire"}
    assert {"nato-tripwire-lviv-team", "nato-tripwire-f16-west"} <= set(want)
    assert pol.tripwire_lonlat.shape == (len(pol.tripwire_ids), 2)
    for uid, ll in zip(pol.tripwire_ids, pol.tripwire_lonlat):
        assert tuple(ll) == tuple(want[uid.split("#")[0]])


def test_policy_rows_of_the_event_log_keep_their_place_and_leave_it_null_when_they_have_none() -> None:
    # Mistake caught: a policy event's latitude (or longitude) always written as null in the log.
    from skyshield.policy.phase import _table

    rows = [PolicyEvent(t_s=60.0, seq=0, kind="tripwire", threat=3, lon_deg=24.05, lat_deg=49.83, detail="hit"),
            PolicyEvent(t_s=90.0, seq=1, kind="rung", rung=4, detail="rung 4")]
    schema = pa.schema([("t_s", pa.float64()), ("kind", pa.string()), ("threat", pa.int32()),
                        ("lon_deg", pa.float64()), ("lat_deg", pa.float64()), ("shooter", pa.string())])
    t = _table(rows, schema)
    assert t.column_names == ["t_s", "kind", "threat", "lon_deg", "lat_deg", "shooter", "detail"]
    assert t["lon_deg"].to_pylist() == [24.05, None] and t["lat_deg"].to_pylist() == [49.83, None]
    assert t["threat"].to_pylist() == [3, None] and t["shooter"].null_count == 2
    assert t["detail"].to_pylist() == ["hit", "rung 4"]


def test_an_allied_intercept_says_who_shot_what_and_where() -> None:
    # Mistake caught: the detail of an allied intercept (the analyst's "why") dropped.
    params = SimpleNamespace(
        threat_types=SimpleNamespace(cls=np.array([0]), names=("shahed-136",)),
        assets=SimpleNamespace(kind=["city"], ids=("kyiv",), lonlat=np.zeros((0, 2))),
        theatre=_Theatre(), duration_s=8 * 3600.0)
    raid = SimpleNamespace(size=1, type_index=np.array([0]), target=np.array([0]), launch_s=np.array([0.0]))
    events = _kill_table((30.0, 50.0), (30.0, 50.0)).set_column(3, "shooter", pa.array(["pl-f16#1"]))
    pol = PolicyParams(allied_forces=frozenset({"pl-f16"}))
    out, _ = derive_events(params, pol, raid, SimpleNamespace(t0_s=np.zeros(0)), events, Streams(3, 0))
    ev = [e for e in out if e.kind == "allied-intercept"]
    assert len(ev) == 1
    assert ev[0].detail == "pl-f16#1 intercepted a drone over UKR (defended territory)"
    assert (ev[0].actor, ev[0].channel, ev[0].action) == ("allied", "inadvertent", "intercept:unmanned:defended")


def test_a_cap_flies_reloads_plus_one_sorties_and_none_past_the_end_of_its_window() -> None:
    # Mistake caught: one sortie too many (or too few) on station.
    from skyshield.policy.exposure import on_station_intervals

    assert on_station_intervals(0.0, 100 * H, 2 * H, H, 2, False) == [(0.0, 2 * H), (3 * H, 5 * H), (6 * H, 8 * H)]
    assert on_station_intervals(0.0, 7 * H, 2 * H, H, 2, False) == [(0.0, 2 * H), (3 * H, 5 * H), (6 * H, 7 * H)]
    assert on_station_intervals(0.0, 100 * H, 2 * H, H, 2, True) == []


@pytest.mark.parametrize("zone,reason", [("adversary", "intercept-over-adversary"), ("allied", "intercept-over-allied"),
                                         ("defended", "intercept-over-defended"), ("sea", "intercept-over-defended")])
def test_an_intercept_raises_the_rung_for_the_reason_of_its_zone(zone: str, reason: str) -> None:
    # Mistake caught: an intercept over adversary territory explained as one over the defended country.
    from skyshield.policy.phase import rise_reason

    assert rise_reason(PolicyEvent(t_s=0.0, seq=0, kind="allied-intercept", action=f"intercept:unmanned:{zone}")) == reason
    assert rise_reason(PolicyEvent(t_s=0.0, seq=0, kind="allied-intercept",
                                   action=f"intercept:manned:{zone}")) == "manned-aircraft-shot-down"


def test_a_fired_clause_says_which_trigger_held_and_when() -> None:
    # Mistake caught: the trigger's explanation dropped from the clause's execution.
    from skyshield.policy.spec import Clause, Response, Trigger

    c = Clause(id="c", trigger=Trigger(event="incursion", at_least=2, within=f"{24 * H} s"), delay=f"{2 * H} s",
               probability=1.0, response=Response(kind="more-aid", aid_interceptors={"PAC-3 MSE": 4}))
    ev = [PolicyEvent(t_s=t, seq=k, kind="incursion", threat_class="drone", threat=k) for k, t in enumerate((H, 5 * H))]
    res = walk_ladder(ev, PolicyParams(clauses=(c,)), Streams(1, 0))
    fired = [r for r in res.rows if r.kind == "clause-fired"]
    assert [r.t_s for r in fired] == [7 * H]
    assert fired[0].detail == "c: more-aid (trigger incursion x2 within 24 h held at t=5.00 h)"


def test_a_rung_row_explains_the_rise_by_the_events_detail_or_else_its_kind() -> None:
    # Mistake caught: ``e.detail or e.kind`` written with ``and`` (the kind shown instead of the
    # detail, and nothing when there is no detail).
    quiet = Escalation(response_rate_deliberate=0.0, response_rate_inadvertent=0.0, response_rate_accidental=0.0)
    ev = [PolicyEvent(t_s=10.0, seq=0, kind="allied-intercept", rung=4, channel="inadvertent", actor="allied",
                      action="intercept:unmanned:defended", detail="pl-f16#1 intercepted a drone"),
          PolicyEvent(t_s=20.0, seq=1, kind="posture", rung=5, channel="inadvertent", actor="allied",
                      action="posture:aircraft-over-defended")]
    rows = [r.detail for r in walk_ladder(ev, PolicyParams(escalation=quiet), Streams(1, 0)).rows if r.kind == "rung"]
    assert rows == ["rung 4 (intercepts-over-defended) [intercept-over-defended]: pl-f16#1 intercepted a drone",
                    "rung 5 (allied-aircraft-over-defended) [allied-aircraft-over-defended]: posture"]
    # An adversary response (near certain at this rate) names what it answers the same way.
    hot = Escalation(response_rate_deliberate=0.0, response_rate_inadvertent=50.0, response_rate_accidental=0.0)
    res = walk_ladder(ev[:1], PolicyParams(escalation=hot), Streams(1, 0))
    resp = [r.detail for r in res.rows if r.actor == "adversary" and r.kind in ("adversary-response", "allied-fired-upon")]
    assert resp and all(d.endswith(") to: pl-f16#1 intercepted a drone") for d in resp)
