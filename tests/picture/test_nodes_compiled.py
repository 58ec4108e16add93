"""Full-fidelity sensor nodes after the speed work: the same tracks as before it.

Two references, on a thinned reference raid (every sensor kind of the reference theatre, the
integrated-operations option, so allied tracks are shared and fused):

* a frozen copy of what the code at commit 913e546 (before the compiled trackers, the tabulated
  Poisson inversion, the shared sensor axes and the look-sized blocks) computed:
  ``data/nodes_913e546.npz``, made by ``data/make_nodes_913e546.py`` (its docstring says how);
* the NumPy trackers still in the code (``NodeConfig(compiled=False)``: the scan-by-scan
  :class:`~skyshield.tracking.Tracker`), against the compiled scan loop.

Same first confirmations (sensor, threat, time), false-alarm track counts and confirmed tracks in
every snapshot; states within floating-point tolerance; the same picture metrics.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyshield.engine.raid import sample_raid
from skyshield.engine.sense_full import FullSensing, theatre_plane
from skyshield.engine.trajectory import build_segments
from skyshield.picture.metrics import eval_times
from skyshield.picture.nodes import NodeConfig, run_nodes
from skyshield.rng import Streams
from tests.engine.test_sense_full import _small_reference

FROZEN = Path(__file__).parent / "data" / "nodes_913e546.npz"
SEED = 11


@pytest.fixture(scope="module")
def small():
    p = _small_reference("integrated-ops", scale=0.03, hours=0.5, duration="2 h")
    st = Streams(SEED, 0)
    raid = sample_raid(p, st)
    seg = build_segments(raid, p)
    return p, raid, seg


def _run(small, compiled: bool):
    p, raid, seg = small
    grid = eval_times(seg, p.duration_s, 60.0)
    snap = np.unique(np.concatenate([grid, grid - p.sharing_latency_s]))
    return run_nodes(p, raid, seg, Streams(SEED, 0), theatre_plane(p), snap, NodeConfig(compiled=compiled))


def _flat(res):
    keys = sorted(res.snapshots)
    cat = lambda f: np.concatenate([getattr(res.snapshots[k], f) for k in keys])
    idx = np.concatenate([np.full(res.snapshots[k].node.size, i) for i, k in enumerate(keys)])
    return np.array(keys), idx, cat("node"), cat("track_id"), cat("x"), cat("P"), cat("t_s")


def test_nodes_give_the_tracks_the_code_before_the_speed_work_gave(small) -> None:
    ref = np.load(FROZEN)
    new = _run(small, True)
    np.testing.assert_array_equal(new.first_key, ref["first_key"])
    np.testing.assert_array_equal(new.first_t, ref["first_t"])
    np.testing.assert_array_equal(new.false_confirmed, ref["false_confirmed"])
    np.testing.assert_array_equal(new.active_node_scans, ref["active_node_scans"])
    keys, idx, node, tid, x, P, t = _flat(new)
    np.testing.assert_array_equal(keys, ref["snap_times"])
    np.testing.assert_array_equal(idx, ref["snap_index"])
    np.testing.assert_array_equal(node, ref["node"])
    np.testing.assert_array_equal(tid, ref["track_id"])
    np.testing.assert_array_equal(t, ref["t_s"])
    np.testing.assert_allclose(x, ref["x"], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(np.trace(P, axis1=1, axis2=2), ref["P_trace"], rtol=1e-9, atol=1e-6)
    # not vacuous: several sensors confirm many threats, false tracks exist, thousands of records
    assert np.unique(ref["first_key"] // small[1].size).size >= 5
    assert ref["first_key"].size >= 100 and ref["node"].size >= 3000
    assert ref["false_confirmed"].sum() >= 1


def test_full_fidelity_picture_is_the_one_before_the_speed_work(small) -> None:
    p, raid, seg = small
    ref = np.load(FROZEN)
    pic = FullSensing()(p, raid, seg, Streams(SEED, 0))
    np.testing.assert_array_equal(pic.network_t, ref["network_t"])
    np.testing.assert_array_equal(pic.own_t, ref["own_t"])
    assert sorted(pic.metrics) == list(ref["metric_names"])
    got = np.array([pic.metrics[k] for k in ref["metric_names"]])
    np.testing.assert_allclose(got, ref["metric_values"], rtol=1e-9, atol=1e-9)


@pytest.mark.slow  # the NumPy trackers step scan by scan (seconds); the frozen check above is the default one
def test_compiled_trackers_give_the_tracks_of_the_numpy_trackers(small) -> None:
    a, b = _run(small, False), _run(small, True)
    np.testing.assert_array_equal(b.first_key, a.first_key)
    np.testing.assert_array_equal(b.first_t, a.first_t)
    np.testing.assert_array_equal(b.false_confirmed, a.false_confirmed)
    fa, fb = _flat(a), _flat(b)
    for u, v in zip(fa[:4] + fa[6:], fb[:4] + fb[6:]):
        np.testing.assert_array_equal(v, u)
    np.testing.assert_allclose(fb[4], fa[4], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(fb[5], fa[5], rtol=1e-9, atol=1e-6)
    assert fa[1].size >= 3000
