"""The escalation ladder: rungs from aid only to general war.

The rungs adapt Herman Kahn's 44-rung ladder (*On Escalation: Metaphors and Scenarios*,
1965) to an air-defence guarantee, following the thresholds that the public debate on
guarantees for Ukraine names (intelligence sharing, intercepts over allied soil, intercepts
over Ukraine, allied aircraft over Ukraine, allied-Russian combat, strikes on Russian
territory). Movement up the ladder happens through RAND's three channels (Morgan et al.,
*Dangerous Thresholds: Managing Escalation in the 21st Century*, RAND MG-614, 2008):
**deliberate** (a party escalates on purpose), **inadvertent** (an action meant as
non-escalatory is read as escalatory) and **accidental** (an error or a stray weapon).
Tripwires follow Schelling (*Arms and Influence*, 1966: "the threat that leaves something to
chance") and Reiter & Poast, "The Truth About Tripwires" (*Texas National Security Review*
4(3), 2021).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Rung", "RUNGS", "RUNG", "DIRECT_ENGAGEMENT", "ADVERSARY_RUNGS", "ADVERSARY_ACTIONS",
    "INTERCEPT_RUNG_BY_ZONE", "LADDER_SOURCES",
]


@dataclass(frozen=True)
class Rung:
    level: int
    name: str
    description: str
    kahn: str  # nearest rung(s) of Kahn's ladder


RUNGS: tuple[Rung, ...] = (
    Rung(0, "aid", "material aid only; no allied forces act", "1-3 (subcrisis manoeuvring)"),
    Rung(1, "intelligence", "allied early warning and track data reach the defended country", "4-6 (hardening of positions)"),
    Rung(2, "targeting-support", "allied ISR feeds the defended country's strikes on adversary territory", "7-9 (dramatic military confrontations)"),
    Rung(3, "intercepts-over-allied", "allied forces intercept threats over allied soil; adversary weapons stray onto it", "10 (provocative breaking off of diplomatic relations) / defensive acts"),
    Rung(4, "intercepts-over-defended", "allied forces intercept threats over the defended country", "11 (super-ready status) / 12 (large conventional war)"),
    Rung(5, "allied-aircraft-over-defended", "allied aircraft operate in the defended country's airspace", "12 (large conventional war, limited)"),
    Rung(6, "direct-engagement", "allied and adversary forces fire on each other", "13-14 (large compound escalation)"),
    Rung(7, "strikes-on-adversary", "allied strikes or SEAD on adversary territory", "15-17 (exemplary attacks)"),
    Rung(8, "retaliation-on-allied", "the adversary strikes allied territory deliberately", "18-20 (bizarre crisis)"),
    Rung(9, "general-war", "direct war between the alliance and the adversary", "21+ (central war)"),
)
"""The ladder, bottom to top."""

RUNG: dict[str, int] = {r.name: r.level for r in RUNGS}
DIRECT_ENGAGEMENT = RUNG["direct-engagement"]
"""Rungs at or above this one mean direct allied-adversary engagement."""
ADVERSARY_RUNGS = (RUNG["direct-engagement"], RUNG["retaliation-on-allied"], RUNG["general-war"])
"""Rungs that only an adversary action (or general war) reaches."""

ADVERSARY_ACTIONS: dict[int, str] = {
    2: "warnings and hybrid pressure on the allies (cyber attacks, GNSS jamming over allied airspace)",
    3: "probes of allied airspace (drones or aircraft sent across the border)",
    4: "demonstrative strikes near what allied forces defend in the defended country",
    5: "adversary fighters and air defences track, illuminate or shadow allied aircraft without firing",
    6: "adversary forces fire on allied aircraft or units",
    7: "adversary strikes on allied forces or bases outside allied territory",
    8: "adversary strikes on allied territory",
    9: "general war",
}
"""What a proportional adversary response at each rung is (the response to an allied action at
rung r is at r, or r + 1; :func:`skyshield.policy.escalation.response_rung`)."""

INTERCEPT_RUNG_BY_ZONE: dict[str, int] = {
    "allied": RUNG["intercepts-over-allied"],
    "defended": RUNG["intercepts-over-defended"],
    "occupied": RUNG["intercepts-over-defended"],  # the defended country's own territory
    "sea": RUNG["intercepts-over-defended"],
    "neutral": RUNG["intercepts-over-defended"],
    "other": RUNG["intercepts-over-defended"],
    "host": RUNG["intercepts-over-allied"],  # over a third country, with its permission: as over allied soil
    "disputed": RUNG["intercepts-over-defended"],  # over land whose control the scenario leaves open
    "adversary": RUNG["direct-engagement"],  # firing into the adversary's own airspace
}
"""Rung of an allied intercept of an *unmanned* threat, by the zone of the intercept point.
An allied kill of a manned adversary aircraft is direct engagement wherever it happens. The
policy event of an intercept names the territory (country code or disputed area) as well."""

LADDER_SOURCES: dict[str, str] = {
    "kahn-1965": "Herman Kahn, On Escalation: Metaphors and Scenarios (Praeger, 1965): the 44-rung ladder",
    "rand-mg614": "Forrest E. Morgan et al., Dangerous Thresholds: Managing Escalation in the 21st Century, RAND MG-614-AF (2008): deliberate, inadvertent and accidental escalation",
    "schelling-1966": "Thomas C. Schelling, Arms and Influence (Yale, 1966): tripwires and the threat that leaves something to chance",
    "reiter-poast-2021": "Dan Reiter and Paul Poast, 'The Truth About Tripwires: Why Small Force Deployments Do Not Deter Aggression', Texas National Security Review 4(3), 2021",
    "press-2005": "Daryl G. Press, Calculating Credibility (Cornell, 2005): credibility and past behaviour",
    "notional-escalation": "Notional adversary-response rates, reach and persistence: no public figure exists; orders of magnitude and reasons in docs/escalation.md; each is varied over a low/high range in its sensitivity table",
    "sky-shield-2025": "'Sky Shield' proposal for western Ukraine (2025): allied fighters judged at low risk more than 200 km from Russian territory (../shared/data/cases/README.md, section 2.6)",
}
