"""Readable tables of the result document (:mod:`skyshield.api.document`), and the Pareto plot.

Tables fit the console: when the options do not fit side by side, they are split over several
tables (each repeating the row names), never cut; every number is ``mean ± 95 % CI
half-width`` in one format (:func:`skyshield.analysis.fmt.mean_ci_text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from ..analysis.fmt import mean_ci_text
from ..analysis.metricdocs import READING_GUIDE
from ..analysis.tables import with_protection

__all__ = ["KEY_METRICS", "MENU_COLUMNS", "asset_table", "cause_table", "difference_table", "escalation_table",
           "menu_table", "pareto_plot", "result_table", "fit_tables"]

KEY_METRICS = (
    "launched",
    "destroyed",
    "suppressed_ew",
    "leaked",
    "in_flight_at_end",
    "destroyed_drone",
    "destroyed_decoy",
    "destroyed_cruise",
    "destroyed_ballistic",
    "assets_hit",
    "population_exposed",
    "expected_damage_usd",
    "interceptors_used",
    "interceptor_cost_usd",
    "cost_exchange_ratio",
    "allied_engagements",
    "engagements_denied_roe",
    "debris_on_allied_territory",
    "early_warning_s",
    "early_warning_gain_s",
    "max_rung",
    "p_direct_engagement",
)
"""Rows of the main table, in order: the four end states first (they add up to ``launched``)."""


def _cell(summary: dict[str, Any] | None, sign: bool = False) -> str:
    """``mean ± half-width`` of a ``{"mean", "ci95"}`` summary; ``-`` where there is none."""
    if summary is None or summary.get("mean") is None:
        return "-"
    lo, hi = summary["ci95"]
    return mean_ci_text(summary["mean"], lo, hi, sign=sign)


def _split_name(name: str, width: int) -> str:
    """An option name over several lines at its ``+`` joints (each part kept whole) when it is
    wider than ``width``; the name reads the same, only folded."""
    if len(name) <= width or "+" not in name:
        return name
    lines: list[str] = []
    for part in name.split("+"):
        piece = part if not lines else "+" + part
        if lines and len(lines[-1]) + len(piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece)
    return "\n".join(lines)


def fit_tables(title: str, head: Sequence[str], rows: Sequence[Sequence[str]], columns: Sequence[str],
               cells: Sequence[Sequence[str]], width: int, caption: str | None = None,
               short: str | None = None) -> list[Any]:
    """Tables of ``rows`` (their leading ``head`` columns) by ``columns``, split so that each
    fits in ``width`` characters: as many columns per table as fit, every table repeating the
    row names. Names are never cut: an option name wider than the room left is folded at its
    ``+`` joints. Each table comes with its title above it (wrapped at ``width``, not at the
    table's), later parts with ``short`` (default: the title's first line) and "continued".

    ``cells[i][j]`` is row ``i``'s cell in column ``j``.
    """
    from rich.console import Group
    from rich.text import Text

    lead = [max([len(h), *(len(r[k]) for r in rows)]) for k, h in enumerate(head)]
    base = 1 + sum(w + 3 for w in lead)
    room = max(width - base - 3, 8)
    headers = [_split_name(c, max(room, max([0, *(len(row[j]) for row in cells)]))) for j, c in enumerate(columns)]
    cols = [max([*(len(x) for x in h.split("\n")), *(len(row[j]) for row in cells)]) for j, h in enumerate(headers)]
    pages: list[list[int]] = [[]]
    used = base
    for j, w in enumerate(cols):
        if pages[-1] and used + w + 3 > width:
            pages.append([])
            used = base
        pages[-1].append(j)
        used += w + 3
    out: list[Any] = []
    first = title.split("\n", 1)[0]
    for p, js in enumerate(pages):
        part = f" (options {js[0] + 1}-{js[-1] + 1} of {len(columns)})" if len(pages) > 1 else ""
        if p == 0:
            lines = title.split("\n")
            head_text = "\n".join([lines[0] + part, *lines[1:]])
        else:
            head_text = f"{short or first}, continued{part}"
        t = Table(caption=caption if p == len(pages) - 1 else None, caption_justify="left")
        for k, h in enumerate(head):
            t.add_column(h, style="bold" if k == 0 else None, no_wrap=True, min_width=lead[k])
        for j in js:
            t.add_column(headers[j], justify="right", no_wrap=True, min_width=cols[j])
        for i, r in enumerate(rows):
            t.add_row(*r, *(cells[i][j] for j in js))
        out.append(Group(Text(head_text, style="italic"), t))
    return out


def _units(doc: dict[str, Any], keys: Sequence[str]) -> list[str]:
    units = doc.get("metric_units", {})
    return [units.get(k, "") for k in keys]


def result_table(doc: dict[str, Any], width: int = 100) -> list[Table]:
    """The main table: key metrics per option, with their units and the reading guide."""
    prov = doc["provenance"]
    opts = list(doc["options"])
    present = [k for k in KEY_METRICS if any(k in doc["options"][o]["metrics"] for o in opts)]
    title = (f"{prov['scenario']}: {prov['replications']} replications, seed {prov['seed']}; "
             f"mean ± 95 % CI half-width\nReading: {READING_GUIDE}")
    caption = f"scenario sha256 {prov['scenario_hash'][:12]}, skyshield {prov['version']}; definitions: docs/metrics.md"
    rows = [[k, u] for k, u in zip(present, _units(doc, present))]
    cells = [[_cell(doc["options"][o]["metrics"].get(k)) for o in opts] for k in present]
    return fit_tables(title, ["metric", "unit"], rows, opts, cells, width, caption, short="Main results")


def cause_table(doc: dict[str, Any], width: int = 100) -> list[Table]:
    """Why threats got through: leakers by cause per option (causes sum to ``leaked``)."""
    from ..engine.explain import CAUSE_DOCS, CAUSES

    opts = list(doc["options"])
    rows = [[c] for c in CAUSES]
    cells = [[_cell(doc["options"][o]["leakers_by_cause"].get(c)) for o in opts] for c in CAUSES]
    caption = "\n".join(f"{c}: {CAUSE_DOCS[c]}" for c in CAUSES)
    return fit_tables("Why threats got through: leakers by cause (the causes sum to leaked)", ["cause"], rows, opts,
                      cells, width, caption, short="Why threats got through")


def asset_table(doc: dict[str, Any], quantity: str = "hits", width: int = 100) -> list[Table]:
    """One per-asset quantity for every option (mean ± 95 % CI half-width)."""
    from ..engine.assess import ASSET_QUANTITIES

    opts = list(doc["options"])
    assets = list(doc["options"][opts[0]]["assets"])
    rows = [[a] for a in assets]
    cells = [[_cell(doc["options"][o]["assets"][a].get(quantity)) for o in opts] for a in assets]
    return fit_tables(f"By asset: {quantity.replace('_', ' ')} ({ASSET_QUANTITIES[quantity]})", ["asset"], rows, opts,
                      cells, width)


def difference_table(doc: dict[str, Any], width: int = 100) -> list[Table]:
    """Paired differences of each option against the first (same raids, same dice)."""
    opts = list(doc["options"])
    if len(opts) < 2:
        return []
    base = opts[0]
    key = f"difference_vs_{base}"
    present = [k for k in KEY_METRICS if k != "launched" and any(k in doc["options"][o].get(key, {}) for o in opts[1:])]
    rows = [[k, u] for k, u in zip(present, _units(doc, present))]
    cells = [[_cell(doc["options"][o][key].get(k), sign=True) for o in opts[1:]] for k in present]
    return fit_tables(f"Difference vs {base} (paired over replications; mean ± 95 % CI half-width)",
                      ["metric", "unit"], rows, opts[1:], cells, width, short=f"Difference vs {base}")


def escalation_table(doc: dict[str, Any], width: int = 100) -> list[Table]:
    """How far up the escalation ladder each option went (P(highest rung >= k)) and which kind
    of event set the highest rung (share of replications); rows where every option is 0 are left out."""
    from ..policy.ladder import RUNGS

    opts = [o for o in doc["options"] if "escalation" in doc["options"][o]]
    if not opts:
        return []
    esc = {o: doc["options"][o]["escalation"] for o in opts}
    rows: list[list[str]] = []
    cells: list[list[str]] = []
    for r in RUNGS[1:]:
        k = str(r.level)
        if any((esc[o]["p_rung_ge"].get(k, {}).get("mean") or 0) > 0 for o in opts):
            rows.append([f"P(rung >= {k}) {r.name}"])
            cells.append([_cell(esc[o]["p_rung_ge"].get(k)) for o in opts])
    reasons = [k for k in esc[opts[0]]["max_rung_set_by"]
               if any((esc[o]["max_rung_set_by"].get(k, {}).get("mean") or 0) > 0 for o in opts)]
    for k in reasons:
        rows.append([f"top rung set by {k}"])
        cells.append([_cell(esc[o]["max_rung_set_by"].get(k)) for o in opts])
    if not rows:
        return []
    return fit_tables("Escalation: how far up the ladder, and what set the night's highest rung "
                      "(share of replications)", ["rung / reason"], rows, opts, cells, width,
                      "Rungs and reasons: docs/escalation.md; the count of every rise by kind is in the JSON "
                      "(options.<opt>.escalation.rung_raised_by)", short="Escalation")


# --- The option-menu table and the Pareto plot ------------------------------------------------

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


def menu_table(doc: dict[str, Any], title: str = "Option menu", width: int = 100) -> list[Table]:
    """The option menu: protection, cost and escalation risk per option (mean ± 95 % CI
    half-width), one row per measure and one column per option, split to fit ``width``."""
    opts = {o: with_protection(v["metrics"]) for o, v in doc["options"].items()}
    measures = [(k, h) for k, h in MENU_COLUMNS if any(k in m for m in opts.values())]
    rows = [[h] for _, h in measures]
    cells = [[_cell(m.get(k)) for m in opts.values()] for k, _ in measures]
    return fit_tables(f"{title} (mean ± 95 % CI half-width)", ["measure"], rows, list(opts), cells, width,
                      short=title)


def pareto_plot(doc: dict[str, Any], path: str, risk: str = "max_rung", title: str = "") -> list[str]:
    """Save protection against escalation risk (marker area ~ cost) to ``path``; return the front.

    See :func:`skyshield.report.plots.option_pareto_chart` (legends for colour and size, labels
    that do not collide).
    """
    from ..report.plots import option_pareto_chart

    names = list(doc["options"])
    png, front = option_pareto_chart({o: with_protection(doc["options"][o]["metrics"]) for o in names}, risk,
                                     title or "Option menu: protection against escalation risk")
    with open(path, "wb") as fh:
        fh.write(png)
    return front
