"""Ballistic trajectories against closed forms and an independent numerical integration.

- the drag-free flight of the engine's profile keeps Kepler's equation (closed form);
- the closed-form conic is the trajectory an RK4 integration of two-body motion flies from the
  same burnout state (range, apogee, time of flight), which shares no formula with it;
- the minimum-energy apogee is the conic of least burnout speed, and tends to a quarter of the
  range for short shots (the flat-Earth 45-degree result);
- the Allen-Eggers factor is the speed an RK4 integration of straight-line entry with drag keeps;
- the engine's pieces tile the flight, fly it in the profile's time, end at the aim, and never
  straddle an envelope's altitude bound.
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.engine.ballistic import (
    MU_M3_S2,
    RHO0_KG_M3,
    SCALE_HEIGHT_M,
    allen_eggers_factor,
    conic,
    flight_profile,
    kepler_time_s,
    minimum_energy_apogee_m,
    pieces,
)
from skyshield.geo import EARTH_RADIUS_M as RE

RANGES_KM = (300.0, 1200.0, 1800.0)


@pytest.mark.parametrize("range_km", RANGES_KM)
@pytest.mark.parametrize("lift", [0.6, 1.0, 1.5])
def test_drag_free_profile_keeps_keplers_equation(range_km: float, lift: float) -> None:
    phi = range_km * 1e3 / RE
    H = lift * float(minimum_energy_apogee_m(phi))
    p, alt, t, _ = flight_profile(phi, H, np.inf)
    closed = kepler_time_s(phi, H, p[0])
    np.testing.assert_allclose(t[0], closed, rtol=2e-4, atol=0.05)
    assert alt[0].max() == pytest.approx(H, rel=1e-3)
    assert abs(alt[0, 0]) < 1.0 and abs(alt[0, -1]) < 1.0  # launch and impact on the surface


def _rk4_two_body(r0, v0, dt, stop):
    """Integrate planar two-body motion until ``stop(state)`` turns true; returns the path."""
    def f(s):
        x, y, vx, vy = s
        r3 = (x * x + y * y) ** 1.5
        return np.array([vx, vy, -MU_M3_S2 * x / r3, -MU_M3_S2 * y / r3])

    s = np.array([*r0, *v0], float)
    out = [s]
    while True:
        k1 = f(s)
        k2 = f(s + 0.5 * dt * k1)
        k3 = f(s + 0.5 * dt * k2)
        k4 = f(s + dt * k3)
        s = s + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(s)
        if stop(s) or len(out) > 200_000:
            return np.array(out)


@pytest.mark.parametrize("range_km", RANGES_KM)
def test_the_conic_is_what_two_body_integration_flies(range_km: float) -> None:
    phi = range_km * 1e3 / RE
    H = float(minimum_energy_apogee_m(phi)) * 1.2
    e, p, _ = conic(phi, H)
    # Burnout state at the launch point, from the conic (true anomaly pi - phi/2).
    nu = np.pi - phi / 2
    h = np.sqrt(MU_M3_S2 * p)
    vr = MU_M3_S2 / h * e * np.sin(nu)
    vt = h / RE
    path = _rk4_two_body((RE, 0.0), (vr, vt), 0.05, lambda s: np.hypot(s[0], s[1]) < RE and s[1] > 1e3)
    r = np.hypot(path[:, 0], path[:, 1])
    # interpolate the crossing of the surface on the way down
    i = np.flatnonzero(r < RE)[-1]
    w = (r[i - 1] - RE) / (r[i - 1] - r[i])
    end = path[i - 1] + w * (path[i] - path[i - 1])
    t_end = (i - 1 + w) * 0.05
    assert np.arctan2(end[1], end[0]) == pytest.approx(phi, rel=1e-4)
    assert r.max() - RE == pytest.approx(H, rel=1e-4)
    assert t_end == pytest.approx(float(kepler_time_s(phi, H, phi)), rel=1e-4)


def test_minimum_energy_apogee_is_the_cheapest_conic_and_a_quarter_range_when_short() -> None:
    for range_km in RANGES_KM:
        phi = range_km * 1e3 / RE
        H0 = float(minimum_energy_apogee_m(phi))
        speeds = []
        for f in (0.8, 0.95, 1.0, 1.05, 1.25):
            _, _, a = conic(phi, f * H0)
            speeds.append(np.sqrt(MU_M3_S2 * (2 / RE - 1 / a)))
        assert int(np.argmin(speeds)) == 2
    assert float(minimum_energy_apogee_m(50e3 / RE)) == pytest.approx(50e3 / 4, rel=0.01)


def test_allen_eggers_matches_straight_line_entry_integrated_with_drag() -> None:
    beta, gamma, v_e = 5000.0, np.radians(35.0), 3000.0
    h, v, dt = 120e3, v_e, 0.005
    hs, vs = [h], [v]
    while h > 0:  # dv/dt = -rho v^2 / (2 beta), dh/dt = -v sin(gamma); gravity neglected
        def f(s):
            hh, vv = s
            rho = RHO0_KG_M3 * np.exp(-hh / SCALE_HEIGHT_M)
            return np.array([-vv * np.sin(gamma), -rho * vv * vv / (2 * beta)])
        s = np.array([h, v])
        k1 = f(s); k2 = f(s + 0.5 * dt * k1); k3 = f(s + 0.5 * dt * k2); k4 = f(s + dt * k3)
        h, v = s + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        hs.append(h)
        vs.append(v)
    hs, vs = np.array(hs), np.array(vs)
    for alt in (60e3, 30e3, 15e3, 5e3, 1e3):
        num = np.interp(alt, hs[::-1], vs[::-1])
        assert float(allen_eggers_factor(alt, gamma, beta)) * v_e == pytest.approx(num, rel=1e-3)
    # and a slower fall: the factor is below 1 low down, 1 with no drag
    assert float(allen_eggers_factor(5e3, gamma, beta)) < 0.6
    assert float(allen_eggers_factor(5e3, gamma, np.inf)) == 1.0


def test_pieces_tile_the_flight_and_never_straddle_an_envelope_bound() -> None:
    phi = np.array([1100e3, 1500e3]) / RE
    H = np.array([280e3, 400e3])
    levels = np.array([25e3, 40e3, 45e3, 150e3])  # e.g. Patriot and Arrow 2 / THAAD bands
    k, f0, f1, t0, t1, alt = pieces(phi, H, 8000.0, levels)
    _, a, t, _ = flight_profile(phi, H, 8000.0)
    for kk in range(2):
        sel = k == kk
        assert f0[sel][0] == 0.0 and f1[sel][-1] == pytest.approx(1.0)
        np.testing.assert_allclose(f0[sel][1:], f1[sel][:-1])
        np.testing.assert_allclose(t0[sel][1:], t1[sel][:-1])
        assert t1[sel][-1] == pytest.approx(t[kk, -1])
        assert (t1[sel] - t0[sel]).max() <= 20.0 + 1e-9
        # Sample the profile inside every piece: all on one side of every level.
        for a0, a1, am in zip(t0[sel], t1[sel], alt[sel]):
            ts = np.linspace(a0, a1, 25)[1:-1]
            hs = np.interp(ts, t[kk], a[kk])
            for lv in levels:
                assert (hs >= lv - 1.0).all() == (am >= lv) or (hs <= lv + 1.0).all() == (am <= lv)
                assert (hs >= lv - 1.0).all() or (hs <= lv + 1.0).all()
