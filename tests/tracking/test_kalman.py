"""Oracle tests of the batched Kalman filter against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.tracking.kalman import (
    cv_transition,
    inv_2x2,
    kf_innovation,
    kf_predict,
    kf_update,
    position_measurement_matrix,
)


def _random_spd(rng: np.random.Generator, t: int, n: int) -> np.ndarray:
    a = rng.normal(size=(t, n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def test_cv_transition_matches_explicit_ncv_blocks() -> None:
    F, Q = cv_transition(2.0, 0.1)
    f1 = np.array([[1.0, 2.0], [0.0, 1.0]])
    q1 = 0.1 * np.array([[8 / 3, 2.0], [2.0, 2.0]])
    np.testing.assert_allclose(F[:2, :2], f1)
    np.testing.assert_allclose(F[2:, 2:], f1)
    np.testing.assert_allclose(Q[:2, :2], q1)
    np.testing.assert_allclose(Q[2:, 2:], q1)
    assert np.all(F[:2, 2:] == 0) and np.all(Q[:2, 2:] == 0)
    assert np.all(np.linalg.eigvalsh(Q) >= -1e-15)


def test_position_measurement_matrix_picks_x_and_y() -> None:
    H = position_measurement_matrix()
    np.testing.assert_array_equal(H @ np.array([1.0, 2.0, 3.0, 4.0]), [1.0, 3.0])


def test_predict_equals_F_P_Ft_plus_Q_per_track() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 4))
    P = _random_spd(rng, 7, 4)
    F, Q = cv_transition(0.7, 0.3)
    xp, Pp = kf_predict(x, P, F, Q)
    for i in range(7):
        np.testing.assert_allclose(xp[i], F @ x[i])
        np.testing.assert_allclose(Pp[i], F @ P[i] @ F.T + Q)


def test_predict_accepts_per_track_models() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 4))
    P = _random_spd(rng, 3, 4)
    Fs, Qs = zip(*(cv_transition(dt, 0.1) for dt in (0.5, 1.0, 2.0)), strict=True)
    xp, Pp = kf_predict(x, P, np.stack(Fs), np.stack(Qs))
    for i in range(3):
        np.testing.assert_allclose(Pp[i], Fs[i] @ P[i] @ Fs[i].T + Qs[i])
        np.testing.assert_allclose(xp[i], Fs[i] @ x[i])


def test_update_equals_textbook_kalman_update() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 4))
    P = _random_spd(rng, 6, 4)
    z = rng.normal(size=(6, 2))
    H = position_measurement_matrix()
    R = np.array([[1.5, 0.2], [0.2, 0.8]])
    xu, Pu = kf_update(x, P, z, H, R)
    for i in range(6):
        S = H @ P[i] @ H.T + R
        K = P[i] @ H.T @ np.linalg.inv(S)
        np.testing.assert_allclose(xu[i], x[i] + K @ (z[i] - H @ x[i]), rtol=1e-12, atol=1e-12)
        # Joseph form equals the standard form (I - KH)P for the optimal gain.
        np.testing.assert_allclose(Pu[i], (np.eye(4) - K @ H) @ P[i], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(Pu[i], Pu[i].T, atol=1e-12)
        assert np.all(np.linalg.eigvalsh(Pu[i]) > 0)


def test_scalar_position_update_has_closed_form_variance() -> None:
    # Independent axes, position variance p, noise r: posterior variance p r / (p + r).
    p, r = 4.0, 1.0
    P = np.diag([p, 9.0, p, 9.0])[None]
    x = np.zeros((1, 4))
    xu, Pu = kf_update(x, P, np.array([[5.0, -5.0]]), position_measurement_matrix(), r * np.eye(2))
    assert Pu[0, 0, 0] == pytest.approx(p * r / (p + r))
    assert xu[0, 0] == pytest.approx(5.0 * p / (p + r))
    assert xu[0, 2] == pytest.approx(-5.0 * p / (p + r))
    assert Pu[0, 1, 1] == pytest.approx(9.0)  # uncorrelated velocity is untouched


def test_innovation_covariance_is_H_P_Ht_plus_R() -> None:
    rng = np.random.default_rng(4)
    P = _random_spd(rng, 5, 4)
    x = rng.normal(size=(5, 4))
    H = position_measurement_matrix()
    zp, S = kf_innovation(x, P, H, np.eye(2))
    np.testing.assert_allclose(zp, x[:, [0, 2]])
    np.testing.assert_allclose(S, P[:, [0, 2]][:, :, [0, 2]] + np.eye(2))


def test_inv_2x2_matches_numpy() -> None:
    rng = np.random.default_rng(5)
    S = _random_spd(rng, 50, 2)
    inv, det = inv_2x2(S)
    np.testing.assert_allclose(inv, np.linalg.inv(S), rtol=1e-12)
    np.testing.assert_allclose(det, np.linalg.det(S), rtol=1e-12)


def test_filter_on_noiseless_constant_velocity_converges_to_truth() -> None:
    F, Q = cv_transition(1.0, 1e-4)
    H = position_measurement_matrix()
    x = np.zeros((1, 4))
    P = np.diag([100.0, 100.0, 100.0, 100.0])[None]
    truth = np.array([0.0, 3.0, 10.0, -2.0])
    for _ in range(30):
        truth = F @ truth
        x, P = kf_predict(x, P, F, Q)
        x, P = kf_update(x, P, (H @ truth)[None], H, 0.01 * np.eye(2))
    np.testing.assert_allclose(x[0], truth, atol=1e-2)
