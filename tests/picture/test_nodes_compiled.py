"""Full-fidelity sensor nodes: the compiled trackers give the same picture as the NumPy ones.

:func:`~skyshield.picture.nodes.run_nodes` steps every sensor class's NCV tracker either scan by
scan through :class:`~skyshield.tracking.Tracker` (``NodeConfig(compiled=False)``, the code that
ran before the compiled loop existed) or in :class:`~skyshield.tracking.scans.ScanRunner`. On a
thinned reference raid with every sensor kind of the reference theatre, both must give the same
first confirmations (sensor, threat, time), the same false-alarm track counts and the same
confirmed tracks in every snapshot, states within floating-point tolerance, and so the same
full-fidelity picture metrics.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from skyshield.engine.raid import sample_raid
from skyshield.engine.sense_full import FullSensing, theatre_plane
from skyshield.engine.trajectory import build_segments
from skyshield.picture.metrics import eval_times
from skyshield.picture.nodes import NodeConfig, run_nodes
from skyshield.rng import Streams

from tests.engine.test_sense_full import _small_reference


@pytest.fixture(scope="module")
def small():
    p = _small_reference("integrated-ops", scale=0.05, hours=1.0, duration="4 h")
    st = Streams(11, 0)
    raid = sample_raid(p, st)
    seg = build_segments(raid, p)
    return p, raid, seg


def _run(small, compiled: bool):
    p, raid, seg = small
    grid = eval_times(seg, p.duration_s, 60.0)
    snap = np.unique(np.concatenate([grid, grid - p.sharing_latency_s]))
    return run_nodes(p, raid, seg, Streams(11, 0), theatre_plane(p), snap, NodeConfig(compiled=compiled))


def test_compiled_nodes_give_the_same_tracks_as_the_numpy_trackers(small) -> None:
    a, b = _run(small, False), _run(small, True)
    np.testing.assert_array_equal(b.first_key, a.first_key)
    np.testing.assert_array_equal(b.first_t, a.first_t)
    np.testing.assert_array_equal(b.false_confirmed, a.false_confirmed)
    np.testing.assert_array_equal(b.active_node_scans, a.active_node_scans)
    assert list(b.snapshots) == list(a.snapshots)
    n_tracks = 0
    for s, la in a.snapshots.items():
        lb = b.snapshots[s]
        np.testing.assert_array_equal(lb.node, la.node)
        np.testing.assert_array_equal(lb.track_id, la.track_id)
        np.testing.assert_array_equal(lb.t_s, la.t_s)
        np.testing.assert_allclose(lb.x, la.x, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(lb.P, la.P, rtol=1e-9, atol=1e-6)
        n_tracks += la.node.size
    # not a vacuous comparison: many sensors confirm many threats, false tracks exist
    p = small[0]
    assert np.unique(a.first_key // small[1].size).size >= 5
    assert a.first_key.size >= 30 and n_tracks >= 500
    assert a.false_confirmed.sum() >= 1


def test_compiled_nodes_give_the_same_full_fidelity_picture(small) -> None:
    p, raid, seg = small
    ref = FullSensing(NodeConfig(compiled=False))(p, raid, seg, Streams(11, 0))
    new = FullSensing(NodeConfig(compiled=True))(p, raid, seg, Streams(11, 0))
    np.testing.assert_array_equal(new.network_t, ref.network_t)
    np.testing.assert_array_equal(new.own_t, ref.own_t)
    assert set(new.metrics) == set(ref.metrics)
    for k, v in ref.metrics.items():
        assert new.metrics[k] == pytest.approx(v, rel=1e-9, abs=1e-9), k
