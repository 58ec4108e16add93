"""Chunked sensing and opportunities, and the battle loop's merge of sorted opportunities with
a heap of retries: the same night bit for bit as the whole raid at once (one heap of every
opportunity), on the reference night, on the busiest options, and on a scaled raid."""

from __future__ import annotations

import heapq
import math
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as hst

import skyshield.scenario
from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario, simulate
from skyshield.engine.battle import MAX_SHOTS, _Books, _event_loop
from skyshield.engine.core import Engine
from skyshield.engine.opportunities import Opportunities, find_opportunities
from skyshield.engine.raid import sample_raid
from skyshield.engine.sense import StatisticalSensing, segment_slice, threat_chunks
from skyshield.engine.trajectory import Segments, build_segments
from skyshield.options import resolve_option
from skyshield.picture.network import link_into
from skyshield.rng import Streams
from skyshield.scenario import load_scenario, parse_scenario

REFERENCE = "eastern-flank-night-raid-v1"


def _params(option: str, scenario: str = REFERENCE):
    cat = load_catalog()
    sc = load_scenario(scenario, cat)
    return compile_scenario(sc, cat, resolve_option(option, sc))


def _scaled(n_threats: int, option: str = "none"):
    """The reference night with every raid group scaled to about ``n_threats`` in all
    (same launch windows, sites and aim areas: denser, not longer)."""
    path = Path(skyshield.scenario.__file__).parent / "builtin" / f"{REFERENCE}.yaml"
    doc = yaml.safe_load(path.read_text())
    total = sum(int(g["count"]) for g in doc["raid"]["groups"])
    for g in doc["raid"]["groups"]:
        g["count"] = max(1, int(round(int(g["count"]) * n_threats / total)))
    cat = load_catalog()
    sc = parse_scenario(doc, {}, f"<{REFERENCE} x{n_threats}>", cat)
    return compile_scenario(sc, cat, resolve_option(option, sc))


def _night(p, seed: int = 11, rep: int = 0):
    st = Streams(seed, rep)
    raid = sample_raid(p, st)
    return raid, build_segments(raid, p), st


def _same(a, b) -> None:
    """Dataclasses ``a`` and ``b`` equal field by field, arrays bit for bit (dtype included)."""
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, f.name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
        else:
            assert x == y, f.name


def _same_outcome(a, b) -> None:
    assert a.metrics.keys() == b.metrics.keys()
    for k, v in a.metrics.items():
        w = b.metrics[k]
        assert v == w or (isinstance(v, float) and math.isnan(v) and math.isnan(w)), k
    assert a.events.equals(b.events)


# ---------------------------------------------------------------------------------------------
# Chunks of threats


@settings(max_examples=60, deadline=None)
@given(counts=hst.lists(hst.integers(1, 6), min_size=0, max_size=40), chunk=hst.integers(1, 12))
def test_threat_chunks_tile_the_segments_on_threat_boundaries(counts, chunk) -> None:
    threat = np.repeat(np.arange(len(counts)), counts)
    seg = Segments(*(threat for _ in range(2)), *(threat.astype(float) for _ in range(2)),
                   np.zeros((threat.size, 3)), np.zeros((threat.size, 3)),
                   *(threat.astype(float) for _ in range(3)), np.zeros(len(counts)))
    ranges = threat_chunks(seg, chunk)
    assert ranges[0][0] == 0 and ranges[-1][1] == threat.size
    assert all(b[0] == a[1] for a, b in zip(ranges, ranges[1:]))  # contiguous, in order
    for lo, hi in ranges:
        th = segment_slice(seg, lo, hi).threat
        assert hi > lo or threat.size == 0
        if th.size:
            assert th[-1] - th[0] < chunk  # at most `chunk` threats
            assert lo == 0 or threat[lo - 1] != th[0]  # no threat split across chunks
    assert threat_chunks(seg, None) == [(0, threat.size)]


@pytest.mark.parametrize("option,chunk", [("none", 13), ("none", 400), ("umbrella-path", 37), ("sky-shield", 37)])
def test_chunked_picture_and_opportunities_equal_the_whole_raid(option, chunk) -> None:
    """Picture (times, sharing, GOSPA/SIAP) and every opportunity column bit for bit, in
    chunks of a dozen threats to a few hundred (the night has about 800)."""
    p = _params(option)
    raid, seg, st = _night(p)
    assert len(threat_chunks(seg, chunk)) > 1
    whole = StatisticalSensing(chunk_threats=None)(p, raid, seg, st)
    part = StatisticalSensing(chunk_threats=chunk)(p, raid, seg, st)
    _same(whole, part)
    assert whole.by_sensor_key.size > 100 and len(whole.metrics) > 3
    link = link_into(p, st)
    o_whole = find_opportunities(p, raid, seg, whole, link, chunk_threats=10**9)
    o_part = find_opportunities(p, raid, seg, whole, link, chunk_threats=chunk)
    _same(o_whole, o_part)
    assert o_whole.shooter.size > 100


def _engine(chunk: int | None) -> Engine:
    return Engine(sense=StatisticalSensing(chunk_threats=chunk))


@pytest.mark.parametrize("option", ["none", "forward-cap", "integrated-ops"])
def test_chunked_night_has_the_same_metrics_and_events(option, monkeypatch) -> None:
    """A whole replication (engage, assess, escalate) with chunks of 50 threats against the
    whole raid at once: every metric and event row identical."""
    import skyshield.engine.opportunities as opp_mod

    p = _params(option)
    monkeypatch.setattr(opp_mod, "CHUNK_THREATS", 10**9)
    whole = [simulate(p, 3, r, engine=_engine(None)) for r in range(2)]
    monkeypatch.setattr(opp_mod, "CHUNK_THREATS", 50)
    part = [simulate(p, 3, r, engine=_engine(50)) for r in range(2)]
    for a, b in zip(whole, part):
        _same_outcome(a, b)
    assert whole[0].metrics["engagements"] > 10


def _scaled_case(n: int, chunk: int, monkeypatch) -> None:
    import skyshield.engine.opportunities as opp_mod

    p = _scaled(n)
    monkeypatch.setattr(opp_mod, "CHUNK_THREATS", 10**9)
    whole = simulate(p, 1, 0, engine=_engine(None))
    monkeypatch.setattr(opp_mod, "CHUNK_THREATS", chunk)
    part = simulate(p, 1, 0, engine=_engine(chunk))
    _same_outcome(whole, part)
    assert whole.metrics["launched"] > 0.9 * n and whole.metrics["engagements"] > n / 10


def test_chunked_scaled_raid_has_the_same_metrics_and_events(monkeypatch) -> None:
    """The reference night scaled to 2,500 threats, in chunks of 700 (four chunks)."""
    _scaled_case(2_500, 700, monkeypatch)


@pytest.mark.slow
def test_chunked_10k_raid_has_the_same_metrics_and_events(monkeypatch) -> None:
    """The reference night scaled to 10,000 threats, in chunks of the default size and smaller."""
    _scaled_case(10_000, 4096, monkeypatch)
    _scaled_case(10_000, 997, monkeypatch)


# ---------------------------------------------------------------------------------------------
# The event loop


def _one_heap_loop(books: _Books, opp: Opportunities) -> None:
    """The battle loop as one heap of every opportunity keyed ``(time, index)`` (the reference
    the merged loop must reproduce)."""
    heap = list(zip(opp.t_first_s.tolist(), range(opp.shooter.size), opp.shooter.tolist(), opp.threat.tolist(),
                    opp.t_last_s.tolist(), opp.flyout_s.tolist(), opp.segment.tolist()))
    heapq.heapify(heap)
    seq = len(heap)
    while heap:
        t, _, j, i, t_last, fly, m = heapq.heappop(heap)
        nt = books.gate(t, j, i, fly)
        if nt is None:
            s = books.slot(j, i)
            if s < 0 or not books.fire(t, j, i, fly, m, s):
                continue
            nt = t + books.look + fly
        if nt <= t_last:
            seq += 1
            heapq.heappush(heap, (nt, seq, j, i, t_last, fly, m))


def _books(p, raid, opp, seed: int) -> _Books:
    rng = np.random.default_rng(seed)
    n = raid.size
    return _Books(p, raid, rng.random((n, MAX_SHOTS)), rng.random((n, MAX_SHOTS)), np.full(n, np.inf),
                  opp.segment_pk_factor)


@pytest.mark.parametrize("option", ["none", "forward-cap"])
def test_merged_event_loop_fires_as_one_heap_of_all_opportunities(option, monkeypatch) -> None:
    """Same salvoes in the same order, with blocks smaller than the night (several blocks) and
    with opportunities sharing intercept times (ties broken by index, before any retry)."""
    import skyshield.engine.battle as battle

    p = _params(option)
    raid, seg, st = _night(p)
    pic = StatisticalSensing()(p, raid, seg, st)
    opp = find_opportunities(p, raid, seg, pic, link_into(p, st))
    # Round intercept times to 10 s: many ties between first opportunities and retries.
    coarse = replace(opp, t_first_s=np.round(opp.t_first_s, -1))
    order = np.lexsort((coarse.shooter, coarse.threat, coarse.t_first_s))
    coarse = replace(coarse, **{f: getattr(coarse, f)[order] for f in
                                ("shooter", "threat", "segment", "t_first_s", "t_last_s", "flyout_s")})
    monkeypatch.setattr(battle, "_BLOCK", 97)
    for case in (opp, coarse):
        ref, new = _books(p, raid, case, 1), _books(p, raid, case, 1)
        _one_heap_loop(ref, case)
        _event_loop(new, case)
        assert len(ref.out) > 50
        assert new.out == ref.out
    assert np.unique(coarse.t_first_s).size < coarse.t_first_s.size  # ties were there


@pytest.mark.parametrize("block", [1, 97, 65_536])
def test_dice_drawn_in_blocks_equal_one_draw_of_all(block, monkeypatch) -> None:
    """The battle's kill and assessment draws, block by block, are the one-call draws."""
    import skyshield.engine.battle as battle
    from skyshield.rng import keyed_uniform

    monkeypatch.setattr(battle, "_BLOCK", block)
    n = 301
    kill, ka = battle._dice(Streams(4, 2), n)
    st = Streams(4, 2)
    ref_kill = st.generator("engagement").random((n, MAX_SHOTS))
    ref_ka = keyed_uniform(st.key("engagement/assessment"), 1, np.arange(n * MAX_SHOTS))
    assert np.array_equal(np.frombuffer(kill, np.float64), ref_kill.ravel())
    assert np.array_equal(np.frombuffer(ka, np.float64), ref_ka)
