"""Covariance intersection: consistency, the information bound, idempotence; track numbers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.picture.fusion import TrackNumbers, ci_fuse, fuse_tracks


def _spd(rng, d=4):
    A = rng.normal(size=(d, d))
    return A @ A.T + d * np.eye(d)


def test_fusing_a_track_with_itself_returns_it() -> None:
    rng = np.random.default_rng(0)
    P = _spd(rng)
    x = rng.normal(size=4)
    xf, Pf = ci_fuse(np.stack([x, x]), np.stack([P, P]), np.array([0, 0]), 1)
    np.testing.assert_allclose(xf[0], x, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(Pf[0], P, rtol=1e-10)


def test_fused_covariance_is_never_below_the_independent_kalman_bound() -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        P1, P2 = _spd(rng), _spd(rng)
        _, Pf = ci_fuse(rng.normal(size=(2, 4)), np.stack([P1, P2]), np.array([0, 0]), 1)
        bound = np.linalg.inv(np.linalg.inv(P1) + np.linalg.inv(P2))
        assert np.linalg.eigvalsh(Pf[0] - bound).min() >= -1e-9
        # ... and never larger than the worse input in trace (it is a convex combination).
        assert np.trace(Pf[0]) <= max(np.trace(P1), np.trace(P2)) + 1e-9


def test_fused_covariance_is_consistent_for_fully_correlated_errors() -> None:
    # Two tracks with the *same* error (correlation 1): a Kalman combination would claim half
    # the variance; CI must still bound the true error (NEES mean <= dimension).
    rng = np.random.default_rng(2)
    P1 = np.diag([4.0, 1.0, 9.0, 1.0])
    P2 = np.diag([9.0, 1.0, 4.0, 1.0])
    L = np.linalg.cholesky(np.minimum(P1, P2))
    nees = []
    for _ in range(4000):
        e = L @ rng.normal(size=4)
        xf, Pf = ci_fuse(np.stack([e, e]), np.stack([P1, P2]), np.array([0, 0]), 1)
        nees.append(xf[0] @ np.linalg.solve(Pf[0], xf[0]))
    assert np.mean(nees) <= 4.0


def test_tracks_of_one_target_from_two_participants_fuse_and_distant_ones_do_not() -> None:
    P = np.broadcast_to(np.diag([100.0**2, 10.0, 100.0**2, 10.0]), (3, 4, 4)).copy()
    x = np.array([[0, 0, 0, 0], [50, 0, 30, 0], [5e4, 0, 0, 0]], float)
    f = fuse_tracks(x, P, source=np.array([0, 1, 1]), key=np.array([10, 20, 21]))
    assert f.x.shape[0] == 2 and f.n_sources.tolist() == [2, 1]
    # Two tracks of the same participant are never merged with each other directly.
    g = fuse_tracks(x[:2], P[:2], source=np.array([0, 0]), key=np.array([1, 2]))
    assert g.x.shape[0] == 2


def test_track_numbers_persist_across_updates() -> None:
    tn = TrackNumbers()
    a = tn.assign(np.array([5, 7]), np.array([0, 1]), 2)
    b = tn.assign(np.array([7, 5, 9]), np.array([0, 1, 2]), 3)
    assert b[0] == a[1] and b[1] == a[0] and b[2] not in a


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**31 - 1), st.floats(0.0, 3.0))
def test_components_are_scipys_connected_components(k: int, seed: int, density: float) -> None:
    """Same number of components and the same labels (numbered by smallest node) as SciPy."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from skyshield.picture.fusion import components

    rng = np.random.default_rng(seed)
    m = int(density * k)
    i, j = rng.integers(0, k, m), rng.integers(0, k, m)
    n_ref, lab_ref = connected_components(coo_matrix((np.ones(m), (i, j)), shape=(k, k)), directed=False)
    n, lab = components(k, i.astype(np.int64), j.astype(np.int64))
    assert n == n_ref
    np.testing.assert_array_equal(lab, lab_ref)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 12))
def test_track_numbers_are_those_of_the_sorted_table_rebuilt_each_time(seed: int, rounds: int) -> None:
    """The in-place update gives the numbers of the reference book-keeping (the whole table
    re-sorted at every update, the last number per key kept), over many updates."""
    rng = np.random.default_rng(seed)
    tn = TrackNumbers()
    ref_keys, ref_tn, ref_next = np.zeros(0, np.int64), np.zeros(0, np.int64), 1
    for _ in range(rounds):
        k = int(rng.integers(0, 30))
        keys = rng.choice(60, size=k, replace=False).astype(np.int64)
        n_c = int(rng.integers(1, k + 1)) if k else 0
        cluster = rng.integers(0, max(n_c, 1), k).astype(np.int64)
        n_c = int(cluster.max()) + 1 if k else 0
        # reference
        pos = np.searchsorted(ref_keys, keys)
        pc = np.minimum(pos, max(ref_keys.size - 1, 0))
        known = (pos < ref_keys.size) & (ref_keys[pc] == keys) if ref_keys.size else np.zeros(k, bool)
        old = np.where(known, ref_tn[pc] if ref_keys.size else 0, np.iinfo(np.int64).max)
        want = np.full(n_c, np.iinfo(np.int64).max)
        np.minimum.at(want, cluster, old)
        new = np.flatnonzero(want == np.iinfo(np.int64).max)
        want[new] = ref_next + np.arange(new.size)
        ref_next += new.size
        allk = np.concatenate([ref_keys, keys])
        allt = np.concatenate([ref_tn, want[cluster]])
        o = np.argsort(allk, kind="stable")
        allk, allt = allk[o], allt[o]
        last = np.r_[allk[1:] != allk[:-1], True] if allk.size else np.zeros(0, bool)
        ref_keys, ref_tn = allk[last], allt[last]
        np.testing.assert_array_equal(tn.assign(keys, cluster, n_c), want)
        np.testing.assert_array_equal(tn._keys, ref_keys)
        np.testing.assert_array_equal(tn._tn, ref_tn)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n_groups=st.integers(1, 8))
def test_grouped_fusion_is_fuse_tracks_group_by_group(seed: int, n_groups: int) -> None:
    """Many pictures fused at once give each picture's fuse_tracks: same clusters (renumbered
    from the group's first), states, covariances and ambiguous-cluster counts."""
    from skyshield.picture.fusion import fuse_tracks_grouped

    rng = np.random.default_rng(seed)
    xs, Ps, srcs, keys, grp = [], [], [], [], []
    for g in range(n_groups):
        k = int(rng.integers(0, 30))  # empty pictures too
        truth = rng.uniform(-2e4, 2e4, size=(max(k // 3, 1), 2))
        on = rng.integers(0, truth.shape[0], k)
        sd = rng.uniform(50, 3000, k)
        x = np.zeros((k, 4))
        x[:, [0, 2]] = truth[on] + rng.normal(size=(k, 2)) * sd[:, None]
        x[:, [1, 3]] = rng.normal(size=(k, 2)) * 50
        P = np.zeros((k, 4, 4))
        P[:, [0, 2], [0, 2]] = (sd**2)[:, None]
        P[:, 0, 2] = P[:, 2, 0] = 0.3 * sd**2
        P[:, [1, 3], [1, 3]] = 400.0
        xs.append(x), Ps.append(P), srcs.append(rng.integers(0, 4, k)), keys.append(rng.permutation(1000)[:k])
        grp.append(np.full(k, g))
    x, P, src, key, group = (np.concatenate(a) for a in (xs, Ps, srcs, keys, grp))
    fused, c0, amb = fuse_tracks_grouped(x, P, src, key, group, n_groups)
    a = 0
    for g in range(n_groups):
        b = a + xs[g].shape[0]
        ca, cb = int(c0[g]), int(c0[g + 1])
        if b == a:
            assert cb == ca and amb[g] == 0
            continue
        ref = fuse_tracks(xs[g], Ps[g], srcs[g], keys[g])
        np.testing.assert_array_equal(fused.cluster[a:b] - ca, ref.cluster)
        np.testing.assert_allclose(fused.x[ca:cb], ref.x, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(fused.P[ca:cb], ref.P, rtol=1e-12, atol=1e-9)
        assert amb[g] == ref.multi_same_source
        a = b
    assert fused.multi_same_source == int(amb.sum())
