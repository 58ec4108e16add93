r"""Batched linear Kalman filter: predict and Joseph-form update over a stack of tracks.

Every function works on a structure of arrays: ``x`` has shape ``(T, n)`` (one state row per
track) and ``P`` has shape ``(T, n, n)``.  Model matrices may be shared, shape ``(n, n)``, or
per-track, shape ``(T, n, n)``; NumPy broadcasting does the rest.  There is no Python loop over
tracks.

State ordering for the nearly-constant-velocity (NCV) model follows Stone Soup:
``[x, vx, y, vy]`` (m, m/s).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "cv_transition",
    "position_measurement_matrix",
    "inv_2x2",
    "kf_predict",
    "kf_innovation",
    "kf_update",
]

FloatArray = NDArray[np.float64]


def cv_transition(dt_s: float, q_m2ps3: float, ndim: int = 2) -> tuple[FloatArray, FloatArray]:
    r"""Transition and process-noise matrices of the nearly-constant-velocity model.

    Per axis, with white-acceleration spectral density :math:`q`,

    .. math::

        F_1 = \begin{bmatrix} 1 & \Delta t \\ 0 & 1 \end{bmatrix}, \qquad
        Q_1 = q \begin{bmatrix} \Delta t^3/3 & \Delta t^2/2 \\ \Delta t^2/2 & \Delta t
        \end{bmatrix},

    and :math:`F = \mathrm{blkdiag}(F_1, \dots)`, :math:`Q = \mathrm{blkdiag}(Q_1, \dots)` for
    the state ``[x, vx, y, vy, ...]`` (identical to Stone Soup's ``ConstantVelocity`` pair).

    Parameters
    ----------
    dt_s : float
        Time step, s.
    q_m2ps3 : float
        Process-noise spectral density, m^2/s^3.
    ndim : int, optional
        Number of spatial axes (default 2).

    Returns
    -------
    F, Q : numpy.ndarray
        Both of shape ``(2 ndim, 2 ndim)``.
    """
    f1 = np.array([[1.0, dt_s], [0.0, 1.0]])
    q1 = q_m2ps3 * np.array([[dt_s**3 / 3.0, dt_s**2 / 2.0], [dt_s**2 / 2.0, dt_s]])
    eye = np.eye(ndim)
    return np.kron(eye, f1), np.kron(eye, q1)


def position_measurement_matrix(ndim: int = 2) -> FloatArray:
    """Measurement matrix ``H`` that picks the positions out of ``[x, vx, y, vy, ...]``.

    Parameters
    ----------
    ndim : int, optional
        Number of spatial axes.

    Returns
    -------
    numpy.ndarray
        Shape ``(ndim, 2 ndim)``.
    """
    H = np.zeros((ndim, 2 * ndim))
    H[np.arange(ndim), 2 * np.arange(ndim)] = 1.0
    return H


def inv_2x2(S: FloatArray) -> tuple[FloatArray, FloatArray]:
    r"""Closed-form inverse and determinant of a stack of 2x2 matrices.

    .. math::

        \begin{bmatrix} a & b \\ c & d \end{bmatrix}^{-1}
        = \frac{1}{ad - bc}\begin{bmatrix} d & -b \\ -c & a \end{bmatrix}

    Parameters
    ----------
    S : numpy.ndarray
        Shape ``(..., 2, 2)``.

    Returns
    -------
    S_inv : numpy.ndarray
        Shape ``(..., 2, 2)``.
    det : numpy.ndarray
        Shape ``(...)``.
    """
    a, b, c, d = S[..., 0, 0], S[..., 0, 1], S[..., 1, 0], S[..., 1, 1]
    det = a * d - b * c
    inv = np.empty_like(S)
    inv[..., 0, 0] = d / det
    inv[..., 0, 1] = -b / det
    inv[..., 1, 0] = -c / det
    inv[..., 1, 1] = a / det
    return inv, det


def _inv(S: FloatArray) -> FloatArray:
    if S.shape[-1] == 2:
        return inv_2x2(S)[0]
    return np.linalg.inv(S)


def kf_predict(
    x: FloatArray, P: FloatArray, F: FloatArray, Q: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Kalman prediction for a stack of tracks.

    .. math::

        x^- = F x, \qquad P^- = F P F^\top + Q

    Parameters
    ----------
    x : numpy.ndarray
        States, shape ``(T, n)``.
    P : numpy.ndarray
        Covariances, shape ``(T, n, n)``.
    F : numpy.ndarray
        Transition matrix, shape ``(n, n)`` or ``(T, n, n)``.
    Q : numpy.ndarray
        Process noise, shape ``(n, n)`` or ``(T, n, n)``.

    Returns
    -------
    x_pred, P_pred : numpy.ndarray
        Shapes ``(T, n)`` and ``(T, n, n)``.
    """
    x_pred = np.einsum("...ij,...j->...i", F, x)
    P_pred = F @ P @ np.swapaxes(F, -1, -2) + Q
    return x_pred, P_pred


def kf_innovation(
    x: FloatArray, P: FloatArray, H: FloatArray, R: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Predicted measurement and innovation covariance.

    .. math::

        \hat z = H x, \qquad S = H P H^\top + R

    Parameters
    ----------
    x : numpy.ndarray
        States, shape ``(T, n)``.
    P : numpy.ndarray
        Covariances, shape ``(T, n, n)``.
    H : numpy.ndarray
        Measurement matrix, shape ``(m, n)``.
    R : numpy.ndarray
        Measurement noise, shape ``(m, m)`` or ``(T, m, m)``.

    Returns
    -------
    z_pred, S : numpy.ndarray
        Shapes ``(T, m)`` and ``(T, m, m)``.
    """
    z_pred = x @ H.T
    S = H @ P @ H.T + R
    return z_pred, S


def kf_update(
    x: FloatArray, P: FloatArray, z: FloatArray, H: FloatArray, R: FloatArray
) -> tuple[FloatArray, FloatArray]:
    r"""Kalman measurement update in Joseph form for a stack of tracks.

    .. math::

        S = H P H^\top + R, \qquad K = P H^\top S^{-1}, \qquad
        x^+ = x + K (z - H x),

        P^+ = (I - K H) P (I - K H)^\top + K R K^\top .

    The Joseph form equals :math:`(I - KH)P` for the optimal gain but stays symmetric and
    positive semi-definite under rounding.

    Parameters
    ----------
    x : numpy.ndarray
        Predicted states, shape ``(T, n)``.
    P : numpy.ndarray
        Predicted covariances, shape ``(T, n, n)``.
    z : numpy.ndarray
        Measurements, shape ``(T, m)``.
    H : numpy.ndarray
        Measurement matrix, shape ``(m, n)``.
    R : numpy.ndarray
        Measurement noise, shape ``(m, m)`` or ``(T, m, m)``.

    Returns
    -------
    x_post, P_post : numpy.ndarray
        Shapes ``(T, n)`` and ``(T, n, n)``.
    """
    PHt = P @ H.T  # (T, n, m)
    S = H @ PHt + R  # (T, m, m)
    K = PHt @ _inv(S)  # (T, n, m)
    nu = z - x @ H.T  # (T, m)
    x_post = x + np.einsum("tnm,tm->tn", K, nu)
    IKH = np.eye(x.shape[-1]) - K @ H  # (T, n, n)
    P_post = IKH @ P @ np.swapaxes(IKH, -1, -2) + K @ R @ np.swapaxes(K, -1, -2)
    return x_post, P_post
