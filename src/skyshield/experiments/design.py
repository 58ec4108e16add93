r"""Designs of experiments: where in parameter space the samples lie.

Every design returns an ``(n_samples, d)`` array in the parameters' own (SI) units, drawn
from the experiment's seed through a stream of its own (spawn key ``(crc32("design"),)``), so
the same experiment file and seed always give the same points.

* ``grid``: the full factorial :math:`\prod_i L_i` of each parameter's levels (the last
  parameter varies fastest).
* ``lhs``: a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`): each of the ``n``
  equal strata of every parameter holds exactly one point.
* ``sobol``: a scrambled Sobol low-discrepancy sequence (:class:`scipy.stats.qmc.Sobol`),
  ``n = 2^m`` points.
* ``saltelli``: Saltelli's cross-sampling scheme (SALib's ``sobol.sample``, without second
  order), :math:`N (d + 2)` points in the order SALib's Sobol analysis expects.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ..rng import name_key

__all__ = ["design_points", "design_rng", "salib_problem"]


def design_rng(seed_entropy: int) -> np.random.Generator:
    """The design's own random stream (independent of every replication's streams)."""
    return np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(seed_entropy, spawn_key=(name_key("design"),)))
    )


def _qmc(kind: str, d: int, rng: np.random.Generator):
    from scipy.stats import qmc

    cls = qmc.LatinHypercube if kind == "lhs" else qmc.Sobol
    try:
        return cls(d, scramble=True, rng=rng)
    except TypeError:  # SciPy < 1.15 names it `seed`
        return cls(d, scramble=True, seed=rng)


def salib_problem(names: Sequence[str], lows: Sequence[float], highs: Sequence[float]) -> dict[str, object]:
    """The SALib problem dictionary of the parameters."""
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [[float(a), float(b)] for a, b in zip(lows, highs)],
    }


def design_points(
    method: str,
    lows: Sequence[float],
    highs: Sequence[float],
    *,
    samples: int | None = None,
    levels: Sequence[Sequence[float]] | None = None,
    seed_entropy: int = 0,
    names: Sequence[str] | None = None,
) -> NDArray[np.float64]:
    """Sample points of a design.

    Parameters
    ----------
    method
        ``none``, ``grid``, ``lhs``, ``sobol`` or ``saltelli``.
    lows, highs
        Bounds of each parameter (SI units).
    samples
        Number of points (``lhs``, ``sobol``) or Saltelli's base ``N``.
    levels
        ``grid`` only: the levels of each parameter.
    seed_entropy
        Entropy of the experiment's seed sequence.

    Returns
    -------
    numpy.ndarray
        ``(n_samples, d)``; for ``none`` a single empty row ``(1, 0)``.
    """
    lo = np.asarray(lows, float)
    hi = np.asarray(highs, float)
    d = lo.size
    if method == "none" or d == 0:
        return np.zeros((1, 0))
    if method == "grid":
        if levels is None:
            raise ValueError("grid design needs levels")
        return np.array(list(itertools.product(*[list(map(float, lv)) for lv in levels])), float).reshape(-1, d)
    if samples is None:
        raise ValueError(f"{method} design needs a number of samples")
    rng = design_rng(seed_entropy)
    if method in ("lhs", "sobol"):
        gen = _qmc(method, d, rng)
        u = gen.random(samples) if method == "lhs" else gen.random_base2(int(samples).bit_length() - 1)
        return lo + u * (hi - lo)
    if method == "saltelli":
        from SALib.sample import sobol as salib_sobol

        problem = salib_problem(names or [f"x{i}" for i in range(d)], lo, hi)
        seed = int(rng.integers(0, 2**31 - 1))
        return np.asarray(salib_sobol.sample(problem, samples, calc_second_order=False, seed=seed), float)
    raise ValueError(f"unknown design method {method!r}")
