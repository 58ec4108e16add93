"""The trace of one replication: the runner's events, and positions that follow the engine's
flight model (checked against great-circle distances computed here, not the engine's code)."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest

from .conftest import OPTION, REPLICATION, SCENARIO, SEED, event_counts


def test_every_event_kind_occurs_in_the_test_replication(tr) -> None:
    n = event_counts(tr)
    for kind in ("launch", "detect", "engage", "kill", "suppress", "leak", "hit", "rung"):
        assert n.get(kind, 0) > 0, kind
    assert tr.counts()["in-flight"] > 0


def test_events_are_those_the_runner_keeps_for_that_replication(tr) -> None:
    import skyshield as sk

    cmp = sk.run(SCENARIO, OPTION, replications=REPLICATION + 1, seed=SEED, workers=1, events=True)
    ev = cmp.result.events
    mine = ev.filter(pc.equal(ev.column("replication"), REPLICATION)).drop_columns(["option", "replication"])
    assert mine.num_rows == tr.events.num_rows > 0
    assert mine.to_pylist() == tr.events.select(mine.column_names).to_pylist()


def test_counts_by_fate_match_the_replication_metrics(tr) -> None:
    c, m = tr.counts(), tr.metrics
    assert c["threats"] == m["launched"]
    assert c["destroyed"] == m["destroyed"]
    assert c["suppressed"] == m["suppressed_ew"]
    assert c["leaked"] == m["leaked"]
    assert c["failed"] == m["failed"]
    assert c["in-flight"] == m["in_flight_at_end"]
    assert c["shots"] == m["engagements"] == event_counts(tr)["engage"]
    assert int(tr.shots.killed.sum()) == c["destroyed"]


def test_tracks_start_at_launch_end_at_their_fate_and_times_increase(tr) -> None:
    th = tr.threats
    rows = tr.events.to_pylist()
    ends = {}
    for r in rows:
        if r["kind"] in ("kill", "suppress", "leak"):
            ends[r["threat"]] = r["t_s"]
    launches = {r["threat"]: r["t_s"] for r in rows if r["kind"] == "launch"}
    for i in range(th.size):
        t, lon, lat, alt = th.samples(i)
        assert t.size >= 2
        assert np.all(np.diff(t) > 0), i
        assert t[0] == pytest.approx(launches[i], abs=1e-6)
        assert t[-1] == pytest.approx(th.t_end_s[i], abs=1e-6)
        if i in ends:
            assert th.t_end_s[i] == pytest.approx(ends[i], abs=1e-6)
        else:
            assert th.fate[i] == "in-flight" and th.t_end_s[i] == pytest.approx(tr.duration_s)
        assert np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90) and np.all(alt >= 0)


def _gc_m(lon1, lat1, lon2, lat2, r_m=6_371_008.8):
    """Haversine distance, written here (independent of skyshield.geo)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * r_m * np.arcsin(np.sqrt(a))


def test_drone_tracks_fly_at_the_catalog_speed(tr) -> None:
    """Consecutive samples of a cruise-profile threat are one great circle at constant speed."""
    from skyshield.catalog import load_catalog

    speed = float(load_catalog().threats["shahed-136"].speed.value)  # m/s (SI once validated)
    th = tr.threats
    seen = 0
    for i in range(th.size):
        if th.type_name[i] != "shahed-136":
            continue
        t, lon, lat, _ = th.samples(i)
        v = _gc_m(lon[:-1], lat[:-1], lon[1:], lat[1:]) / np.diff(t)
        # a sample pair straddling a route waypoint cuts the corner: slower, never faster
        assert np.all(v <= speed * (1 + 1e-3)), i
        assert np.median(v) == pytest.approx(speed, rel=2e-3), i
        seen += 1
    assert seen >= 10


def test_intercept_and_arrival_points_are_on_the_track(tr) -> None:
    th = tr.threats
    for r, row in enumerate(tr.events.to_pylist()):
        if row["kind"] not in ("kill", "leak"):
            continue
        i = row["threat"]
        _, lon, lat, _ = th.samples(i)
        assert _gc_m(lon[-1], lat[-1], row["lon_deg"], row["lat_deg"]) < 1.0, row
        assert _gc_m(tr.event_pos[r, 0], tr.event_pos[r, 1], row["lon_deg"], row["lat_deg"]) < 1.0
    for k in np.flatnonzero(tr.shots.killed):  # a killing salvo meets its threat where the track ends
        i = int(tr.shots.threat[k])
        _, lon, lat, _ = th.samples(i)
        assert _gc_m(lon[-1], lat[-1], tr.shots.lon_deg[k], tr.shots.lat_deg[k]) < 1.0


def test_a_finer_step_gives_more_samples_on_the_same_path(tr) -> None:
    from skyshield.api import trace

    fine = trace(SCENARIO, OPTION, seed=SEED, replication=REPLICATION, step_s=20.0)
    assert fine.threats.t_s.size > 2 * tr.threats.t_s.size
    assert fine.events.equals(tr.events)
    for i in range(tr.threats.size):  # every 60 s sample is a 20 s sample, at the same place
        t, lon, lat, alt = tr.threats.samples(i)
        tf, lonf, latf, altf = fine.threats.samples(i)
        at = {round(float(x), 6): k for k, x in enumerate(tf)}
        k = np.array([at[round(float(x), 6)] for x in t])
        assert np.allclose(lonf[k], lon, atol=1e-9) and np.allclose(latf[k], lat, atol=1e-9)
        assert np.array_equal(altf[k], alt)


@pytest.mark.parametrize("kwargs, flag", [
    ({"seed": -1}, "--seed"), ({"replication": 1.5}, "--replication"), ({"step_s": 0}, "--step"),
    ({"start": "yesterday"}, "--start"), ({"fidelity": "best"}, "--fidelity"), ({"option": "umbrela"}, "--option"),
])
def test_bad_arguments_name_their_flag(kwargs, flag) -> None:
    from skyshield.api import trace
    from skyshield.documents import ScenarioError

    args = {"option": OPTION, **kwargs}
    with pytest.raises(ScenarioError) as e:
        trace(SCENARIO, **args)
    assert str(e.value).startswith(flag)
