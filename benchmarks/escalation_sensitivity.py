"""Escalation sensitivity: P(direct engagement) and the highest rung per option, as each notional
escalation parameter goes to the low or high end of its range (``SENSITIVITY_RANGES``).

Run from the repository root::

    .venv/bin/python benchmarks/escalation_sensitivity.py           # the tables of docs/escalation.md
    .venv/bin/python benchmarks/escalation_sensitivity.py --quick   # small counts, a smoke test

How it is computed:

* **one night**: the engine runs each option's reference night (``eastern-flank-night-raid-v1``)
  for replications ``0 .. nights-1`` of ``--seed`` up to ``assess``; the escalate phase is then
  replayed on those battles under each parameter variant. The battle does not depend on the
  escalation parameters, so each replay gives exactly the metrics ``simulate`` would give with
  that variant (the test suite checks this for the defaults);
* **campaign**: ``--days`` reference nights strung together with the ladder state and the
  clauses' credibility carried from night to night, as ``run_campaign`` carries them; night
  ``d`` of campaign ``c`` replays captured battle ``(c + d) mod nights`` with the policy dice of
  that day (``Streams(seed, c, sample=d + 1)``). It is a campaign of reference nights, not
  ``run_campaign``'s sampled raids and magazines: it isolates how the ladder compounds.

Every variant changes one parameter of each option's own escalation parameters (its
``escalation:`` block, or the documented defaults). The last line printed is one JSON object
with every cell.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace

SCENARIO = "eastern-flank-night-raid-v1"
OPTIONS = ("none", "air-policing", "umbrella", "forward-cap", "sky-shield", "contingency-clauses", "tripwire")
CAMPAIGN_PARAMS = (
    "exposure_fire_rate_per_h", "envelope_scale", "response_rate_inadvertent", "response_rate_deliberate",
    "action_count_exponent", "p_response_step_up", "tension_gain", "tension_half_life",
)


class _Capture:
    def __call__(self, params, raid, seg, out, streams):
        self.night = (raid, seg, out)
        return out


def capture(params, seed: int, nights: int) -> list[list]:
    """Policy events of each captured night that do not depend on escalation parameters."""
    from skyshield.engine import Engine
    from skyshield.policy.events import derive_events
    from skyshield.rng import Streams

    out = []
    static_pol = replace(params.policy, stations=())
    for r in range(nights):
        cap = _Capture()
        Engine(escalate=cap).run(params, Streams(seed=seed, replication=r))
        raid, seg, o = cap.night
        out.append(derive_events(params, static_pol, raid, seg, o.events, Streams(seed=seed, replication=r))[0])
    return out


def replay(params, pol, static: list, streams, fire: list | None = None):
    """The escalate phase's metrics for one night, from its parameter-independent events
    (``fire``, if given, gets the number of times allied aircraft were fired upon from exposure,
    not by adversary responses)."""
    from skyshield.policy.events import exposure_events
    from skyshield.policy.phase import walk_ladder

    fired, expo = exposure_events(params, pol, streams, start_seq=len(static))
    if fire is not None:
        fire.append(len(fired))
    return walk_ladder(static + fired, pol, streams, expo).metrics


def variants(names=None) -> list[tuple[str, str, float | None]]:
    """(label, parameter, value) for the defaults and each parameter at its low and high end."""
    from skyshield.policy.escalation import SENSITIVITY_RANGES

    out: list[tuple[str, str, float | None]] = [("defaults", "", None)]
    for name, (lo, hi) in SENSITIVITY_RANGES.items():
        if names is None or name in names:
            out += [(f"{name} = {_fmt_value(name, lo)}", name, lo), (f"{name} = {_fmt_value(name, hi)}", name, hi)]
    return out


def _fmt_value(name: str, v: float) -> str:
    if name == "tension_half_life":
        return f"{v / 86400:g} d"
    return f"{v:g}"


def _policy(params, name: str, value: float | None):
    pol = params.policy
    if value is None:
        return pol
    return replace(pol, escalation=pol.escalation.model_copy(update={name: value}))


def _wilson(k: int, n: int) -> tuple[float, float]:
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(method="wilson")
    return float(ci.low), float(ci.high)


def night_table(params_by_option: dict, static_by_option: dict, seed: int, vs) -> dict:
    from skyshield.rng import Streams

    cells: dict = {}
    for label, name, value in vs:
        for o, params in params_by_option.items():
            pol = _policy(params, name, value)
            ms = [replay(params, pol, st, Streams(seed=seed, replication=r)) for r, st in enumerate(static_by_option[o])]
            k = int(sum(m["p_direct_engagement"] for m in ms))
            cells[(label, o)] = {"p_direct": k / len(ms), "p_direct_ci95": _wilson(k, len(ms)),
                                 "max_rung": sum(m["max_rung"] for m in ms) / len(ms),
                                 "exposure_hazard": sum(m["exposure_hazard"] for m in ms) / len(ms),
                                 "expected_adversary_actions": sum(_expected_actions(m) for m in ms) / len(ms)}
    return cells


def campaign_table(params_by_option: dict, static_by_option: dict, seed: int, vs, days: int, campaigns: int) -> dict:
    from skyshield.policy.ladder import DIRECT_ENGAGEMENT
    from skyshield.policy.persistence import LadderState
    from skyshield.rng import Streams

    cells: dict = {}
    for label, name, value in vs:
        for o, params in params_by_option.items():
            base = _policy(params, name, value)
            static = static_by_option[o]
            res = []
            for c in range(campaigns):
                state, cred, top, fired, lost, hz = LadderState(), None, 0.0, 0, 0.0, 0.0
                for d in range(days):
                    pol = replace(base, ladder=state, initial_credibility=cred)
                    fire: list[int] = []
                    m = replay(params, pol, static[(c + d) % len(static)], Streams(seed=seed, replication=c, sample=d + 1),
                               fire)
                    top = max(top, m["max_rung"])
                    fired += fire[0] > 0
                    lost += m["allied_losses"]
                    hz += m["exposure_hazard"]
                    cred = m["clause_credibility"]
                    state = state.after(m, pol.escalation)
                res.append((top, state, fired, lost, hz))
            k = sum(r[0] >= DIRECT_ENGAGEMENT for r in res)
            cells[(label, o)] = {
                "p_direct": k / campaigns, "p_direct_ci95": _wilson(k, campaigns),
                "max_rung": sum(r[0] for r in res) / campaigns,
                "nights_direct": sum(r[1].nights_direct for r in res) / campaigns,
                "adversary_actions": sum(r[1].adversary_actions for r in res) / campaigns,
                "rung_final": sum(r[1].rung for r in res) / campaigns,
                "nights_fired_upon": sum(r[2] for r in res) / campaigns,
                "allied_losses": sum(r[3] for r in res) / campaigns,
                "exposure_hazard_sum": sum(r[4] for r in res) / campaigns,
            }
    return cells


def markdown(cells: dict, vs, options, cell) -> str:
    head = "| variant | " + " | ".join(options) + " |"
    lines = [head, "|---" * (len(options) + 1) + "|"]
    for label, _, _ in vs:
        lines.append(f"| {label} | " + " | ".join(cell(cells[(label, o)]) for o in options) + " |")
    return "\n".join(lines)


def _expected_actions(m: dict) -> float:
    """Expected adversary actions drawn by allied actions and exposure: the summed hazards."""
    return (m["escalation_hazard_deliberate"] + m["escalation_hazard_inadvertent"]
            + m["escalation_hazard_accidental"] + m["exposure_hazard"])


def _night_cell(c: dict) -> str:
    return f"{c['p_direct']:.2f} / {c['max_rung']:.1f} / {c['expected_adversary_actions']:.2g}"


def _exposure_cell(c: dict) -> str:
    return f"{c['exposure_hazard']:.2g}"


def _campaign_cell(c: dict) -> str:
    return f"{c['p_direct']:.2f} / {c['max_rung']:.1f} / {c['nights_direct']:.1f}"


def _campaign_fire_cell(c: dict) -> str:
    return f"{c['nights_fired_upon']:.2f} / {c['exposure_hazard_sum']:.2g} / {c['allied_losses']:.2f}"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--options", default=",".join(OPTIONS))
    ap.add_argument("--seed", type=int, default=20250907)
    ap.add_argument("--nights", type=int, default=100, help="captured reference nights (replications)")
    ap.add_argument("--days", type=int, default=90, help="campaign length in nights (0: no campaign table)")
    ap.add_argument("--campaigns", type=int, default=20, help="campaign replications")
    ap.add_argument("--campaign-params", default=",".join(CAMPAIGN_PARAMS), help="parameters varied in the campaign table ('all': every one)")
    ap.add_argument("--quick", action="store_true", help="3 nights, a 5-night campaign x 2, two parameters")
    a = ap.parse_args(argv)
    options = [o.strip() for o in a.options.split(",") if o.strip()]
    night_params = None
    camp_params = None if a.campaign_params == "all" else tuple(a.campaign_params.split(","))
    if a.quick:
        a.nights, a.days, a.campaigns = 3, 5, 2
        night_params = camp_params = ("exposure_fire_rate_per_h", "tension_gain")

    from skyshield.catalog import load_catalog
    from skyshield.engine import compile_scenario
    from skyshield.options import resolve_option
    from skyshield.scenario import load_scenario

    t0 = time.perf_counter()
    cat = load_catalog()
    sc = load_scenario(SCENARIO, cat)
    params = {o: compile_scenario(sc, cat, resolve_option(o, sc)) for o in options}
    static = {o: capture(p, a.seed, a.nights) for o, p in params.items()}
    t_capture = time.perf_counter() - t0
    vs_night = variants(night_params)
    nights = night_table(params, static, a.seed, vs_night)
    print(f"## One reference night: P(direct engagement) / mean highest rung / expected adversary actions drawn "
          f"(summed hazards) ({a.nights} replications, seed {a.seed})\n")
    print(markdown(nights, vs_night, options, _night_cell))
    expo_vs = [v for v in vs_night if v[1] in ("", "exposure_fire_rate_per_h", "envelope_scale", "allied_airspace_factor")]
    print("\n## One reference night: expected times allied aircraft are fired upon (exposure_hazard)\n")
    print(markdown(nights, expo_vs, options, _exposure_cell))
    doc: dict = {"scenario": SCENARIO, "seed": a.seed, "nights": a.nights, "options": options,
                 "night": {f"{k[0]} | {k[1]}": v for k, v in nights.items()}}
    if a.days > 0:
        vs_camp = variants(camp_params)
        camp = campaign_table(params, static, a.seed, vs_camp, a.days, a.campaigns)
        print(f"\n## {a.days} reference nights, ladder carried: P(direct engagement on any night) / mean highest rung / "
              f"mean nights at rung >= 6 ({a.campaigns} campaigns)\n")
        print(markdown(camp, vs_camp, options, _campaign_cell))
        print(f"\n## {a.days} reference nights, ladder carried: mean nights with allied aircraft fired upon from exposure / "
              f"summed exposure_hazard / mean allied losses ({a.campaigns} campaigns)\n")
        print(markdown(camp, vs_camp, options, _campaign_fire_cell))
        doc.update(days=a.days, campaigns=a.campaigns, campaign={f"{k[0]} | {k[1]}": v for k, v in camp.items()})
    doc["capture_s"] = round(t_capture, 1)
    doc["total_s"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(doc, default=lambda x: list(x) if isinstance(x, tuple) else str(x)))
    return doc


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
