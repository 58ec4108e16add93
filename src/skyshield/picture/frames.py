r"""Frames: the theatre plane the trackers work in, sensor stations and orbits, and polar
measurements in each sensor's own frame.

The theatre plane is the orthographic tangent plane at the theatre's centre :math:`c` with east
and north unit vectors :math:`e, n`: a point :math:`u` of the unit sphere maps to
:math:`(x, y) = R_E (u\cdot e,\ u\cdot n)`. Truth and measurements go through the same map, so
its distortion (0.6 % radially at 700 km) cancels in every error the trackers see.

A sensor at unit position :math:`s` and height :math:`h_s` sees a target at :math:`u`, altitude
:math:`h` along :math:`d = (R_E + h)u - (R_E + h_s)s` as

.. math:: r = \lVert d\rVert,\quad \mathrm{az} = \operatorname{atan2}(d\cdot e_s, d\cdot n_s),
          \quad \mathrm{el} = \arcsin(d\cdot s / r)

in its local east-north-up frame :math:`(e_s, n_s, s)`. Airborne sensors fly a circle of radius
:math:`\rho` around their station at angular rate :math:`2\pi / T_{orbit}`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..geo import EARTH_RADIUS_M

__all__ = ["east_north", "Plane", "sensor_units", "polar_from", "unit_from_polar"]

F = NDArray[np.float64]


def east_north(u: F) -> tuple[F, F]:
    """Local east and north unit vectors at unit positions ``u`` (``(..., 3)``)."""
    z = np.zeros_like(u)
    z[..., 2] = 1.0
    e = np.cross(z, u)
    e /= np.maximum(np.linalg.norm(e, axis=-1, keepdims=True), 1e-15)
    n = np.cross(u, e)
    return e, n


class Plane:
    """Orthographic tangent plane of the theatre (metres)."""

    def __init__(self, centre_unit: F) -> None:
        self.c = np.asarray(centre_unit, float) / np.linalg.norm(centre_unit)
        e, n = east_north(self.c[None, :])
        self.e, self.n = e[0], n[0]

    def xy(self, u: F) -> F:
        """Plane coordinates ``(..., 2)`` of unit vectors ``u``."""
        return EARTH_RADIUS_M * np.stack([u @ self.e, u @ self.n], axis=-1)


def sensor_units(station: F, orbit_radius_m: F, orbit_period_s: F, phase_rad: F, t_s: F,
                 en: tuple[F, F] | None = None) -> F:
    """Unit positions ``(K, 3)`` of sensors at times ``t_s`` on circles around their stations.

    ``en``: the stations' :func:`east_north` axes, if already known.
    """
    e, n = east_north(station) if en is None else en
    th = phase_rad + 2.0 * np.pi * t_s / np.maximum(orbit_period_s, 1.0)
    a = orbit_radius_m / EARTH_RADIUS_M
    off = e * np.cos(th)[:, None] + n * np.sin(th)[:, None]
    return station * np.cos(a)[:, None] + off * np.sin(a)[:, None]


def polar_from(s: F, h_s: F, u: F, h: F, en: tuple[F, F] | None = None) -> tuple[F, F, F]:
    """Slant range (m), azimuth and elevation (rad) of targets ``u`` seen from sensors ``s``
    (``en``: the :func:`east_north` axes at ``s``, if already known)."""
    d = (EARTH_RADIUS_M + h)[:, None] * u - (EARTH_RADIUS_M + h_s)[:, None] * s
    e, n = east_north(s) if en is None else en
    r = np.linalg.norm(d, axis=-1)
    az = np.arctan2(np.einsum("ij,ij->i", d, e), np.einsum("ij,ij->i", d, n))
    el = np.arcsin(np.clip(np.einsum("ij,ij->i", d, s) / np.maximum(r, 1e-9), -1.0, 1.0))
    return r, az, el


def unit_from_polar(s: F, h_s: F, r: F, az: F, el: F, en: tuple[F, F] | None = None) -> F:
    """Unit positions of the points at ``(r, az, el)`` from sensors ``s`` (the inverse)."""
    e, n = east_north(s) if en is None else en
    ce = np.cos(el)
    d = r[:, None] * (ce * np.sin(az))[:, None] * e + r[:, None] * (ce * np.cos(az))[:, None] * n \
        + (r * np.sin(el))[:, None] * s
    p = (EARTH_RADIUS_M + h_s)[:, None] * s + d
    return p / np.linalg.norm(p, axis=-1, keepdims=True)
