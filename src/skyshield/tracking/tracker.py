r"""Measurement-level multi-target tracker: NCV Kalman filter, gated GNN, M-of-N track management.

One :class:`Tracker` runs per sensor node; it owns nothing global, so nodes are independent.
The state is a structure of arrays (:class:`TrackState`) and one scan is the pure transition
:func:`tracker_step`; :class:`Tracker` only keeps the books (current state, clock).

One scan at time :math:`t_k`, with all tracks predicted to :math:`t_k`
(:func:`~skyshield.tracking.kalman.kf_predict`, or with ``motion="imm"`` the IMM of
:mod:`skyshield.tracking.imm`, whose moment-matched mixture is then used for gating):

1. **Confirmed tracks** are gated against all detections and assigned by GNN (Mahalanobis
   distance cost, missed-detection cost equal to the gate); assigned tracks get a Joseph-form
   Kalman update, the others coast on their prediction.
2. Confirmed tracks with ``confirmed_max_misses`` consecutive misses are deleted.
3. **Tentative tracks** are gated and assigned against the detections left over, and updated.
   A tentative track with at least :math:`M` hits among its last :math:`N` scans (its birth
   detection counts as a hit) is confirmed; one with ``tentative_max_misses`` consecutive misses,
   or that reaches :math:`N` scans unconfirmed, is deleted.
4. Every detection still unused starts a tentative track at
   :math:`x = [z_x, 0, z_y, 0]`, :math:`P = \mathrm{diag}(\sigma_z^2, \sigma_v^2, \sigma_z^2,
   \sigma_v^2)`.
5. The output is every confirmed track (including coasting and newly confirmed ones).

With the defaults (gate 3, :math:`M = 3`, :math:`N = 5`, tentative deletion after 2 misses,
confirmed deletion after 3 misses) this is the same logic as Stone Soup's
``MultiTargetTracker`` with ``MultiMeasurementInitiator(min_points=3)``,
``UpdateTimeStepsDeleter(2)`` for tentative tracks and ``UpdateTimeStepsDeleter(3)`` for
confirmed ones: with at most one miss in a row, three hits always fall within five scans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from skyshield.tracking.association import gate_pairs, sparse_assignment
from skyshield.tracking.imm import imm_combine, imm_models_cv_ct, imm_predict, imm_update
from skyshield.tracking.kalman import (
    cv_transition,
    kf_innovation,
    kf_predict,
    kf_update,
    position_measurement_matrix,
)

__all__ = ["TrackerParams", "TrackState", "ConfirmedTracks", "Tracker", "tracker_step"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

_NX = 4  # [x, vx, y, vy]


@dataclass(frozen=True)
class TrackerParams:
    r"""Static tracker parameters (fixed for a run).

    Attributes
    ----------
    q_m2ps3 : float
        NCV process-noise spectral density, m^2/s^3.
    meas_sigma_m : float
        Measurement noise standard deviation per axis, m.
    gate : float
        Mahalanobis gate (distance, not squared); also the GNN missed-detection cost.
    init_vel_sigma_mps : float
        Velocity standard deviation of a newly born track, m/s.
    confirm_m, confirm_n : int
        Confirm a tentative track with ``confirm_m`` hits in its last ``confirm_n`` scans.
    tentative_max_misses : int
        Delete a tentative track after this many consecutive misses.
    confirmed_max_misses : int
        Delete a confirmed track after this many consecutive misses.
    motion : str
        ``"cv"`` (Kalman filter, NCV model) or ``"imm"`` (IMM of NCV and coordinated turns at
        :math:`\pm` ``imm_turn_rate_radps``, see :mod:`skyshield.tracking.imm`).
    imm_turn_rate_radps : float
        Turn rate magnitude of the IMM turn models, rad/s.
    imm_q_turn_m2ps3 : float
        Process-noise density of the IMM turn models, m^2/s^3.
    imm_p_stay : float
        IMM probability of staying in the same model per scan.
    """

    q_m2ps3: float = 0.05
    meas_sigma_m: float = 1.0
    gate: float = 3.0
    init_vel_sigma_mps: float = 1.0
    confirm_m: int = 3
    confirm_n: int = 5
    tentative_max_misses: int = 2
    confirmed_max_misses: int = 3
    motion: str = "cv"
    imm_turn_rate_radps: float = 0.1
    imm_q_turn_m2ps3: float = 0.2
    imm_p_stay: float = 0.9

    def __post_init__(self) -> None:
        if not 1 <= self.confirm_m <= self.confirm_n <= 62:
            raise ValueError("need 1 <= confirm_m <= confirm_n <= 62")
        if self.gate <= 0 or self.meas_sigma_m <= 0:
            raise ValueError("gate and meas_sigma_m must be positive")
        if self.tentative_max_misses < 1 or self.confirmed_max_misses < 1:
            raise ValueError("miss limits must be at least 1")
        if self.motion not in ("cv", "imm"):
            raise ValueError(f"motion must be 'cv' or 'imm', got {self.motion!r}")
        if not 0.0 < self.imm_p_stay <= 1.0:
            raise ValueError("imm_p_stay must lie in (0, 1]")

    @property
    def n_models(self) -> int:
        """Number of IMM models kept per track (0 for the plain Kalman filter)."""
        return 3 if self.motion == "imm" else 0


@dataclass(frozen=True)
class TrackState:
    """Tracker state at one scan, structure of arrays over ``T`` tracks.

    Attributes
    ----------
    track_id : numpy.ndarray
        Unique id of each track, int64, ``(T,)``.
    x : numpy.ndarray
        State ``[x_m, vx_mps, y_m, vy_mps]``, ``(T, 4)``.
    P : numpy.ndarray
        State covariance, ``(T, 4, 4)``.
    hit_history : numpy.ndarray
        Bit ``k`` set if the track was updated ``k`` scans ago, int64, ``(T,)``.
    age_scans : numpy.ndarray
        Scans since birth, the birth scan counting 1, int64, ``(T,)``.
    misses : numpy.ndarray
        Consecutive missed scans, int64, ``(T,)``.
    confirmed : numpy.ndarray
        Confirmed flag, bool, ``(T,)``.
    mode_x : numpy.ndarray
        IMM model-conditioned states, ``(T, r, 4)`` (``r = 0`` without IMM).
    mode_P : numpy.ndarray
        IMM model-conditioned covariances, ``(T, r, 4, 4)``.
    mode_mu : numpy.ndarray
        IMM mode probabilities, ``(T, r)``.
    t_s : float | None
        Time of the last scan, s (``None`` before the first scan).
    next_id : int
        Id given to the next born track.
    """

    track_id: IntArray  # (T,)
    x: FloatArray  # (T, 4)
    P: FloatArray  # (T, 4, 4)
    hit_history: IntArray  # (T,)
    age_scans: IntArray  # (T,)
    misses: IntArray  # (T,)
    confirmed: BoolArray  # (T,)
    mode_x: FloatArray  # (T, r, 4)
    mode_P: FloatArray  # (T, r, 4, 4)
    mode_mu: FloatArray  # (T, r)
    t_s: float | None = None
    next_id: int = 0

    @classmethod
    def empty(cls, n_models: int = 0) -> TrackState:
        """State with no tracks (``n_models`` IMM models per track, 0 without IMM)."""
        z = np.empty(0, dtype=np.int64)
        return cls(
            track_id=z,
            x=np.empty((0, _NX)),
            P=np.empty((0, _NX, _NX)),
            hit_history=z.copy(),
            age_scans=z.copy(),
            misses=z.copy(),
            confirmed=np.empty(0, dtype=bool),
            mode_x=np.empty((0, n_models, _NX)),
            mode_P=np.empty((0, n_models, _NX, _NX)),
            mode_mu=np.empty((0, n_models)),
        )

    @property
    def n_tracks(self) -> int:
        """Number of tracks, tentative and confirmed."""
        return len(self.track_id)


@dataclass(frozen=True)
class ConfirmedTracks:
    """Confirmed tracks output at one scan.

    Attributes
    ----------
    track_id : numpy.ndarray
        Track ids, int64, ``(K,)``.
    x : numpy.ndarray
        States ``[x_m, vx_mps, y_m, vy_mps]``, ``(K, 4)``.
    P : numpy.ndarray
        Covariances, ``(K, 4, 4)``.
    t_s : float
        Scan time, s.
    """

    track_id: IntArray  # (K,)
    x: FloatArray  # (K, 4)
    P: FloatArray  # (K, 4, 4)
    t_s: float = field(default=0.0)

    @property
    def position_xy_m(self) -> FloatArray:
        """Estimated positions, ``(K, 2)``, m."""
        return self.x[:, [0, 2]]


def tracker_step(
    state: TrackState, params: TrackerParams, detections_xy: ArrayLike, t_s: float
) -> tuple[TrackState, ConfirmedTracks]:
    """Advance the tracker by one scan (pure function).

    Parameters
    ----------
    state : TrackState
        State after the previous scan.
    params : TrackerParams
        Static parameters.
    detections_xy : array_like
        Detections of this scan, ``(D, 2)``, m.
    t_s : float
        Scan time, s; must not precede ``state.t_s``.

    Returns
    -------
    new_state : TrackState
        State after this scan.
    confirmed : ConfirmedTracks
        Confirmed tracks at ``t_s``.
    """
    z = np.asarray(detections_xy, dtype=float).reshape(-1, 2)
    n_det = len(z)
    H = position_measurement_matrix()
    R = np.eye(2) * params.meas_sigma_m**2
    imm = params.motion == "imm"
    if state.mode_mu.shape[1] != params.n_models:
        raise ValueError(
            f"state carries {state.mode_mu.shape[1]} motion models, params need "
            f"{params.n_models}; start from TrackState.empty(params.n_models)"
        )
    x, P = state.x, state.P
    mx, mP, mmu = state.mode_x.copy(), state.mode_P.copy(), state.mode_mu.copy()
    n_trk = len(x)
    if n_trk and state.t_s is not None and t_s != state.t_s:
        if t_s < state.t_s:
            raise ValueError(f"scan time {t_s} precedes previous scan {state.t_s}")
        dt_s = t_s - state.t_s
        if imm:
            models = imm_models_cv_ct(
                dt_s, params.q_m2ps3, params.imm_q_turn_m2ps3, params.imm_turn_rate_radps,
                params.imm_p_stay,
            )
            mx, mP, mmu = imm_predict(state.mode_x, state.mode_P, state.mode_mu, models)
            x, P = imm_combine(mx, mP, mmu)
        else:
            F, Q = cv_transition(dt_s, params.q_m2ps3)
            x, P = kf_predict(x, P, F, Q)
    else:
        x, P = x.copy(), P.copy()

    assign = np.full(n_trk, -1, dtype=np.int64)
    used = np.zeros(n_det, dtype=bool)
    if n_trk and n_det:
        # One gating pass for all tracks; confirmed tracks choose first, tentative tracks
        # then choose among the detections the confirmed ones left.
        z_pred, S = kf_innovation(x, P, H, R)
        rows, cols, dist = gate_pairs(z_pred, S, z, params.gate)
        conf_pair = state.confirmed[rows]
        a_conf = sparse_assignment(
            n_trk, n_det, rows[conf_pair], cols[conf_pair], dist[conf_pair], params.gate
        )
        used[a_conf[a_conf >= 0]] = True
        tent_pair = ~conf_pair & ~used[cols]
        a_tent = sparse_assignment(
            n_trk, n_det, rows[tent_pair], cols[tent_pair], dist[tent_pair], params.gate
        )
        used[a_tent[a_tent >= 0]] = True
        assign = np.where(state.confirmed, a_conf, a_tent)

    hit = assign >= 0
    if hit.any():
        if imm:
            mx[hit], mP[hit], mmu[hit], _ = imm_update(
                mx[hit], mP[hit], mmu[hit], z[assign[hit]], H, R
            )
            x[hit], P[hit] = imm_combine(mx[hit], mP[hit], mmu[hit])
        else:
            x[hit], P[hit] = kf_update(x[hit], P[hit], z[assign[hit]], H, R)

    window = (1 << params.confirm_n) - 1
    hist = ((state.hit_history << 1) | hit.astype(np.int64)) & window
    age = state.age_scans + 1
    misses = np.where(hit, 0, state.misses + 1)
    n_hits = np.bitwise_count(hist.astype(np.uint64)).astype(np.int64)
    conf = state.confirmed
    newly = ~conf & (n_hits >= params.confirm_m)
    keep = np.where(
        conf,
        misses < params.confirmed_max_misses,
        newly | ((misses < params.tentative_max_misses) & (age < params.confirm_n)),
    )

    # Births from unused detections, in detection order (deterministic ids).
    born = np.flatnonzero(~used)
    n_new = len(born)
    x_new = np.zeros((n_new, _NX))
    x_new[:, 0] = z[born, 0]
    x_new[:, 2] = z[born, 1]
    p_diag = np.array(
        [params.meas_sigma_m**2, params.init_vel_sigma_mps**2] * 2
    )
    P_new = np.broadcast_to(np.diag(p_diag), (n_new, _NX, _NX))
    ones = np.ones(n_new, dtype=np.int64)
    r = params.n_models

    new_state = TrackState(
        track_id=np.concatenate([state.track_id[keep], state.next_id + np.arange(n_new)]),
        x=np.concatenate([x[keep], x_new]),
        P=np.concatenate([P[keep], P_new]),
        hit_history=np.concatenate([hist[keep], ones]),
        age_scans=np.concatenate([age[keep], ones]),
        misses=np.concatenate([misses[keep], 0 * ones]),
        confirmed=np.concatenate([(conf | newly)[keep], np.zeros(n_new, dtype=bool)]),
        mode_x=np.concatenate([mx[keep], np.broadcast_to(x_new[:, None], (n_new, r, _NX))]),
        mode_P=np.concatenate([mP[keep], np.broadcast_to(P_new[:, None], (n_new, r, _NX, _NX))]),
        mode_mu=np.concatenate([mmu[keep], np.full((n_new, r), 1.0 / max(r, 1))]),
        t_s=float(t_s),
        next_id=state.next_id + n_new,
    )
    out_idx = np.flatnonzero(new_state.confirmed)
    out = ConfirmedTracks(
        track_id=new_state.track_id[out_idx],
        x=new_state.x[out_idx],
        P=new_state.P[out_idx],
        t_s=float(t_s),
    )
    return new_state, out


class Tracker:
    """Multi-target tracker for one sensor node.

    Parameters
    ----------
    params : TrackerParams | None
        Static parameters; defaults to :class:`TrackerParams()`.

    Examples
    --------
    >>> trk = Tracker()
    >>> for k in range(3):
    ...     out = trk.step([[10.0 + k, 5.0]], t_s=float(k))
    >>> out.track_id.tolist()
    [0]
    """

    def __init__(self, params: TrackerParams | None = None) -> None:
        self.params = params if params is not None else TrackerParams()
        self.state = TrackState.empty(self.params.n_models)

    def step(self, detections_xy: ArrayLike, t_s: float) -> ConfirmedTracks:
        """Process one scan of detections and return the confirmed tracks.

        Parameters
        ----------
        detections_xy : array_like
            Detections, ``(D, 2)``, m.
        t_s : float
            Scan time, s.

        Returns
        -------
        ConfirmedTracks
            Confirmed tracks at ``t_s``.
        """
        self.state, out = tracker_step(self.state, self.params, detections_xy, t_s)
        return out

    def reset(self) -> None:
        """Drop all tracks."""
        self.state = TrackState.empty(self.params.n_models)
