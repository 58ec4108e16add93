"""Compact number formatting for tables and reports: 157.6M, 6.2k, 0.85."""

from __future__ import annotations

import math

__all__ = ["compact", "mean_ci_text"]


def compact(v: float | None, significant: int | None = None) -> str:
    """``v`` with a B/M/k suffix where large.

    With ``significant`` digits (the report's style) or, by default, a fixed number of
    decimals for the size (the terminal tables' style).

    >>> compact(157_600_000), compact(62_000), compact(6_200), compact(0.8512), compact(None)
    ('157.6M', '62k', '6200', '0.85', '–')
    """
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    a = abs(v)
    # (from, divide by, suffix, fixed format): thousands only from 10,000 on.
    for start, scale, suffix, fixed in ((1e9, 1e9, "B", ".2f"), (1e6, 1e6, "M", ".1f"), (1e4, 1e3, "k", ".0f")):
        if a >= start:
            spec = f".{significant}g" if significant else fixed
            return f"{v / scale:{spec}}{suffix}"
    if a >= 100:
        return f"{v:.0f}"
    if significant:
        return f"{v:.{significant}g}"
    return f"{v:.2f}" if a < 10 else f"{v:.1f}"


def mean_ci_text(mean: float | None, lo: float | None, hi: float | None, sign: bool = False,
                 significant: int | None = None) -> str:
    """``mean ± half-width`` of a 95 % interval, in :func:`compact` style: the one format of
    every number in tables and reports (the JSON carries the full ``[lo, hi]``).

    >>> mean_ci_text(123.4, 120.0, 126.8), mean_ci_text(-0.56, -1.2, 0.08, sign=True), mean_ci_text(3.0, 3.0, 3.0)
    ('123 ± 3.40', '-0.56 ± 0.64', '3.00')
    >>> mean_ci_text(0.5, 0.4, 0.6, sign=True), mean_ci_text(None, None, None)
    ('+0.50 ± 0.10', '–')
    """
    if mean is None or (isinstance(mean, float) and not math.isfinite(mean)):
        return "–"
    text = ("+" if sign and mean > 0 else "") + compact(mean, significant)
    if lo is None or hi is None or not (math.isfinite(lo) and math.isfinite(hi)):
        return text
    half = (hi - lo) / 2
    return f"{text} ± {compact(half, significant)}" if half > 0 else text
