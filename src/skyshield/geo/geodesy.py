"""Geodesy on the engine sphere and on the WGS-84 ellipsoid.

The simulation engine works on a sphere of radius :data:`EARTH_RADIUS_M` (fast, closed form,
vectorised). Where an answer must be survey-grade (scenario checks, reports, local
east-north-up frames for sensors) the WGS-84 ellipsoid is used through :mod:`pyproj`, whose
PROJ database ships inside the wheel, so nothing here reaches the network.

Conventions: longitudes and latitudes in degrees (suffix ``_deg`` where ambiguous), distances
and heights in metres, bearings and azimuths in degrees clockwise from true north in
``[0, 360)``. Every function broadcasts its array arguments with NumPy rules; scalar inputs give
NumPy scalars (0-d results) back.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "EARTH_RADIUS_M",
    "ENUFrame",
    "destination_point",
    "geodesic_forward",
    "geodesic_inverse",
    "great_circle_distance_m",
    "great_circle_waypoints",
    "initial_bearing_deg",
    "lonlat_to_unit",
    "unit_to_lonlat",
]

FloatArray = NDArray[np.float64]

#: IUGG mean Earth radius :math:`R_1 = (2a + b)/3` in metres; the engine's sphere.
EARTH_RADIUS_M: float = 6_371_008.8


def _out(a: FloatArray) -> Any:
    """Return 0-d arrays as NumPy scalars, leave other arrays alone (NumPy ufunc convention)."""
    return a[()] if a.ndim == 0 else a


def _wrap_lon_deg(lon_deg: FloatArray) -> FloatArray:
    """Wrap longitudes into ``[-180, 180)`` degrees."""
    return np.mod(lon_deg + 180.0, 360.0) - 180.0


# --------------------------------------------------------------------------------------------
# Sphere
# --------------------------------------------------------------------------------------------


def lonlat_to_unit(lon_deg: ArrayLike, lat_deg: ArrayLike) -> FloatArray:
    r"""Unit vectors (Earth-centred, Earth-fixed directions) of points on the sphere.

    .. math::

        \hat u = (\cos\varphi\cos\lambda,\; \cos\varphi\sin\lambda,\; \sin\varphi)

    Parameters
    ----------
    lon_deg, lat_deg : array_like
        Longitude :math:`\lambda` and latitude :math:`\varphi` in degrees, broadcast together.

    Returns
    -------
    numpy.ndarray
        Shape ``broadcast(lon_deg, lat_deg).shape + (3,)``; x towards (0E, 0N), y towards
        (90E, 0N), z towards the North Pole.

    Examples
    --------
    >>> lonlat_to_unit(90.0, 0.0).round(12)
    array([0., 1., 0.])
    """
    lam = np.radians(np.asarray(lon_deg, dtype=np.float64))
    phi = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lam, phi = np.broadcast_arrays(lam, phi)
    cos_phi = np.cos(phi)
    return np.stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)), axis=-1)


def unit_to_lonlat(u: ArrayLike) -> tuple[Any, Any]:
    r"""Longitude and latitude (degrees) of direction vectors, the inverse of
    :func:`lonlat_to_unit`.

    .. math::

        \lambda = \operatorname{atan2}(y, x), \qquad
        \varphi = \operatorname{atan2}\!\left(z, \sqrt{x^2 + y^2}\right)

    The ``atan2`` form is accurate everywhere (no ``arcsin`` loss near the poles) and the
    vectors need not be normalised.

    Parameters
    ----------
    u : array_like
        Shape ``(..., 3)``.

    Returns
    -------
    lon_deg, lat_deg : numpy.ndarray
        Shape ``u.shape[:-1]``; longitude in ``(-180, 180]``.
    """
    v = np.asarray(u, dtype=np.float64)
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    lon = np.degrees(np.arctan2(y, x))
    lat = np.degrees(np.arctan2(z, np.hypot(x, y)))
    return _out(lon), _out(lat)


def great_circle_distance_m(
    lon1_deg: ArrayLike,
    lat1_deg: ArrayLike,
    lon2_deg: ArrayLike,
    lat2_deg: ArrayLike,
    radius_m: float = EARTH_RADIUS_M,
) -> Any:
    r"""Great-circle distance on the sphere (Vincenty's special case of the sphere).

    .. math::

        d = R \operatorname{atan2}\!\Big(
            \sqrt{(\cos\varphi_2\sin\Delta\lambda)^2
                  + (\cos\varphi_1\sin\varphi_2 - \sin\varphi_1\cos\varphi_2\cos\Delta\lambda)^2},
            \;\sin\varphi_1\sin\varphi_2 + \cos\varphi_1\cos\varphi_2\cos\Delta\lambda\Big)

    Unlike the law of cosines (bad for short distances) or haversine (bad near antipodes) this
    form is well conditioned for every separation.

    Parameters
    ----------
    lon1_deg, lat1_deg, lon2_deg, lat2_deg : array_like
        End points in degrees, broadcast together.
    radius_m : float
        Sphere radius; the engine's :data:`EARTH_RADIUS_M` by default.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Distance in metres, shape of the broadcast inputs.
    """
    phi1 = np.radians(np.asarray(lat1_deg, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2_deg, dtype=np.float64))
    dlam = np.radians(np.asarray(lon2_deg, dtype=np.float64) - np.asarray(lon1_deg, np.float64))
    s1, c1, s2, c2 = np.sin(phi1), np.cos(phi1), np.sin(phi2), np.cos(phi2)
    cdl = np.cos(dlam)
    num = np.hypot(c2 * np.sin(dlam), c1 * s2 - s1 * c2 * cdl)
    den = s1 * s2 + c1 * c2 * cdl
    return _out(np.asarray(radius_m * np.arctan2(num, den)))


def initial_bearing_deg(
    lon1_deg: ArrayLike, lat1_deg: ArrayLike, lon2_deg: ArrayLike, lat2_deg: ArrayLike
) -> Any:
    r"""Initial great-circle bearing from point 1 towards point 2 on the sphere.

    .. math::

        \theta = \operatorname{atan2}\big(\sin\Delta\lambda\cos\varphi_2,\;
                 \cos\varphi_1\sin\varphi_2 - \sin\varphi_1\cos\varphi_2\cos\Delta\lambda\big)

    Parameters
    ----------
    lon1_deg, lat1_deg, lon2_deg, lat2_deg : array_like
        Degrees, broadcast together.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Bearing in degrees clockwise from north, in ``[0, 360)``. Undefined (returns 0) for
        coincident points and at the poles.
    """
    phi1 = np.radians(np.asarray(lat1_deg, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2_deg, dtype=np.float64))
    dlam = np.radians(np.asarray(lon2_deg, dtype=np.float64) - np.asarray(lon1_deg, np.float64))
    y = np.sin(dlam) * np.cos(phi2)
    x = np.cos(phi1) * np.sin(phi2) - np.sin(phi1) * np.cos(phi2) * np.cos(dlam)
    return _out(np.asarray(np.mod(np.degrees(np.arctan2(y, x)), 360.0)))


def destination_point(
    lon_deg: ArrayLike,
    lat_deg: ArrayLike,
    bearing_deg: ArrayLike,
    distance_m: ArrayLike,
    radius_m: float = EARTH_RADIUS_M,
) -> tuple[Any, Any]:
    r"""Point reached by travelling ``distance_m`` along a great circle from a start point.

    With angular distance :math:`\delta = d/R` and initial bearing :math:`\theta`:

    .. math::

        \varphi_2 &= \operatorname{atan2}\big(\sin\varphi_1\cos\delta
                     + \cos\varphi_1\sin\delta\cos\theta,\;
                     \sqrt{(\cos\varphi_1\cos\delta - \sin\varphi_1\sin\delta\cos\theta)^2
                     + (\sin\delta\sin\theta)^2}\big) \\
        \lambda_2 &= \lambda_1 + \operatorname{atan2}\big(\sin\theta\sin\delta\cos\varphi_1,\;
                     \cos\delta - \sin\varphi_1\sin\varphi_2\big)

    Parameters
    ----------
    lon_deg, lat_deg : array_like
        Start point in degrees.
    bearing_deg : array_like
        Initial bearing, degrees clockwise from north.
    distance_m : array_like
        Distance along the great circle in metres (negative goes backwards).
    radius_m : float
        Sphere radius.

    Returns
    -------
    lon_deg, lat_deg : numpy.ndarray or numpy.float64
        Destination, longitude wrapped into ``[-180, 180)``.
    """
    phi1 = np.radians(np.asarray(lat_deg, dtype=np.float64))
    lam1 = np.radians(np.asarray(lon_deg, dtype=np.float64))
    theta = np.radians(np.asarray(bearing_deg, dtype=np.float64))
    delta = np.asarray(distance_m, dtype=np.float64) / radius_m
    s1, c1 = np.sin(phi1), np.cos(phi1)
    sd, cd = np.sin(delta), np.cos(delta)
    st, ct = np.sin(theta), np.cos(theta)
    z = s1 * cd + c1 * sd * ct
    horiz = np.hypot(c1 * cd - s1 * sd * ct, sd * st)
    phi2 = np.arctan2(z, horiz)
    lam2 = lam1 + np.arctan2(st * sd * c1, cd - s1 * np.sin(phi2))
    lon2 = _wrap_lon_deg(np.degrees(lam2))
    lat2 = np.degrees(phi2)
    lon2, lat2 = np.broadcast_arrays(lon2, lat2)
    return _out(np.array(lon2)), _out(np.array(lat2))


def great_circle_waypoints(
    lon1_deg: ArrayLike,
    lat1_deg: ArrayLike,
    lon2_deg: ArrayLike,
    lat2_deg: ArrayLike,
    n: int,
) -> tuple[FloatArray, FloatArray]:
    r"""``n`` points evenly spaced along the shorter great-circle arc, end points included.

    Spherical linear interpolation between the unit vectors :math:`\hat u_1, \hat u_2` with
    central angle :math:`\Omega`:

    .. math::

        \hat u(t) = \frac{\sin((1-t)\Omega)\,\hat u_1 + \sin(t\Omega)\,\hat u_2}{\sin\Omega},
        \qquad t = 0, \tfrac{1}{n-1}, \dots, 1

    For nearly coincident points (:math:`\sin\Omega < 10^{-12}`) the normalised chord is used
    instead. Antipodal end points have no unique great circle; the result is then undefined.

    Parameters
    ----------
    lon1_deg, lat1_deg, lon2_deg, lat2_deg : array_like
        End points in degrees, broadcast together to a shape ``S``.
    n : int
        Number of points per route, at least 2.

    Returns
    -------
    lon_deg, lat_deg : numpy.ndarray
        Shape ``S + (n,)``.
    """
    if n < 2:
        raise ValueError(f"n must be at least 2 (both end points), got {n}")
    u1 = lonlat_to_unit(lon1_deg, lat1_deg)[..., None, :]  # (*S, 1, 3)
    u2 = lonlat_to_unit(lon2_deg, lat2_deg)[..., None, :]
    t = np.linspace(0.0, 1.0, n)[:, None]  # (n, 1)
    cross = np.linalg.norm(np.cross(u1, u2), axis=-1, keepdims=True)  # sin(Omega)
    dot = np.sum(u1 * u2, axis=-1, keepdims=True)
    omega = np.arctan2(cross, dot)
    small = cross < 1e-12
    safe_sin = np.where(small, 1.0, cross)
    w1 = np.where(small, 1.0 - t, np.sin((1.0 - t) * omega) / safe_sin)
    w2 = np.where(small, t, np.sin(t * omega) / safe_sin)
    u = w1 * u1 + w2 * u2  # (*S, n, 3)
    lon, lat = unit_to_lonlat(u)
    return np.asarray(lon), np.asarray(lat)


# --------------------------------------------------------------------------------------------
# WGS-84 ellipsoid
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _wgs84_geod() -> pyproj.Geod:
    return pyproj.Geod(ellps="WGS84")


@lru_cache(maxsize=1)
def _geodetic_to_ecef() -> pyproj.Transformer:
    # EPSG:4979 = WGS-84 geographic 3D (lon, lat, ellipsoidal height); EPSG:4978 = WGS-84 ECEF.
    return pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


def geodesic_inverse(
    lon1_deg: ArrayLike, lat1_deg: ArrayLike, lon2_deg: ArrayLike, lat2_deg: ArrayLike
) -> tuple[Any, Any]:
    """Forward azimuth and length of the WGS-84 geodesic between two points.

    Solves the inverse geodesic problem with Karney's algorithm (GeographicLib, via
    :class:`pyproj.Geod`), accurate to about 15 nm.

    Parameters
    ----------
    lon1_deg, lat1_deg, lon2_deg, lat2_deg : array_like
        Degrees, broadcast together.

    Returns
    -------
    azimuth_deg : numpy.ndarray or numpy.float64
        Azimuth at point 1 towards point 2, degrees clockwise from north in ``[0, 360)``.
    distance_m : numpy.ndarray or numpy.float64
        Geodesic length in metres.
    """
    a, b, c, d = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (lon1_deg, lat1_deg, lon2_deg, lat2_deg))
    )
    shape = a.shape
    az, _, dist = _wgs84_geod().inv(a.ravel(), b.ravel(), c.ravel(), d.ravel())
    az = np.mod(np.asarray(az, dtype=np.float64), 360.0).reshape(shape)
    return _out(az), _out(np.asarray(dist, dtype=np.float64).reshape(shape))


def geodesic_forward(
    lon_deg: ArrayLike, lat_deg: ArrayLike, azimuth_deg: ArrayLike, distance_m: ArrayLike
) -> tuple[Any, Any]:
    """End point of the WGS-84 geodesic of given start, azimuth and length.

    Solves the direct geodesic problem (Karney, via :class:`pyproj.Geod`).

    Parameters
    ----------
    lon_deg, lat_deg : array_like
        Start point in degrees.
    azimuth_deg : array_like
        Azimuth at the start, degrees clockwise from north.
    distance_m : array_like
        Geodesic length in metres.

    Returns
    -------
    lon_deg, lat_deg : numpy.ndarray or numpy.float64
        End point, longitude in ``[-180, 180]``.
    """
    a, b, c, d = np.broadcast_arrays(
        *(np.asarray(v, dtype=np.float64) for v in (lon_deg, lat_deg, azimuth_deg, distance_m))
    )
    shape = a.shape
    lon2, lat2, _ = _wgs84_geod().fwd(a.ravel(), b.ravel(), c.ravel(), d.ravel())
    return (
        _out(np.asarray(lon2, dtype=np.float64).reshape(shape)),
        _out(np.asarray(lat2, dtype=np.float64).reshape(shape)),
    )


@dataclass(frozen=True)
class ENUFrame:
    r"""Local east-north-up Cartesian frame tangent to the WGS-84 ellipsoid at an origin.

    Geodetic coordinates go to ECEF with PROJ (EPSG:4979 -> EPSG:4978), then

    .. math::

        \begin{pmatrix} e \\ n \\ u \end{pmatrix} =
        \begin{pmatrix}
            -\sin\lambda_0 & \cos\lambda_0 & 0 \\
            -\sin\varphi_0\cos\lambda_0 & -\sin\varphi_0\sin\lambda_0 & \cos\varphi_0 \\
            \cos\varphi_0\cos\lambda_0 & \cos\varphi_0\sin\lambda_0 & \sin\varphi_0
        \end{pmatrix}
        \left(\mathbf{x}_{\text{ECEF}} - \mathbf{x}_{0,\text{ECEF}}\right)

    where :math:`(\lambda_0, \varphi_0)` is the origin's geodetic longitude and latitude.
    The way back uses PROJ's inverse plus one Newton step (round trip good to ~1e-8 m).

    Parameters
    ----------
    lon_deg, lat_deg : float
        Origin in degrees (WGS-84 geodetic).
    height_m : float
        Origin height above the WGS-84 ellipsoid in metres.
    """

    lon_deg: float
    lat_deg: float
    height_m: float = 0.0

    @cached_property
    def _rotation(self) -> FloatArray:
        """ECEF -> ENU rotation matrix, shape (3, 3)."""
        lam, phi = np.radians(self.lon_deg), np.radians(self.lat_deg)
        sl, cl, sp, cp = np.sin(lam), np.cos(lam), np.sin(phi), np.cos(phi)
        return np.array(
            [
                [-sl, cl, 0.0],
                [-sp * cl, -sp * sl, cp],
                [cp * cl, cp * sl, sp],
            ]
        )

    @cached_property
    def origin_ecef_m(self) -> FloatArray:
        """Origin in ECEF metres, shape (3,)."""
        x, y, z = _geodetic_to_ecef().transform(self.lon_deg, self.lat_deg, self.height_m)
        return np.array([x, y, z], dtype=np.float64)

    def to_enu(
        self, lon_deg: ArrayLike, lat_deg: ArrayLike, h_m: ArrayLike = 0.0
    ) -> tuple[Any, Any, Any]:
        """Geodetic WGS-84 coordinates to local east, north, up in metres.

        Parameters
        ----------
        lon_deg, lat_deg : array_like
            Degrees.
        h_m : array_like
            Height above the ellipsoid in metres.

        Returns
        -------
        e_m, n_m, u_m : numpy.ndarray or numpy.float64
            Shape of the broadcast inputs.
        """
        lon, lat, h = np.broadcast_arrays(
            *(np.asarray(v, dtype=np.float64) for v in (lon_deg, lat_deg, h_m))
        )
        shape = lon.shape
        x, y, z = _geodetic_to_ecef().transform(lon.ravel(), lat.ravel(), h.ravel())
        d = np.stack([np.asarray(x), np.asarray(y), np.asarray(z)], axis=-1) - self.origin_ecef_m
        enu = d @ self._rotation.T  # (N, 3)
        return tuple(_out(enu[:, k].reshape(shape)) for k in range(3))  # type: ignore[return-value]

    def from_enu(
        self, e_m: ArrayLike, n_m: ArrayLike, u_m: ArrayLike
    ) -> tuple[Any, Any, Any]:
        """Local east, north, up (metres) back to geodetic WGS-84 coordinates.

        Parameters
        ----------
        e_m, n_m, u_m : array_like
            Metres in this frame.

        Returns
        -------
        lon_deg, lat_deg, h_m : numpy.ndarray or numpy.float64
            Shape of the broadcast inputs.
        """
        e, n, u = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (e_m, n_m, u_m)))
        shape = e.shape
        enu = np.stack([e.ravel(), n.ravel(), u.ravel()], axis=-1)
        ecef = enu @ self._rotation + self.origin_ecef_m  # R is orthonormal: R^-1 = R^T
        lon, lat, h = _ecef_to_geodetic(ecef)
        return tuple(_out(v.reshape(shape)) for v in (lon, lat, h))  # type: ignore[return-value]


_WGS84_A_M = 6_378_137.0
_WGS84_E2 = 6.694379990141317e-3  # first eccentricity squared, f (2 - f), f = 1/298.257223563


def _ecef_to_geodetic(ecef_m: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""ECEF (N, 3) to WGS-84 lon, lat (deg), h (m): PROJ's inverse plus one Newton step.

    PROJ's closed-form inverse is good to about :math:`10^{-6}` m at airliner heights; one
    correction with the meridian and prime-vertical radii

    .. math::

        \deltaarphi = rac{\delta n}{M + h}, \quad
        \delta\lambda = rac{\delta e}{(N + h)\cosarphi}, \quad \delta h = \delta u,

    where :math:`(\delta e, \delta n, \delta u)` is the residual
    :math:`\mathbf{x} - \mathbf{x}(\lambda, arphi, h)` rotated into the local ENU frame,
    brings it to round-off.
    """
    tr = _geodetic_to_ecef()
    x, y, z = ecef_m[:, 0], ecef_m[:, 1], ecef_m[:, 2]
    lon, lat, h = (
        np.asarray(v, dtype=np.float64)
        for v in tr.transform(x, y, z, direction=pyproj.enums.TransformDirection.INVERSE)
    )
    x1, y1, z1 = (np.asarray(v, dtype=np.float64) for v in tr.transform(lon, lat, h))
    dx, dy, dz = x - x1, y - y1, z - z1
    lam, phi = np.radians(lon), np.radians(lat)
    sl, cl, sp, cp = np.sin(lam), np.cos(lam), np.sin(phi), np.cos(phi)
    de = -sl * dx + cl * dy
    dn = -sp * cl * dx - sp * sl * dy + cp * dz
    du = cp * cl * dx + cp * sl * dy + sp * dz
    w2 = 1.0 - _WGS84_E2 * sp**2
    n_m = _WGS84_A_M / np.sqrt(w2)
    m_m = _WGS84_A_M * (1.0 - _WGS84_E2) / w2**1.5
    lat = lat + np.degrees(dn / (m_m + h))
    lon = lon + np.degrees(de / ((n_m + h) * cp))
    return lon, lat, h + du
