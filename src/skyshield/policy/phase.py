r"""The escalate phase: clauses, tripwires and the adversary's responses after ``assess``.

It reads the replication's events, derives the policy event table
(:func:`skyshield.policy.events.derive_events`), then walks it in time order
(:func:`walk_ladder`):

1. every move up the ladder is recorded with its reason;
2. every allied action at rung :math:`\rho \ge 2` may draw an adversary response with
   probability :math:`1 - e^{-h}` (:mod:`skyshield.policy.escalation`), after the response
   delay, at the next adversary rung (fire on exposed allied aircraft, strikes on allied
   territory, general war);
3. every event is offered to every clause's trigger; a trigger that holds schedules its
   response ``delay`` later, executed with the clause's probability (or not honoured, which
   costs credibility); a response is itself an allied action on the ladder;
4. a tripwire hit makes the tripwire's response automatic.

Random draws: ``policy`` (clause execution, keyed by clause and firing), ``policy/ambiguity``
(the response actually chosen under strategic ambiguity), ``escalation/response``,
``escalation/loss``, ``escalation/war`` (keyed by event sequence), ``escalation/exposure`` and
``escalation/tripwire`` (in :mod:`~skyshield.policy.events`).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

import numpy as np
import pyarrow as pa

from ..rng import Streams, keyed_uniform, name_key
from .ambiguity import draw_response, perceived_cost
from .clauses import TriggerCounter
from .compile import DEFAULT_RESPONSE_RUNG, PolicyParams
from .escalation import hazard, p_response, update_credibility
from .events import PolicyEvent, derive_events
from .ladder import DIRECT_ENGAGEMENT, RUNG, RUNGS
from .spec import Clause, Trigger

__all__ = ["EscalationPhase", "LadderResult", "walk_ladder", "matches", "ESCALATION_METRIC_DOCS", "DETAIL_FIELD"]

DETAIL_FIELD = pa.field("detail", pa.string())
"""Extra event column: the reason of a policy event (why a clause fired, why the rung rose)."""

ESCALATION_METRIC_DOCS: dict[str, str] = {
    "max_rung": "highest escalation rung reached (0 aid ... 9 general war; docs/escalation.md)",
    "p_direct_engagement": "direct allied-adversary engagement (rung >= 6); its mean is the probability",
    "p_tripwire": "a tripwire unit was hit; its mean is the probability",
    "allied_losses": "allied aircraft lost plus tripwire units hit",
    "clauses_fired": "contingency clauses whose response was executed",
    "clauses_triggered": "contingency clauses whose trigger held",
    "clauses_not_honoured": "triggered clauses whose response was not executed (credibility falls)",
    "clause_credibility": "credibility of the option's clauses at the end of the night",
    "p_adversary_response": "the adversary responded to an allied action; its mean is the probability",
    "escalation_hazard_deliberate": "summed response hazard of allied deliberate actions",
    "escalation_hazard_inadvertent": "summed response hazard of allied defensive actions",
    "escalation_hazard_accidental": "accidents: allied aircraft in the defended airspace fired upon (count)",
    "adversary_perceived_cost": "adversary's perceived cost of crossing the option's clause lines (0..1)",
    "launch_capacity_reduction": "fraction of adversary launch capacity removed by executed responses",
    "aid_interceptors": "interceptors delivered by executed more-aid responses",
    "incursions": "adversary threats whose path crossed into allied territory",
}
ESCALATION_METRIC_DOCS.update({f"p_max_rung_{r.level}": f"highest rung was {r.level} ({r.name})" for r in RUNGS})


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


def _next_adversary_rung(r: int, exposed: bool) -> int:
    if r < DIRECT_ENGAGEMENT:
        return DIRECT_ENGAGEMENT if exposed else RUNG["retaliation-on-allied"]
    if r < RUNG["retaliation-on-allied"]:
        return RUNG["retaliation-on-allied"]
    return RUNG["general-war"]


def _clause_base_cost(c: Clause, pol: PolicyParams) -> float:
    """Perceived cost of one clause at credibility 1."""
    esc = pol.escalation
    if pol.ambiguity is not None:
        return perceived_cost(pol.ambiguity.responses, esc.response_cost, pol.ambiguity.aversion, c.probability)
    return perceived_cost({c.response.kind: 1.0}, esc.response_cost, 0.0, c.probability)


@dataclass(frozen=True)
class LadderResult:
    metrics: dict[str, float]
    rows: list[PolicyEvent]  # what happened, with reasons, in time order
    credibility: float


_MAX_EVENTS = 100_000


def walk_ladder(events: list[PolicyEvent], pol: PolicyParams, streams: Streams) -> LadderResult:
    """Walk the policy events in time order (see the module docstring)."""
    esc = pol.escalation
    rates = {"deliberate": esc.response_rate_deliberate, "inadvertent": esc.response_rate_inadvertent,
             "accidental": esc.response_rate_accidental}
    k_exec, k_amb = streams.key("policy"), streams.key("policy/ambiguity")
    k_resp, k_loss, k_war = streams.key("escalation/response"), streams.key("escalation/loss"), streams.key("escalation/war")
    base_cost = max((_clause_base_cost(c, pol) for c in pol.clauses), default=0.0)
    counters = [TriggerCounter(c.trigger.at_least, c.trigger.within, c.repeat) for c in pol.clauses]
    firings = [0] * len(pol.clauses)
    exposed = bool(pol.exposed_ids)

    heap = [(e.t_s, e.seq, e) for e in events]
    heapq.heapify(heap)
    seq = max((e.seq for e in events), default=-1) + 1
    rows: list[PolicyEvent] = []
    rung = 0
    cred = pol.credibility0
    m = dict(allied_losses=0.0, clauses_fired=0.0, clauses_triggered=0.0, clauses_not_honoured=0.0,
             p_adversary_response=0.0, p_tripwire=0.0, launch_capacity_reduction=0.0, aid_interceptors=0.0,
             escalation_hazard_deliberate=0.0, escalation_hazard_inadvertent=0.0, escalation_hazard_accidental=0.0,
             incursions=0.0)
    m["adversary_perceived_cost"] = base_cost * cred

    def push(**kw) -> None:
        nonlocal seq
        e = PolicyEvent(seq=seq, **kw)
        seq += 1
        heapq.heappush(heap, (e.t_s, e.seq, e))

    while heap and seq < _MAX_EVENTS:
        t, _, e = heapq.heappop(heap)
        if e.kind == "incursion":
            m["incursions"] += 1
            rows.append(e)
        if e.rung > rung:
            rung = e.rung
            rows.append(replace(e, kind="rung", detail=f"rung {rung} ({RUNGS[rung].name}): {e.detail or e.kind}"))
        if e.kind == "allied-fired-upon":
            rows.append(e)
            if keyed_uniform(k_loss, 0, e.seq)[()] < esc.p_loss_if_fired_upon:
                m["allied_losses"] += 1
                rows.append(replace(e, kind="allied-loss", detail=f"allied aircraft lost: {e.detail}"))
        elif e.kind == "tripwire":
            rows.append(e)
            m["p_tripwire"] = 1.0
            m["allied_losses"] += 1
            push(t_s=t, kind="tripwire-response", rung=pol.tripwire_rung, channel="deliberate", actor="allied",
                 detail=f"automatic response to the tripwire ({e.detail})")
        elif e.kind == "adversary-response":
            rows.append(e)
            if e.rung == RUNG["retaliation-on-allied"] and keyed_uniform(k_war, 0, e.seq)[()] < esc.p_war_given_retaliation:
                push(t_s=t + esc.response_delay, kind="adversary-response", rung=RUNG["general-war"],
                     actor="adversary", detail="retaliation on allied territory escalates to general war")
        elif e.kind == "clause-exec":
            c = pol.clauses[e.ref]
            if e.flag:
                m["clauses_fired"] += 1
                cred = update_credibility(cred, True, esc.credibility_decay, esc.credibility_recovery)
                kind = c.response.kind
                if pol.ambiguity is not None:
                    kind = draw_response(pol.ambiguity.responses, keyed_uniform(k_amb, name_key(c.id), e.seq)[()])
                r = c.response.rung if c.response.rung is not None and kind == c.response.kind else DEFAULT_RESPONSE_RUNG[kind]
                if kind in ("stand-off-strikes", "suppress-air-defences"):
                    red = m["launch_capacity_reduction"]
                    m["launch_capacity_reduction"] = 1.0 - (1.0 - red) * (1.0 - c.response.launch_capacity_reduction)
                if kind == "more-aid":
                    m["aid_interceptors"] += sum(c.response.aid_interceptors.values())
                rows.append(replace(e, kind="clause-fired", detail=f"{c.id}: {kind} ({e.detail})"))
                push(t_s=t, kind="clause-response", rung=r, channel="deliberate" if r >= 2 else "",
                     actor="allied", detail=f"clause {c.id} response {kind}")
            else:
                m["clauses_not_honoured"] += 1
                cred = update_credibility(cred, False, esc.credibility_decay, esc.credibility_recovery)
                rows.append(replace(e, kind="clause-not-honoured",
                                    detail=f"{c.id}: response {c.response.kind} not executed ({e.detail})"))

        # An allied action on the ladder may draw the adversary's response.
        if e.actor == "allied" and e.channel and e.rung >= 2:
            h = float(hazard(e.rung, rates[e.channel], esc.severity_growth, esc.deterrence, base_cost * cred))
            if e.kind == "posture":  # standing each night, not a new provocation (habituation)
                h *= esc.standing_posture_factor
            m[f"escalation_hazard_{e.channel}"] += h
            if keyed_uniform(k_resp, 0, e.seq)[()] < p_response(h):
                m["p_adversary_response"] = 1.0
                r = _next_adversary_rung(max(e.rung, rung), exposed)
                push(t_s=t + esc.response_delay, rung=r, actor="adversary",
                     kind="allied-fired-upon" if r == DIRECT_ENGAGEMENT else "adversary-response",
                     detail=f"adversary response ({e.channel} channel) to: {e.detail or e.kind}")
        elif e.actor == "adversary" and e.kind == "allied-fired-upon" and e.channel:
            m["escalation_hazard_accidental"] += 1.0  # an accident: counted, its hazard is its rate

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

    m["max_rung"] = float(rung)
    m["p_direct_engagement"] = float(rung >= DIRECT_ENGAGEMENT)
    m["clause_credibility"] = cred
    for r in RUNGS:
        m[f"p_max_rung_{r.level}"] = float(rung == r.level)
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
        evs = derive_events(params, pol, raid, seg, out.events, streams)
        res = walk_ladder(evs, pol, streams)
        ev = out.events
        if "detail" not in ev.column_names:
            ev = ev.append_column(DETAIL_FIELD, pa.nulls(ev.num_rows, pa.string()))
        pol_rows = [r for r in res.rows if r.kind != "strike:aimed"]
        events = pa.concat_tables([ev, _table(pol_rows, ev.schema)])
        return Outcome({**out.metrics, **res.metrics}, events)
