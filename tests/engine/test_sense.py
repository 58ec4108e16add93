"""Statistical sense: the confirmation model against closed forms on a hand-built pass, tracks
confirmed only inside their circles, coverage as at full fidelity, picture metrics, the link."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings, strategies as hst

from skyshield.calibration.sensing import reference_params
from skyshield.catalog import THREAT_CLASSES, load_catalog
from skyshield.engine import compile_scenario
from skyshield.engine.params import DEFENDED, SENSOR_KINDS
from skyshield.engine.raid import sample_raid
from skyshield.engine.sense import StatisticalSensing, coverage
from skyshield.engine.trajectory import build_segments, positions_at
from skyshield.geo import EARTH_RADIUS_M, great_circle_distance_m
from skyshield.options import resolve_option
from skyshield.picture.metrics import METRIC_NAMES
from skyshield.picture.nodes import coverage_windows
from skyshield.picture.quality import COLUMNS, Calibration, range_factor_at_pd
from skyshield.rng import Streams
from skyshield.scenario import parse_scenario
from skyshield.sensors.radar import radar_horizon_m


@pytest.fixture(scope="module")
def umbrella():
    p = reference_params("umbrella")
    st = Streams(5, 0)
    raid = sample_raid(p, st)
    return p, raid, build_segments(raid, p), st


def _pic(p, raid, seg, st):
    return StatisticalSensing()(p, raid, seg, st)


def test_statistical_sense_reports_gospa_and_siap(umbrella) -> None:
    pic = _pic(*umbrella)
    for name in METRIC_NAMES:
        assert name in pic.metrics and np.isfinite(pic.metrics[name])
    assert 0 < pic.metrics["siap_completeness"] <= 1
    assert pic.metrics["gospa_m"] > 0


@pytest.mark.parametrize("field,values", [
    ("sharing_latency_s", (0.0, 10.0, 60.0, 300.0)),
    ("link_outage_fraction", (0.0, 0.2, 0.5, 0.9)),
    ("link_jamming_loss", (0.0, 0.3, 0.6, 0.9)),
])
def test_a_worse_link_never_gives_an_earlier_defended_picture(umbrella, field, values) -> None:
    p, raid, seg, st = umbrella
    prev = None
    for v in values:
        pic = _pic(replace(p, **{field: v}), raid, seg, st)
        np.testing.assert_array_equal(pic.own_t, _pic(p, raid, seg, st).own_t)  # own sensors untouched
        if prev is not None:
            assert np.all(pic.network_t[DEFENDED] >= prev.network_t[DEFENDED])
        prev = pic
    first = _pic(replace(p, **{field: values[0]}), raid, seg, st)
    assert np.any(prev.network_t[DEFENDED] > first.network_t[DEFENDED])


def test_no_sharing_means_the_network_picture_is_the_own_picture(umbrella) -> None:
    p, raid, seg, st = umbrella
    pic = _pic(replace(p, sharing_level=0), raid, seg, st)
    np.testing.assert_array_equal(pic.network_t, pic.own_t)


def test_a_longer_reporting_interval_delays_the_shared_picture_on_average(umbrella) -> None:
    # Cycles of different lengths are not nested, so single tracks may gain; the mean may not.
    p, raid, seg, st = umbrella
    means = []
    for u in (1.0, 12.0, 48.0, 192.0):
        d = _pic(replace(p, link_update_s=u), raid, seg, st).network_t[DEFENDED]
        means.append(np.mean(np.minimum(d, seg.arrival_s)))
    assert means == sorted(means) and means[-1] > means[0]


# --- The confirmation model against closed forms, on a hand-built pass ------------------

STATION = (30.0, 50.0)
LAUNCH = (30.0, 50.9)  # due north: the threats fly down the meridian over the station
AIM = (30.0, 49.1)
GR, DRONE = SENSOR_KINDS.index("ground-radar"), THREAT_CLASSES.index("drone")


def _pass_params(tmp_path: Path, n: int, speed: str = "200 m/s", revisit: str = "10 s", pd: float = 0.8):
    """``n`` test drones (1 m^2, 5 km up) flying one path straight over one ground radar."""
    overlay = {
        "sources": {"t": "synthetic values for sensing tests"},
        "threats": {"test-drone": {
            "name": "test drone", "class": "drone", "profile": "cruise",
            "speed": {"value": speed, "source": "t"}, "altitude": {"value": "5 km", "source": "t"},
            "range": {"value": "1000 km", "source": "t"}, "rcs": {"value": "1 m2", "source": "t"},
            "cost": {"value": "1 kUSD", "source": "t"}, "warhead": True,
            "damage_probability": {"value": 1.0, "source": "t"},
            "damage_fraction": {"value": 0.01, "source": "t"}}},
        "sensors": {"test-radar": {
            "name": "test radar", "kind": "ground-radar",
            "reference_range": {"value": "20 km", "source": "t"}, "height": {"value": "10 m", "source": "t"},
            "revisit": {"value": revisit, "source": "t"}, "pd_scan": {"value": pd, "source": "t"}}},
    }
    f = tmp_path / "sense-cat.yaml"
    f.write_text(yaml.safe_dump(overlay))
    cat = load_catalog([f])
    doc = {
        "id": "sense-test-v1", "title": "sensing test",
        "theatre": {"defended": "UKR", "allied": ["POL"], "adversary": ["RUS"]},
        "duration": "6 h",
        "assets": [{"id": "aim", "kind": "city", "lonlat": list(AIM), "radius": "1 m"}],
        "launch_areas": [{"id": "pad", "lonlat": list(LAUNCH), "radius": "0 km"}],
        "forces": [{"id": "radar", "type": "test-radar", "side": "defended", "lonlat": list(STATION)}],
        "raid": {"groups": [{"id": "raid", "type": "test-drone", "count": n, "launch_areas": ["pad"],
                             "launch_window": ["0 h", "1 h"], "targets": {"aim": 1}, "dispersion": "0 km"}]},
    }
    sc = parse_scenario(doc, {}, "<test>", cat)
    p = compile_scenario(sc, cat, resolve_option("none", sc))
    st = Streams(17, 0)
    raid = sample_raid(p, st)
    return p, raid, build_segments(raid, p), st


def _cell(f: float, q: float, g: float = 0.0, **kw) -> Calibration:
    """A table with one calibrated cell (ground radar x drone), the others left to fall back."""
    ft = np.full((len(SENSOR_KINDS), len(COLUMNS)), np.nan)
    qt, gt = ft.copy(), ft.copy()
    ft[GR, DRONE], qt[GR, DRONE], gt[GR, DRONE] = f, q, g
    return Calibration(range_factor=tuple(map(tuple, ft)), confirm_p=tuple(map(tuple, qt)),
                       inner_factor=tuple(map(tuple, gt)), **kw)


def test_confirmation_comes_a_scan_phase_two_scans_and_a_geometric_wait_after_the_outer_edge(tmp_path) -> None:
    # R_eff = 1.0 x 20 km; entry at (d0 - 20 km) / 200 m/s after launch; then
    # T (phi + 2 + G), G ~ Geometric(0.5): mean T (0.5 + 2 + 1) = 35 s. The pass lasts 200 s, so
    # P(G > 17) = 0.5^18 truncates nothing measurable.
    p, raid, seg, st = _pass_params(tmp_path, 600)
    pic = StatisticalSensing(_cell(1.0, 0.5), metrics=False)(p, raid, seg, st)
    assert pic.by_sensor_key.size >= raid.size - 2  # a wait beyond 17 scans: 600 x 0.5^18 ~ 0.002 expected
    d0 = float(great_circle_distance_m(*LAUNCH, *STATION))
    lag = pic.by_sensor_t - raid.launch_s[pic.by_sensor_key % raid.size]
    expected = (d0 - 20e3) / 200.0 + 10.0 * (0.5 + 2.0 + 1.0)
    sd = 10.0 * math.sqrt(1 / 12 + 0.5 / 0.25)
    assert abs(lag.mean() - expected) < 3 * sd / math.sqrt(lag.size)
    assert lag.min() >= (d0 - 20e3) / 200.0 + 20.0 - 1e-6  # never before two scans inside


def test_a_pass_confirms_only_if_the_geometric_wait_ends_before_the_threat_leaves(tmp_path) -> None:
    # Dwell 2 R / v = 200 s = 20 scans; confirmed iff phi + 2 + G <= 20, i.e. G <= 17:
    # P = 1 - 0.9^18 with q = 0.1.
    p, raid, seg, st = _pass_params(tmp_path, 2000)
    pic = StatisticalSensing(_cell(1.0, 0.1), metrics=False)(p, raid, seg, st)
    share = pic.by_sensor_key.size / raid.size
    expected = 1 - 0.9**18
    assert abs(share - expected) < 3 * math.sqrt(expected * (1 - expected) / raid.size)
    # and with a pass too short for two scans, never
    short = StatisticalSensing(_cell(0.09, 1.0), metrics=False)(p, raid, seg, st)  # dwell 18 s < 20 s
    assert short.by_sensor_key.size == 0


def test_range_factor_matches_the_swerling_1_closed_form() -> None:
    # Swerling 1: P_d = exp(-t / (1 + SNR)), t = -ln P_fa, so SNR(P_d) = ln P_fa / ln P_d - 1 and
    # the range factor is (SNR(pd_scan) / SNR(P_d))^(1/4).
    def snr(pd, pfa):
        return math.log(pfa) / math.log(pd) - 1.0

    for pd_scan, pfa, target in ((0.8, 1e-6, 0.5), (0.8, 1e-6, 0.02), (0.6, 1e-4, 0.3)):
        got = float(range_factor_at_pd(target, np.array([pd_scan]), np.array([pfa]), np.array([1]))[0])
        assert got == pytest.approx((snr(pd_scan, pfa) / snr(target, pfa)) ** 0.25, rel=1e-5)


def test_inside_the_inner_circle_confirmation_takes_a_scan_phase_and_two_scans(tmp_path) -> None:
    # q = 0: the outer circle never confirms; the inner one (0.5 x 20 km) does, T (phi + 2) after
    # the threat enters it: lag - (d0 - 10 km) / v = 10 phi + 20 s, phi uniform on (0, 1).
    p, raid, seg, st = _pass_params(tmp_path, 600)
    pic = StatisticalSensing(_cell(1.0, 0.0, 0.5), metrics=False)(p, raid, seg, st)
    assert pic.by_sensor_key.size == raid.size
    d0 = float(great_circle_distance_m(*LAUNCH, *STATION))
    extra = pic.by_sensor_t - raid.launch_s[pic.by_sensor_key % raid.size] - (d0 - 10e3) / 200.0
    assert extra.min() >= 20.0 - 1e-6 and extra.max() <= 30.0 + 1e-6
    assert abs(extra.mean() - 25.0) < 3 * (10 / math.sqrt(12)) / math.sqrt(extra.size)
    # and the earlier of the two circles counts: with q = 1 the outer one wins, 10 km earlier
    both = StatisticalSensing(_cell(1.0, 1.0, 0.5), metrics=False)(p, raid, seg, st)
    np.testing.assert_allclose(pic.by_sensor_t - both.by_sensor_t, 10e3 / 200.0, atol=1e-3)


def test_a_cell_without_data_falls_back_to_the_half_pd_radius_pd_scan_and_the_reference_range(tmp_path) -> None:
    p, raid, seg, st = _pass_params(tmp_path, 200)
    c_half = float(range_factor_at_pd(0.5, np.array([0.8]), np.array([1e-6]), np.array([1]))[0])
    fallback = StatisticalSensing(Calibration(), metrics=False)(p, raid, seg, st)
    explicit = StatisticalSensing(_cell(c_half, 0.8, 1.0), metrics=False)(p, raid, seg, st)
    np.testing.assert_array_equal(fallback.by_sensor_key, explicit.by_sensor_key)
    np.testing.assert_array_equal(fallback.by_sensor_t, explicit.by_sensor_t)
    # A smaller radius on a pass through the station: the same draws, entry (0.2 c_half 20 km) / v later.
    one = StatisticalSensing(_cell(c_half, 0.8), metrics=False)(p, raid, seg, st)
    other = StatisticalSensing(_cell(c_half * 0.8, 0.8), metrics=False)(p, raid, seg, st)
    np.testing.assert_array_equal(other.by_sensor_key, one.by_sensor_key)
    np.testing.assert_allclose(other.by_sensor_t - one.by_sensor_t, 0.2 * c_half * 20e3 / 200.0, atol=1e-3)


def test_coverage_windows_are_those_the_full_model_simulates(umbrella) -> None:
    p, raid, seg, _ = umbrella
    cov = coverage(p, raid, seg)
    m, k, t_in, t_out, _, _ = coverage_windows(p, raid, seg)
    a, b = np.lexsort((cov.k, cov.m)), np.lexsort((k, m))
    np.testing.assert_array_equal(cov.m[a], m[b])
    np.testing.assert_array_equal(cov.k[a], k[b])
    np.testing.assert_allclose(cov.t_in[a], t_in[b], atol=1e-6)
    np.testing.assert_allclose(cov.t_out[a], t_out[b], atol=1e-6)


@settings(max_examples=12, deadline=None)
@given(f=hst.floats(0.0, 2.6), q=hst.floats(0.0, 1.0), g=hst.floats(0.0, 2.6), m=hst.integers(0, 3))
def test_every_track_is_confirmed_inside_its_circles_before_the_end(umbrella, f, q, g, m) -> None:
    p, raid, seg, st = umbrella
    K, C = len(SENSOR_KINDS), len(COLUMNS)
    cal = Calibration(range_factor=((f,) * C,) * K, confirm_p=((q,) * C,) * K, inner_factor=((g,) * C,) * K,
                      min_scans=float(m))
    pic = StatisticalSensing(cal, metrics=False)(p, raid, seg, st)
    if pic.by_sensor_key.size == 0:
        return
    k, thr, t = pic.by_sensor_key // raid.size, pic.by_sensor_key % raid.size, pic.by_sensor_t
    assert t.max() <= p.duration_s
    # Where is each threat when its track is confirmed? (independent of the window algebra)
    live = (seg.t0_s[None, :] <= t[:, None]) & (t[:, None] <= seg.t1_s[None, :]) & (seg.threat[None, :] == thr[:, None])
    assert live.any(axis=1).all()
    seg_i = np.argmax(live, axis=1)
    u = positions_at(seg, seg_i, t)
    dist = np.arccos(np.clip(np.einsum("ij,ij->i", u, p.sensors.unit[k]), -1, 1)) * EARTH_RADIUS_M
    r_ref = p.sensors.ref_range_m[k] * p.threat_types.rcs_m2[raid.type_index[thr]] ** 0.25
    assert np.all(dist <= np.minimum(max(f, g) * r_ref, radar_horizon_m(p.sensors.height_m[k], seg.alt_m[seg_i])) + 1.0)
    # ... and never sooner than min_scans scans after it could first have been seen
    T = p.sensors.revisit_s[k]
    cov = coverage(p, raid, seg)
    first_in = np.full(pic.by_sensor_key.size, np.inf)
    pos = np.searchsorted(pic.by_sensor_key, cov.k * raid.size + cov.thr)
    pos_c = np.minimum(pos, pic.by_sensor_key.size - 1)
    mine = pic.by_sensor_key[pos_c] == cov.k * raid.size + cov.thr
    np.minimum.at(first_in, pos_c[mine], cov.t_in[mine])
    assert np.all(t >= first_in + m * T - 1e-6)
