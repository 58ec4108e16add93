"""Radar coverage: the 4/3-earth horizon and RCS-scaled detection range.

These two laws set where a radar can see a low-flying drone or a cruise missile, which is
most of what separates the options' air pictures.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["EFFECTIVE_EARTH_FACTOR", "radar_horizon_m", "detection_range_m"]

EFFECTIVE_EARTH_FACTOR = 4.0 / 3.0
"""Standard-atmosphere refraction: radio waves see an earth 4/3 larger than it is."""
_EARTH_RADIUS_M = 6_371_008.8


def radar_horizon_m(antenna_height_m: ArrayLike, target_altitude_m: ArrayLike) -> NDArray[np.float64]:
    r"""Line-of-sight range between an antenna and a target over a smooth 4/3 earth.

    .. math::

        d = \sqrt{2 k R_e h_1} + \sqrt{2 k R_e h_2}, \qquad k = 4/3,

    which is the familiar :math:`d_{km} \approx 4.12(\sqrt{h_1} + \sqrt{h_2})` with heights
    in metres.

    >>> round(float(radar_horizon_m(10.0, 50.0)) / 1000, 1)
    42.2
    """
    h1 = np.maximum(np.asarray(antenna_height_m, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(target_altitude_m, dtype=float), 0.0)
    two_kr = 2.0 * EFFECTIVE_EARTH_FACTOR * _EARTH_RADIUS_M
    return np.sqrt(two_kr * h1) + np.sqrt(two_kr * h2)


def detection_range_m(
    reference_range_m: ArrayLike,
    rcs_m2: ArrayLike,
    antenna_height_m: ArrayLike | None = None,
    target_altitude_m: ArrayLike | None = None,
) -> NDArray[np.float64]:
    r"""Detection range against a target of cross-section ``rcs_m2``.

    The radar equation gives received power :math:`\propto \sigma / R^4`, so at a fixed
    detection threshold

    .. math::

        R(\sigma) = R_{ref} \left(\frac{\sigma}{1\,\mathrm{m^2}}\right)^{1/4},

    capped by the radar horizon when heights are given.

    >>> round(float(detection_range_m(100e3, 0.1)) / 1000, 1)
    56.2
    """
    r = np.asarray(reference_range_m, dtype=float) * np.asarray(rcs_m2, dtype=float) ** 0.25
    if antenna_height_m is not None and target_altitude_m is not None:
        r = np.minimum(r, radar_horizon_m(antenna_height_m, target_altitude_m))
    return r
