"""Sensor models: P_d at the reference range, frames round trip, keyed draws."""

from __future__ import annotations

import numpy as np

from skyshield.geo import lonlat_to_unit
from skyshield.picture.frames import polar_from, unit_from_polar
from skyshield.picture.measurement import coverage_range_m, keyed_normal, pd_at_range, reference_snr_db


def test_pd_at_the_reference_range_is_the_catalog_pd_for_every_swerling_case() -> None:
    sw = np.array([0, 1, 3, 5])
    pfa = np.full(4, 1e-6)
    pd0 = np.array([0.8, 0.8, 0.9, 0.5])
    snr0 = reference_snr_db(pd0, pfa, sw)
    np.testing.assert_allclose(pd_at_range(np.full(4, 1e5), np.ones(4), np.full(4, 1e5), snr0, pfa, sw), pd0, atol=1e-5)
    # Range scales as RCS^(1/4): a 0.0625 m^2 target at half range gives the same P_d.
    np.testing.assert_allclose(pd_at_range(np.full(4, 5e4), np.full(4, 0.0625), np.full(4, 1e5), snr0, pfa, sw), pd0, atol=1e-5)
    cov = coverage_range_m(np.ones(4), np.full(4, 1e5), snr0, pfa, sw)
    np.testing.assert_allclose(pd_at_range(cov, np.ones(4), np.full(4, 1e5), snr0, pfa, sw), 0.02, atol=1e-4)


def test_polar_measurement_round_trips() -> None:
    s = lonlat_to_unit(np.array([30.0, 22.7]), np.array([50.0, 51.0])).reshape(-1, 3)
    u = lonlat_to_unit(np.array([31.0, 24.0]), np.array([50.5, 50.2])).reshape(-1, 3)
    hs, h = np.array([15.0, 9000.0]), np.array([300.0, 50.0])
    r, az, el = polar_from(s, hs, u, h)
    back = unit_from_polar(s, hs, r, az, el)
    np.testing.assert_allclose(back, u, atol=1e-12)


def test_keyed_normals_are_standard_normal_and_reproducible() -> None:
    z = keyed_normal(7, np.int64(3), np.arange(200000))
    assert abs(z.mean()) < 0.01 and abs(z.std() - 1) < 0.01
    np.testing.assert_array_equal(z[:10], keyed_normal(7, np.int64(3), np.arange(10)))


def test_poisson_from_uniform_is_scipys_inverse_cdf() -> None:
    """The tabulated inversion returns ``scipy.stats.poisson.ppf`` draw for draw, including
    the far tail and means from near zero to large."""
    from scipy import stats

    from skyshield.picture.measurement import poisson_from_uniform

    rng = np.random.default_rng(4)
    mean = rng.choice([1e-300, 1e-6, 0.05, 0.5, 1.0, 3.7, 40.0, 900.0], 20_000)
    u = rng.random(20_000)
    u[:50] = 1.0 - rng.random(50) * 1e-12  # the far tail
    u[50:100] = rng.random(50) * 1e-12
    got = poisson_from_uniform(u, mean)
    np.testing.assert_array_equal(got, stats.poisson.ppf(u, np.maximum(mean, 1e-300)).astype(np.int64))
    assert got.max() > 900 and np.count_nonzero(got) > 10_000
