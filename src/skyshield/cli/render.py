"""Readable tables and the JSON document of `run` and `compare`."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from ..analysis import paired_difference, summarise
from ..analysis.fmt import compact
from ..engine import METRIC_DOCS
from ..policy.phase import ESCALATION_METRIC_DOCS
from ..runner import ExperimentResult

__all__ = ["result_document", "result_table", "difference_table", "cause_table", "asset_table", "KEY_METRICS", "menu_table",
           "pareto_plot", "MENU_COLUMNS"]

KEY_METRICS = (
    "launched",
    "destroyed",
    "leaked",
    "destroyed_drone",
    "destroyed_decoy",
    "destroyed_cruise",
    "destroyed_ballistic",
    "assets_hit",
    "population_exposed",
    "interceptors_used",
    "interceptor_cost_usd",
    "cost_exchange_ratio",
    "allied_engagements",
    "engagements_denied_roe",
    "debris_on_allied_territory",
    "early_warning_s",
    "early_warning_gain_s",
)


def _clean(x: float) -> float | None:
    return None if isinstance(x, float) and math.isnan(x) else x


def result_document(res: ExperimentResult) -> dict[str, Any]:
    """The JSON document: provenance, then per option its metrics (mean and 95 % CI)."""
    doc: dict[str, Any] = {"provenance": res.provenance, "options": {}}
    base = res.experiment.options[0]
    base_rows = res.rows(base)
    for o in res.experiment.options:
        rows = res.rows(o)
        metrics = {
            k: {"mean": _clean(v["mean"]), "ci95": [_clean(c) for c in v["ci95"]]}  # type: ignore[union-attr]
            for k, v in summarise(rows).items()
        }
        entry: dict[str, Any] = {"metrics": metrics}
        if o != base:
            diff = {}
            for k in metrics:
                m, lo, hi = paired_difference([r.get(k, 0.0) for r in rows], [r.get(k, 0.0) for r in base_rows])
                diff[k] = {"mean": _clean(m), "ci95": [_clean(lo), _clean(hi)]}
            entry["difference_vs_" + base] = diff
        _add_causes(entry, base)
        _add_assets(entry, [a.id for a in res.experiment.scenario.assets])
        doc["options"][o] = entry
    doc["metric_docs"] = {**METRIC_DOCS, **ESCALATION_METRIC_DOCS}
    return doc


def _add_assets(entry: dict[str, Any], asset_ids: list[str]) -> None:
    """Per-asset results: ``assets.<id>.<quantity>`` summaries (aimed, leaked, hits, expected
    damage, people exposed)."""
    from ..engine.assess import ASSET_QUANTITIES, asset_key

    m = entry["metrics"]
    entry["assets"] = {aid: {q: m[f"asset_{asset_key(aid)}_{q}"] for q in ASSET_QUANTITIES
                             if f"asset_{asset_key(aid)}_{q}" in m} for aid in asset_ids}


def asset_table(res: ExperimentResult, quantity: str = "hits") -> Table:
    """One per-asset quantity for every option (mean ± 95 % CI half-width)."""
    from ..engine.assess import ASSET_QUANTITIES

    doc = result_document(res)
    opts = list(doc["options"])
    t = Table(title=f"By asset: {quantity.replace('_', ' ')} ({ASSET_QUANTITIES[quantity]})")
    t.add_column("asset", style="bold")
    for o in opts:
        t.add_column(o, justify="right")
    for a in res.experiment.scenario.assets:
        t.add_row(a.id, *(_cell(doc["options"][o]["assets"][a.id].get(quantity)) for o in opts))
    return t


def _add_causes(entry: dict[str, Any], base: str) -> None:
    """Structured views of the leaker attribution: cause -> summary, the same by threat class,
    and the paired difference of each cause against the baseline."""
    from ..catalog import THREAT_CLASSES
    from ..engine.explain import CAUSES

    def view(table: dict[str, Any], suffix: str = "") -> dict[str, Any]:
        return {c: table[f"leaked_by_cause_{c.replace('-', '_')}{suffix}"] for c in CAUSES
                if f"leaked_by_cause_{c.replace('-', '_')}{suffix}" in table}

    m = entry["metrics"]
    entry["leakers_by_cause"] = view(m)
    entry["leakers_by_cause_by_class"] = {cl: view(m, "_" + cl) for cl in THREAT_CLASSES if view(m, "_" + cl)}
    diff = entry.get("difference_vs_" + base)
    if diff is not None:
        entry["leakers_by_cause_difference_vs_" + base] = view(diff)


def _fmt(v: float) -> str:
    return compact(v)


def _cell(summary: dict[str, Any] | None, sign: bool = False) -> str:
    """``mean ± half-width`` of a ``{"mean", "ci95"}`` summary; ``-`` where there is none."""
    if summary is None or summary["mean"] is None:
        return "-"
    mean = summary["mean"]
    lo, hi = summary["ci95"]
    half = (hi - lo) / 2 if lo is not None and hi is not None else 0.0
    text = ("+" if sign and mean > 0 else "") + _fmt(mean)
    return f"{text} ± {_fmt(half)}" if half > 0 else text


def result_table(res: ExperimentResult) -> Table:
    doc = result_document(res)
    prov = doc["provenance"]
    t = Table(
        title=f"{prov['scenario']}  ({prov['replications']} replications, seed {prov['seed']}; "
        f"mean ± 95 % CI half-width)",
        caption=f"scenario hash {prov['scenario_hash'][:12]}, skyshield {prov['version']}",
    )
    t.add_column("metric", style="bold")
    opts = list(doc["options"])
    for o in opts:
        t.add_column(o, justify="right")
    present = [k for k in KEY_METRICS if any(k in doc["options"][o]["metrics"] for o in opts)]
    for k in present:
        cells = []
        for o in opts:
            cells.append(_cell(doc["options"][o]["metrics"].get(k)))
        t.add_row(k, *cells)
    return t


def cause_table(res: ExperimentResult) -> Table:
    """Why threats got through: leakers by cause per option (causes sum to ``leaked``)."""
    from ..engine.explain import CAUSE_DOCS, CAUSES

    doc = result_document(res)
    opts = list(doc["options"])
    t = Table(title="Why threats got through: leakers by cause (the causes sum to leaked)",
              caption="; ".join(f"{c}: {CAUSE_DOCS[c]}" for c in CAUSES))
    t.add_column("cause", style="bold")
    for o in opts:
        t.add_column(o, justify="right")
    for c in CAUSES:
        t.add_row(c, *(_cell(doc["options"][o]["leakers_by_cause"].get(c)) for o in opts))
    return t


def difference_table(res: ExperimentResult) -> Table | None:
    """Paired differences of each option against the first (same raids, same dice)."""
    doc = result_document(res)
    opts = list(doc["options"])
    if len(opts) < 2:
        return None
    base = opts[0]
    t = Table(title=f"Difference vs {base} (paired over replications; mean ± 95 % CI half-width)")
    t.add_column("metric", style="bold")
    for o in opts[1:]:
        t.add_column(o, justify="right")
    key = f"difference_vs_{base}"
    for k in KEY_METRICS:
        if k == "launched" or not any(k in doc["options"][o].get(key, {}) for o in opts[1:]):
            continue
        t.add_row(k, *(_cell(doc["options"][o][key].get(k), sign=True) for o in opts[1:]))
    return t


# --- The option-menu table and the Pareto plot (issue 5) -------------------------------------

MENU_COLUMNS: tuple[tuple[str, str], ...] = (
    ("protection", "protection"),
    ("leaked", "leaked"),
    ("assets_hit", "assets hit"),
    ("interceptor_cost_usd", "interceptor cost"),
    ("days_of_defence_min", "days of defence"),
    ("max_rung", "max rung"),
    ("p_direct_engagement", "P(direct eng.)"),
    ("p_tripwire", "P(tripwire)"),
    ("allied_losses", "allied losses"),
    ("clauses_fired", "clauses fired"),
    ("debris_on_allied_territory", "debris on allies"),
    ("launch_capacity_final", "launch capacity"),
)
"""Columns of the option-menu table: protection, cost, risk (those present are shown)."""


def _with_protection(metrics: dict[str, Any]) -> dict[str, Any]:
    """Night results carry leaked and launched; protection is 1 - leaked / launched."""
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


def menu_table(doc: dict[str, Any], title: str = "Option menu") -> Table:
    """One row per option: protection, cost and escalation risk, mean ± 95 % CI half-width."""
    t = Table(title=f"{title} (mean ± 95 % CI half-width)")
    t.add_column("option", style="bold")
    opts = {o: _with_protection(v["metrics"]) for o, v in doc["options"].items()}
    cols = [(k, h) for k, h in MENU_COLUMNS if any(k in m for m in opts.values())]
    for _, h in cols:
        t.add_column(h, justify="right")
    for o, m in opts.items():
        cells = []
        for k, _ in cols:
            cells.append(_cell(m.get(k)))
        t.add_row(o, *cells)
    return t


def pareto_plot(doc: dict[str, Any], path: str, risk: str = "max_rung", title: str = "") -> list[str]:
    """Save protection against escalation risk (marker area ~ cost) to ``path``; return the front.

    Error bars are the 95 % confidence intervals; options on the Pareto front (most
    protection for least risk, :func:`skyshield.analysis.pareto.pareto_mask`) are labelled
    in bold. matplotlib is imported here only (Agg backend, no display needed).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from ..analysis.pareto import pareto_mask

    names = list(doc["options"])
    ms = [_with_protection(doc["options"][o]["metrics"]) for o in names]

    def col(key: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        mean = np.array([m.get(key, {}).get("mean") or 0.0 for m in ms], float)
        lo = np.array([(m.get(key, {}).get("ci95") or [None, None])[0] for m in ms], dtype=object)
        hi = np.array([(m.get(key, {}).get("ci95") or [None, None])[1] for m in ms], dtype=object)
        lo = np.array([mean[i] if lo[i] is None else lo[i] for i in range(len(ms))], float)
        hi = np.array([mean[i] if hi[i] is None else hi[i] for i in range(len(ms))], float)
        return mean, mean - lo, hi - mean

    x, xl, xh = col(risk)
    y, yl, yh = col("protection")
    cost, _, _ = col("interceptor_cost_usd")
    front = pareto_mask(np.stack([x, y], axis=1), ["min", "max"])
    size = 40 + 400 * (cost / cost.max() if cost.max() > 0 else np.zeros_like(cost))
    fig, ax = plt.subplots(figsize=(9, 6), dpi=120)
    ax.errorbar(x, y, xerr=[xl, xh], yerr=[yl, yh], fmt="none", ecolor="0.6", lw=0.8, zorder=1)
    ax.scatter(x, y, s=size, c=np.where(front, "tab:blue", "tab:gray"), alpha=0.7, edgecolors="k", zorder=2)
    # Options that land on (nearly) the same point get their labels stacked, not overprinted.
    xr = float(np.ptp(x)) or 1.0
    yr = float(np.ptp(y)) or 1.0
    # A label is about 0.009 of the x range per character wide at this size; from left to
    # right, each takes the lowest level not used by a label still running over its point.
    placed: list[tuple[float, float, float, int]] = []  # x, y, label end, level
    for i in np.argsort(x, kind="stable"):
        used = {lv for xk, yk, end, lv in placed if xk - 0.02 * xr <= x[i] <= end and abs(yk - y[i]) < 0.06 * yr}
        level = min(set(range(len(used) + 1)) - used)
        placed.append((x[i], y[i], x[i] + (len(names[i]) + 2) * 0.009 * xr, level))
        ax.annotate(names[i], (x[i], y[i]), textcoords="offset points", xytext=(6, 4 + 10 * level),
                    fontsize=8, fontweight="bold" if front[i] else "normal")
    ax.set_xlabel({"max_rung": "escalation risk: mean highest rung reached (0 aid ... 9 general war)",
                   "p_direct_engagement": "escalation risk: P(direct allied-adversary engagement)"}.get(risk, risk))
    ax.set_ylabel("protection: share of threats that never reached their aim area")
    ax.set_title(title or "Option menu: protection against escalation risk (marker area ~ interceptor cost)")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return [n for n, f in zip(names, front) if f]
