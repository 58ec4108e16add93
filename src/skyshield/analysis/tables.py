"""Summaries of a results table (``option, sample, replication, metrics...``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .convergence import ConvergenceRow, check_convergence
from .stats import mean_ci

__all__ = ["convergence_table", "metric_columns", "option_menu", "point_means", "with_protection"]

_KEYS = ("option", "sample", "replication")


def metric_columns(t: pa.Table) -> list[str]:
    return [c for c in t.column_names if c not in _KEYS]


def _sel(t: pa.Table, option: str, sample: int | None = None) -> pa.Table:
    m = pc.equal(t["option"], option)
    if sample is not None:
        m = pc.and_(m, pc.equal(t["sample"], sample))
    return t.filter(m)


def option_menu(t: pa.Table, options: Sequence[str], level: float = 0.95) -> dict[str, dict[str, dict[str, Any]]]:
    """``{option: {metric: {"mean", "ci95": [lo, hi], "n"}}}`` over every sample and replication."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for o in options:
        sub = _sel(t, o)
        out[o] = {}
        for k in metric_columns(t):
            x = np.asarray(sub[k].to_numpy(zero_copy_only=False), float)
            m, lo, hi = mean_ci(x, level)
            out[o][k] = {"mean": m, "ci95": [lo, hi], "n": int(x.size)}
    return out


def point_means(t: pa.Table, options: Sequence[str], n_samples: int, metrics: Sequence[str]) -> dict[str, np.ndarray]:
    """Mean of each metric per (option, sample): ``{metric: array (n_options, n_samples)}``."""
    out = {k: np.full((len(options), n_samples), np.nan) for k in metrics}
    if t.num_rows == 0:
        return out
    o_idx = np.array([list(options).index(o) for o in t["option"].to_pylist()])
    s_idx = t["sample"].to_numpy()
    flat = o_idx * n_samples + s_idx
    counts = np.bincount(flat, minlength=len(options) * n_samples)
    for k in metrics:
        if k not in t.column_names:
            continue
        sums = np.bincount(flat, weights=t[k].to_numpy(), minlength=len(options) * n_samples)
        with np.errstate(invalid="ignore"):
            out[k] = (sums / np.where(counts, counts, np.nan)).reshape(len(options), n_samples)
    return out


def convergence_table(
    t: pa.Table,
    options: Sequence[str],
    metrics: Sequence[str],
    n_samples: int,
    relative: float | None = 0.05,
    absolute: float | None = None,
    level: float = 0.95,
) -> list[ConvergenceRow]:
    """One :class:`ConvergenceRow` per (option, sample, metric) present in ``t``."""
    rows = []
    for o in options:
        for s in range(n_samples):
            sub = _sel(t, o, s)
            for k in metrics:
                if k not in t.column_names:
                    continue
                rows.append(check_convergence(sub[k].to_numpy(), relative=relative, absolute=absolute, level=level,
                                              option=o, sample=s, metric=k))
    return rows


def with_protection(metrics: dict[str, Any]) -> dict[str, Any]:
    """Night results carry ``leaked`` and ``launched``; add ``protection = 1 - leaked / launched``
    (a campaign reports its own), with the interval of ``leaked`` mapped through it."""
    if "protection" in metrics or "leaked" not in metrics or "launched" not in metrics:
        return metrics
    n = metrics["launched"]["mean"] or 0.0
    if n <= 0:
        return metrics
    lk = metrics["leaked"]
    lo, hi = lk["ci95"]
    prot = {"mean": 1.0 - lk["mean"] / n,
            "ci95": [None if hi is None else 1.0 - hi / n, None if lo is None else 1.0 - lo / n]}
    return {**metrics, "protection": prot}
