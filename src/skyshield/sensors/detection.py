r"""Single-pulse probability of detection by Swerling case, and radar-equation range scaling.

All functions are vectorised over NumPy broadcasting.  Signal-to-noise ratios are given in dB
(``snr_db``) at the input of a square-law detector; the false-alarm probability ``pfa`` fixes
the normalised threshold

.. math::

    T = -\ln P_{fa},

since noise-only power (normalised to unit mean) is exponentially distributed.

Single-pulse detection probabilities (:math:`\bar x` is the mean SNR, linear):

* Swerling 0 / 5 (non-fluctuating): :math:`P_d = Q_1(\sqrt{2\bar x}, \sqrt{2T})`, the Marcum Q
  function, evaluated as the survival function of a non-central :math:`\chi^2` with 2 degrees of
  freedom and non-centrality :math:`2\bar x` at :math:`2T`.
* Swerling 1 and 2 (Rayleigh amplitude, RCS :math:`\chi^2` with 2 dof; identical for a single
  pulse): :math:`P_d = \exp\!\left(-\frac{T}{1+\bar x}\right) = P_{fa}^{1/(1+\bar x)}`.
* Swerling 3 and 4 (RCS :math:`\chi^2` with 4 dof; identical for a single pulse), with
  :math:`a = \bar x / 2`:

  .. math::

      P_d = \exp\!\left(-\frac{T}{1+a}\right)\left(1 + \frac{a\,T}{(1+a)^2}\right).

  This is the average of the Swerling 0 expression over the density
  :math:`p(x) = 4x/\bar x^2 \, e^{-2x/\bar x}` (checked numerically in the tests).

Radar equation scaling (monostatic, free space): received SNR scales as
:math:`\sigma / R^4`, so with a reference SNR :math:`\mathrm{SNR}_0` for a 1 m^2 target at
range :math:`R_0`,

.. math::

    \mathrm{SNR}(R, \sigma) = \mathrm{SNR}_0 \, \frac{\sigma}{1\,\mathrm{m}^2}
    \left(\frac{R_0}{R}\right)^4,
    \qquad R_{det}(\sigma) = R_{det}(\sigma_0) \left(\frac{\sigma}{\sigma_0}\right)^{1/4}.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

__all__ = [
    "db_to_linear",
    "linear_to_db",
    "detection_threshold",
    "probability_of_detection",
    "required_snr_db",
    "snr_db_at_range",
    "detection_range_m",
]

_SWERLING_CASES = (0, 1, 2, 3, 4, 5)


def db_to_linear(x_db: ArrayLike) -> NDArray[np.float64]:
    r"""Convert a power ratio from dB to linear, :math:`10^{x/10}`."""
    return np.power(10.0, np.asarray(x_db, dtype=float) / 10.0)


def linear_to_db(x: ArrayLike) -> NDArray[np.float64]:
    r"""Convert a linear power ratio to dB, :math:`10 \log_{10} x`."""
    return 10.0 * np.log10(np.asarray(x, dtype=float))


def detection_threshold(pfa: ArrayLike) -> NDArray[np.float64]:
    r"""Normalised square-law threshold :math:`T = -\ln P_{fa}` for unit-mean noise power.

    Parameters
    ----------
    pfa : array_like
        Probability of false alarm per cell, in (0, 1).

    Returns
    -------
    numpy.ndarray
        Threshold :math:`T`, same shape as ``pfa``.
    """
    pfa = np.asarray(pfa, dtype=float)
    if np.any((pfa <= 0.0) | (pfa >= 1.0)):
        raise ValueError("pfa must lie strictly between 0 and 1")
    return -np.log(pfa)


def probability_of_detection(
    snr_db: ArrayLike, pfa: ArrayLike, swerling: int = 0
) -> NDArray[np.float64]:
    r"""Single-pulse probability of detection for a square-law detector.

    Parameters
    ----------
    snr_db : array_like
        Mean single-pulse signal-to-noise ratio in dB.
    pfa : array_like
        Probability of false alarm, broadcast against ``snr_db``.
    swerling : int, optional
        Swerling case: 0 or 5 (non-fluctuating), 1, 2, 3 or 4.  For a single pulse cases 1 and
        2 coincide, as do cases 3 and 4.

    Returns
    -------
    numpy.ndarray
        :math:`P_d` in [0, 1], broadcast shape of ``snr_db`` and ``pfa``.

    Notes
    -----
    See the module docstring for the closed forms.

    Examples
    --------
    >>> round(float(probability_of_detection(13.0, 1e-6, swerling=1)), 3)
    0.517
    """
    if swerling not in _SWERLING_CASES:
        raise ValueError(f"swerling must be one of {_SWERLING_CASES}, got {swerling!r}")
    x = db_to_linear(snr_db)
    t = detection_threshold(pfa)
    x, t = np.broadcast_arrays(x, t)
    if swerling in (0, 5):
        pd = stats.ncx2.sf(2.0 * t, 2.0, 2.0 * x)
    elif swerling in (1, 2):
        pd = np.exp(-t / (1.0 + x))
    else:
        a = 0.5 * x
        pd = np.exp(-t / (1.0 + a)) * (1.0 + a * t / (1.0 + a) ** 2)
    return np.clip(np.asarray(pd, dtype=float), 0.0, 1.0)


def required_snr_db(
    pd: ArrayLike,
    pfa: ArrayLike,
    swerling: int = 0,
    *,
    lo_db: float = -20.0,
    hi_db: float = 60.0,
    tol_db: float = 1e-6,
) -> NDArray[np.float64]:
    r"""Single-pulse SNR (dB) that achieves ``pd`` at ``pfa``.

    The inverse of :func:`probability_of_detection`.

    Solved by vectorised bisection (:math:`P_d` increases monotonically with SNR).

    Parameters
    ----------
    pd : array_like
        Target probability of detection, in (pfa, 1).
    pfa : array_like
        Probability of false alarm.
    swerling : int, optional
        Swerling case, as in :func:`probability_of_detection`.
    lo_db, hi_db : float, optional
        Bracket searched, dB.
    tol_db : float, optional
        Bisection tolerance, dB.

    Returns
    -------
    numpy.ndarray
        SNR in dB, broadcast shape of ``pd`` and ``pfa``.
    """
    pd_arr, pfa_arr = np.broadcast_arrays(np.asarray(pd, float), np.asarray(pfa, float))
    lo = np.full(pd_arr.shape, lo_db)
    hi = np.full(pd_arr.shape, hi_db)
    n_iter = int(np.ceil(np.log2((hi_db - lo_db) / tol_db)))
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        above = probability_of_detection(mid, pfa_arr, swerling) >= pd_arr
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return 0.5 * (lo + hi)


def snr_db_at_range(
    range_m: ArrayLike,
    rcs_m2: ArrayLike,
    ref_range_m: ArrayLike,
    ref_snr_db: ArrayLike,
) -> NDArray[np.float64]:
    r"""Single-pulse SNR from the radar equation, scaled from a 1 m^2 reference.

    .. math::

        \mathrm{SNR}_{dB}(R, \sigma) = \mathrm{SNR}_{0,dB} + 10\log_{10}\sigma
        + 40\log_{10}\frac{R_0}{R}

    Parameters
    ----------
    range_m : array_like
        Slant range to the target, m (> 0).
    rcs_m2 : array_like
        Radar cross-section, m^2 (> 0).
    ref_range_m : array_like
        Reference range :math:`R_0` at which a 1 m^2 target gives ``ref_snr_db``, m.
    ref_snr_db : array_like
        SNR of a 1 m^2 target at ``ref_range_m``, dB.

    Returns
    -------
    numpy.ndarray
        SNR in dB.
    """
    r = np.asarray(range_m, dtype=float)
    return (
        np.asarray(ref_snr_db, dtype=float)
        + linear_to_db(rcs_m2)
        + 40.0 * np.log10(np.asarray(ref_range_m, dtype=float) / r)
    )


def detection_range_m(
    ref_range_m: ArrayLike, rcs_m2: ArrayLike, ref_rcs_m2: ArrayLike = 1.0
) -> NDArray[np.float64]:
    r"""Detection range for a target of RCS ``rcs_m2``, scaled from a reference RCS.

    .. math::

        R(\sigma) = R_0 \left(\frac{\sigma}{\sigma_0}\right)^{1/4}

    Parameters
    ----------
    ref_range_m : array_like
        Detection range :math:`R_0` against the reference RCS, m.
    rcs_m2 : array_like
        Target radar cross-section, m^2.
    ref_rcs_m2 : array_like, optional
        Reference RCS :math:`\sigma_0`, m^2 (default 1 m^2).

    Returns
    -------
    numpy.ndarray
        Detection range, m.

    Examples
    --------
    >>> round(float(detection_range_m(100e3, 0.01)), 3)
    31622.777
    """
    ratio = np.asarray(rcs_m2, dtype=float) / np.asarray(ref_rcs_m2, dtype=float)
    return np.asarray(ref_range_m, dtype=float) * ratio**0.25
