"""Tests for the batched IMM filter."""

from __future__ import annotations

import numpy as np
import pytest

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
    kf_predict,
    kf_update,
    position_measurement_matrix,
)

H = position_measurement_matrix()
R = np.eye(2)


def test_ct_rotates_velocity_and_preserves_speed() -> None:
    F, _ = ct_transition(1.0, 0.1, 0.05)
    x = np.array([0.0, 10.0, 0.0, 0.0])
    for _ in range(5):
        x = F @ x
    assert np.hypot(x[1], x[3]) == pytest.approx(10.0)
    assert np.arctan2(x[3], x[1]) == pytest.approx(0.5)
    # Position lies on the circle of radius v / omega centred at (0, v / omega).
    assert np.hypot(x[0], x[2] - 100.0) == pytest.approx(100.0)


def test_ct_tends_to_cv_as_turn_rate_vanishes() -> None:
    np.testing.assert_allclose(ct_transition(2.0, 1e-7, 0.1)[0], cv_transition(2.0, 0.1)[0],
                               atol=1e-6)
    np.testing.assert_array_equal(ct_transition(2.0, 0.0, 0.1)[0], cv_transition(2.0, 0.1)[0])


def test_mixing_matches_closed_form_for_two_scalar_modes() -> None:
    x = np.array([[[1.0], [3.0]]])
    P = np.array([[[[2.0]], [[1.0]]]])
    mu = np.array([[0.25, 0.75]])
    Pi = np.array([[0.9, 0.1], [0.2, 0.8]])
    x0, P0, c = imm_mix(x, P, mu, Pi)
    c_exp = mu[0] @ Pi
    np.testing.assert_allclose(c[0], c_exp)
    w = mu[0][:, None] * Pi / c_exp  # mu_{i|j}
    for j in range(2):
        m = w[0, j] * 1.0 + w[1, j] * 3.0
        v = w[0, j] * (2.0 + (1.0 - m) ** 2) + w[1, j] * (1.0 + (3.0 - m) ** 2)
        assert x0[0, j, 0] == pytest.approx(m)
        assert P0[0, j, 0, 0] == pytest.approx(v)


def test_single_model_imm_equals_kalman_filter() -> None:
    rng = np.random.default_rng(0)
    F, Q = cv_transition(1.0, 0.3)
    models = ImmModels(F[None], Q[None], np.ones((1, 1)))
    x = rng.normal(size=(5, 4))
    a = rng.normal(size=(5, 4, 4))
    P = a @ np.swapaxes(a, 1, 2) + np.eye(4)
    z = rng.normal(size=(5, 2))
    xk, Pk = kf_update(*kf_predict(x, P, F, Q), z, H, R)
    xi, Pi_, mui = imm_predict(x[:, None], P[:, None], np.ones((5, 1)), models)
    xi, Pi_, mui, _ = imm_update(xi, Pi_, mui, z, H, R)
    xc, Pc = imm_combine(xi, Pi_, mui)
    np.testing.assert_allclose(xc, xk, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Pc, Pk, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mui, 1.0)


def test_identical_models_keep_mode_probabilities() -> None:
    F, Q = cv_transition(1.0, 0.1)
    models = ImmModels(np.stack([F, F]), np.stack([Q, Q]), np.array([[0.9, 0.1], [0.3, 0.7]]))
    x = np.zeros((1, 2, 4))
    P = np.broadcast_to(np.eye(4), (1, 2, 4, 4)).copy()
    mu = np.array([[0.5, 0.5]])
    xp, Pp, mup = imm_predict(x, P, mu, models)
    np.testing.assert_allclose(mup[0], mu[0] @ models.transition)
    _, _, mu_post, loglik = imm_update(xp, Pp, mup, np.array([[1.0, -1.0]]), H, R)
    np.testing.assert_allclose(mu_post, mup)  # equal likelihoods leave the prior unchanged
    S = Pp[0, 0][np.ix_([0, 2], [0, 2])] + R
    nu = np.array([1.0, -1.0])
    expected = (
        -0.5 * nu @ np.linalg.solve(S, nu) - 0.5 * np.log(np.linalg.det(S)) - np.log(2 * np.pi)
    )
    assert loglik[0] == pytest.approx(expected)


def test_imm_detects_the_turn_and_beats_a_cv_filter_on_a_manoeuvre() -> None:
    rng = np.random.default_rng(11)
    dt, omega, speed = 1.0, 0.15, 30.0
    models = imm_models_cv_ct(dt, 0.05, 0.05, omega, p_stay=0.9)
    F_cv, Q_cv = cv_transition(dt, 0.05)
    F_turn, _ = ct_transition(dt, omega, 0.0)
    truth = np.array([0.0, speed, 0.0, 0.0])
    x_i = np.broadcast_to(truth, (1, 3, 4)).copy()
    P_i = np.broadcast_to(np.diag([1.0, 1.0, 1.0, 1.0]), (1, 3, 4, 4)).copy()
    mu = np.full((1, 3), 1 / 3)
    x_k, P_k = truth[None].copy(), np.eye(4)[None]
    err_imm, err_kf, mu_turn = [], [], []
    for k in range(60):
        truth = (F_turn if 20 <= k < 40 else F_cv) @ truth
        z = truth[[0, 2]][None] + rng.normal(0, 1.0, (1, 2))
        x_i, P_i, mu = imm_predict(x_i, P_i, mu, models)
        x_i, P_i, mu, _ = imm_update(x_i, P_i, mu, z, H, R)
        x_k, P_k = kf_update(*kf_predict(x_k, P_k, F_cv, Q_cv), z, H, R)
        xc, _ = imm_combine(x_i, P_i, mu)
        if 25 <= k < 40:
            err_imm.append(np.hypot(*(xc[0, [0, 2]] - truth[[0, 2]])))
            err_kf.append(np.hypot(*(x_k[0, [0, 2]] - truth[[0, 2]])))
            mu_turn.append(mu[0, 1])
    assert np.mean(mu_turn) > 0.8  # the anticlockwise turn model dominates during the turn
    assert np.sqrt(np.mean(np.square(err_imm))) < 0.5 * np.sqrt(np.mean(np.square(err_kf)))


def test_combined_covariance_includes_spread_of_means() -> None:
    x = np.array([[[0.0, 0, 0, 0], [2.0, 0, 0, 0]]])
    P = np.broadcast_to(np.eye(4), (1, 2, 4, 4))
    xc, Pc = imm_combine(x, P, np.array([[0.5, 0.5]]))
    assert xc[0, 0] == pytest.approx(1.0)
    assert Pc[0, 0, 0] == pytest.approx(1.0 + 1.0)
    assert Pc[0, 1, 1] == pytest.approx(1.0)
