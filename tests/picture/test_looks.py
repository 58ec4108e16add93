"""The compiled looks (picture.looks) against the NumPy functions they replace, look by look.

Looks are drawn at random on a thinned reference raid (every sensor kind of the reference
theatre: ground radars, AEW and fighter radars on their orbits, ship radars, fire-control radars
and optical posts), each at a random time inside its segment, so that some are beyond the radar
horizon, some far out in the coverage (low P_d) and some close in.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from skyshield.engine.raid import sample_raid
from skyshield.engine.sense_full import theatre_plane
from skyshield.engine.trajectory import build_segments, positions_at
from skyshield.picture import nodes
from skyshield.picture.frames import east_north, polar_from
from skyshield.picture.looks import LookTables, detections, keyed_uniform_nb, look_pd
from skyshield.picture.measurement import pd_at_range, reference_snr_db
from skyshield.rng import Streams, keyed_uniform
from skyshield.sensors.radar import radar_horizon_m
from tests.engine.test_sense_full import _small_reference


def test_compiled_keyed_uniform_is_rngs_bit_for_bit() -> None:
    rng = np.random.default_rng(4)
    keys = [0, 1, 2**63 + 12345, 2**64 - 1, int(rng.integers(0, 2**63))]
    streams = np.r_[0, 1, rng.integers(0, 2**40, 50), np.int64(1 << 38) + 2**31]
    idx = np.r_[0, rng.integers(0, 2**45, 50), 2**62]
    for key in keys:
        ref = keyed_uniform(key, streams[:, None], idx[None, :])
        got = np.array([[keyed_uniform_nb(np.uint64(key), s, i) for i in idx] for s in streams])
        np.testing.assert_array_equal(got, ref)


@pytest.fixture(scope="module")
def looks():
    p = _small_reference("integrated-ops", scale=0.03, hours=0.5, duration="2 h")
    st = Streams(5, 0)
    raid = sample_raid(p, st)
    seg = build_segments(raid, p)
    rng = np.random.default_rng(0)
    # Most looks inside coverage windows (times spread a little beyond them), a few at random
    wm, wk, t_in, t_out, _, _ = nodes.coverage_windows(p, raid, seg)
    n_win, n_any = 16_000, 4_000
    w = rng.integers(0, wm.size, n_win)
    frac = rng.uniform(-0.2, 1.2, n_win)
    lm = np.r_[wm[w], rng.integers(0, seg.t0_s.size, n_any)]
    lk = np.r_[wk[w], rng.integers(0, len(p.sensors.ids), n_any)]
    t = np.r_[t_in[w] + frac * (t_out[w] - t_in[w]), seg.t0_s[lm[n_win:]] + rng.random(n_any) * (
        seg.t1_s[lm[n_win:]] - seg.t0_s[lm[n_win:]])]
    t = np.clip(t, seg.t0_s[lm], seg.t1_s[lm])
    lj = np.floor(t).astype(np.int64)
    return p, raid, seg, st, lm, lk, t, lj


def _tables(p, raid, seg, st, mod):
    sen = p.sensors
    rcs = p.threat_types.rcs_m2[raid.type_index[seg.threat]]
    snr0 = reference_snr_db(sen.pd_scan, mod.pfa, mod.swerling)
    phase = keyed_uniform(st.key("picture/orbit"), sen.key, 0) * 2 * np.pi
    east_row, north_row = east_north(sen.unit)
    return LookTables(sen, mod, phase, east_row, north_row, snr0, seg, rcs, theatre_plane(p)), rcs, snr0, phase


@pytest.mark.parametrize("all_cases", [False, True])
def test_look_pd_is_numpys(looks, all_cases: bool) -> None:
    """P_d with the horizon, as run_nodes computed it with NumPy (every Swerling case when
    ``all_cases``: 0 and 5 go through SciPy's Marcum Q, 1 to 4 through the compiled forms)."""
    p, raid, seg, st, lm, lk, t, _ = looks
    sen, mod = p.sensors, p.sensor_models
    if all_cases:
        mod = replace(mod, swerling=np.arange(len(sen.ids), dtype=np.int64) % 6)
    tab, rcs, snr0, phase = _tables(p, raid, seg, st, mod)
    pd, r, _d = look_pd(tab, tab.windows(lm, lk), lk, lm, np.arange(lk.size), t)
    s_u = nodes._sensor_positions(sen.unit, lk, mod.orbit_radius_m, mod.orbit_period_s, phase, t,
                                  tab.east_row, tab.north_row)
    en = nodes._local_axes(s_u, lk, mod.orbit_radius_m, tab.east_row, tab.north_row)
    u = positions_at(seg, lm, t)
    r_ref, _, _ = polar_from(s_u, sen.height_m[lk], u, seg.alt_m[lm], en=en)
    ground = np.arccos(np.clip(np.einsum("ij,ij->i", s_u, u), -1, 1)) * 6_371_008.8
    inside = ground <= radar_horizon_m(sen.height_m[lk], seg.alt_m[lm])
    ref = np.where(inside, pd_at_range(r_ref, rcs[lm], sen.ref_range_m[lk], snr0[lk], mod.pfa[lk], mod.swerling[lk]), 0.0)
    np.testing.assert_allclose(r, r_ref, rtol=1e-13)
    np.testing.assert_allclose(pd, ref, rtol=1e-11, atol=1e-14)
    # not vacuous: looks beyond the horizon, at low and at high P_d
    assert (~inside).sum() > 100 and ((ref > 0.02) & (ref < 0.5)).sum() > 100 and (ref > 0.9).sum() > 100


def test_detections_are_numpys(looks) -> None:
    """Same detections and noisy plane positions as the NumPy path (``_looks_numpy``)."""
    p, raid, seg, st, lm, lk, t, lj = looks
    sen, mod = p.sensors, p.sensor_models
    tab, rcs, snr0, phase = _tables(p, raid, seg, st, mod)
    thr = seg.threat[lm]
    idx = (thr << 20) | lj
    kd, kn = st.key("picture/detect"), st.key("picture/noise")
    pd, r, d = look_pd(tab, tab.windows(lm, lk), lk, lm, np.arange(lk.size), t)
    det, z = detections(tab, lk, t, idx, pd, r, d, kd, kn)
    rk, rj, rthr, rz = nodes._looks_numpy(lk, lj, lm, thr, t, idx, rcs, snr0, sen, mod, phase, tab.east_row,
                                          tab.north_row, seg, tab.plane, kd, kn)
    np.testing.assert_array_equal(lk[det], rk)
    np.testing.assert_array_equal(lj[det], rj)
    np.testing.assert_array_equal(thr[det], rthr)
    np.testing.assert_allclose(z, rz, rtol=1e-12, atol=1e-6)
    assert 1000 < det.size < lk.size - 1000  # some looks detect, some do not
