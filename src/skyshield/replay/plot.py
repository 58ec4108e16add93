"""The validation chart: simulated against reported fraction, one point per night.

One panel per class; a point's area grows with the night's launches; the vertical bar at a
night is the model's predictive interval for the reported value (the night is covered when its
bar crosses the diagonal); the diagonal is a perfect replay and the band around it the
15-point tolerance. Drawn with matplotlib's Agg backend (the ``report`` extra), returned as
PNG bytes.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from .calibrate import CLASSES
from .validate import Validation

__all__ = ["validation_chart"]

_COLOURS = {"drone": "#c0504d", "cruise": "#4f81bd", "ballistic": "#9bbb59"}


def _plt() -> Any:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("the validation chart needs matplotlib: pip install 'skyshield[report]'") from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def validation_chart(v: Validation) -> bytes:
    """PNG bytes of the chart of a validation (nights below ``min_launched`` left out)."""
    plt = _plt()
    present = [c for c in CLASSES if v.summaries.get(c) and v.summaries[c].nights]
    present = present or list(CLASSES[:1])
    fig, axes = plt.subplots(1, len(present), figsize=(4.6 * len(present), 4.6), squeeze=False)
    for ax, c in zip(axes.flat, present):
        pts = [(k.reported_destroyed_fraction, k.simulated_mean, k.reported_launched, k.predictive_interval)
               for n in v.nights for k in n.classes if k.weapon_class == c and k.reported_launched >= v.min_launched]
        ax.plot([0, 1], [0, 1], color="#444444", lw=0.8)
        ax.fill_between([0, 1], [-0.15, 0.85], [0.15, 1.15], color="#dddddd", alpha=0.6, lw=0)
        if pts:
            r = np.array([p[0] for p in pts])
            s = np.array([p[1] for p in pts])
            n = np.array([p[2] for p in pts], float)
            lo = np.array([p[3][0] for p in pts])
            hi = np.array([p[3][1] for p in pts])
            ax.vlines(r, lo, hi, color=_COLOURS[c], alpha=0.25, lw=1.0)
            ax.scatter(r, s, s=12 + 60 * np.sqrt(n / n.max()), color=_COLOURS[c], alpha=0.7,
                       edgecolors="white", linewidths=0.5)
        sm = v.summaries.get(c)
        stats = ""
        if sm and sm.nights:
            stats = (f"\n{sm.nights} nights, MAE {sm.mean_abs_error:.3f}, ME {sm.mean_error:+.3f}, "
                     f"r {sm.correlation:.2f}, coverage {sm.coverage:.0%}")
        ax.set_title(f"{c} ({v.start} to {v.end}){stats}", fontsize=9)
        ax.set_xlabel("reported destroyed or suppressed fraction")
        ax.set_ylabel("simulated mean (bar: predictive interval)")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()
