"""Full-fidelity sense: determinism, the CLI hook, and agreement with the statistical model.

Agreement tolerances (statistical vs full, same raid, seed not used for calibration):
share of threats in the defended picture before arrival within 0.02 absolute; mean warning
time within 5 %; ``gospa_m`` within 5 %; SIAP completeness within 0.03 absolute. (SIAP
latency is *not* compared: the two models measure it from different coverage edges.)
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml

import skyshield.scenario

from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario
from skyshield.engine.core import FIDELITIES, engine_for
from skyshield.engine.params import DEFENDED
from skyshield.engine.raid import sample_raid
from skyshield.engine.sense import StatisticalSensing
from skyshield.engine.sense_full import FullSensing
from skyshield.engine.trajectory import build_segments
from skyshield.options import resolve_option
from skyshield.calibration.sensing import reference_params
from skyshield.rng import Streams
from skyshield.scenario import parse_scenario


def _small_reference(option: str, scale: float = 0.08, hours: float = 1.5, duration: str = "8 h"):
    """The reference scenario with its raid thinned and the launch windows shortened."""
    path = Path(skyshield.scenario.__file__).parent / "builtin" / "eastern-flank-night-raid-v1.yaml"
    doc = yaml.safe_load(path.read_text())
    groups = []
    for g in doc["raid"]["groups"]:
        if g["type"] in ("iskander-k", "iskander-m"):
            continue
        g["count"] = max(1, int(round(g["count"] * scale)))
        g["launch_window"] = ["0 h", f"{hours} h"]
        groups.append(g)
    doc["raid"]["groups"] = groups
    doc["duration"] = duration
    cat = load_catalog()
    sc2 = parse_scenario(doc, {}, "<small-reference>", cat)
    return compile_scenario(sc2, cat, resolve_option(option, sc2))


def _both(p, seed=3):
    st = Streams(seed, 0)
    raid = sample_raid(p, st)
    seg = build_segments(raid, p)
    return raid, seg, StatisticalSensing()(p, raid, seg, st), FullSensing()(p, raid, seg, st)


def _summary(pic, seg):
    d = pic.network_t[DEFENDED]
    ok = np.isfinite(d) & (d <= seg.arrival_s)
    return ok.mean(), np.where(ok, seg.arrival_s - d, 0.0).mean()


def _agree(p, seed=3):
    _, seg, stat, full = _both(p, seed)
    (fs, ws), (ff, wf) = _summary(stat, seg), _summary(full, seg)
    assert abs(fs - ff) <= 0.02
    assert abs(ws - wf) <= 0.05 * wf
    assert abs(stat.metrics["gospa_m"] - full.metrics["gospa_m"]) <= 0.05 * full.metrics["gospa_m"]
    assert abs(stat.metrics["siap_completeness"] - full.metrics["siap_completeness"]) <= 0.03


def test_full_fidelity_is_registered() -> None:
    assert "full" in FIDELITIES
    assert isinstance(engine_for("full").sense, FullSensing)


def test_full_fidelity_is_deterministic_for_a_seed() -> None:
    p = _small_reference("air-policing", scale=0.02, hours=0.5, duration="2 h")
    st = Streams(9, 1)
    raid = sample_raid(p, st)
    seg = build_segments(raid, p)
    a = FullSensing()(p, raid, seg, Streams(9, 1))
    b = FullSensing()(p, raid, seg, Streams(9, 1))
    np.testing.assert_array_equal(a.by_sensor_key, b.by_sensor_key)
    np.testing.assert_array_equal(a.by_sensor_t, b.by_sensor_t)
    np.testing.assert_array_equal(a.network_t, b.network_t)
    assert a.metrics == b.metrics
    c = FullSensing()(p, raid, seg, Streams(10, 1))
    assert not np.array_equal(a.by_sensor_t, c.by_sensor_t) or a.metrics != c.metrics


def test_full_fidelity_more_latency_never_gives_an_earlier_picture() -> None:
    p = _small_reference("umbrella", scale=0.02, hours=0.5, duration="2 h")
    st = Streams(4, 0)
    raid = sample_raid(p, st)
    seg = build_segments(raid, p)
    fast = FullSensing()(p, raid, seg, Streams(4, 0))
    slow = FullSensing()(replace(p, sharing_latency_s=120.0), raid, seg, Streams(4, 0))
    np.testing.assert_array_equal(fast.own_t, slow.own_t)
    assert np.all(slow.network_t[DEFENDED] >= fast.network_t[DEFENDED])


def test_statistical_and_full_agree_on_a_thinned_reference_raid() -> None:
    _agree(_small_reference("umbrella"))


@pytest.mark.slow
@pytest.mark.parametrize("option", ["none", "air-policing", "umbrella"])
def test_statistical_and_full_agree_on_the_reference_scenario(option: str) -> None:
    _agree(reference_params(option))
