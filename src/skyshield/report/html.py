"""`skyshield report DIR`: one self-contained HTML file from a results store.

Everything is inline: CSS in a ``<style>`` element, charts as base64 PNG ``data:`` URIs, no
script, no font, no link to anything outside the file, so it opens on an air-gapped machine
and can be mailed as it is. Every number says where it comes from: the table cells carry
their provenance (replications, samples, the SQL that recomputes them with
``skyshield results DIR --sql``) and the last section lists every chunk and run behind them.
"""

from __future__ import annotations

import base64
import html
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc

from ..analysis import (
    convergence_table,
    metric_columns,
    option_menu,
    paired_difference,
    pareto_mask,
    point_means,
    running_mean_ci,
    sobol_indices,
)
from ..analysis.fmt import compact, mean_ci_text
from ..analysis.maps import map_layers
from ..analysis.metricdocs import metric_docs
from ..analysis.tables import with_protection
from ..store import ResultStore, StoreError

__all__ = ["build_report", "write_report"]

KEY = ("launched", "destroyed", "suppressed_ew", "leaked", "in_flight_at_end", "assets_hit", "population_exposed",
       "expected_damage_usd", "interceptors_used", "interceptor_cost_usd", "cost_exchange_ratio", "allied_engagements",
       "debris_on_allied_territory", "early_warning_s", "engagements_denied_roe", "max_rung", "p_direct_engagement")
DIFF_KEY = ("leaked", "destroyed", "suppressed_ew", "assets_hit", "population_exposed", "expected_damage_usd",
            "interceptors_used", "interceptor_cost_usd", "debris_on_allied_territory", "early_warning_s", "max_rung",
            "p_direct_engagement", "allied_losses")
"""Metrics whose paired differences open the report."""
DIFF_CHART = ("leaked", "assets_hit", "expected_damage_usd", "interceptor_cost_usd", "max_rung", "p_direct_engagement")
MENU = (("leaked", "leaked"), ("assets_hit", "assets hit"), ("expected_damage_usd", "expected damage"),
        ("interceptor_cost_usd", "interceptor cost"), ("max_rung", "max rung"),
        ("p_direct_engagement", "P(direct engagement)"), ("allied_losses", "allied losses"),
        ("debris_on_allied_territory", "debris on allies"))
"""The option menu's columns: protection, cost, risk."""

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:1150px;color:#222;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em} h2{border-bottom:2px solid #4c78a8;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:12.5px} td,th{border:1px solid #ccc;padding:3px 7px}
th{background:#eef3f8;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
.prov{background:#f7f7f7;border-left:4px solid #4c78a8;padding:.6em 1em;font-size:12.5px}
code{font-size:12px;background:#f2f2f2;padding:0 3px} img{max-width:100%} .warn{color:#a33}
.ok{color:#276} small{color:#666} details{margin:.6em 0}
"""


def _e(x: object) -> str:
    return html.escape(str(x), quote=True)


def _fmt(v: float | None) -> str:
    return compact(v)


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _sql_lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _sum_cell(v: dict[str, Any] | None, title: str = "") -> str:
    if v is None:
        return "<td class=n>–</td>"
    lo, hi = v["ci95"]
    tip = f" title='{_e(title or f'95% CI [{lo:.6g}, {hi:.6g}]')}'"
    return f"<td class=n{tip}>{mean_ci_text(v['mean'], lo, hi)}</td>"


def _menu_html(menu: dict[str, dict[str, Any]], options: Sequence[str], reps: int, n_s: int) -> str:
    """The option menu: protection, cost and risk, one row per option."""
    cols = [(k, h) for k, h in MENU if any(k in menu[o] for o in options)]
    out = ["<h3>Option menu</h3><table><tr><th>option</th><th>protection</th>"
           + "".join(f"<th>{_e(h)}</th>" for _, h in cols) + "</tr>"]
    for o in options:
        m = with_protection({k: {"mean": v["mean"], "ci95": v["ci95"]} for k, v in menu[o].items()})
        cells = _sum_cell(m.get("protection"), "1 - leaked / launched: share of threats that never reached their aim")
        cells += "".join(_sum_cell(m.get(k)) for k, _ in cols)
        out.append(f"<tr><th>{_e(o)}</th>{cells}</tr>")
    out.append(f"</table><p><small>{reps} replications per option and design point, {n_s} design point(s).</small></p>")
    return "".join(out)


def _paired(t: Any, options: Sequence[str], metrics: Sequence[str]) -> dict[str, dict[str, tuple[float, float, float]]]:
    """``{metric: {option: (mean, lo, hi)}}`` of ``option - first option`` paired by (design point,
    replication): the same raid."""
    base = options[0]
    b = t.filter(pc.equal(t["option"], base))
    out: dict[str, dict[str, tuple[float, float, float]]] = {}
    for o in options[1:]:
        a = t.filter(pc.equal(t["option"], o))
        if a.num_rows != b.num_rows:
            continue
        for m in metrics:
            out.setdefault(m, {})[o] = paired_difference(a[m].to_numpy(), b[m].to_numpy())
    return out


def _diff_html(diffs: dict[str, dict[str, tuple[float, float, float]]], others: Sequence[str], base: str) -> str:
    out = ["<table><tr><th>metric</th>" + "".join(f"<th>{_e(o)} − {_e(base)}</th>" for o in others) + "</tr>"]
    for m, by in diffs.items():
        cells = []
        for o in others:
            if o not in by:
                cells.append("<td>–</td>")
                continue
            d, lo, hi = by[o]
            tip = (f"mean over paired replications of {m}[{o}] - {m}[{base}] (same design point, same replication: "
                   f"same raid); 95% CI [{lo:.6g}, {hi:.6g}]")
            txt = mean_ci_text(d, lo, hi, sign=True)
            cells.append(f"<td class='n' title='{_e(tip)}'>{txt}</td>")
        out.append(f"<tr><th>{_e(m)}</th>{''.join(cells)}</tr>")
    out.append("</table>")
    return "".join(out)


def _causes_html(t: Any, options: Sequence[str], metrics: Sequence[str], menu: dict[str, dict[str, Any]]) -> str:
    """Why threats got through: leakers by cause per option (the causes sum to leaked) and, for
    each option, the paired difference of each cause against the first."""
    from ..engine.explain import CAUSE_DOCS, CAUSES

    keys = [f"leaked_by_cause_{c.replace('-', '_')}" for c in CAUSES]
    if not all(k in metrics for k in keys):
        return "<p class='warn'>This store has no leaker attribution (made before it existed).</p>"
    diffs = _paired(t, options, keys) if len(options) > 1 else {}
    out = ["<h3>Why threats got through</h3><p>Every leaker has one cause, tested in this order; the causes sum to "
           "<code>leaked</code>.</p><table><tr><th>cause</th>"
           + "".join(f"<th>{_e(o)}</th>" for o in options)
           + "".join(f"<th>{_e(o)} − {_e(options[0])}</th>" for o in options[1:]) + "<th>meaning</th></tr>"]
    for c, k in zip(CAUSES, keys):
        cells = "".join(_sum_cell(menu[o].get(k)) for o in options)
        for o in options[1:]:
            d = diffs.get(k, {}).get(o)
            cells += (f"<td class=n>{mean_ci_text(d[0], d[1], d[2], sign=True)}</td>" if d else "<td>–</td>")
        out.append(f"<tr><th>{_e(c)}</th>{cells}<td><small>{_e(CAUSE_DOCS[c])}</small></td></tr>")
    out.append("</table>")
    return "".join(out)


def _escalation_html(menu: dict[str, dict[str, Any]], options: Sequence[str], metrics: Sequence[str]) -> str:
    """How far up the ladder each option went, and what set the highest rung."""
    from ..policy.ladder import RUNGS
    from ..policy.phase import RISE_REASONS

    rungs = [r for r in RUNGS[1:] if f"p_rung_ge_{r.level}" in metrics
             and any(menu[o][f"p_rung_ge_{r.level}"]["mean"] > 0 for o in options)]
    reasons = [k for k in RISE_REASONS if f"max_rung_by_{k.replace('-', '_')}" in metrics
               and any(menu[o][f"max_rung_by_{k.replace('-', '_')}"]["mean"] > 0 for o in options)]
    if "p_rung_ge_1" not in metrics:
        return ""
    if not rungs:
        return "<h3>Escalation</h3><p>No option left rung 0 (aid only) in any replication.</p>"
    out = ["<h3>Escalation</h3><p>Share of replications whose highest rung reached each level, and the kind of event "
           "that set the night's highest rung (docs/escalation.md).</p><table><tr><th></th>"
           + "".join(f"<th>{_e(o)}</th>" for o in options) + "</tr>"]
    for r in rungs:
        out.append(f"<tr><th>P(rung ≥ {r.level}) {_e(r.name)}</th>"
                   + "".join(_sum_cell(menu[o][f"p_rung_ge_{r.level}"]) for o in options) + "</tr>")
    for k in reasons:
        out.append(f"<tr><th>top rung set by {_e(k)}</th>"
                   + "".join(_sum_cell(menu[o][f"max_rung_by_{k.replace('-', '_')}"]) for o in options) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _adversary_label(adversary: str) -> str:
    """The label that says which adversary the numbers are against."""
    what = {"fixed": "every option flies the scenario's raid (pure defensive value)",
            "adaptive": "the raid adapts to each option's published posture (docs/options.md, "
                        "\"Fixed and adaptive adversary\")"}.get(adversary, "")
    return f"<p class='adversary'><b>Adversary: {_e(adversary)}.</b> {_e(what)}</p>"


def build_report(root: str | Path) -> str:
    """The report's HTML text: the answer first (option menu, paired differences, why threats
    got through, escalation, the option menu's Pareto plot), then every metric, the map,
    convergence, the design's Pareto front, sensitivity and the provenance of every number."""
    from . import plots

    st = ResultStore.open(root)
    st.verify()  # every chunk against its checksum: a damaged file is an error, not a figure
    man = st.manifest
    spec = man["experiment"]
    options = st.options
    t = st.metrics()
    if t.num_rows == 0:
        raise StoreError(f"{st.root}: no finished replication yet; run `skyshield sweep` first")
    metrics = metric_columns(t)
    menu = option_menu(t, options)
    chunks = st.chunk_records()
    runs = st.runs()
    versions = sorted({str(c.get("code_version")) for c in chunks if c.get("code_version")})
    n_s = st.n_samples
    out: list[str] = []
    w = out.append
    w("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>")
    w(f"<title>skyshield report: {_e(spec.get('id'))}</title><style>{_CSS}</style></head><body>")
    w(f"<h1>{_e(spec.get('title') or spec.get('id'))}</h1>")
    w(f"<p>Experiment <code>{_e(spec.get('id'))}</code> on scenario <code>{_e(man['scenario']['id'])}</code>: "
      f"{len(options)} options × {n_s} design point(s) × {st.replications} replications "
      f"({st.done} of {st.total} finished{'' if st.complete else ' — <b class=warn>incomplete</b>'}).</p>")
    w("<div class='prov'><b>Provenance.</b> "
      f"Scenario <code>{_e(man['scenario']['id'])}</code> sha256 <code>{_e(man['scenario']['hash'])}</code>; "
      f"seed entropy <code>{_e(man['seed_entropy'])}</code> (replication <i>r</i> of design point <i>s</i> "
      f"draws every stream from spawn key (<i>s</i>, <i>r</i>, stream), the same for every option); "
      f"fidelity <code>{_e(man.get('fidelity'))}</code>; adversary <code>{_e(man.get('adversary', 'fixed'))}</code>; "
      f"design <code>{_e(man.get('design'))}</code>; "
      f"experiment identity <code>{_e(man['identity_hash'][:16])}</code>; store created "
      f"{_e(man.get('created_utc'))} by skyshield <code>{_e(man.get('code_version'))}</code>; "
      f"chunks written by {', '.join(f'<code>{_e(v)}</code>' for v in versions) or '–'}; "
      f"{len(runs)} sweep run(s), {len(chunks)} chunk files. Store: <code>{_e(st.root.resolve())}</code>.</div>")

    # -- the answer first: option menu, paired differences, why threats got through, escalation --
    w("<h2>The answer</h2>")
    w(_adversary_label(str(man.get("adversary", "fixed"))))
    w("<p>Every number is the mean over replications (and design points) ± the half-width of its 95 % "
      "Student-t confidence interval, in the format of <code>skyshield compare</code>; hover a number for its "
      "interval and the SQL that recomputes it. Units and definitions: <code>docs/metrics.md</code> and the last "
      "column of the full table below.</p>")
    w(_menu_html(menu, options, st.replications, n_s))
    base = options[0]
    diffs = _paired(t, options, [m for m in DIFF_KEY if m in metrics]) if len(options) > 1 else {}
    if diffs:
        w(f"<h3>What each option changes against <code>{_e(base)}</code> (paired on the same raids)</h3>")
        w(_diff_html(diffs, options[1:], base))
        w(_img(plots.difference_chart({m: {o: diffs[m][o] for o in options[1:]} for m in DIFF_CHART if m in diffs},
                                      base, {m: d.unit for m, d in metric_docs(diffs).items()}),
               f"paired differences against {base}"))
    w(_causes_html(t, options, metrics, menu))
    w(_escalation_html(menu, options, metrics))
    menu_doc = {o: {k: {"mean": v["mean"], "ci95": v["ci95"]} for k, v in menu[o].items()} for o in options}
    png, _front = plots.option_pareto_chart({o: with_protection(menu_doc[o]) for o in options}, "max_rung",
                                            "Option menu: protection against escalation risk")
    w(_img(png, "option menu: protection against escalation risk"))

    # -- every metric ----------------------------------------------------------------------
    w("<h2>Every metric</h2>")
    w("<p>Mean over every replication (and design point) ± 95 % CI half-width. Each is recomputed by "
      "<code>skyshield results DIR --sql \"SELECT avg(METRIC) FROM metrics WHERE option = 'OPTION'\"</code>.</p>")
    w("<table><tr><th>metric</th><th>unit</th>" + "".join(f"<th>{_e(o)}</th>" for o in options)
      + "<th>definition</th></tr>")
    docs = metric_docs(metrics)
    ordered = [m for m in KEY if m in metrics] + [m for m in metrics if m not in KEY]
    for m in ordered:
        cells = []
        for o in options:
            v = menu[o][m]
            lo, hi = v["ci95"]
            prov = (f"{m} for option {o}: mean of {v['n']} replications over {n_s} design point(s); 95% CI "
                    f"[{lo:.6g}, {hi:.6g}]; SQL: SELECT avg(\"{m}\") FROM metrics WHERE option = {_sql_lit(o)}; "
                    f"seed entropy {man['seed_entropy']}")
            cells.append(f"<td class='n' title='{_e(prov)}' data-metric='{_e(m)}' data-option='{_e(o)}'>"
                         f"{mean_ci_text(v['mean'], lo, hi)}</td>")
        d = docs.get(m)
        w(f"<tr><th>{_e(m)}</th><td>{_e(d.unit if d else '')}</td>{''.join(cells)}"
          f"<td><small>{_e(d.doc if d else '')}</small></td></tr>")
    w("</table>")

    # -- map ------------------------------------------------------------------------------
    w("<h2>Theatre map</h2>")
    n_map = min(20, st.replications)
    layers, sc = map_layers(st, options, n_map)
    th = sc.theatre
    zones = {"defended": (th.defended,), "allied": th.allied, "adversary": th.adversary, "neutral": th.neutral}
    w("<p>Country outlines: Natural Earth (bundled). Red patches: launch areas; squares: the defended cities "
      "(named); thin lines: the tracks of every threat of replication 0 (the same raid for every option); circles: "
      "detection range of each sensor against the raid's most numerous threat type at its cruise altitude "
      "(radar equation, capped by the 4/3-earth horizon). Points: intercepts (debris), leakers reaching their aim "
      "area and damaging hits, from the event logs"
      + ("" if man["experiment"].get("events", True) else " (not kept by this experiment)") + ".</p>")
    w(_img(plots.map_chart(layers, zones, tuple(th.bbox)), "theatre map"))

    # -- convergence ----------------------------------------------------------------------
    prec = spec.get("precision", {}) or {}
    pm = [m for m in prec.get("metrics", ["leaked", "assets_hit", "interceptor_cost_usd"]) if m in metrics]
    rel, absl, lvl = prec.get("relative", 0.05), prec.get("absolute"), prec.get("level", 0.95)
    rows = convergence_table(t, options, pm, n_s, rel, absl, lvl)
    target = f"±{absl:g} (absolute)" if absl else f"±{100 * rel:g} % of the mean"
    w(f"<h2>Convergence</h2><p>Stated precision: CI half-width at level {lvl:g} within {target}, for each "
      "option and design point. <i>n needed</i> is the smallest n whose t-interval reaches it with the "
      "observed spread.</p>")
    w("<table><tr><th>option</th><th>metric</th><th>points</th><th>converged</th><th>worst half-width / target"
      "</th><th>n now</th><th>n needed (worst point)</th></tr>")
    for o in options:
        for m in pm:
            rs = [r for r in rows if r.option == o and r.metric == m]
            if not rs:
                continue
            ok = sum(r.converged for r in rs)
            ratio = max((r.half_width / r.target_half_width if r.target_half_width > 0 else math.inf) for r in rs)
            need = [r.n_required for r in rs]
            needs = "∞" if any(x is None for x in need) else str(max(x for x in need if x is not None))
            cls = "ok" if ok == len(rs) else "warn"
            w(f"<tr><td>{_e(o)}</td><td>{_e(m)}</td><td class=n>{len(rs)}</td><td class='{cls}'>{ok}/{len(rs)}</td>"
              f"<td class=n>{_fmt(ratio)}</td><td class=n>{min(r.n for r in rs)}</td><td class=n>{needs}</td></tr>")
    w("</table>")
    if pm:
        traces = {}
        for o in options:
            sub = t.filter(pc.and_(pc.equal(t["option"], o), pc.equal(t["sample"], 0)))
            traces[o] = running_mean_ci(sub[pm[0]].to_numpy(), lvl)
        w(_img(plots.convergence_chart(traces, pm[0], None if absl else rel), "convergence"))

    # -- Pareto ---------------------------------------------------------------------------
    objectives = {k: v for k, v in (spec.get("pareto") or {}).items() if k in metrics}
    if len(objectives) >= 2:
        names = list(objectives)
        means = point_means(t, options, n_s, names)
        pts = np.column_stack([means[k].ravel() for k in names])
        labels = [o for o in options for _ in range(n_s)]
        samples = [s for _ in options for s in range(n_s)]
        front = pareto_mask(pts, [objectives[k] for k in names])
        w("<h2>Pareto front</h2><p>Each point is an option at one design point (mean over its replications); "
          f"objectives: {', '.join(f'{_e(k)} ({v})' for k, v in objectives.items())}. Circled: not dominated.</p>")
        w(_img(plots.pareto_chart(pts[:, 0], pts[:, 1], labels, front, names[0], names[1]), "Pareto front"))
        w("<table><tr><th>option</th><th>sample</th>" + "".join(f"<th>{_e(k)}</th>" for k in names) + "</tr>")
        for i in np.flatnonzero(front):
            w(f"<tr><td>{_e(labels[i])}</td><td class=n>{samples[i]}</td>"
              + "".join(f"<td class=n title='mean of {_e(k)} over the replications of this option and sample'>"
                        f"{_fmt(pts[i, j])}</td>" for j, k in enumerate(names)) + "</tr>")
        w("</table>")

    # -- sensitivity ----------------------------------------------------------------------
    params = man.get("parameters", [])
    if params and n_s > 1:
        w("<h2>Sensitivity</h2>")
        names = [p["name"] for p in params]
        X = np.array([s["values"] for s in man["samples"]], float)
        w("<table><tr><th>parameter</th><th>path</th><th>low (SI)</th><th>high (SI)</th></tr>"
          + "".join(f"<tr><td>{_e(p['name'])}</td><td><code>{_e(p['path'])}</code></td><td class=n>{p['low']:.6g}"
                    f"</td><td class=n>{p['high']:.6g}</td></tr>" for p in params) + "</table>")
        for m in pm:
            means = point_means(t, options, n_s, [m])[m]
            idx = {}
            for i, o in enumerate(options):
                idx[o] = sobol_indices(X, means[i], names, [p["low"] for p in params], [p["high"] for p in params],
                                       method=man.get("design", "lhs"), num_resamples=30)
            good = {o: r for o, r in idx.items() if "S1" in r}
            w(f"<h3>{_e(m)}</h3>")
            if good:
                w(f"<p><small>{_e(next(iter(good.values()))['method'])}; output: the mean of {_e(m)} at each of "
                  f"{n_s} design points.</small></p>")
                w(_img(plots.sensitivity_chart(good, f"sensitivity of {m}"), f"sensitivity of {m}"))
                w("<table><tr><th>option</th>" + "".join(f"<th>S1 {_e(n)}</th>" for n in names) + "</tr>")
                for o, r in good.items():
                    w(f"<tr><td>{_e(o)}</td>" + "".join(
                        f"<td class=n title='95% bootstrap half-width {r['S1_conf'][j]:.3g}'>{r['S1'][j]:.3f}</td>"
                        for j in range(len(names))) + "</tr>")
                w("</table>")
            for o, r in idx.items():
                if "error" in r:
                    w(f"<p class='warn'>{_e(o)}: {_e(r['error'])}</p>")

    # -- provenance -------------------------------------------------------------------------
    w("<h2>Provenance of every number</h2>")
    w("<p>Every figure above is a function of the rows below, each replication computed from "
      f"seed entropy <code>{_e(man['seed_entropy'])}</code>, its design point and its index alone (so any "
      "executor, worker count or chunking gives the same bits). Recompute any table with "
      "<code>skyshield results DIR --sql ...</code> (views <code>metrics</code>, <code>events</code>, "
      "<code>results</code>; tables <code>experiment</code>, <code>samples</code>, <code>chunks</code>, "
      "<code>runs</code>).</p>")
    w("<details><summary>Experiment file (as run)</summary><pre>")
    exp_file = st.root / "inputs" / "experiment.yaml"
    w(_e(exp_file.read_text(encoding="utf-8")) if exp_file.is_file() else _e(spec))
    w("</pre></details>")
    w(f"<details><summary>Sweep runs ({len(runs)})</summary><table><tr><th>run</th><th>started</th><th>finished</th>"
      "<th>status</th><th>executor</th><th>workers</th><th>host</th><th>code</th><th>replications written</th></tr>")
    for r in runs:
        w("<tr>" + "".join(f"<td>{_e(r.get(k))}</td>" for k in ("file", "started_utc", "finished_utc", "status",
                                                                 "executor", "workers", "host", "code_version",
                                                                 "replications_written")) + "</tr>")
    w("</table></details>")
    w(f"<details><summary>Chunks ({len(chunks)})</summary><table><tr><th>file</th><th>option</th><th>sample</th>"
      "<th>replications</th><th>wall s</th><th>finished</th><th>code</th><th>scenario sha256</th><th>catalog sha256</th>"
      "</tr>")
    for c in chunks:
        w(f"<tr><td>{_e(c['file'])}</td><td>{_e(c.get('option'))}</td><td class=n>{_e(c.get('sample'))}</td>"
          f"<td class=n>{_e(c.get('rep_start'))}–{_e((c.get('rep_stop') or 1) - 1)}</td>"
          f"<td class=n>{_fmt(c.get('wall_s'))}</td><td>{_e(c.get('finished_utc'))}</td>"
          f"<td>{_e(c.get('code_version'))}</td><td><code>{_e(str(c.get('scenario_hash'))[:12])}</code></td>"
          f"<td><code>{_e(str(c.get('catalog_hash'))[:12])}</code></td></tr>")
    w("</table></details>")
    w("<p><small>Generated by skyshield. Self-contained: no scripts, fonts or links to fetch.</small></p>")
    w("</body></html>")
    return "\n".join(out)


def write_report(root: str | Path, out: str | Path | None = None) -> Path:
    """Write the report (default ``DIR/report.html``) atomically; return its path."""
    from ..store.files import check_output_file

    path = check_output_file(Path(out) if out is not None else Path(root) / "report.html", "report")
    text = build_report(root)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
