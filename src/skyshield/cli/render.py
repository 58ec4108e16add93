"""Readable tables and the JSON document of `run` and `compare`."""

from __future__ import annotations

import math
from typing import Any

from rich.table import Table

from ..analysis import paired_difference, summarise
from ..engine import METRIC_DOCS
from ..runner import ExperimentResult

__all__ = ["result_document", "result_table", "difference_table", "KEY_METRICS"]

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
        doc["options"][o] = entry
    doc["metric_docs"] = {k: v for k, v in METRIC_DOCS.items()}
    return doc


def _fmt(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.2f}B"
    if a >= 1e6:
        return f"{v / 1e6:.1f}M"
    if a >= 1e4:
        return f"{v / 1e3:.0f}k"
    if a >= 100:
        return f"{v:.0f}"
    return f"{v:.2f}" if a < 10 else f"{v:.1f}"


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
            m = doc["options"][o]["metrics"].get(k)
            if m is None:
                cells.append("-")
                continue
            lo, hi = m["ci95"]
            half = (hi - lo) / 2 if lo is not None and hi is not None else 0.0
            cells.append(f"{_fmt(m['mean'])} ± {_fmt(half)}" if half > 0 else _fmt(m["mean"]))
        t.add_row(k, *cells)
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
        cells = []
        for o in opts[1:]:
            d = doc["options"][o][key].get(k)
            if d is None or d["mean"] is None:
                cells.append("-")
                continue
            lo, hi = d["ci95"]
            half = (hi - lo) / 2
            sign = "+" if d["mean"] > 0 else ""
            cells.append(f"{sign}{_fmt(d['mean'])} ± {_fmt(half)}" if half > 0 else f"{sign}{_fmt(d['mean'])}")
        t.add_row(k, *cells)
    return t
