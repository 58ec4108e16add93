"""Tests for single-pulse Pd by Swerling case and radar-equation range scaling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, special, stats

from skyshield.sensors.detection import (
    db_to_linear,
    detection_range_m,
    probability_of_detection,
    required_snr_db,
    snr_db_at_range,
)


@pytest.mark.parametrize(
    ("swerling", "expected"),
    [(0, 0.874), (5, 0.874), (1, 0.517), (2, 0.517), (3, 0.609), (4, 0.609)],
)
def test_pd_at_13db_pfa_1e6_matches_published_values(swerling: int, expected: float) -> None:
    pd = float(probability_of_detection(13.0, 1e-6, swerling=swerling))
    assert abs(pd - expected) < 0.005


def test_swerling0_equals_marcum_q_by_series() -> None:
    # Marcum Q_1(a, b) = exp(-(a^2+b^2)/2) sum_k (a/b)^k I_k(ab), independent of scipy.stats.
    snr_db = np.array([3.0, 8.0, 13.0, 16.0])
    pfa = 1e-6
    a = np.sqrt(2 * db_to_linear(snr_db))
    b = np.sqrt(-2 * np.log(pfa))
    k = np.arange(0, 200)[:, None]
    series = np.exp(-(a**2 + b**2) / 2) * np.sum((a / b) ** k * special.iv(k, a * b), axis=0)
    np.testing.assert_allclose(probability_of_detection(snr_db, pfa, 0), series, rtol=1e-8)


def test_swerling1_is_pfa_to_the_one_over_one_plus_snr() -> None:
    snr_db = np.linspace(-5, 25, 13)
    x = db_to_linear(snr_db)
    np.testing.assert_allclose(probability_of_detection(snr_db, 1e-4, 1), 1e-4 ** (1 / (1 + x)))


@pytest.mark.parametrize("snr_db", [5.0, 13.0, 20.0])
def test_swerling3_equals_swerling0_averaged_over_chi2_4dof(snr_db: float) -> None:
    xbar = float(db_to_linear(snr_db))
    t = -np.log(1e-6)

    def integrand(x: float) -> float:
        return float(stats.ncx2.sf(2 * t, 2, 2 * x)) * 4 * x / xbar**2 * np.exp(-2 * x / xbar)

    expected, _ = integrate.quad(integrand, 0, 60 * xbar, limit=400)
    assert float(probability_of_detection(snr_db, 1e-6, 3)) == pytest.approx(expected, abs=1e-7)


def test_swerling1_equals_swerling0_averaged_over_exponential_rcs() -> None:
    xbar = float(db_to_linear(10.0))
    t = -np.log(1e-5)
    expected, _ = integrate.quad(
        lambda x: float(stats.ncx2.sf(2 * t, 2, 2 * x)) * np.exp(-x / xbar) / xbar,
        0, 80 * xbar, limit=400,
    )
    assert float(probability_of_detection(10.0, 1e-5, 1)) == pytest.approx(expected, abs=1e-7)


def test_pd_is_monotone_in_snr_and_tends_to_pfa_and_one() -> None:
    snr_db = np.linspace(-40, 40, 161)
    for case in (0, 1, 3):
        pd = probability_of_detection(snr_db, 1e-6, case)
        assert np.all(np.diff(pd) >= -1e-15)
        assert pd[0] == pytest.approx(1e-6, rel=0.05)
        assert pd[-1] > 0.99


def test_pd_broadcasts_over_snr_and_pfa() -> None:
    pd = probability_of_detection(np.array([[10.0], [13.0]]), np.array([1e-6, 1e-4, 1e-2]), 1)
    assert pd.shape == (2, 3)
    assert np.all(np.diff(pd, axis=1) > 0)  # looser threshold detects more


def test_invalid_inputs_raise() -> None:
    with pytest.raises(ValueError):
        probability_of_detection(13.0, 1e-6, swerling=6)
    with pytest.raises(ValueError):
        probability_of_detection(13.0, 0.0)


def test_required_snr_inverts_pd() -> None:
    for case in (0, 1, 3):
        snr = required_snr_db(np.array([0.5, 0.9]), 1e-6, case)
        np.testing.assert_allclose(probability_of_detection(snr, 1e-6, case), [0.5, 0.9], atol=1e-6)
    # The fluctuating cases need more SNR for high Pd (classic fluctuation loss).
    assert required_snr_db(0.9, 1e-6, 1) > required_snr_db(0.9, 1e-6, 3) > required_snr_db(
        0.9, 1e-6, 0
    )


def test_snr_falls_40db_per_decade_of_range_and_rises_10db_per_decade_of_rcs() -> None:
    assert float(snr_db_at_range(10e3, 1.0, 10e3, 13.0)) == pytest.approx(13.0)
    assert float(snr_db_at_range(100e3, 1.0, 10e3, 13.0)) == pytest.approx(13.0 - 40.0)
    assert float(snr_db_at_range(10e3, 10.0, 10e3, 13.0)) == pytest.approx(23.0)


def test_detection_range_scales_with_fourth_root_of_rcs() -> None:
    np.testing.assert_allclose(detection_range_m(100e3, [1.0, 16.0, 0.0001]), [100e3, 200e3, 10e3])
    assert float(detection_range_m(50e3, 2.0, ref_rcs_m2=2.0)) == pytest.approx(50e3)
    # Consistent with the radar equation: the scaled range gives the reference SNR back.
    r = detection_range_m(80e3, 5.0)
    assert float(snr_db_at_range(r, 5.0, 80e3, 13.0)) == pytest.approx(13.0)
