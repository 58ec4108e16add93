"""Compact number formatting for tables and reports: 157.6M, 6.2k, 0.85."""

from __future__ import annotations

import math

__all__ = ["compact"]


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
