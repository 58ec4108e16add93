r"""The NCV tracker of :mod:`skyshield.tracking.tracker` run over many scans in compiled code.

:func:`~skyshield.tracking.tracker.tracker_step` costs about a millisecond of NumPy call
overhead per scan whatever the number of tracks, and a night of full-fidelity sensing steps
tens of thousands of scans. :class:`ScanRunner` runs the *same* scan logic (NCV predict,
Mahalanobis gating, GNN of confirmed tracks then of tentative tracks on the detections left,
Joseph-form update, M-of-N management, births in detection order) in one compiled loop over a
block of scans (numba), so a block costs what its arithmetic costs.

What is the same, and how it is checked (``tests/tracking/test_scans.py``): track ids, births,
confirmations and deletions scan by scan, and states and covariances to floating-point
tolerance, against :class:`~skyshield.tracking.Tracker` on the same detections. The steps
follow the NumPy code operation by operation; only the order of some additions differs, so
states agree to about :math:`10^{-12}` relative. Gating keeps a pair exactly when
:func:`~skyshield.tracking.association.gate_pairs` does (candidates are found by a sorted sweep
instead of a kd-tree: any superset of the gated pairs gives the same pairs). The assignment
solves the same problem as :func:`~skyshield.tracking.association.sparse_assignment`: pairs
alone in their row and column directly, every other connected component of the candidate graph
exactly by shortest augmenting paths (the Jonker-Volgenant scheme of Crouse, 2016, which SciPy's
``linear_sum_assignment`` uses) on the component's dense matrix with one miss column per track;
a unique optimum is found by both, so only exact ties (probability zero with continuous noise)
could be broken differently.

Only the NCV motion model (``motion="cv"``) is compiled; the IMM stays with
:class:`~skyshield.tracking.Tracker`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from skyshield.tracking.association import _assign
from skyshield.tracking.tracker import TrackerParams

__all__ = ["ScanBlockResult", "ScanRunner"]

F = NDArray[np.float64]
I = NDArray[np.int64]

_JIT = {"cache": True, "nogil": True}


@numba.njit(**_JIT)
def _grow_f(a: F, n: int) -> F:
    shape = (max(n, 2 * a.shape[0]),) + a.shape[1:]
    b = np.zeros(shape)
    b[: a.shape[0]] = a
    return b


@numba.njit(**_JIT)
def _grow_i(a: I, n: int) -> I:
    b = np.zeros(max(n, 2 * a.shape[0]), np.int64)
    b[: a.shape[0]] = a
    return b


@numba.njit(**_JIT)
def _run_block(
    scan_t, det_lo, det_hi, dz, dnode, dorig,  # the block: scans and their detections
    x, P, tid, hist, age, miss, conf, n_trk, next_id, t_last, has_t,  # tracker state
    trk_node, trk_orig,  # per track id: node and origin of its birth detection
    snap_t, sp, keep_window_s,  # snapshot times (sorted), next one, how stale a picture may be
    q, r_var, gate, v_var, confirm_m, confirm_n, tent_max, conf_max,
):
    nx = 4
    window = (1 << confirm_n) - 1
    # outputs: confirmations and snapshot records
    c_tid = np.zeros(64, np.int64)
    c_t = np.zeros(64)
    n_c = 0
    s_idx = np.zeros(256, np.int64)
    s_row = np.zeros(256, np.int64)  # track id
    s_x = np.zeros((256, 4))
    s_P = np.zeros((256, 4, 4))
    s_t = np.zeros(256)
    n_s = 0
    n_snap = snap_t.shape[0]
    FP = np.zeros((4, 4))
    Qm = np.zeros((4, 4))
    K = np.empty((4, 2))
    IKH = np.empty((4, 4))
    M = np.empty((4, 4))
    for js in range(scan_t.shape[0]):
        tj = scan_t[js]
        # Snapshots before this scan see the confirmed tracks of the last scan.
        while sp < n_snap and snap_t[sp] < tj:
            s = snap_t[sp]
            if has_t and t_last >= s - keep_window_s:
                for a in range(n_trk):
                    if conf[a]:
                        if n_s == s_idx.shape[0]:
                            s_idx = _grow_i(s_idx, n_s + 1)
                            s_row = _grow_i(s_row, n_s + 1)
                            s_x = _grow_f(s_x, n_s + 1)
                            s_P = _grow_f(s_P, n_s + 1)
                            s_t = _grow_f(s_t, n_s + 1)
                        s_idx[n_s] = sp
                        s_row[n_s] = tid[a]
                        s_x[n_s] = x[a]
                        s_P[n_s] = P[a]
                        s_t[n_s] = t_last
                        n_s += 1
            sp += 1
        lo, hi = det_lo[js], det_hi[js]
        nd = hi - lo
        # 1. predict (cv_transition + kf_predict)
        if n_trk > 0 and has_t and tj != t_last:
            dt = tj - t_last
            Qm[:, :] = 0.0
            for a in (0, 2):
                Qm[a, a] = q * (dt**3 / 3.0)
                Qm[a, a + 1] = q * (dt**2 / 2.0)
                Qm[a + 1, a] = q * (dt**2 / 2.0)
                Qm[a + 1, a + 1] = q * dt
            # F = blkdiag([[1, dt], [0, 1]] x 2): the products of kf_predict with its zero
            # and unit entries written out (the same sums, without the exact zero terms).
            for a in range(n_trk):
                x[a, 0] = x[a, 0] + dt * x[a, 1]
                x[a, 2] = x[a, 2] + dt * x[a, 3]
                for j in range(nx):  # FP = F P
                    FP[0, j] = P[a, 0, j] + dt * P[a, 1, j]
                    FP[1, j] = P[a, 1, j]
                    FP[2, j] = P[a, 2, j] + dt * P[a, 3, j]
                    FP[3, j] = P[a, 3, j]
                for i in range(nx):  # F P F^T + Q
                    P[a, i, 0] = (FP[i, 0] + dt * FP[i, 1]) + Qm[i, 0]
                    P[a, i, 1] = FP[i, 1] + Qm[i, 1]
                    P[a, i, 2] = (FP[i, 2] + dt * FP[i, 3]) + Qm[i, 2]
                    P[a, i, 3] = FP[i, 3] + Qm[i, 3]
        # 2. gating: sweep over detections sorted by x
        assign = np.full(n_trk, -1, np.int64)
        used = np.zeros(nd, np.bool_)
        if n_trk > 0 and nd > 0:
            order = np.argsort(dz[lo:hi, 0], kind="mergesort")
            xs = dz[lo:hi, 0][order]
            cap = 4 * (n_trk + nd)
            pr = np.empty(cap, np.int64)
            pc = np.empty(cap, np.int64)
            pd = np.empty(cap)
            n_p = 0
            for a in range(n_trk):
                s00 = P[a, 0, 0] + r_var
                s01 = P[a, 0, 2]
                s10 = P[a, 2, 0]
                s11 = P[a, 2, 2] + r_var
                lam = 0.5 * (s00 + s11) + np.sqrt(0.25 * (s00 - s11) ** 2 + s01 * s01)
                rad = gate * np.sqrt(lam) * (1.0 + 1e-6)
                det = s00 * s11 - s01 * s10
                i00 = s11 / det
                i01 = -s01 / det
                i10 = -s10 / det
                i11 = s00 / det
                zx, zy = x[a, 0], x[a, 2]
                b = np.searchsorted(xs, zx - rad)
                start = n_p
                while b < nd and xs[b] <= zx + rad:
                    c = order[b]
                    n0 = dz[lo + c, 0] - zx
                    n1 = dz[lo + c, 1] - zy
                    d2 = i00 * n0**2 + (i01 + i10) * n0 * n1 + i11 * n1**2
                    dist = np.sqrt(max(d2, 0.0))
                    if dist < gate:
                        if n_p == cap:
                            cap *= 2
                            pr2 = np.empty(cap, np.int64)
                            pc2 = np.empty(cap, np.int64)
                            pd2 = np.empty(cap)
                            pr2[:n_p] = pr[:n_p]
                            pc2[:n_p] = pc[:n_p]
                            pd2[:n_p] = pd[:n_p]
                            pr, pc, pd = pr2, pc2, pd2
                        pr[n_p] = a
                        pc[n_p] = c
                        pd[n_p] = dist
                        n_p += 1
                    b += 1
                # pairs sorted by (row, col) as gate_pairs returns them
                if n_p - start > 1:
                    o = np.argsort(pc[start:n_p])
                    pc[start:n_p] = pc[start:n_p][o]
                    pd[start:n_p] = pd[start:n_p][o]
            # confirmed tracks first
            sel = np.zeros(n_p, np.bool_)
            for p in range(n_p):
                sel[p] = conf[pr[p]]
            idx = np.flatnonzero(sel)
            a_conf = np.full(n_trk, -1, np.int64)
            _assign(n_trk, nd, pr[idx], pc[idx], pd[idx], idx.shape[0], gate, a_conf)
            for a in range(n_trk):
                if a_conf[a] >= 0:
                    used[a_conf[a]] = True
            for p in range(n_p):
                sel[p] = (not conf[pr[p]]) and (not used[pc[p]])
            idx = np.flatnonzero(sel)
            a_tent = np.full(n_trk, -1, np.int64)
            _assign(n_trk, nd, pr[idx], pc[idx], pd[idx], idx.shape[0], gate, a_tent)
            for a in range(n_trk):
                if a_tent[a] >= 0:
                    used[a_tent[a]] = True
            for a in range(n_trk):
                assign[a] = a_conf[a] if conf[a] else a_tent[a]
        # 3. Joseph-form update of the assigned tracks (kf_update)
        for a in range(n_trk):
            c = assign[a]
            if c < 0:
                continue
            # PHt (4x2): columns 0 and 2 of P; S = H PHt + R
            s00 = P[a, 0, 0] + r_var
            s01 = P[a, 0, 2] + 0.0
            s10 = P[a, 2, 0] + 0.0
            s11 = P[a, 2, 2] + r_var
            det = s00 * s11 - s01 * s10
            i00 = s11 / det
            i01 = -s01 / det
            i10 = -s10 / det
            i11 = s00 / det
            for i in range(nx):
                K[i, 0] = P[a, i, 0] * i00 + P[a, i, 2] * i10
                K[i, 1] = P[a, i, 0] * i01 + P[a, i, 2] * i11
            nu0 = dz[lo + c, 0] - x[a, 0]
            nu1 = dz[lo + c, 1] - x[a, 2]
            for i in range(nx):
                x[a, i] = x[a, i] + (K[i, 0] * nu0 + K[i, 1] * nu1)
            for i in range(nx):
                for j in range(nx):
                    kh = 0.0
                    if j == 0:
                        kh = K[i, 0]
                    elif j == 2:
                        kh = K[i, 1]
                    IKH[i, j] = (1.0 if i == j else 0.0) - kh
            # (I - KH) P (I - KH)^T: columns 1 and 3 of I - KH are those of the identity, so
            # the terms they contribute are exact (a product by 1, or an exact zero, which
            # leaves a sum unchanged); the sums are the full ones, in the same order.
            for i in range(nx):
                for j in range(nx):
                    acc = IKH[i, 0] * P[a, 0, j]
                    if i == 1:
                        acc = acc + P[a, 1, j]
                    acc = acc + IKH[i, 2] * P[a, 2, j]
                    if i == 3:
                        acc = acc + P[a, 3, j]
                    M[i, j] = acc
            for i in range(nx):
                for j in range(nx):
                    acc = M[i, 0] * IKH[j, 0]
                    if j == 1:
                        acc = acc + M[i, 1]
                    acc = acc + M[i, 2] * IKH[j, 2]
                    if j == 3:
                        acc = acc + M[i, 3]
                    krk = K[i, 0] * r_var * K[j, 0] + K[i, 1] * r_var * K[j, 1]
                    P[a, i, j] = acc + krk
        # 4. management, compaction in order, births
        w = 0
        for a in range(n_trk):
            h = 1 if assign[a] >= 0 else 0
            hh = ((hist[a] << 1) | h) & window
            ag = age[a] + 1
            ms = 0 if h else miss[a] + 1
            nh = 0
            tmp = hh
            while tmp:
                nh += tmp & 1
                tmp >>= 1
            newly = (not conf[a]) and nh >= confirm_m
            if conf[a]:
                keep = ms < conf_max
            else:
                keep = newly or (ms < tent_max and ag < confirm_n)
            if keep:
                if newly:
                    if n_c == c_tid.shape[0]:
                        c_tid = _grow_i(c_tid, n_c + 1)
                        c_t = _grow_f(c_t, n_c + 1)
                    c_tid[n_c] = tid[a]
                    c_t[n_c] = tj
                    n_c += 1
                if w != a:
                    x[w] = x[a]
                    P[w] = P[a]
                tid[w] = tid[a]
                hist[w] = hh
                age[w] = ag
                miss[w] = ms
                conf[w] = conf[a] or newly
                w += 1
        n_born = 0
        for c in range(nd):
            if not used[c]:
                n_born += 1
        if w + n_born > x.shape[0]:
            x = _grow_f(x, w + n_born)
            P = _grow_f(P, w + n_born)
            tid = _grow_i(tid, w + n_born)
            hist = _grow_i(hist, w + n_born)
            age = _grow_i(age, w + n_born)
            miss = _grow_i(miss, w + n_born)
            conf2 = np.zeros(x.shape[0], np.bool_)
            conf2[: conf.shape[0]] = conf
            conf = conf2
        if next_id + n_born > trk_node.shape[0]:
            trk_node = _grow_i(trk_node, next_id + n_born)
            trk_orig = _grow_i(trk_orig, next_id + n_born)
        sz = r_var
        for c in range(nd):
            if used[c]:
                continue
            x[w, 0] = dz[lo + c, 0]
            x[w, 1] = 0.0
            x[w, 2] = dz[lo + c, 1]
            x[w, 3] = 0.0
            P[w] = 0.0
            P[w, 0, 0] = sz
            P[w, 1, 1] = v_var
            P[w, 2, 2] = sz
            P[w, 3, 3] = v_var
            tid[w] = next_id
            hist[w] = 1
            age[w] = 1
            miss[w] = 0
            conf[w] = False
            trk_node[next_id] = dnode[lo + c]
            trk_orig[next_id] = dorig[lo + c]
            next_id += 1
            w += 1
        n_trk = w
        t_last = tj
        has_t = True
    return (x, P, tid, hist, age, miss, conf, n_trk, next_id, t_last, has_t, trk_node, trk_orig, sp,
            c_tid[:n_c], c_t[:n_c], s_idx[:n_s], s_row[:n_s], s_x[:n_s], s_P[:n_s], s_t[:n_s])


@numba.njit(**_JIT)
def _flush(x, P, tid, conf, n_trk, t_last, has_t, snap_t, sp, keep_window_s):
    """Snapshot records of every snapshot time not yet passed (the end of the run)."""
    n_snap = snap_t.shape[0]
    n_conf = 0
    for a in range(n_trk):
        if conf[a]:
            n_conf += 1
    cnt = 0
    for k in range(sp, n_snap):
        if has_t and t_last >= snap_t[k] - keep_window_s:
            cnt += n_conf
    s_idx = np.zeros(cnt, np.int64)
    s_row = np.zeros(cnt, np.int64)
    s_x = np.zeros((cnt, 4))
    s_P = np.zeros((cnt, 4, 4))
    s_t = np.zeros(cnt)
    n = 0
    for k in range(sp, n_snap):
        if has_t and t_last >= snap_t[k] - keep_window_s:
            for a in range(n_trk):
                if conf[a]:
                    s_idx[n] = k
                    s_row[n] = tid[a]
                    s_x[n] = x[a]
                    s_P[n] = P[a]
                    s_t[n] = t_last
                    n += 1
    return s_idx, s_row, s_x, s_P, s_t


@dataclass(frozen=True)
class ScanBlockResult:
    """What a block of scans produced.

    Attributes
    ----------
    confirmed_id, confirmed_t_s : numpy.ndarray
        Tracks confirmed in the block (ids) and when.
    snap_index, snap_id : numpy.ndarray
        Snapshot records: index into the runner's snapshot times, and track id.
    snap_x, snap_P, snap_t_s : numpy.ndarray
        State ``(R, 4)``, covariance ``(R, 4, 4)`` and its time ``(R,)`` of each record.
    """

    confirmed_id: I
    confirmed_t_s: F
    snap_index: I
    snap_id: I
    snap_x: F
    snap_P: F
    snap_t_s: F


class ScanRunner:
    """One NCV tracker (:class:`~skyshield.tracking.TrackerParams`, ``motion="cv"``) stepped
    over blocks of scans in compiled code, with picture snapshots.

    A snapshot at time :math:`s` holds the confirmed tracks output at the last scan before
    :math:`s` (scans at :math:`t \\ge s` are not seen), if that scan was at most
    ``keep_window_s`` before :math:`s`, and nothing otherwise.

    Parameters
    ----------
    params : TrackerParams
        Tracker parameters; ``motion`` must be ``"cv"``.
    snap_t_s : numpy.ndarray
        Snapshot times, sorted.
    keep_window_s : float
        How old the last scan may be for a snapshot to see its tracks.
    """

    def __init__(self, params: TrackerParams, snap_t_s: F | None = None, keep_window_s: float = np.inf):
        if params.motion != "cv":
            raise ValueError("ScanRunner compiles the NCV tracker only (motion='cv')")
        self.params = params
        self.snap_t_s = np.ascontiguousarray(np.zeros(0) if snap_t_s is None else snap_t_s, float)
        self.keep_window_s = float(keep_window_s)
        cap = 256
        self._st = [np.zeros((cap, 4)), np.zeros((cap, 4, 4)), np.zeros(cap, np.int64), np.zeros(cap, np.int64),
                    np.zeros(cap, np.int64), np.zeros(cap, np.int64), np.zeros(cap, np.bool_), 0, 0, 0.0, False]
        self.track_node = np.zeros(cap, np.int64)
        self.track_origin = np.zeros(cap, np.int64)
        self._sp = 0

    @property
    def n_tracks(self) -> int:
        return int(self._st[7])

    @property
    def next_id(self) -> int:
        return int(self._st[8])

    def state(self) -> tuple[I, F, F, NDArray[np.bool_]]:
        """Track ids, states, covariances and confirmed flags now (copies)."""
        n = self.n_tracks
        return (self._st[2][:n].copy(), self._st[0][:n].copy(), self._st[1][:n].copy(),
                self._st[6][:n].copy())

    def run(self, scan_t_s: F, det_lo: I, det_hi: I, det_xy: F, det_node: I | None = None,
            det_origin: I | None = None) -> ScanBlockResult:
        """Step the tracker through scans ``scan_t_s`` (increasing, after the previous block).

        Scan ``j`` sees detections ``det_xy[det_lo[j]:det_hi[j]]``; ``det_node`` and
        ``det_origin`` label each detection and are kept for the tracks it gives birth to
        (:attr:`track_node`, :attr:`track_origin`, indexed by track id).
        """
        p = self.params
        nd = det_xy.shape[0]
        dn = np.zeros(nd, np.int64) if det_node is None else np.ascontiguousarray(det_node, np.int64)
        do = np.full(nd, -1, np.int64) if det_origin is None else np.ascontiguousarray(det_origin, np.int64)
        st = self._st
        out = _run_block(
            np.ascontiguousarray(scan_t_s, float), np.ascontiguousarray(det_lo, np.int64),
            np.ascontiguousarray(det_hi, np.int64), np.ascontiguousarray(det_xy, float).reshape(-1, 2), dn, do,
            st[0], st[1], st[2], st[3], st[4], st[5], st[6], st[7], st[8], st[9], st[10],
            self.track_node, self.track_origin, self.snap_t_s, self._sp, self.keep_window_s,
            p.q_m2ps3, p.meas_sigma_m**2, p.gate, p.init_vel_sigma_mps**2, p.confirm_m, p.confirm_n,
            p.tentative_max_misses, p.confirmed_max_misses,
        )
        self._st = list(out[:11])
        self.track_node, self.track_origin, self._sp = out[11], out[12], out[13]
        return ScanBlockResult(*out[14:])

    def finish(self) -> ScanBlockResult:
        """Snapshot records of the snapshot times after the last scan."""
        st = self._st
        s = _flush(st[0], st[1], st[2], st[6], st[7], st[9], st[10], self.snap_t_s, self._sp, self.keep_window_s)
        self._sp = self.snap_t_s.size
        return ScanBlockResult(np.zeros(0, np.int64), np.zeros(0), *s)
