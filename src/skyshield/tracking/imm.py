r"""Batched interacting-multiple-model (IMM) filter for manoeuvring targets.

The model set is linear and shares the state ``[x, vx, y, vy]``: a nearly-constant-velocity
model and coordinated-turn models with known turn rates :math:`\pm\omega` (a linear model once
:math:`\omega` is fixed), so every step is a batched Kalman operation over ``(T, r)`` (tracks x
models) with no Python loop over tracks.

One IMM cycle (Blom and Bar-Shalom, 1988), with Markov matrix
:math:`\Pi_{ij} = P(M_k = j \mid M_{k-1} = i)` and mode probabilities :math:`\mu_i`:

.. math::

    \bar c_j = \sum_i \Pi_{ij}\mu_i, \qquad
    \mu_{i|j} = \Pi_{ij}\mu_i / \bar c_j,

    x^0_j = \sum_i \mu_{i|j} x_i, \qquad
    P^0_j = \sum_i \mu_{i|j}\left(P_i + (x_i - x^0_j)(x_i - x^0_j)^\top\right),

then a Kalman prediction of :math:`(x^0_j, P^0_j)` with model :math:`j`, a Kalman update with
likelihood :math:`\Lambda_j = \mathcal N(\nu_j; 0, S_j)`, and

.. math::

    \mu_j \propto \Lambda_j \bar c_j, \qquad
    \hat x = \sum_j \mu_j x_j, \qquad
    \hat P = \sum_j \mu_j \left(P_j + (x_j - \hat x)(x_j - \hat x)^\top\right).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from skyshield.tracking.kalman import cv_transition, inv_2x2

__all__ = [
    "ImmModels",
    "ct_transition",
    "imm_models_cv_ct",
    "imm_mix",
    "imm_predict",
    "imm_update",
    "imm_combine",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ImmModels:
    """A set of ``r`` linear motion models and their Markov switching matrix.

    Attributes
    ----------
    F : numpy.ndarray
        Transition matrices, ``(r, n, n)``.
    Q : numpy.ndarray
        Process-noise covariances, ``(r, n, n)``.
    transition : numpy.ndarray
        Markov matrix :math:`\\Pi`, ``(r, r)``, rows sum to 1.
    """

    F: FloatArray  # (r, n, n)
    Q: FloatArray  # (r, n, n)
    transition: FloatArray  # (r, r)

    @property
    def n_models(self) -> int:
        """Number of models ``r``."""
        return int(self.F.shape[0])


def ct_transition(
    dt_s: float, omega_radps: float, q_m2ps3: float
) -> tuple[FloatArray, FloatArray]:
    r"""Coordinated-turn transition with known turn rate, state ``[x, vx, y, vy]``.

    With :math:`s = \sin\omega\Delta t`, :math:`c = \cos\omega\Delta t`,

    .. math::

        F = \begin{bmatrix}
        1 & s/\omega & 0 & -(1-c)/\omega \\
        0 & c & 0 & -s \\
        0 & (1-c)/\omega & 1 & s/\omega \\
        0 & s & 0 & c
        \end{bmatrix},

    which rotates the velocity by :math:`\omega\Delta t` and tends to the NCV transition as
    :math:`\omega \to 0`.  The process noise is the NCV white-acceleration :math:`Q`.

    Parameters
    ----------
    dt_s : float
        Time step, s.
    omega_radps : float
        Turn rate, rad/s (positive anticlockwise).
    q_m2ps3 : float
        Process-noise spectral density, m^2/s^3.

    Returns
    -------
    F, Q : numpy.ndarray
        Shapes ``(4, 4)``.
    """
    F_cv, Q = cv_transition(dt_s, q_m2ps3)
    if abs(omega_radps * dt_s) < 1e-12:
        return F_cv, Q
    w = omega_radps
    s, c = np.sin(w * dt_s), np.cos(w * dt_s)
    F = np.array(
        [
            [1.0, s / w, 0.0, -(1.0 - c) / w],
            [0.0, c, 0.0, -s],
            [0.0, (1.0 - c) / w, 1.0, s / w],
            [0.0, s, 0.0, c],
        ]
    )
    return F, Q


def imm_models_cv_ct(
    dt_s: float,
    q_cv_m2ps3: float,
    q_ct_m2ps3: float,
    omega_radps: float,
    p_stay: float = 0.95,
) -> ImmModels:
    r"""Three-model set: NCV, coordinated turn at :math:`+\omega`, and at :math:`-\omega`.

    Parameters
    ----------
    dt_s : float
        Time step, s.
    q_cv_m2ps3, q_ct_m2ps3 : float
        Process-noise densities of the CV and turn models, m^2/s^3.
    omega_radps : float
        Turn rate magnitude, rad/s.
    p_stay : float, optional
        Probability of staying in the same model per step; the rest is shared equally.

    Returns
    -------
    ImmModels
    """
    F0, Q0 = cv_transition(dt_s, q_cv_m2ps3)
    F1, Q1 = ct_transition(dt_s, omega_radps, q_ct_m2ps3)
    F2, Q2 = ct_transition(dt_s, -omega_radps, q_ct_m2ps3)
    r = 3
    Pi = np.full((r, r), (1.0 - p_stay) / (r - 1))
    np.fill_diagonal(Pi, p_stay)
    return ImmModels(np.stack([F0, F1, F2]), np.stack([Q0, Q1, Q2]), Pi)


def imm_mix(
    x: FloatArray, P: FloatArray, mu: FloatArray, transition: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """IMM interaction (mixing) step.

    Parameters
    ----------
    x : numpy.ndarray
        Model-conditioned states, ``(T, r, n)``.
    P : numpy.ndarray
        Model-conditioned covariances, ``(T, r, n, n)``.
    mu : numpy.ndarray
        Mode probabilities, ``(T, r)``.
    transition : numpy.ndarray
        Markov matrix, ``(r, r)``.

    Returns
    -------
    x0 : numpy.ndarray
        Mixed initial states, ``(T, r, n)``.
    P0 : numpy.ndarray
        Mixed initial covariances, ``(T, r, n, n)``.
    c_bar : numpy.ndarray
        Predicted mode probabilities, ``(T, r)``.
    """
    joint = mu[:, :, None] * transition[None]  # (T, i, j)
    c_bar = joint.sum(axis=1)  # (T, j)
    w = joint / np.maximum(c_bar[:, None, :], 1e-300)  # mu_{i|j}
    x0 = np.einsum("tij,tin->tjn", w, x)
    dx = x[:, :, None, :] - x0[:, None, :, :]  # (T, i, j, n)
    P0 = np.einsum("tij,tinm->tjnm", w, P) + np.einsum("tij,tijn,tijm->tjnm", w, dx, dx)
    return x0, P0, c_bar


def imm_predict(
    x: FloatArray, P: FloatArray, mu: FloatArray, models: ImmModels
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Mix, then predict every model with its own transition.

    Parameters
    ----------
    x, P, mu : numpy.ndarray
        ``(T, r, n)``, ``(T, r, n, n)``, ``(T, r)``.
    models : ImmModels
        Model set.

    Returns
    -------
    x_pred, P_pred, mu_pred : numpy.ndarray
        Predicted model-conditioned states, covariances and mode probabilities.
    """
    x0, P0, c_bar = imm_mix(x, P, mu, models.transition)
    x_pred = np.einsum("jnk,tjk->tjn", models.F, x0)
    P_pred = models.F[None] @ P0 @ np.swapaxes(models.F, -1, -2)[None] + models.Q[None]
    return x_pred, P_pred, c_bar


def imm_update(
    x: FloatArray,
    P: FloatArray,
    mu: FloatArray,
    z: FloatArray,
    H: FloatArray,
    R: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    r"""Update every model with the same 2-D measurement and reweight the modes.

    Parameters
    ----------
    x, P, mu : numpy.ndarray
        Predicted ``(T, r, n)``, ``(T, r, n, n)``, ``(T, r)``.
    z : numpy.ndarray
        Measurements, ``(T, 2)``.
    H : numpy.ndarray
        Measurement matrix, ``(2, n)``.
    R : numpy.ndarray
        Measurement noise, ``(2, 2)``.

    Returns
    -------
    x_post, P_post, mu_post : numpy.ndarray
        Updated model-conditioned states, covariances (Joseph form) and mode probabilities.
    log_likelihood : numpy.ndarray
        :math:`\log \sum_j \bar c_j \Lambda_j`, ``(T,)``.
    """
    PHt = P @ H.T  # (T, r, n, 2)
    S = H @ PHt + R  # (T, r, 2, 2)
    S_inv, det = inv_2x2(S)
    K = PHt @ S_inv
    nu = z[:, None, :] - x @ H.T  # (T, r, 2)
    x_post = x + np.einsum("trnm,trm->trn", K, nu)
    IKH = np.eye(x.shape[-1]) - K @ H
    P_post = IKH @ P @ np.swapaxes(IKH, -1, -2) + K @ R @ np.swapaxes(K, -1, -2)
    d2 = np.einsum("tri,trij,trj->tr", nu, S_inv, nu)
    log_lam = -0.5 * d2 - 0.5 * np.log(det) - np.log(2.0 * np.pi)
    log_w = log_lam + np.log(np.maximum(mu, 1e-300))
    m = log_w.max(axis=1, keepdims=True)
    w = np.exp(log_w - m)
    total = w.sum(axis=1, keepdims=True)
    return x_post, P_post, w / total, (m + np.log(total))[:, 0]


def imm_combine(x: FloatArray, P: FloatArray, mu: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Moment-matched single Gaussian of the model mixture.

    Parameters
    ----------
    x, P, mu : numpy.ndarray
        ``(T, r, n)``, ``(T, r, n, n)``, ``(T, r)``.

    Returns
    -------
    x_hat, P_hat : numpy.ndarray
        ``(T, n)`` and ``(T, n, n)``.
    """
    x_hat = np.einsum("tr,trn->tn", mu, x)
    dx = x - x_hat[:, None, :]
    P_hat = np.einsum("tr,trnm->tnm", mu, P) + np.einsum("tr,trn,trm->tnm", mu, dx, dx)
    return x_hat, P_hat
