"""The compiled scan loop (:class:`ScanRunner`) against the NumPy tracker (:class:`Tracker`).

Same detections, scan by scan: the same track ids alive, the same confirmed flags, states and
covariances within floating-point tolerance, and the same first confirmations. The scenes are
built to exercise every branch: dense clutter and crossing targets (contested assignments solved
by the exact solver), gaps between scans (long predictions), several nodes offset in the plane
as :mod:`skyshield.picture.nodes` uses them, tentative and confirmed deletions.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.tracking import Tracker, TrackerParams, sparse_assignment
from skyshield.tracking.association import _assign
from skyshield.tracking.scans import ScanRunner

PARAMS = TrackerParams(q_m2ps3=1.0, meas_sigma_m=150.0, gate=4.0, init_vel_sigma_mps=300.0)


def _scene(seed: int, n_targets: int = 12, n_scans: int = 60, clutter: float = 6.0, nodes: int = 2):
    """Detections per scan: crossing targets seen with P_d 0.8 plus Poisson clutter, on nodes
    shifted by 1e7 m, with irregular scan times (a long gap in the middle)."""
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.choice([1.0, 2.0, 2.0, 5.0], n_scans))
    t[n_scans // 2 :] += 40.0  # a gap: long predictions
    p0 = rng.uniform(-20_000, 20_000, (n_targets, 2))
    v = rng.uniform(-250, 250, (n_targets, 2))
    v[: n_targets // 2] = -p0[: n_targets // 2] / 80.0  # half converge on the origin: crossings
    scans = []
    for tk in t:
        zs = []
        for node in range(nodes):
            pos = p0 + v * tk
            seen = rng.random(n_targets) < 0.8
            z = pos[seen] + rng.normal(0, 150.0, (int(seen.sum()), 2))
            nfa = rng.poisson(clutter)
            zf = rng.uniform(-25_000, 25_000, (nfa, 2))
            zz = np.concatenate([z, zf])
            zz[:, 0] += node * 1.0e7
            zs.append(zz)
        scans.append(np.concatenate(zs))
    return t, scans


def _reference(t, scans, params=PARAMS):
    trk = Tracker(params)
    states, first = [], {}
    for tk, z in zip(t, scans):
        out = trk.step(z, float(tk))
        for i in out.track_id:
            first.setdefault(int(i), float(tk))
        s = trk.state
        states.append((s.track_id.copy(), s.x.copy(), s.P.copy(), s.confirmed.copy()))
    return states, first


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scan_runner_matches_the_numpy_tracker_scan_by_scan(seed: int) -> None:
    t, scans = _scene(seed)
    ref, ref_first = _reference(t, scans)
    run = ScanRunner(PARAMS)
    first: dict[int, float] = {}
    for k, (tk, z) in enumerate(zip(t, scans)):
        res = run.run(np.array([tk]), np.array([0]), np.array([len(z)]), z)
        first.update({int(i): float(ts) for i, ts in zip(res.confirmed_id, res.confirmed_t_s)})
        tid, x, P, conf = run.state()
        rid, rx, rP, rconf = ref[k]
        np.testing.assert_array_equal(tid, rid)
        np.testing.assert_array_equal(conf, rconf)
        np.testing.assert_allclose(x, rx, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(P, rP, rtol=1e-9, atol=1e-6)
    assert first == ref_first
    # The scene is not trivial: many tracks confirmed, clutter tracks born and deleted.
    assert len(first) >= 12
    assert run.next_id > 3 * len(first)


def test_blocks_and_snapshots_match_scan_by_scan() -> None:
    """Running the scans in blocks gives the same tracks; a snapshot holds the confirmed
    tracks of the last scan before it when that scan is recent enough, else nothing."""
    t, scans = _scene(5, nodes=1)
    ref, _ = _reference(t, scans)
    # sorted; the third falls in the 40 s gap after scan 29 and the last long after the end: stale
    snaps = np.array([t[3] + 0.5, t[10] + 0.1, t[29] + 20.0, t[31] + 0.5, t[-1] + 1.0, t[-1] + 100.0])
    assert np.all(np.diff(snaps) > 0) and t[30] - t[29] > 40.0
    run = ScanRunner(PARAMS, snaps, keep_window_s=10.0)
    z = np.concatenate(scans)
    n = np.array([len(s) for s in scans])
    hi = np.cumsum(n)
    lo = hi - n
    recs = []
    for a, b in ((0, 17), (17, 18), (18, len(t))):
        off = lo[a]
        recs.append(run.run(t[a:b], lo[a:b] - off, hi[a:b] - off, z[off : hi[b - 1]]))
    recs.append(run.finish())
    s_idx = np.concatenate([r.snap_index for r in recs])
    s_id = np.concatenate([r.snap_id for r in recs])
    s_x = np.concatenate([r.snap_x for r in recs])
    s_t = np.concatenate([r.snap_t_s for r in recs])
    tid, x, _, _ = run.state()
    np.testing.assert_array_equal(tid, ref[-1][0])
    np.testing.assert_allclose(x, ref[-1][1], rtol=1e-9, atol=1e-6)
    for k, s in enumerate(snaps):
        last = np.flatnonzero(t < s)[-1]
        rid, rx, _, rconf = ref[last]
        sel = s_idx == k
        if s - t[last] > 10.0:
            assert not sel.any()
            continue
        np.testing.assert_array_equal(s_id[sel], rid[rconf])
        np.testing.assert_allclose(s_x[sel], rx[rconf], rtol=1e-9, atol=1e-6)
        assert np.all(s_t[sel] == t[last])
    assert (s_idx == 2).sum() == 0 and (s_idx == 5).sum() == 0  # stale: nothing
    assert all((s_idx == k).sum() > 0 for k in (0, 1, 3, 4))


def test_births_keep_the_labels_of_their_detections() -> None:
    t, scans = _scene(7, nodes=2)
    run = ScanRunner(PARAMS)
    ids = []
    for tk, z in zip(t, scans):
        node = (z[:, 0] > 5.0e6).astype(np.int64)
        origin = np.arange(len(z), dtype=np.int64)  # each detection labelled by its index
        before = run.next_id
        run.run(np.array([tk]), np.array([0]), np.array([len(z)]), z, node, origin)
        tid, x, _, _ = run.state()
        born = tid >= before
        src = run.track_origin[tid[born]]
        # a newborn track sits on its birth detection, and births follow detection order
        np.testing.assert_array_equal(x[born][:, [0, 2]], z[src])
        np.testing.assert_array_equal(run.track_node[tid[born]], node[src])
        assert np.all(np.diff(src) > 0)
        ids.append(tid[born])
    assert np.concatenate(ids).size == run.next_id


def _scipy_sparse_assignment(n_rows, n_cols, rows, cols, cost, miss_cost):
    """Reference: the whole problem as one sparse full bipartite matching (SciPy's LAPJVsp) of
    rows against columns plus one dummy column per row (the implementation before 2026-11-29)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    assign = np.full(n_rows, -1, dtype=np.int64)
    ok = cost < miss_cost
    rows, cols, cost = rows[ok], cols[ok], cost[ok]
    if len(rows) == 0:
        return assign
    ur, r_loc = np.unique(rows, return_inverse=True)
    uc, c_loc = np.unique(cols, return_inverse=True)
    m, k = len(ur), len(uc)
    shift = 1.0 - min(float(cost.min()), miss_cost)  # keeps every weight > 0
    weights = np.concatenate([cost, np.full(m, miss_cost)]) + shift
    graph = csr_matrix((weights, (np.concatenate([r_loc, np.arange(m)]), np.concatenate([c_loc, k + np.arange(m)]))),
                       shape=(m, k + m))
    r_idx, c_idx = min_weight_full_bipartite_matching(graph)
    real = c_idx < k
    assign[ur[r_idx[real]]] = uc[c_idx[real]]
    return assign


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 12), st.integers(1, 14), st.floats(0.05, 0.9))
def test_exact_assignment_matches_scipy(seed: int, n_rows: int, n_cols: int, density: float) -> None:
    """The compiled assignment (components, shortest augmenting paths) gives the optimum that
    SciPy's sparse matching of the whole problem gives."""
    rng = np.random.default_rng(seed)
    rows, cols = np.nonzero(rng.random((n_rows, n_cols)) < density)
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    cost = rng.uniform(0.0, 5.0, rows.size)
    ref = _scipy_sparse_assignment(n_rows, n_cols, rows, cols, cost, 4.0)
    np.testing.assert_array_equal(sparse_assignment(n_rows, n_cols, rows, cols, cost, 4.0), ref)
    out = np.full(n_rows, -1, np.int64)
    _assign(n_rows, n_cols, rows, cols, cost, rows.size, 4.0, out)
    np.testing.assert_array_equal(out, ref)


def test_imm_is_not_compiled() -> None:
    with pytest.raises(ValueError):
        ScanRunner(TrackerParams(motion="imm"))
