r"""Track-to-track fusion by covariance intersection, and network track numbers.

Tracks of the same object held by several sensors have errors correlated in unknown ways
(common process noise, shared history), so the Kalman combination would be overconfident.
Covariance intersection (Julier and Uhlmann, 1997) is consistent for any correlation:

.. math::

    P^{-1} = \sum_i \omega_i P_i^{-1}, \qquad
    \hat x = P \sum_i \omega_i P_i^{-1} \hat x_i, \qquad \omega_i \ge 0,\ \sum_i \omega_i = 1.

If every :math:`P_i` bounds its true error covariance, so does :math:`P`. Fusing a track with
itself returns it unchanged; :math:`P` is never smaller than the information bound allows:
:math:`P^{-1} \preceq \max_i` of the inputs' information in the weighted sense, so
:math:`\operatorname{tr} P \ge \min_i \operatorname{tr} P_i / n` and, for two inputs, :math:`P
\succeq (P_1^{-1} + P_2^{-1})^{-1}` (the independent-errors Kalman bound). The weights are the
fast trace rule :math:`\omega_i \propto 1/\operatorname{tr} P_i` (Franken and Hupper, 2005),
which avoids the per-pair optimisation and vectorises over clusters.

Association: tracks from *different* participants whose position difference passes a
chi-square gate on :math:`P_i + P_j` are linked; each connected cluster is one fused track.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

__all__ = ["FusedTracks", "TrackNumbers", "ci_fuse", "ci_weights_trace", "fuse_tracks", "fuse_tracks_grouped"]

F = NDArray[np.float64]
I = NDArray[np.int64]

CHI2_GATE_2D = 9.21  # 99 % of a chi-square with 2 degrees of freedom


def ci_weights_trace(P: F, cluster: I, n_clusters: int) -> F:
    r"""Weights :math:`\omega_i = (1/\operatorname{tr}P_i) / \sum_{j \in c(i)} 1/\operatorname{tr}P_j`."""
    w = 1.0 / np.trace(P, axis1=-2, axis2=-1)
    tot = np.zeros(n_clusters)
    np.add.at(tot, cluster, w)
    return w / tot[cluster]


def ci_fuse(x: F, P: F, cluster: I, n_clusters: int, weights: F | None = None) -> tuple[F, F]:
    """Covariance intersection of tracks ``(K, d)``, ``(K, d, d)`` grouped by ``cluster``.

    Returns the fused states ``(C, d)`` and covariances ``(C, d, d)``.
    """
    w = ci_weights_trace(P, cluster, n_clusters) if weights is None else weights
    info = np.linalg.inv(P)
    d = x.shape[1]
    Y = np.zeros((n_clusters, d, d))
    y = np.zeros((n_clusters, d))
    np.add.at(Y, cluster, w[:, None, None] * info)
    np.add.at(y, cluster, w[:, None] * np.einsum("kij,kj->ki", info, x))
    Pf = np.linalg.inv(Y)
    Pf = 0.5 * (Pf + np.swapaxes(Pf, -1, -2))
    return np.einsum("cij,cj->ci", Pf, y), Pf


@dataclass(frozen=True)
class FusedTracks:
    x: F  # (C, 4) [x, vx, y, vy] in the theatre plane
    P: F  # (C, 4, 4)
    n_sources: I  # (C,) local tracks fused
    min_key: I  # (C,) smallest (participant, local id) key among the members
    multi_same_source: int  # clusters holding two tracks of one participant (ambiguity)
    cluster: I  # (K,) cluster of each input track


def fuse_tracks(x: F, P: F, source: I, key: I) -> FusedTracks:
    """Associate local tracks across participants (chi-square gate) and fuse each cluster by CI.

    One picture: :func:`fuse_tracks_grouped` with every track in one group."""
    return fuse_tracks_grouped(x, P, source, key, np.zeros(x.shape[0], np.int64), 1)[0]


def fuse_tracks_grouped(x: F, P: F, source: I, key: I, group: I, n_groups: int) -> tuple[FusedTracks, I, I]:
    """:func:`fuse_tracks` of many independent pictures at once (tracks of group ``g`` are
    associated and fused among themselves only).

    ``group`` must be sorted. Returns the fused tracks of all groups together (clusters in group
    order, within a group numbered as :func:`fuse_tracks` numbers them, so ``cluster - c0[g]``
    is that group's own numbering), ``c0`` ``(n_groups + 1,)`` the first cluster of each group,
    and the number of ambiguous clusters of each group (``multi_same_source`` is their total).
    Each group's candidate pairs come from its own kd-tree and reach, as in :func:`fuse_tracks`;
    the gating, components and covariance intersection are done once for all groups.
    """
    k = x.shape[0]
    starts = np.searchsorted(group, np.arange(n_groups + 1))
    if k == 0:
        z = np.zeros(0, np.int64)
        empty = FusedTracks(np.zeros((0, 4)), np.zeros((0, 4, 4)), z, z, 0, z)
        return empty, np.zeros(n_groups + 1, np.int64), np.zeros(n_groups, np.int64)
    pos = x[:, [0, 2]]
    sig = np.sqrt(np.maximum(P[:, 0, 0], P[:, 2, 2]))
    ii, jj = [], []
    for g in np.flatnonzero(np.diff(starts) >= 2):
        a, b = int(starts[g]), int(starts[g + 1])
        reach = float(np.sqrt(CHI2_GATE_2D) * np.sqrt(2.0) * sig[a:b].max())
        pairs = cKDTree(pos[a:b]).query_pairs(reach, output_type="ndarray")
        if pairs.size:
            ii.append(pairs[:, 0] + a)
            jj.append(pairs[:, 1] + a)
    if ii:
        i, j = np.concatenate(ii), np.concatenate(jj)
        keep = source[i] != source[j]
        i, j = i[keep], j[keep]
        dlt = pos[i] - pos[j]
        S = P[i][:, [0, 2]][:, :, [0, 2]] + P[j][:, [0, 2]][:, :, [0, 2]]
        d2 = np.einsum("ki,kij,kj->k", dlt, np.linalg.inv(S), dlt)
        ok = d2 <= CHI2_GATE_2D
        i, j = i[ok], j[ok]
    else:
        i = j = np.zeros(0, np.int64)
    n_c, lab = components(k, np.asarray(i, np.int64), np.asarray(j, np.int64))
    xf, Pf = ci_fuse(x, P, lab, n_c)
    n_src = np.bincount(lab, minlength=n_c)
    min_key = np.full(n_c, np.iinfo(np.int64).max)
    np.minimum.at(min_key, lab, key)
    c_group = np.empty(n_c, np.int64)
    c_group[lab] = group
    c0 = np.searchsorted(c_group, np.arange(n_groups + 1))
    base = int(source.max()) + 1
    code = np.sort(lab * base + source)
    dup = np.unique(code[1:][code[1:] == code[:-1]] // base)
    amb = np.bincount(c_group[dup], minlength=n_groups)
    return FusedTracks(xf, Pf, n_src, min_key, int(dup.size), lab), c0, amb


@numba.njit(cache=True, nogil=True)
def _components(k: int, i: I, j: I) -> tuple[int, I]:
    parent = np.arange(k)
    for e in range(i.size):
        a, b = i[e], j[e]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            if a < b:
                parent[b] = a
            else:
                parent[a] = b
    lab = np.full(k, -1, np.int64)
    n = 0
    for v in range(k):
        r = v
        while parent[r] != r:
            r = parent[r]
        if lab[r] < 0:
            lab[r] = n
            n += 1
        lab[v] = lab[r]
    return n, lab


def components(k: int, i: I, j: I) -> tuple[int, I]:
    """Connected components of the undirected graph on ``k`` nodes with edges ``(i, j)``.

    Labels are numbered in the order of each component's smallest node, as
    ``scipy.sparse.csgraph.connected_components`` numbers them (union-find, compiled).
    """
    return _components(k, i, j)


class TrackNumbers:
    """Network track numbers: a fused track keeps the number first given to any of its members."""

    def __init__(self) -> None:
        self._keys = np.zeros(0, np.int64)
        self._tn = np.zeros(0, np.int64)
        self._next = 1

    def assign(self, member_key: I, cluster: I, n_clusters: int) -> I:
        """Track numbers of ``n_clusters`` clusters from their members' keys (deterministic)."""
        pos = np.searchsorted(self._keys, member_key)
        pos_c = np.minimum(pos, max(self._keys.size - 1, 0))
        known = (pos < self._keys.size) & (self._keys[pos_c] == member_key) if self._keys.size else np.zeros(member_key.shape, bool)
        old = np.where(known, self._tn[pos_c] if self._keys.size else 0, np.iinfo(np.int64).max)
        tn = np.full(n_clusters, np.iinfo(np.int64).max)
        np.minimum.at(tn, cluster, old)
        new = np.flatnonzero(tn == np.iinfo(np.int64).max)
        tn[new] = self._next + np.arange(new.size)
        self._next += new.size
        mt = tn[cluster]
        fresh = ~known
        if np.unique(member_key).size == member_key.size:
            # Known keys take their new number in place; new keys are merged in, in order
            # (the sorted table with the last number per key, without re-sorting it all).
            self._tn[pos[known]] = mt[known]
            nk = member_key[fresh]
            o = np.argsort(nk, kind="stable")
            nk, nt = nk[o], mt[fresh][o]
            at = np.searchsorted(self._keys, nk)
            self._keys = np.insert(self._keys, at, nk)
            self._tn = np.insert(self._tn, at, nt)
            return tn
        keys = np.concatenate([self._keys, member_key])
        tns = np.concatenate([self._tn, mt])
        order = np.argsort(keys, kind="stable")
        keys, tns = keys[order], tns[order]
        last = np.r_[keys[1:] != keys[:-1], True] if keys.size else np.zeros(0, bool)
        self._keys, self._tn = keys[last], tns[last]
        return tn
