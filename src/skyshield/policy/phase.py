r"""The escalate phase: clauses, tripwires and the adversary's responses after ``assess``.

It reads the replication's events, derives the policy event table
(:func:`skyshield.policy.events.derive_events`), then walks it in time order
(:func:`walk_ladder`), starting from the rung and tension carried in (campaigns,
:mod:`skyshield.policy.persistence`; rung 0 and no tension for a single night):

1. every move up the ladder is recorded with its reason;
2. every allied action at rung :math:`\rho \ge 2` may draw an adversary response, with the
   hazard of its kind (what, where, against what) shared sub-linearly among the actions of that
   kind (:mod:`skyshield.policy.escalation`); the response comes ``response_delay`` later, at
   the action's rung or one above (:data:`~skyshield.policy.ladder.ADVERSARY_ACTIONS`): at
   rung 6 the adversary fires on allied forces (a loss with ``p_loss_if_fired_upon``; allied
   aircraft fired upon inside an envelope of the laydown are lost with that envelope's Pk,
   :mod:`skyshield.policy.exposure`);
3. an adversary action at rung 8 (a response, or a threat aimed at allied territory that
   arrived there) brings general war with ``p_war_given_retaliation``;
4. every event is offered to every clause's trigger; a trigger that holds schedules its
   response ``delay`` later, executed with the clause's probability (or not honoured, which
   costs credibility); under strategic ambiguity the response kind is drawn within the
   clause's tier (:mod:`skyshield.policy.ambiguity`); a response is itself an allied action;
5. a tripwire hit makes the tripwire's response automatic.

At the end the phase reports the rung and tension the next night would start from
(``ladder_rung_next``, ``ladder_tension_next``).

Random draws: ``policy`` (clause execution, keyed by clause and firing), ``policy/ambiguity``
(the response actually chosen under strategic ambiguity), ``escalation/response`` and
``escalation/step`` (keyed by action kind and count), ``escalation/loss``, ``escalation/war``
(keyed by event sequence), ``escalation/exposure`` and ``escalation/tripwire`` (in
:mod:`~skyshield.policy.events`).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from ..rng import Streams, keyed_uniform, name_key
from .ambiguity import clause_tier, draw_response, perceived_cost, tier_distribution
from .clauses import TriggerCounter
from .compile import DEFAULT_RESPONSE_RUNG, PolicyParams
from .escalation import count_weight, hazard, response_rung, update_credibility
from .events import EXPOSURE_METRICS, PolicyEvent, derive_events
from .ladder import ADVERSARY_ACTIONS, DIRECT_ENGAGEMENT, RUNG, RUNGS
from .persistence import next_rung, next_tension
from .spec import Clause, Trigger

__all__ = ["EscalationPhase", "LadderResult", "walk_ladder", "matches", "ESCALATION_METRIC_DOCS", "DETAIL_FIELD",
           "RISE_REASONS", "rise_reason"]

DETAIL_FIELD = pa.field("detail", pa.string())
"""Extra event column: the reason of a policy event (why a clause fired, why the rung rose)."""

ESCALATION_METRIC_DOCS: dict[str, str] = {
    "max_rung": "rung (0 aid ... 9 general war): highest rung of the night, the rung carried in included (docs/escalation.md)",
    "p_direct_engagement": "probability (0/1 per replication, mean is the probability): direct allied-adversary engagement, rung >= 6",
    "p_tripwire": "probability (0/1 per replication): a tripwire unit was hit",
    "allied_losses": "count: allied aircraft lost plus tripwire units hit",
    "allied_fired_upon": "count: times allied aircraft or units were fired upon (exposure and adversary responses)",
    "clauses_fired": "count: contingency clauses whose response was executed",
    "clauses_triggered": "count: contingency clauses whose trigger held",
    "clauses_not_honoured": "count: triggered clauses whose response was not executed (credibility falls)",
    "clause_credibility": "fraction (0..1): credibility of the option's clauses at the end of the night",
    "p_adversary_response": "probability (0/1 per replication): the adversary responded to at least one allied action",
    "adversary_responses": "count: adversary responses to allied actions",
    "adversary_actions": "count: adversary actions on the ladder (responses, fire on allied aircraft, threats arriving in allied territory, tripwire hits)",
    "strikes_on_allied": "count: adversary threats aimed at allied territory that arrived there (deliberate, rung 8)",
    "strays_on_allied": "count: adversary threats aimed at the defended country that arrived in allied territory (accidental, rung 3)",
    "allied_actions": "count: allied actions at rung >= 2 (each intercept, posture, clause or tripwire response)",
    "allied_action_kinds": "count: distinct kinds of allied action at rung >= 2 (what, where, against what)",
    "escalation_hazard_deliberate": "expected adversary responses (summed hazard) to allied deliberate actions",
    "escalation_hazard_inadvertent": "expected adversary responses (summed hazard) to allied defensive actions",
    "escalation_hazard_accidental": "expected adversary responses (summed hazard) to allied accidents (intercept debris on adversary territory)",
    "allied_aircraft_h": "h: allied aircraft-unit hours on station (a fighter unit is a pair; QRA on the ground counts none)",
    "exposure_weighted_h": "h: unit-hours inside adversary envelopes, summed over envelopes, weighted by each envelope's rate factor and the airspace factor (reference-envelope hours)",
    "exposure_hazard": "expected number of times allied aircraft are fired upon in adversary envelopes (rate x weighted hours x tension multiplier)",
    "exposure_h_in_sam_envelopes": "h: unit-hours inside adversary SAM envelopes (S-400 class), summed over envelopes",
    "exposure_h_in_fighter_envelopes": "h: unit-hours inside adversary fighter-patrol envelopes, summed over envelopes",
    "exposure_expected_losses": "expected allied aircraft lost to exposure (rate x hours inside x Pk, summed over envelopes)",
    "adversary_perceived_cost": "fraction (0..1): adversary's perceived cost of crossing the option's clause lines",
    "launch_capacity_reduction": "fraction (0..1): adversary launch capacity removed by executed responses",
    "aid_interceptors": "count: interceptors delivered by executed more-aid responses",
    "incursions": "count: adversary threats whose path crossed into allied territory",
    "ladder_rung_start": "rung: rung carried in from the previous night (0 for a single night)",
    "ladder_tension": "dimensionless: tension carried in (decayed count of recent adversary actions; 0 for a single night)",
    "ladder_rung_next": "rung: rung the next night starts at (quiet-night decay applied)",
    "ladder_tension_next": "dimensionless: tension carried into the next night",
}
ESCALATION_METRIC_DOCS.update({f"p_max_rung_{r.level}": f"probability (0/1 per replication): highest rung was {r.level} ({r.name})" for r in RUNGS})

RISE_REASONS: dict[str, str] = {
    "carried-over": "the rung carried in from the previous night (campaigns)",
    "data-sharing": "allied early-warning and track data shared with the defended country (posture, rung 1)",
    "over-the-horizon": "over-the-horizon ISR or stand-off support (posture, rung 2 or 7)",
    "allied-aircraft-over-defended": "allied aircraft stationed over the defended country (posture, rung 5)",
    "intercept-over-allied": "an allied intercept of an unmanned threat over allied soil (rung 3)",
    "intercept-over-defended": "an allied intercept of an unmanned threat over the defended country, the sea or a neutral (rung 4)",
    "intercept-over-adversary": "an allied intercept over adversary territory (rung 6)",
    "manned-aircraft-shot-down": "an allied kill of a manned adversary aircraft (rung 6)",
    "debris-on-adversary": "debris of an allied intercept falling on adversary territory (accident, rung 4)",
    "clause-response": "the executed response of a contingency clause",
    "tripwire-response": "the automatic response to a tripwire hit",
    "stray-on-allied": "an adversary threat aimed at the defended country arriving in allied territory (rung 3)",
    "strike-on-allied": "an adversary threat aimed at allied territory arriving there (rung 8)",
    "allied-aircraft-exposure": "allied aircraft fired upon on station (geometric exposure, rung 6)",
    "adversary-response": "an adversary response to an allied action (its rung or one above)",
    "general-war": "the alliance answering a strike on allied territory (rung 9)",
    "other": "any other event on the ladder",
}
"""Why the rung rose: the kind of event that moved it, in ladder order (docs/escalation.md)."""

ESCALATION_METRIC_DOCS.update({f"p_rung_ge_{r.level}": f"probability (0/1 per replication): highest rung was {r.level} "
                               f"({r.name}) or above" for r in RUNGS[1:]})
ESCALATION_METRIC_DOCS.update({f"rung_raised_by_{k.replace('-', '_')}": f"count: times the rung rose because of {d}"
                               for k, d in RISE_REASONS.items()})
ESCALATION_METRIC_DOCS.update({f"max_rung_by_{k.replace('-', '_')}": f"probability (0/1 per replication): the highest "
                               f"rung of the night was set by {d}" for k, d in RISE_REASONS.items()})


def rise_reason(e: PolicyEvent) -> str:
    """The kind (a key of :data:`RISE_REASONS`) of a policy event that raised the rung."""
    a = e.action or ""
    if e.kind == "posture":
        if a == "posture:intelligence":
            return "data-sharing"
        if a.startswith("posture:over-the-horizon"):
            return "over-the-horizon"
        if a == "posture:aircraft-over-defended":
            return "allied-aircraft-over-defended"
    if e.kind == "allied-intercept":
        if a.startswith("intercept:manned:"):
            return "manned-aircraft-shot-down"
        zone = a.rsplit(":", 1)[-1]
        return {"allied": "intercept-over-allied", "adversary": "intercept-over-adversary"}.get(zone, "intercept-over-defended")
    if e.kind == "allied-accident":
        return "debris-on-adversary"
    if e.kind == "allied-fired-upon":
        return "allied-aircraft-exposure" if e.channel == "accidental" else "adversary-response"
    if e.kind in RISE_REASONS:
        return e.kind
    return "other"


def matches(trig: Trigger, ev: PolicyEvent) -> bool:
    """Whether policy event ``ev`` counts toward trigger ``trig``."""
    e = trig.event
    if e == "strike":
        return (ev.kind == f"strike:{trig.outcome}"
                and (not trig.asset_kinds or ev.asset_kind in trig.asset_kinds)
                and (not trig.threat_classes or ev.threat_class in trig.threat_classes))
    if e == "incursion":
        return ev.kind == "incursion" and (not trig.threat_classes or ev.threat_class in trig.threat_classes)
    if e == "attack-on-allied":
        return ev.kind == "tripwire" or (ev.actor == "adversary" and ev.rung >= DIRECT_ENGAGEMENT)
    if e == "exogenous":
        return ev.kind == f"exogenous:{trig.name}"
    return ev.kind == e


def _response_dist(c: Clause, pol: PolicyParams) -> dict[str, float]:
    """The response kinds a clause may execute, with their probabilities."""
    if pol.ambiguity is None:
        return {c.response.kind: 1.0}
    return tier_distribution(clause_tier(c.tier, c.response.kind), c.response.kind, pol.ambiguity.responses)


def _clause_base_cost(c: Clause, pol: PolicyParams) -> float:
    """Perceived cost of one clause at credibility 1."""
    esc = pol.escalation
    aversion = pol.ambiguity.aversion if pol.ambiguity is not None else 0.0
    return perceived_cost(_response_dist(c, pol), esc.response_cost, aversion, c.probability)


@dataclass(frozen=True)
class LadderResult:
    metrics: dict[str, float]
    rows: list[PolicyEvent]  # what happened, with reasons, in time order
    credibility: float


_MAX_EVENTS = 100_000


class _Draws:
    """``keyed_uniform(key, stream, n)``, drawn in blocks per stream (the same numbers, fewer calls)."""

    def __init__(self, key: int) -> None:
        self.key = key
        self.blocks: dict[int, np.ndarray] = {}

    def __call__(self, stream: int, n: int) -> float:
        b = self.blocks.get(stream)
        if b is None or n >= b.size:
            b = self.blocks[stream] = keyed_uniform(self.key, stream, np.arange(max(64, 2 * (n + 1))))
        return float(b[n])


_ADVERSARY_KINDS = ("allied-fired-upon", "adversary-response", "strike-on-allied", "stray-on-allied", "tripwire")


def walk_ladder(
    events: list[PolicyEvent], pol: PolicyParams, streams: Streams, exposure: dict[str, float] | None = None
) -> LadderResult:
    """Walk the policy events in time order (see the module docstring)."""
    esc = pol.escalation
    rates = {"deliberate": esc.response_rate_deliberate, "inadvertent": esc.response_rate_inadvertent,
             "accidental": esc.response_rate_accidental}
    k_exec, k_amb = streams.key("policy"), streams.key("policy/ambiguity")
    u_resp, u_step = _Draws(streams.key("escalation/response")), _Draws(streams.key("escalation/step"))
    k_loss, k_war = streams.key("escalation/loss"), streams.key("escalation/war")
    base_cost = max((_clause_base_cost(c, pol) for c in pol.clauses), default=0.0)
    counters = [TriggerCounter(c.trigger.at_least, c.trigger.within, c.repeat) for c in pol.clauses]
    firings = [0] * len(pol.clauses)
    carried = pol.ladder
    mult = carried.multiplier(esc.tension_gain)
    n_action: dict[str, int] = {}
    h_one: dict[tuple[int, str, float], float] = {}  # hazard of one action by (rung, channel, credibility)

    heap = [(e.t_s, e.seq, e) for e in events]
    heapq.heapify(heap)
    seq = max((e.seq for e in events), default=-1) + 1
    rows: list[PolicyEvent] = []
    rung = int(carried.rung)
    cred = pol.credibility0
    m = dict(allied_losses=0.0, allied_fired_upon=0.0, clauses_fired=0.0, clauses_triggered=0.0,
             clauses_not_honoured=0.0, p_adversary_response=0.0, adversary_responses=0.0, adversary_actions=0.0,
             strikes_on_allied=0.0, strays_on_allied=0.0, allied_actions=0.0, p_tripwire=0.0,
             launch_capacity_reduction=0.0, aid_interceptors=0.0, escalation_hazard_deliberate=0.0,
             escalation_hazard_inadvertent=0.0, escalation_hazard_accidental=0.0, incursions=0.0)
    m.update(dict.fromkeys(EXPOSURE_METRICS, 0.0) | (exposure or {}))
    m["adversary_perceived_cost"] = base_cost * cred
    m["ladder_rung_start"] = float(carried.rung)
    m["ladder_tension"] = float(carried.tension)

    raised = dict.fromkeys(RISE_REASONS, 0)
    top = "carried-over" if rung > 0 else ""  # what set the rung the night is at
    if rung > 0:
        rows.append(PolicyEvent(t_s=0.0, seq=seq, kind="rung", rung=rung,
                                detail=f"rung {rung} ({RUNGS[rung].name}) carried from the previous night "
                                f"(tension {carried.tension:.2f})"))
        seq += 1

    def push(**kw) -> None:
        nonlocal seq
        e = PolicyEvent(seq=seq, **kw)
        seq += 1
        heapq.heappush(heap, (e.t_s, e.seq, e))

    def war_step(e: PolicyEvent, t: float) -> None:
        if keyed_uniform(k_war, 0, e.seq)[()] < esc.p_war_given_retaliation:
            push(t_s=t + esc.response_delay, kind="general-war", rung=RUNG["general-war"],
                 detail=f"the alliance answers an adversary strike on allied territory: general war ({e.detail})")

    while heap and seq < _MAX_EVENTS:
        t, _, e = heapq.heappop(heap)
        if e.kind == "incursion":
            m["incursions"] += 1
            rows.append(e)
        if e.rung > rung:
            rung = e.rung
            top = rise_reason(e)
            raised[top] += 1
            rows.append(replace(e, kind="rung", detail=f"rung {rung} ({RUNGS[rung].name}) [{top}]: {e.detail or e.kind}"))
        if e.actor == "adversary" and e.kind in _ADVERSARY_KINDS:
            m["adversary_actions"] += 1
        if e.kind == "allied-fired-upon":
            rows.append(e)
            m["allied_fired_upon"] += 1
            p_loss = e.p_loss if e.p_loss >= 0.0 else esc.p_loss_if_fired_upon
            if keyed_uniform(k_loss, 0, e.seq)[()] < p_loss:
                m["allied_losses"] += 1
                rows.append(replace(e, kind="allied-loss", detail=f"allied aircraft lost: {e.detail}"))
        elif e.kind in ("strike-on-allied", "stray-on-allied"):
            rows.append(e)
            m["strikes_on_allied" if e.kind == "strike-on-allied" else "strays_on_allied"] += 1
            if e.rung >= RUNG["retaliation-on-allied"]:
                war_step(e, t)
        elif e.kind == "tripwire":
            rows.append(e)
            m["p_tripwire"] = 1.0
            m["allied_losses"] += 1
            push(t_s=t, kind="tripwire-response", rung=pol.tripwire_rung, channel="deliberate", actor="allied",
                 action="tripwire-response", detail=f"automatic response to the tripwire ({e.detail})")
        elif e.kind in ("adversary-response", "general-war"):
            rows.append(e)
            if e.kind == "adversary-response" and e.rung >= RUNG["retaliation-on-allied"]:
                war_step(e, t)
        elif e.kind == "clause-exec":
            c = pol.clauses[e.ref]
            if e.flag:
                m["clauses_fired"] += 1
                cred = update_credibility(cred, True, esc.credibility_decay, esc.credibility_recovery)
                kind = c.response.kind
                if pol.ambiguity is not None:
                    kind = draw_response(_response_dist(c, pol), keyed_uniform(k_amb, name_key(c.id), e.seq)[()])
                r = c.response.rung if c.response.rung is not None and kind == c.response.kind else DEFAULT_RESPONSE_RUNG[kind]
                if kind in ("stand-off-strikes", "suppress-air-defences"):
                    red = m["launch_capacity_reduction"]
                    m["launch_capacity_reduction"] = 1.0 - (1.0 - red) * (1.0 - c.response.launch_capacity_reduction)
                if kind == "more-aid":
                    m["aid_interceptors"] += sum(c.response.aid_interceptors.values())
                rows.append(replace(e, kind="clause-fired", detail=f"{c.id}: {kind} ({e.detail})"))
                push(t_s=t, kind="clause-response", rung=r, channel="deliberate" if r >= 2 else "",
                     actor="allied", action=f"clause:{c.id}", detail=f"clause {c.id} response {kind}")
            else:
                m["clauses_not_honoured"] += 1
                cred = update_credibility(cred, False, esc.credibility_decay, esc.credibility_recovery)
                rows.append(replace(e, kind="clause-not-honoured",
                                    detail=f"{c.id}: response {c.response.kind} not executed ({e.detail})"))

        # An allied action on the ladder may draw the adversary's proportional response.
        if e.actor == "allied" and e.channel and e.rung >= 2:
            a = e.action or e.kind
            n = n_action[a] = n_action.get(a, 0) + 1
            m["allied_actions"] += 1
            hk = (e.rung, e.channel, cred)
            if hk not in h_one:
                h_one[hk] = float(hazard(e.rung, rates[e.channel], esc.severity_growth, esc.deterrence, base_cost * cred))
            h = h_one[hk] * mult * count_weight(n, esc.action_count_exponent)
            if e.kind == "posture":  # standing each night, not a new provocation (habituation)
                h *= esc.standing_posture_factor
            m[f"escalation_hazard_{e.channel}"] += h
            if u_resp(name_key(a), n) < -math.expm1(-h):  # p_response(h), without numpy per event
                m["p_adversary_response"] = 1.0
                m["adversary_responses"] += 1
                r = response_rung(e.rung, u_step(name_key(a), n), esc.p_response_step_up)
                push(t_s=t + esc.response_delay, rung=r, actor="adversary", channel="deliberate",
                     kind="allied-fired-upon" if r == DIRECT_ENGAGEMENT else "adversary-response",
                     detail=f"adversary response at rung {r} ({ADVERSARY_ACTIONS[r]}) to: {e.detail or e.kind}")

        # Clause triggers.
        for ci, c in enumerate(pol.clauses):
            if matches(c.trigger, e) and counters[ci].add(t):
                k = firings[ci]
                firings[ci] += 1
                m["clauses_triggered"] += 1
                why = f"trigger {c.trigger.event} x{c.trigger.at_least} within {c.trigger.within / 3600:g} h held at t={t / 3600:.2f} h"
                rows.append(replace(e, kind="clause-triggered", detail=f"{c.id}: {why}"))
                ok = bool(keyed_uniform(k_exec, name_key(c.id), k)[()] < c.probability)
                push(t_s=t + c.delay, kind="clause-exec", ref=ci, flag=ok, detail=why)

    m["allied_action_kinds"] = float(len(n_action))
    m["max_rung"] = float(rung)
    m["p_direct_engagement"] = float(rung >= DIRECT_ENGAGEMENT)
    m["clause_credibility"] = cred
    m["ladder_rung_next"] = float(next_rung(rung, m["adversary_actions"], esc.rung_decay_per_quiet_night))
    m["ladder_tension_next"] = next_tension(carried.tension, m["adversary_actions"], esc.tension_half_life)
    for r in RUNGS:
        m[f"p_max_rung_{r.level}"] = float(rung == r.level)
        if r.level:
            m[f"p_rung_ge_{r.level}"] = float(rung >= r.level)
    for k, n in raised.items():
        key = k.replace("-", "_")
        m[f"rung_raised_by_{key}"] = float(n)
        m[f"max_rung_by_{key}"] = float(k == top)
    rows.sort()
    return LadderResult(m, rows, cred)


def _table(rows: list[PolicyEvent], schema: pa.Schema) -> pa.Table:
    n = len(rows)
    cols = {
        "t_s": pa.array([r.t_s for r in rows], pa.float64()),
        "kind": pa.array([r.kind for r in rows], pa.string()),
        "threat": pa.array([r.threat if r.threat >= 0 else None for r in rows], pa.int32()),
        "lon_deg": pa.array([None if np.isnan(r.lon_deg) else r.lon_deg for r in rows], pa.float64()),
        "lat_deg": pa.array([None if np.isnan(r.lat_deg) else r.lat_deg for r in rows], pa.float64()),
        "detail": pa.array([r.detail for r in rows], pa.string()),
    }
    full = schema.append(DETAIL_FIELD) if "detail" not in schema.names else schema
    return pa.table({f.name: cols.get(f.name, pa.nulls(n, f.type)) for f in full}, schema=full)


class EscalationPhase:
    """Injected into :class:`skyshield.engine.core.Engine` as its ``escalate`` phase."""

    def __call__(self, params, raid, seg, out, streams: Streams):
        from ..engine.assess import Outcome

        pol = getattr(params, "policy", None) or PolicyParams(sharing_level=params.sharing_level)
        evs, exposure = derive_events(params, pol, raid, seg, out.events, streams)
        res = walk_ladder(evs, pol, streams, exposure)
        ev = out.events
        if "detail" not in ev.column_names:
            ev = ev.append_column(DETAIL_FIELD, pa.nulls(ev.num_rows, pa.string()))
        pol_rows = [r for r in res.rows if r.kind != "strike:aimed"]
        events = pa.concat_tables([ev, _table(pol_rows, ev.schema)])
        return Outcome({**out.metrics, **res.metrics}, events)
