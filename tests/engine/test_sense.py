"""Statistical sense: picture metrics from the fast model, and the link honoured."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from skyshield.engine.params import DEFENDED
from skyshield.engine.raid import sample_raid
from skyshield.engine.sense import StatisticalSensing
from skyshield.engine.trajectory import build_segments
from skyshield.calibration.sensing import reference_params
from skyshield.picture.metrics import METRIC_NAMES
from skyshield.rng import Streams


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
