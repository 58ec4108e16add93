"""Charts for the report, drawn with matplotlib's Agg backend and returned as PNG bytes.

The map is drawn from the country outlines of :mod:`skyshield.geo` (Natural Earth, bundled):
no tiles, nothing fetched.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["bar_chart", "convergence_chart", "map_chart", "pareto_chart", "sensitivity_chart"]

_ZONE_COLOURS = {"defended": "#fde9a8", "allied": "#cfe3f6", "adversary": "#f4c6c0", "neutral": "#e6e6e6"}


def _plt() -> Any:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("the report needs matplotlib: pip install 'skyshield[report]'") from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight", metadata={"Software": None})
    _plt().close(fig)
    return buf.getvalue()


def bar_chart(menu: Mapping[str, Mapping[str, Mapping[str, Any]]], metrics: Sequence[str]) -> bytes:
    """Mean and 95 % CI of each metric, one panel per metric, one bar per option."""
    plt = _plt()
    opts = list(menu)
    k = len(metrics)
    cols = min(3, k)
    rows = -(-k // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.8 * rows), squeeze=False)
    for ax, m in zip(axes.flat, metrics):
        mean = np.array([menu[o].get(m, {}).get("mean", np.nan) for o in opts], float)
        lo = np.array([(menu[o].get(m, {}).get("ci95") or [np.nan, np.nan])[0] for o in opts], float)
        hi = np.array([(menu[o].get(m, {}).get("ci95") or [np.nan, np.nan])[1] for o in opts], float)
        err = np.vstack([np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)])
        ax.bar(range(len(opts)), mean, yerr=err, capsize=3, color="#4c78a8")
        ax.set_xticks(range(len(opts)), opts, rotation=30, ha="right", fontsize=8)
        ax.set_title(m, fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    fig.tight_layout()
    return _png(fig)


def convergence_chart(traces: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]], metric: str,
                      target_rel: float | None) -> bytes:
    """Running mean and CI band against replications, one line per option."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for o, (n, mean, half) in traces.items():
        ax.plot(n, mean, label=o, lw=1.2)
        ax.fill_between(n, mean - np.nan_to_num(half), mean + np.nan_to_num(half), alpha=0.15)
    ax.set_xlabel("replications")
    ax.set_ylabel(metric)
    ttl = f"running mean of {metric}, 95 % CI"
    if target_rel:
        ttl += f" (target: ±{100 * target_rel:g} % of the mean)"
    ax.set_title(ttl, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def pareto_chart(x: np.ndarray, y: np.ndarray, labels: Sequence[str], front: np.ndarray, xname: str,
                 yname: str) -> bytes:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    groups = sorted(set(labels), key=list(labels).index)
    for g in groups:
        sel = np.array([lab == g for lab in labels])
        ax.scatter(x[sel], y[sel], s=18, label=g, alpha=0.8)
    order = np.argsort(x[front])
    ax.plot(x[front][order], y[front][order], "k--", lw=1, label="Pareto front")
    ax.scatter(x[front], y[front], s=60, facecolors="none", edgecolors="k")
    ax.set_xlabel(xname)
    ax.set_ylabel(yname)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def sensitivity_chart(indices: Mapping[str, Mapping[str, Any]], title: str) -> bytes:
    """First-order (and total, when available) indices per parameter, one group per option."""
    plt = _plt()
    opts = [o for o, r in indices.items() if "S1" in r]
    names = indices[opts[0]]["names"] if opts else []
    fig, ax = plt.subplots(figsize=(max(5.0, 1.2 * len(names) * max(len(opts), 1)), 3.2))
    width = 0.8 / max(len(opts), 1)
    for j, o in enumerate(opts):
        r = indices[o]
        xs = np.arange(len(names)) + j * width
        ax.bar(xs, r["S1"], width * (0.5 if "ST" in r else 1.0), yerr=r["S1_conf"], capsize=2, label=f"{o} S1")
        if "ST" in r:
            ax.bar(xs + width * 0.5, r["ST"], width * 0.5, yerr=r["ST_conf"], capsize=2, label=f"{o} ST",
                   alpha=0.6)
    ax.set_xticks(np.arange(len(names)) + 0.4 - width / 2, names, rotation=20, ha="right", fontsize=8)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def map_chart(panels: Sequence[Mapping[str, Any]], zones: Mapping[str, Sequence[str]],
              bbox: tuple[float, float, float, float]) -> bytes:
    """One map panel per option: countries by side, sensor coverage, intercepts, leakers.

    Each panel is ``{"title", "sensors": [(lon, lat, radius_m, side)], "kills": (lon, lat),
    "leaks": (lon, lat), "hits": (lon, lat)}``.
    """
    from ..geo import country_geometry, destination_point

    plt = _plt()
    k = len(panels)
    cols = min(2, k)
    rows = -(-k // cols)
    x0, y0, x1, y1 = bbox
    aspect = (x1 - x0) * np.cos(np.radians((y0 + y1) / 2)) / (y1 - y0)
    w = 6.5
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, w / aspect * rows * 0.95), squeeze=False)
    shapes = []
    for side, codes in zones.items():
        for c in codes:
            try:
                shapes.append((side, country_geometry(c, bbox)))
            except KeyError:
                continue
    bearings = np.linspace(0.0, 360.0, 49)
    for ax, panel in zip(axes.flat, panels):
        for side, g in shapes:
            for poly in getattr(g, "geoms", [g]):
                if poly.is_empty or not hasattr(poly, "exterior"):
                    continue
                xs, ys = poly.exterior.xy
                ax.fill(xs, ys, color=_ZONE_COLOURS.get(side, "#eee"), ec="#777", lw=0.4, zorder=1)
        for lon, lat, r_m, side in panel["sensors"]:
            cx, cy = destination_point(np.full(bearings.size, lon), np.full(bearings.size, lat), bearings, r_m)
            ax.plot(cx, cy, color="#1f77b4" if side == "defended" else "#9467bd", lw=0.5, alpha=0.5, zorder=2)
        for key, colour, marker, label in (("kills", "#2ca02c", ".", "intercepts"),
                                           ("leaks", "#d62728", "x", "leakers at aim area"),
                                           ("hits", "#000000", "*", "damaging hits")):
            lon, lat = panel.get(key, (np.zeros(0), np.zeros(0)))
            if len(lon):
                ax.scatter(lon, lat, s=4 if key == "kills" else 10, c=colour, marker=marker, alpha=0.5,
                           label=f"{label} ({len(lon)})", zorder=3, linewidths=0.6)
        ax.plot([], [], color="#1f77b4", lw=0.8, label="defended sensor coverage")
        ax.plot([], [], color="#9467bd", lw=0.8, label="allied sensor coverage")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1.0 / np.cos(np.radians((y0 + y1) / 2)))
        ax.set_title(panel["title"], fontsize=9)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6, loc="lower left", markerscale=2)
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    fig.tight_layout()
    return _png(fig)
