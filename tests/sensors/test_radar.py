"""Radar horizon and RCS scaling against the closed forms quoted in the design brief."""

import numpy as np
import pytest

from skyshield.sensors.radar import detection_range_m, radar_horizon_m


def test_horizon_mast_10m_target_50m_is_42_2_km() -> None:
    assert radar_horizon_m(10.0, 50.0) / 1000 == pytest.approx(42.2, abs=1.0)
    assert radar_horizon_m(10.0, 50.0) / 1000 == pytest.approx(4.12 * (np.sqrt(10) + np.sqrt(50)), rel=2e-3)


def test_horizon_aew_9000m_target_50m_is_420_km() -> None:
    assert radar_horizon_m(9000.0, 50.0) / 1000 == pytest.approx(420.0, abs=1.0)


def test_rcs_fourth_root_scaling_1m2_100km_to_01m2_562km() -> None:
    assert detection_range_m(100e3, 0.1) / 1000 == pytest.approx(56.2, abs=0.05)


def test_detection_range_is_capped_by_horizon() -> None:
    # A 1 m^2 target at 50 m against a 10 m mast: free-space 200 km, horizon 42 km.
    assert detection_range_m(200e3, 1.0, 10.0, 50.0) == pytest.approx(radar_horizon_m(10.0, 50.0))


def test_horizon_grows_with_both_heights() -> None:
    h = np.array([1.0, 10.0, 100.0, 1000.0])
    d = radar_horizon_m(h[:, None], h[None, :])
    assert (np.diff(d, axis=0) > 0).all() and (np.diff(d, axis=1) > 0).all()
