"""The result document of ``run`` and ``compare``: what ``--format json`` prints and what
:meth:`skyshield.Comparison.to_json` returns.

Per option: every metric's mean and 95 % confidence interval; against the first option, the
paired difference of each (common random numbers); the leakers by cause (summing to
``leaked``), by threat class and their paired differences; per-asset results; and the
escalation ladder explained (P(rung >= k) and the kinds of event that raised the rung). Then
the definition and unit of every metric in the document, and how the counts add up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..analysis import paired_difference, summarise
from ..analysis.metricdocs import READING_GUIDE, metric_docs

__all__ = ["result_document", "summary_entry"]


def _clean(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x


def summary_entry(mean: float, lo: float, hi: float) -> dict[str, Any]:
    """``{"mean", "ci95": [lo, hi]}`` with non-finite numbers as ``null``."""
    return {"mean": _clean(float(mean)), "ci95": [_clean(float(lo)), _clean(float(hi))]}


def result_document(provenance: dict[str, Any], options: Sequence[str], rows: dict[str, list[dict[str, float]]],
                    asset_ids: Sequence[str]) -> dict[str, Any]:
    """The document of a run or comparison.

    Parameters
    ----------
    provenance
        What the numbers come from (:attr:`skyshield.runner.ExperimentResult.provenance`).
    options
        Option names; the first is the baseline of the paired differences.
    rows
        Per option, one ``{metric: value}`` per replication, replications in the same order.
    asset_ids
        The scenario's assets, for the per-asset view.
    """
    doc: dict[str, Any] = {"provenance": provenance, "options": {}}
    base = options[0]
    base_rows = rows[base]
    names: list[str] = []
    for o in options:
        rs = rows[o]
        metrics = {k: summary_entry(v["mean"], *v["ci95"])  # type: ignore[arg-type,misc]
                   for k, v in summarise(rs).items()}
        names += [k for k in metrics if k not in names]
        entry: dict[str, Any] = {"metrics": metrics}
        if o != base:
            entry["difference_vs_" + base] = {
                k: summary_entry(*paired_difference([r.get(k, 0.0) for r in rs], [r.get(k, 0.0) for r in base_rows]))
                for k in metrics}
        _add_causes(entry, base)
        _add_assets(entry, asset_ids)
        _add_escalation(entry, base)
        doc["options"][o] = entry
    docs = metric_docs(names)
    doc["metric_docs"] = {k: d.doc for k, d in docs.items()}
    doc["metric_units"] = {k: d.unit for k, d in docs.items()}
    doc["reading_guide"] = READING_GUIDE
    return doc


def _add_assets(entry: dict[str, Any], asset_ids: Sequence[str]) -> None:
    """Per-asset results: ``assets.<id>.<quantity>`` summaries (aimed, leaked, hits, expected
    damage, people exposed)."""
    from ..engine.assess import ASSET_QUANTITIES, asset_key

    m = entry["metrics"]
    entry["assets"] = {aid: {q: m[f"asset_{asset_key(aid)}_{q}"] for q in ASSET_QUANTITIES
                             if f"asset_{asset_key(aid)}_{q}" in m} for aid in asset_ids}


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


def _add_escalation(entry: dict[str, Any], base: str) -> None:
    """The escalation ladder explained: P(highest rung >= k) for k = 1..9, and per kind of event
    the mean number of times it raised the rung and the share of replications in which it set
    the night's highest rung (with their paired differences against the baseline)."""
    from ..policy.ladder import RUNGS
    from ..policy.phase import RISE_REASONS

    m = entry["metrics"]
    if "max_rung" not in m:
        return

    def view(table: dict[str, Any]) -> dict[str, Any]:
        return {
            "p_rung_ge": {str(r.level): table[f"p_rung_ge_{r.level}"] for r in RUNGS[1:] if f"p_rung_ge_{r.level}" in table},
            "rung_raised_by": {k: table[f"rung_raised_by_{k.replace('-', '_')}"] for k in RISE_REASONS
                               if f"rung_raised_by_{k.replace('-', '_')}" in table},
            "max_rung_set_by": {k: table[f"max_rung_by_{k.replace('-', '_')}"] for k in RISE_REASONS
                                if f"max_rung_by_{k.replace('-', '_')}" in table},
        }

    entry["escalation"] = {"max_rung": m["max_rung"], **view(m)}
    diff = entry.get("difference_vs_" + base)
    if diff is not None:
        entry["escalation_difference_vs_" + base] = view(diff)
