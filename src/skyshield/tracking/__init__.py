"""Measurement-level tracking: batched Kalman/IMM filters, gating, GNN, track management, GOSPA."""

from skyshield.tracking.association import gate_pairs, gnn_assign, sparse_assignment
from skyshield.tracking.gospa import GospaResult, gospa
from skyshield.tracking.imm import (
    ImmModels,
    ct_transition,
    imm_combine,
    imm_mix,
    imm_models_cv_ct,
    imm_predict,
    imm_update,
)
from skyshield.tracking.kalman import (
    cv_transition,
    kf_innovation,
    kf_predict,
    kf_update,
    position_measurement_matrix,
)
from skyshield.tracking.tracker import (
    ConfirmedTracks,
    Tracker,
    TrackerParams,
    TrackState,
    tracker_step,
)

__all__ = [
    "ConfirmedTracks",
    "GospaResult",
    "ImmModels",
    "TrackState",
    "Tracker",
    "TrackerParams",
    "ct_transition",
    "cv_transition",
    "gate_pairs",
    "gnn_assign",
    "gospa",
    "imm_combine",
    "imm_mix",
    "imm_models_cv_ct",
    "imm_predict",
    "imm_update",
    "kf_innovation",
    "kf_predict",
    "kf_update",
    "position_measurement_matrix",
    "sparse_assignment",
    "tracker_step",
]
