r"""Ballistic missiles: a Keplerian free flight over a spherical Earth, slowed by drag in the
atmosphere, cut into constant-altitude pieces for the engine's closed-form windows.

**Free flight.** A missile launched from the surface toward an aim at central angle
:math:`\Phi` (ground range :math:`R_E\Phi`) with apogee altitude :math:`H` flies the symmetric
conic through both ends with its apocentre at mid-range. With :math:`r_0 = R_E`,
:math:`r_a = R_E + H` and :math:`\theta = \Phi/2`, the orbit equation
:math:`r = p / (1 - e\cos\psi)` (:math:`\psi` the angle from apogee) through
:math:`(r_a, 0)` and :math:`(r_0, \theta)` gives

.. math::

    e = \frac{r_a - r_0}{r_a - r_0\cos\theta}, \qquad p = r_a (1 - e), \qquad
    a = \frac{p}{1 - e^2}, \qquad v^2 = \mu\left(\frac{2}{r} - \frac{1}{a}\right),

and the time from launch follows Kepler's equation :math:`M = E - e\sin E`,
:math:`t = (M - M_0)/n`, :math:`n = \sqrt{\mu / a^3}` (:func:`kepler_time_s`). The minimum-
energy trajectory for a range has :math:`\tan\gamma_0 = \tan(\pi/4 - \Phi/4)` at burnout
(:func:`minimum_energy_apogee_m`); a given apogee above it is a lofted trajectory, below it a
depressed one. The boost (about a minute) is folded into the ascent: the conic starts at the
launch point.

**Re-entry.** Below the top of the sensible atmosphere the warhead is slowed by drag. With an
exponential atmosphere :math:`\rho = \rho_0 e^{-h/h_s}`, a straight-line entry at flight-path
angle :math:`\gamma` and gravity neglected, the speed has the Allen-Eggers closed form

.. math::

    v(h) = v_E \exp\!\left(-\frac{\rho_0 h_s}{2\beta\sin\gamma}\, e^{-h/h_s}\right),

with :math:`\beta = m / (C_D A)` the ballistic coefficient (:func:`allen_eggers_factor`). The
engine keeps the conic's path (so the missile still arrives at its aim) and times it with the
vis-viva speed times this factor at the local flight-path angle.

**Pieces.** The engine's threats fly great-circle segments at constant altitude. The flight is
cut where its altitude crosses any of :data:`ALTITUDE_LEVELS_M` or an engagement-envelope
altitude bound of a shooter (so whether a piece lies inside an envelope's altitude band is
exact), and into pieces of at most :data:`MAX_PIECE_S`; each piece flies at its mean ground
speed, at the altitude of its middle.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..geo import EARTH_RADIUS_M

__all__ = [
    "MU_M3_S2",
    "RHO0_KG_M3",
    "SCALE_HEIGHT_M",
    "ALTITUDE_LEVELS_M",
    "MAX_PIECE_S",
    "conic",
    "kepler_time_s",
    "minimum_energy_apogee_m",
    "allen_eggers_factor",
    "flight_profile",
    "pieces",
]

MU_M3_S2 = 3.986004418e14
"""Earth's gravitational parameter (WGS-84 / IERS)."""
RHO0_KG_M3 = 1.225
"""Sea-level air density, ISA."""
SCALE_HEIGHT_M = 7200.0
"""Density scale height of the exponential atmosphere (7-8 km in the standard atmosphere below
about 100 km)."""
ALTITUDE_LEVELS_M = (2e3, 5e3, 10e3, 15e3, 20e3, 30e3, 40e3, 50e3, 60e3, 80e3, 100e3, 150e3, 200e3,
                     300e3, 400e3, 600e3, 800e3, 1000e3)
"""Altitudes where a ballistic flight is always cut into pieces (100 km: the edge of space for
the rules of engagement; the rest so that sensor horizons see the altitude to within a band)."""
MAX_PIECE_S = 20.0
"""Longest piece of a ballistic flight (s): positions along it are within a few km of the conic."""
_GRID = 241  # points of the quadrature grid along one flight


def conic(range_rad: ArrayLike, apogee_m: ArrayLike, r0_m: float = EARTH_RADIUS_M):
    """Eccentricity, semi-latus rectum and semi-major axis (m) of the symmetric conic through
    two surface points ``range_rad`` apart with apogee altitude ``apogee_m``."""
    th = 0.5 * np.asarray(range_rad, float)
    ra = r0_m + np.asarray(apogee_m, float)
    e = (ra - r0_m) / (ra - r0_m * np.cos(th))
    p = ra * (1.0 - e)
    return e, p, p / (1.0 - e * e)


def _anomaly(e, nu):
    """Eccentric and mean anomaly of true anomaly ``nu`` (radians, in (0, 2 pi))."""
    E = np.mod(np.arctan2(np.sqrt(1.0 - e * e) * np.sin(nu), e + np.cos(nu)), 2.0 * np.pi)
    return E, E - e * np.sin(E)


def kepler_time_s(range_rad: ArrayLike, apogee_m: ArrayLike, phi_rad: ArrayLike, r0_m: float = EARTH_RADIUS_M):
    """Closed-form drag-free time (s) from launch to central angle ``phi_rad`` along the conic.

    >>> t = kepler_time_s(0.2, 300e3, 0.2)  # a 1,274 km flight with a 300 km apogee
    >>> 500 < float(t) < 700
    True
    """
    range_rad = np.asarray(range_rad, float)
    e, _, a = conic(range_rad, apogee_m, r0_m)
    th = 0.5 * range_rad
    n = np.sqrt(MU_M3_S2 / a**3)
    _, M0 = _anomaly(e, np.pi - th)
    _, M = _anomaly(e, np.pi - th + np.asarray(phi_rad, float))
    return (M - M0) / n


def minimum_energy_apogee_m(range_rad: ArrayLike, r0_m: float = EARTH_RADIUS_M) -> NDArray[np.float64]:
    r"""Apogee altitude of the minimum-energy trajectory for a range (burnout at the surface).

    Burnout at :math:`\gamma_0 = \pi/4 - \Phi/4` with :math:`\nu_0 = v_0^2 r_0/\mu =
    2\sin(\Phi/2)/(1 + \sin(\Phi/2))`; the apogee follows from energy and angular momentum.
    For short ranges it tends to a quarter of the range (the flat-Earth 45-degree shot).
    """
    phi = np.asarray(range_rad, float)
    s = np.sin(0.5 * phi)
    nu = 2.0 * s / (1.0 + s)
    g = np.pi / 4.0 - phi / 4.0
    # r_a / r_0 from the energy and angular-momentum integrals
    ra = (1.0 + np.sqrt(1.0 - nu * (2.0 - nu) * np.cos(g) ** 2)) / (2.0 - nu)
    return r0_m * (ra - 1.0)


def allen_eggers_factor(alt_m: ArrayLike, gamma_rad: ArrayLike, beta_kg_m2: ArrayLike) -> NDArray[np.float64]:
    """:math:`v / v_E` of a straight-line entry at flight-path angle ``gamma`` (from the
    horizontal, either sign) with ballistic coefficient ``beta`` (kg/m2); 1 with no drag
    (``beta`` infinite)."""
    sin_g = np.maximum(np.abs(np.sin(np.asarray(gamma_rad, float))), 1e-3)
    beta = np.asarray(beta_kg_m2, float)
    k = np.where(np.isfinite(beta), RHO0_KG_M3 * SCALE_HEIGHT_M / (2.0 * np.where(np.isfinite(beta), beta, 1.0) * sin_g), 0.0)
    return np.exp(-k * np.exp(-np.asarray(alt_m, float) / SCALE_HEIGHT_M))


def flight_profile(range_rad: ArrayLike, apogee_m: ArrayLike, beta_kg_m2: ArrayLike, n: int = _GRID):
    """Altitude, time and speed along each flight on a grid of central angles.

    Returns
    -------
    phi, alt_m, t_s, v_mps
        ``(K, n)`` each: central angle from launch, altitude, time from launch (vis-viva speed
        times the drag factor, integrated along the conic's path by the trapezoid rule on a
        grid refined toward both ends) and speed.
    """
    rng_ = np.atleast_1d(np.asarray(range_rad, float))
    H = np.broadcast_to(np.asarray(apogee_m, float), rng_.shape)
    beta = np.broadcast_to(np.asarray(beta_kg_m2, float), rng_.shape)
    e, p, a = conic(rng_, H)
    th = 0.5 * rng_
    u = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, n))  # denser near launch and impact
    phi = rng_[:, None] * u[None, :]
    psi = phi - th[:, None]
    r = p[:, None] / (1.0 - e[:, None] * np.cos(psi))
    alt = r - EARTH_RADIUS_M
    v_kep = np.sqrt(np.maximum(MU_M3_S2 * (2.0 / r - 1.0 / a[:, None]), 0.0))
    nu = np.pi + psi
    gamma = np.arctan2(e[:, None] * np.sin(nu), 1.0 + e[:, None] * np.cos(nu))
    v = v_kep * allen_eggers_factor(alt, gamma, beta[:, None])
    dr = np.diff(r, axis=1)
    rm = 0.5 * (r[:, 1:] + r[:, :-1])
    ds = np.sqrt(dr**2 + (rm * np.diff(phi, axis=1)) ** 2)
    dt = ds * 0.5 * (1.0 / v[:, 1:] + 1.0 / v[:, :-1])
    t = np.concatenate([np.zeros((rng_.size, 1)), np.cumsum(dt, axis=1)], axis=1)
    return phi, alt, t, v


def pieces(range_rad: ArrayLike, apogee_m: ArrayLike, beta_kg_m2: ArrayLike, levels_m: ArrayLike = ()):
    """Cut flights into constant-altitude pieces for the engine.

    Parameters
    ----------
    range_rad, apogee_m, beta_kg_m2
        ``(K,)`` central angle launch to aim, apogee altitude, ballistic coefficient.
    levels_m
        Extra altitudes to cut at (the engagement envelopes' altitude bounds).

    Returns
    -------
    k, f0, f1, t0_s, t1_s, alt_m
        One row per piece, in order along each flight: owning flight, start and end as
        fractions of the ground range, start and end times from launch, and the altitude of
        the piece's middle.
    """
    phi, alt, t, _ = flight_profile(range_rad, apogee_m, beta_kg_m2)
    K, n = phi.shape
    levels = np.unique(np.r_[np.asarray(ALTITUDE_LEVELS_M, float), np.asarray(levels_m, float).ravel()])
    levels = levels[levels > 0]
    out = []
    for k in range(K):
        top = int(np.argmax(alt[k]))
        cuts = [0.0, float(t[k, top]), float(t[k, -1])]
        for part in (slice(0, top + 1), slice(top, n)):
            a_, t_ = alt[k, part], t[k, part]
            order = np.argsort(a_)
            lv = levels[(levels > a_.min()) & (levels < a_.max())]
            cuts += list(np.interp(lv, a_[order], t_[order]))  # altitude is monotone on each side
        c = np.unique(np.array(cuts))
        # At most MAX_PIECE_S per piece.
        fine = [c[:1]]
        for a0, a1 in zip(c[:-1], c[1:]):
            m = max(int(np.ceil((a1 - a0) / MAX_PIECE_S)), 1)
            fine.append(a0 + (a1 - a0) * np.arange(1, m + 1) / m)
        c = np.concatenate(fine)
        frac = np.interp(c, t[k], phi[k]) / phi[k, -1]
        mid_alt = np.interp(0.5 * (c[:-1] + c[1:]), t[k], alt[k])
        out.append((np.full(c.size - 1, k), frac[:-1], frac[1:], c[:-1], c[1:], mid_alt))
    cols = [np.concatenate(x) for x in zip(*out)] if out else [np.zeros(0)] * 6
    return cols[0].astype(np.int64), cols[1], cols[2], cols[3], cols[4], cols[5]
