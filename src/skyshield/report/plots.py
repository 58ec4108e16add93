"""Charts for the report, drawn with matplotlib's Agg backend and returned as PNG bytes.

The map is drawn from the country outlines of :mod:`skyshield.geo` (Natural Earth, bundled):
no tiles, nothing fetched.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["convergence_chart", "difference_chart", "map_chart", "option_pareto_chart", "pareto_chart",
           "place_labels", "sensitivity_chart"]

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


def map_chart(panels: Sequence[Any], zones: Mapping[str, Sequence[str]],
              bbox: tuple[float, float, float, float]) -> bytes:
    """One map panel per option (:class:`skyshield.analysis.maps.MapLayers`): countries by side,
    sensor coverage, launch areas, the defended assets with their names, one replication's
    threat tracks, and intercepts, leakers and hits."""
    from ..geo import country_geometry, destination_point

    plt = _plt()
    k = len(panels)
    cols = min(2, k)
    rows = -(-k // cols)
    x0, y0, x1, y1 = bbox
    aspect = (x1 - x0) * np.cos(np.radians((y0 + y1) / 2)) / (y1 - y0)
    w = 7.5
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, w / aspect * rows * 0.95), squeeze=False)
    shapes = []
    for side, codes in zones.items():
        for c in codes:
            try:
                shapes.append((side, country_geometry(c, bbox)))
            except KeyError:
                continue
    bearings = np.linspace(0.0, 360.0, 49)
    track_colour = {"drone": "#ff7f0e", "decoy": "#bcbd22", "cruise": "#9467bd", "ballistic": "#d62728",
                    "aircraft": "#8c564b"}
    for ax, panel in zip(axes.flat, panels):
        for side, g in shapes:
            for poly in getattr(g, "geoms", [g]):
                if poly.is_empty or not hasattr(poly, "exterior"):
                    continue
                xs, ys = poly.exterior.xy
                ax.fill(xs, ys, color=_ZONE_COLOURS.get(side, "#eee"), ec="#777", lw=0.4, zorder=1)
        seen_cls: set[str] = set()
        for lon, lat, cls in panel.tracks:
            ax.plot(lon, lat, color=track_colour.get(cls, "#555"), lw=0.3, alpha=0.35, zorder=2,
                    label=f"{cls} tracks" if cls not in seen_cls else None)
            seen_cls.add(cls)
        for lon, lat, r_m, side in panel.sensors:
            cx, cy = destination_point(np.full(bearings.size, lon), np.full(bearings.size, lat), bearings, r_m)
            ax.plot(cx, cy, color="#1f77b4" if side == "defended" else "#17becf", lw=0.5, alpha=0.5, zorder=2)
        for name, lon, lat, r_m in panel.launch_areas:
            cx, cy = destination_point(np.full(bearings.size, lon), np.full(bearings.size, lat), bearings,
                                       max(r_m, 5000.0))
            ax.fill(cx, cy, color="#d62728", alpha=0.25, lw=0, zorder=3)
            ax.annotate(name, (lon, lat), fontsize=5.5, color="#8b0000", xytext=(3, -6), textcoords="offset points",
                        zorder=5)
        cities = [(n, lon, lat) for n, lon, lat, kind in panel.assets if kind == "city"]
        others = [(n, lon, lat) for n, lon, lat, kind in panel.assets if kind != "city"]
        if cities:
            ax.scatter([c[1] for c in cities], [c[2] for c in cities], s=10, c="k", marker="s", zorder=5,
                       label="cities (defended assets)")
        if others:
            ax.scatter([c[1] for c in others], [c[2] for c in others], s=10, c="#555", marker="D", zorder=5,
                       label="energy, logistics, corridors")
        for n, lon, lat in cities:
            ax.annotate(n, (lon, lat), fontsize=5.5, xytext=(3, 2), textcoords="offset points", zorder=6)
        for key, colour, marker, label in (("kills", "#2ca02c", ".", "intercepts"),
                                           ("leaks", "#d62728", "x", "leakers at aim area"),
                                           ("hits", "#000000", "*", "damaging hits")):
            lon, lat = panel.points.get(key, (np.zeros(0), np.zeros(0)))
            if len(lon):
                ax.scatter(lon, lat, s=4 if key == "kills" else 10, c=colour, marker=marker, alpha=0.5,
                           label=f"{label} ({len(lon)})", zorder=4, linewidths=0.6)
        ax.plot([], [], color="#1f77b4", lw=0.8, label="defended sensor coverage")
        ax.plot([], [], color="#17becf", lw=0.8, label="allied sensor coverage")
        ax.fill([], [], color="#d62728", alpha=0.25, label="launch areas")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(1.0 / np.cos(np.radians((y0 + y1) / 2)))
        ax.set_title(panel.title, fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=5.5, loc="lower left", markerscale=2)
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    fig.tight_layout()
    return _png(fig)


def difference_chart(diffs: Mapping[str, Mapping[str, tuple[float, float, float]]], base: str,
                     units: Mapping[str, str] | None = None) -> bytes:
    """Paired differences against ``base`` (mean and 95 % interval), one panel per metric, one
    bar per option, drawn from zero: what each option changes, not absolute levels. Blue bars
    have an interval that excludes zero, grey ones do not.

    ``diffs[metric][option] = (mean, lo, hi)``.
    """
    plt = _plt()
    metrics = list(diffs)
    k = len(metrics)
    cols = min(3, k) or 1
    rows = -(-k // cols) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 0.5 + 0.35 * max(len(v) for v in diffs.values()) * rows
                                                  + 1.0 * rows) if k else (4, 2), squeeze=False)
    for ax, m in zip(axes.flat, metrics):
        opts = list(diffs[m])
        mean = np.array([diffs[m][o][0] for o in opts], float)
        lo = np.array([diffs[m][o][1] for o in opts], float)
        hi = np.array([diffs[m][o][2] for o in opts], float)
        ypos = np.arange(len(opts))[::-1]
        colour = np.where((hi < 0) | (lo > 0), "#4c78a8", "#bbbbbb")  # the interval excludes 0, or not
        ax.barh(ypos, mean, xerr=[np.nan_to_num(mean - lo), np.nan_to_num(hi - mean)], color=colour, capsize=3,
                height=0.6)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(ypos, opts, fontsize=7)
        unit = (units or {}).get(m, "")
        ax.set_title(f"{m}{f' [{unit}]' if unit else ''}: option - {base}", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    for ax in list(axes.flat)[k:]:
        ax.axis("off")
    fig.tight_layout()
    return _png(fig)


def place_labels(ax: Any, xs: Sequence[float], ys: Sequence[float], labels: Sequence[str], bold: Sequence[bool] = (),
                 fontsize: float = 8.0, sizes: Sequence[float] = ()) -> list[Any]:
    """Label points so that no two labels overlap each other or any point's marker.

    ``sizes`` are the markers' areas in points^2 (as ``scatter`` takes them). Each label tries
    offsets on rings of growing radius around its point (right, up, left, down and the
    diagonals), starting just outside its marker, and takes the first whose box is free; a
    label set away from its point gets a thin leader line. Returns the text artists (their
    boxes do not intersect).
    """
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    pts = ax.transData.transform(np.column_stack([xs, ys])) if len(xs) else np.zeros((0, 2))
    scale = fig.dpi / 72.0
    rad = [(np.sqrt(sizes[i]) / 2 if len(sizes) else 3.0) * scale + 1 for i in range(len(pts))]  # pixels
    marker = [(p[0] - r, p[1] - r, p[0] + r, p[1] + r) for p, r in zip(pts, rad)]
    placed: list[tuple[float, float, float, float]] = []
    out = []
    dirs = [(1, 0.3), (1, -1), (-1, 0.3), (-1, -1), (0, 1), (0, -1.6), (1, 1), (-1, 1)]

    frame = ax.get_window_extent(renderer)

    def free(b: tuple[float, float, float, float], own: int) -> bool:
        if b[0] < frame.x0 or b[2] > frame.x1 or b[1] < frame.y0 or b[3] > frame.y1:  # stay inside the axes
            return False
        for k, o in enumerate(placed + marker):
            if k - len(placed) == own:
                continue
            if b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]:
                return False
        return True

    for i in np.argsort(-np.asarray(ys, float), kind="stable") if len(ys) else []:
        t = ax.annotate(labels[i], (xs[i], ys[i]), textcoords="offset points", xytext=(6, 4), fontsize=fontsize,
                        fontweight="bold" if (bold and bold[i]) else "normal", zorder=4)
        ext = t.get_window_extent(renderer)
        w, h = ext.width, ext.height
        r0 = rad[i] / scale  # points: start just outside the marker
        chosen = None
        for ring in range(1, 14):
            for dx, dy in dirs:
                ox = (r0 + 6 * (ring - 1) + 2) * dx + (-w / scale if dx < 0 else 0) + (-w / (2 * scale) if dx == 0 else 0)
                oy = (r0 * 0.6 + 5 * (ring - 1)) * dy - (h / (2 * scale) if dy == 0 else 0)
                x0 = pts[i][0] + ox * scale
                y0 = pts[i][1] + oy * scale
                box = (x0 - 1, y0 - 1, x0 + w + 1, y0 + h + 1)
                if free(box, i):
                    chosen = (ox, oy, box, ring)
                    break
            if chosen:
                break
        if chosen is None:  # crowded beyond the rings: stack below everything placed so far
            y_low = min([b[1] for b in placed] + [pts[i][1]]) - h - 2
            chosen = (6, (y_low - pts[i][1]) / scale, (pts[i][0] + 6 * scale, y_low, pts[i][0] + 6 * scale + w,
                                                       y_low + h), 99)
        ox, oy, box, ring = chosen
        t.set_position((ox, oy))
        if ring > 2:
            ax.annotate("", (xs[i], ys[i]), textcoords="offset points", xytext=(ox + (w / scale if ox < 0 else 0), oy),
                        arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.5}, zorder=3)
        placed.append(box)
        out.append(t)
    return out


def option_pareto_chart(metrics: Mapping[str, Mapping[str, Any]], risk: str = "max_rung",
                        title: str = "Option menu: protection against escalation risk") -> tuple[bytes, list[str]]:
    """Protection (share of threats that never reached their aim area) against escalation risk,
    one point per option with its 95 % intervals; marker area grows with interceptor cost.

    The legend says what colour means (on the Pareto front, i.e. no other option has at least
    as much protection for at most as much risk, or not) and what size means (three reference
    costs); labels never overlap. Returns the PNG and the options on the front.
    """
    from ..analysis.fmt import compact
    from ..analysis.pareto import pareto_mask

    plt = _plt()
    names = list(metrics)

    def col(key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        mean = np.array([(metrics[o].get(key) or {}).get("mean") or 0.0 for o in names], float)
        ci = [(metrics[o].get(key) or {}).get("ci95") or [None, None] for o in names]
        lo = np.array([mean[i] if c[0] is None else c[0] for i, c in enumerate(ci)], float)
        hi = np.array([mean[i] if c[1] is None else c[1] for i, c in enumerate(ci)], float)
        return mean, mean - lo, hi - mean

    x, xl, xh = col(risk)
    y, yl, yh = col("protection")
    cost, _, _ = col("interceptor_cost_usd")
    front = pareto_mask(np.stack([x, y], axis=1), ["min", "max"]) if names else np.zeros(0, bool)
    cmax = float(cost.max()) if cost.size and cost.max() > 0 else 0.0

    def area(c: np.ndarray | float) -> Any:
        return 40 + 400 * (np.asarray(c, float) / cmax if cmax > 0 else 0 * np.asarray(c, float))

    fig, ax = plt.subplots(figsize=(11, 6), dpi=120)
    ax.errorbar(x, y, xerr=[xl, xh], yerr=[yl, yh], fmt="none", ecolor="0.6", lw=0.8, zorder=1)
    ax.scatter(x, y, s=area(cost), c=np.where(front, "tab:blue", "tab:gray"), alpha=0.7, edgecolors="k", zorder=2)
    ax.set_xlabel({"max_rung": "escalation risk: mean highest rung reached (0 aid ... 9 general war)",
                   "p_direct_engagement": "escalation risk: P(direct allied-adversary engagement)"}.get(risk, risk))
    ax.set_ylabel("protection: share of threats that never reached their aim area")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    if names:  # a margin so labels at the edges stay inside
        xr = float(np.ptp(x)) or 1.0
        yr = float(np.ptp(y)) or 0.05
        ax.set_xlim(x.min() - 0.3 * xr, x.max() + 0.35 * xr)
        ax.set_ylim(y.min() - 0.25 * yr, y.max() + 0.25 * yr)
    handles = [ax.scatter([], [], s=80, c="tab:blue", edgecolors="k", alpha=0.7, label="on the Pareto front"),
               ax.scatter([], [], s=80, c="tab:gray", edgecolors="k", alpha=0.7, label="dominated")]
    if cmax > 0:
        for frac in (0.1, 0.5, 1.0):
            handles.append(ax.scatter([], [], s=float(area(frac * cmax)), c="white", edgecolors="k",
                                      label=f"interceptor cost {compact(frac * cmax)} USD"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, labelspacing=1.3,
              borderpad=1.0, title="colour: Pareto front\narea: interceptor cost", title_fontsize=7)
    fig.tight_layout()
    place_labels(ax, x, y, names, list(front), sizes=list(area(cost)))
    return _png(fig), [n for n, f in zip(names, front) if f]
