r"""Sensor measurement models behind one interface: detection, noise and false alarms.

Every sensor (ground surveillance radar, AEW on its orbit, ship radar, fighter radar,
fire-control radar, optical post) is a row of :class:`~skyshield.engine.params.SensorModels`
and is treated alike:

* **Detection.** The catalog's reference range :math:`R_0` is the range at which a
  :math:`1\,\mathrm{m^2}` target is detected with probability ``pd_scan``. With the Swerling
  case and the false-alarm probability this fixes the reference SNR
  :math:`\mathrm{SNR}_0 = P_d^{-1}(\text{pd\_scan})` (:func:`~skyshield.sensors.detection.required_snr_db`);
  at slant range :math:`r` against RCS :math:`\sigma` the SNR is
  :math:`\mathrm{SNR}_0 + 10\log_{10}\sigma + 40\log_{10}(R_0 / r)` and :math:`P_d` follows
  from the Swerling closed forms. Beyond the 4/3-earth radar horizon nothing is seen.
* **Noise.** Range, azimuth and elevation get independent Gaussian errors in the sensor's own
  frame; the noisy point is mapped back to the ground and into the theatre plane.
* **False alarms.** A Poisson number of false plots per scan, uniform over the coverage disc.

All draws are counter-based (:func:`~skyshield.rng.keyed_uniform`), keyed by the sensor's
name, the threat and the scan number: adding a sensor or an option changes no other draw.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from ..rng import keyed_uniform
from ..sensors.detection import probability_of_detection, required_snr_db

__all__ = ["PD_FLOOR", "reference_snr_db", "pd_at_range", "floor_snr_db", "coverage_range_m", "keyed_normal",
           "poisson_from_uniform"]

F = NDArray[np.float64]
I = NDArray[np.int64]

PD_FLOOR = 0.02
"""Single-scan P_d below which a look is not simulated (sets the coverage circle)."""


def _by_case(fn, swerling: I, *arrays):
    out = np.empty(np.broadcast(*arrays).shape if arrays else swerling.shape)
    arrays = np.broadcast_arrays(swerling, *arrays)
    sw, rest = arrays[0], arrays[1:]
    for case in np.unique(sw):
        sel = sw == case
        out[sel] = fn(int(case), *(a[sel] for a in rest))
    return out


def reference_snr_db(pd_scan: F, pfa: F, swerling: I) -> F:
    """SNR (dB) of a 1 m^2 target at the reference range: the one that gives ``pd_scan``."""
    pd = np.clip(pd_scan, 1e-6, 1 - 1e-9)
    return _by_case(lambda c, p, f: required_snr_db(np.maximum(p, f * 1.0001), f, c), swerling, pd, pfa)


def pd_at_range(range_m: F, rcs_m2: F, ref_range_m: F, ref_snr_db: F, pfa: F, swerling: I) -> F:
    r"""Single-scan :math:`P_d` at slant range ``range_m`` against RCS ``rcs_m2``."""
    snr = ref_snr_db + 10.0 * np.log10(rcs_m2) + 40.0 * np.log10(ref_range_m / np.maximum(range_m, 1.0))
    return _by_case(lambda c, s, f: probability_of_detection(s, f, c), swerling, snr, pfa)


def floor_snr_db(pfa: F, swerling: I) -> F:
    """SNR (dB) at which :math:`P_d` is :data:`PD_FLOOR`."""
    return _by_case(lambda c, f: required_snr_db(np.full(f.shape, PD_FLOOR), f, c), swerling, pfa)


def coverage_range_m(rcs_m2: F, ref_range_m: F, ref_snr_db: F, pfa: F, swerling: I, floor_db: F | None = None) -> F:
    """Range at which :math:`P_d` falls to :data:`PD_FLOOR` (before the horizon cap).

    ``floor_db``: :func:`floor_snr_db` of ``pfa`` and ``swerling`` if already known (it depends
    on the sensor only, so it is best computed per sensor, not per pair).
    """
    if floor_db is None:
        floor_db = floor_snr_db(pfa, swerling)
    return ref_range_m * rcs_m2**0.25 * 10.0 ** ((ref_snr_db - floor_db) / 40.0)


def keyed_normal(key: int, stream: I, index: I) -> F:
    """Standard normal draws, a pure function of ``(key, stream, index)`` (Box-Muller)."""
    u1 = keyed_uniform(key, stream, index)
    u2 = keyed_uniform(key, np.asarray(stream, np.int64) + np.int64(1 << 34), index)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def poisson_from_uniform(u: F, mean: F) -> I:
    r"""Poisson counts by inversion of uniforms ``u`` (deterministic given ``u``).

    The smallest :math:`k` with :math:`F(k; \lambda) \ge u`, :math:`F` the Poisson CDF
    (``scipy.special.pdtr``), which is what ``scipy.stats.poisson.ppf`` returns for
    :math:`0 < u < 1`. The means are few (one per sensor), so the CDF is tabulated once per
    distinct mean and the counts are found by binary search, not by ``ppf`` draw by draw.
    """
    u = np.asarray(u, float)
    lam = np.broadcast_to(np.maximum(np.asarray(mean, float), 1e-300), u.shape)
    out = np.empty(u.shape, np.int64)
    if u.size == 0:
        return out
    odd = ~((u > 0.0) & (u < 1.0))
    if odd.any():  # the boundary cases exactly as scipy treats them
        out[odd] = stats.poisson.ppf(u[odd], lam[odd]).astype(np.int64)
    ok = ~odd
    ulam, inv = np.unique(lam[ok], return_inverse=True)
    uo = u[ok]
    res = np.empty(uo.size, np.int64)
    for i, mu in enumerate(ulam):
        sel = inv == i
        top = float(uo[sel].max())
        n = int(mu + 12.0 * np.sqrt(mu) + 20.0)
        cdf = special.pdtr(np.arange(n), mu)
        while cdf[-1] < top and n < 10**7:
            n *= 2
            cdf = special.pdtr(np.arange(n), mu)
        res[sel] = np.searchsorted(cdf, uo[sel], side="left")
    out[ok] = res
    return out
