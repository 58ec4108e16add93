"""The policy language of option files: contingency clauses, tripwires, escalation, variants.

These are the pydantic models at the boundary (what a preset or a scenario's ``options:``
may say); :mod:`skyshield.policy.compile` turns them into frozen engine parameters.

A **clause** reads "if the adversary does X, allies do Y"::

    clauses:
      - id: energy-strikes-major
        tier: major
        trigger: {event: strike, asset_kinds: [energy], threat_classes: [cruise, ballistic],
                  at_least: 5, within: 24 h}
        delay: 6 h
        probability: 0.7
        response: {kind: suppress-air-defences, duration: 48 h}

The trigger holds at time ``t`` when at least ``at_least`` matching events happened in the
half-open window ``(t - within, t]``; the response is executed ``delay`` later with
probability ``probability`` (a response not executed is a clause *not honoured*, which costs
credibility). See ``docs/options.md`` for the full language.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..units import Duration, Length, PositiveLength, Real

__all__ = [
    "TRIGGER_EVENTS",
    "RESPONSE_KINDS",
    "Trigger",
    "Response",
    "Clause",
    "Tripwire",
    "Escalation",
    "Transfer",
    "StandOff",
    "Ambiguity",
    "Rotation",
    "OverTheHorizon",
]

_Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
_P = Annotated[Real, Field(ge=0.0, le=1.0)]

TRIGGER_EVENTS: tuple[str, ...] = (
    "strike",  # a threat aimed at (or reaching, or hitting) a defended asset
    "incursion",  # an adversary threat crossing into allied territory
    "debris-on-allied",  # an intercept whose debris falls on allied territory
    "allied-fired-upon",  # an allied aircraft or unit fired upon by the adversary
    "attack-on-allied",  # any adversary action against allied forces or territory (rung >= 6)
    "corridor-strike",  # a strike on an asset of kind `corridor` (evacuation / supply corridor)
    "tripwire",  # a tripwire unit hit
    "exogenous",  # an outside event (chemical or nuclear use ...) with its own probability
)
"""Event kinds a trigger may count (see :mod:`skyshield.policy.events`)."""

RESPONSE_KINDS: tuple[str, ...] = (
    "authorise-beyond-border",
    "add-assets",
    "suppress-air-defences",
    "stand-off-strikes",
    "more-aid",
)
"""What allies may do when a clause fires."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


_Rate = Annotated[Real, Field(ge=0.0, le=1e3)]
"""A hazard rate or a relative weight: finite, non-negative, bounded (field domain only)."""


class Trigger(_Frozen):
    """Which events count, how many, within which time window."""

    event: Literal[
        "strike", "incursion", "debris-on-allied", "allied-fired-upon", "attack-on-allied",
        "corridor-strike", "tripwire", "exogenous",
    ]
    asset_kinds: tuple[Literal["city", "energy", "logistics", "corridor", "military"], ...] = Field(
        (), description="strike: only threats aimed at assets of these kinds (empty: any)"
    )
    threat_classes: tuple[Literal["drone", "decoy", "cruise", "ballistic", "aircraft"], ...] = Field(
        (), description="strike / incursion: only these threat classes (empty: any)"
    )
    outcome: Literal["aimed", "leaked", "hit"] = Field(
        "aimed", description="strike: count threats when launched at the asset, when they reach "
        "it, or when they damage it"
    )
    name: str = Field("", description="exogenous: the event's name, e.g. chemical-use")
    at_least: int = Field(1, ge=1, le=100_000, strict=True, description="threshold N")
    within: Duration = Field(86400.0, gt=0.0, description="time window, e.g. '24 h'")


class Response(_Frozen):
    """What allies do when the clause fires."""

    kind: Literal["authorise-beyond-border", "add-assets", "suppress-air-defences", "stand-off-strikes", "more-aid"]
    duration: Duration = Field(86400.0, description="how long the response lasts")
    packages: tuple[_Id, ...] = Field((), description="add-assets: packages of forces switched on")
    launch_capacity_reduction: _P = Field(
        0.0, description="stand-off strikes / SEAD: fraction of the adversary's launch capacity "
        "removed (campaign level only; no target-level planning)"
    )
    aid_interceptors: dict[str, Annotated[int, Field(ge=0, le=1_000_000, strict=True)]] = Field(
        default_factory=dict, description="more-aid: interceptors delivered to the defended country's "
        "stocks, by weapon (interceptor) name as the catalog's shooters name it, e.g. {PAC-3 MSE: 20}"
    )
    rung: int | None = Field(None, ge=0, le=9, strict=True, description="escalation rung of the response (default by kind)")


class Clause(_Frozen):
    """``if trigger then response``, after ``delay``, with probability ``probability``."""

    id: _Id
    tier: Literal["minor", "major", "extreme"] | None = None
    trigger: Trigger
    delay: Duration = Field(0.0, ge=0.0, description="from the trigger to the response")
    probability: _P = Field(1.0, description="probability that the response is executed")
    repeat: bool = Field(False, description="re-arm after firing (counting starts afresh)")
    response: Response
    source: str = ""


class Tripwire(_Frozen):
    """Allied units placed so that an attack on them makes escalation automatic."""

    packages: tuple[_Id, ...] = Field(min_length=1, description="packages whose units are tripwires")
    lethal_radius: Length = Field(
        2000.0, description="metres: a warhead leaker or intercept debris this close hits the unit"
    )
    p_casualty_debris: _P = Field(0.3, description="probability that debris within the radius causes casualties")
    response_rung: int = Field(7, ge=0, le=9, strict=True, description="rung allies go to automatically when it is triggered")
    source: str = ""


class Escalation(_Frozen):
    """Adversary-response model parameters (defaults and their reasons: ``docs/escalation.md``).

    Every default is NOTIONAL (source ``notional-escalation``): no public figure exists for
    any of them; each one has a low/high range in
    :data:`skyshield.policy.escalation.SENSITIVITY_RANGES` and belongs in sensitivity sweeps.
    """

    response_rate_deliberate: Real = Field(0.05, ge=0.0, le=1e3, description="hazard that one kind of allied deliberate action (clause response, tripwire response, stand-off support) draws an adversary response, at the reference rung 4")
    response_rate_inadvertent: Real = Field(0.002, ge=0.0, le=1e3, description="the same for one kind of allied defensive action (intercepts, aircraft stationed in the defended airspace), per night")
    response_rate_accidental: Real = Field(0.01, ge=0.0, le=1e3, description="the same for one kind of allied accident (intercept debris falling on adversary territory), per night")
    severity_growth: Real = Field(2.0, ge=1.0, le=100.0, description="hazard multiplier per rung above the reference rung 4")
    action_count_exponent: Real = Field(
        0.5, ge=0.0, le=1.0, description="n actions of one kind in a night carry n ** exponent times the hazard "
        "of one (0: once per night per kind; 1: every action independent)"
    )
    p_response_step_up: _P = Field(0.1, description="probability that the adversary answers one rung above the allied action (tit-for-tat otherwise)")
    response_delay: Duration = Field(7200.0, ge=0.0, description="from an allied action to the adversary's response")
    standing_posture_factor: Real = Field(
        0.1, ge=0.0, le=1.0, description="hazard of a standing posture (data sharing, targeting support, "
        "aircraft stationed in the defended airspace) per night, relative to a new action at the same rung"
    )
    exposure_fire_rate_per_h: Real = Field(
        2.5e-4, ge=0.0, le=1e3, description="rate at which one allied aircraft unit inside a reference envelope "
        "of the adversary laydown (an S-400 class unit's, rate factor 1), over the defended country or the sea, "
        "is fired upon (per hour inside; skyshield.policy.laydown)"
    )
    envelope_scale: Real = Field(
        1.0, gt=0.0, le=10.0, description="multiplies the reach of every envelope of the adversary laydown "
        "(sensitivity: effective reaches are uncertain)"
    )
    allied_airspace_factor: _P = Field(
        0.05, description="fire-upon rate of an aircraft stationed over allied territory, relative to one over "
        "the defended country or the sea at the same distance (firing there is an attack on the alliance)"
    )
    p_loss_if_fired_upon: _P = Field(0.3, description="P(an allied aircraft is lost | fired upon by an adversary "
                                      "response at rung 6); exposure in an envelope uses the envelope's Pk")
    p_war_given_retaliation: _P = Field(0.1, description="P(general war | adversary strikes allied territory)")
    tension_gain: Real = Field(
        1.0, ge=0.0, le=1e3, description="campaigns: response hazards and fire-upon rates are multiplied by "
        "1 + tension_gain * tension, tension being the decayed count of recent adversary actions"
    )
    tension_half_life: Duration = Field(7 * 86400.0, gt=0.0, description="campaigns: half-life of tension (whole nights)")
    rung_decay_per_quiet_night: int = Field(
        1, ge=0, le=9, strict=True, description="campaigns: rungs the carried ladder comes down after a night without adversary action"
    )
    deterrence: _P = Field(0.5, description="how much a credible guarantee lowers the adversary's response hazard")
    credibility: _P = Field(1.0, description="initial credibility of the option's clauses")
    credibility_decay: _P = Field(0.3, description="fraction of credibility lost each time a clause is not honoured")
    credibility_recovery: _P = Field(0.05, description="fraction of the gap to 1 regained when a clause is honoured")
    exogenous: dict[str, _P] = Field(
        default_factory=dict, description="outside events and their probability per night, e.g. {chemical-use: 0.001}"
    )
    response_cost: dict[str, _Rate] = Field(
        default_factory=lambda: {
            "more-aid": 0.1, "add-assets": 0.3, "authorise-beyond-border": 0.5,
            "suppress-air-defences": 0.8, "stand-off-strikes": 1.0,
        },
        description="cost of each response kind to the adversary (notional, 0..1)",
    )
    source: str = "notional-escalation"


class Transfer(_Frozen):
    """Aircraft transferred to the defended country instead of deployed under allied command."""

    packages: tuple[_Id, ...] = Field(min_length=1)
    lead_time: Duration = Field(180 * 86400.0, description="training, basing and sustainment before the first sortie")
    supplier_cut_per_day: _P = Field(0.0, description="daily probability that the supplier cuts sustainment")
    source: str = ""


class StandOff(_Frozen):
    """A stand-off rule: the option's aircraft keep away from the named territory.

    Every force of the option's packages (its stations, bases and orbits) must lie farther
    than ``distance`` from ``areas``, and its shooters may intercept only where the intercept
    point is farther than ``distance`` from them (:mod:`skyshield.engage.standoff`). ``areas``
    are ``ADM0_A3`` country codes or ``occupied`` (the theatre's occupied zone).
    """

    distance: PositiveLength = Field(description="least distance from the areas (great circle)")
    areas: tuple[Annotated[str, Field(pattern=r"^([A-Z]{3}|occupied)$")], ...] = Field(
        min_length=1, description="ISO3 country codes, or 'occupied'"
    )
    source: str = ""


class Ambiguity(_Frozen):
    """Strategic ambiguity: the adversary faces a distribution over responses, not a rule.

    Each clause keeps its tier: the response it executes is drawn among the response kinds of
    its tier (:data:`skyshield.policy.ambiguity.TIER_RESPONSE_KINDS`), weighted by
    ``responses`` restricted to those kinds (evenly when ``responses`` gives none of them
    weight). A minor clause never executes an extreme response.
    """

    responses: dict[Literal["authorise-beyond-border", "add-assets", "suppress-air-defences", "stand-off-strikes", "more-aid"], _P] = Field(
        min_length=1, description="response kind -> weight (normalised within each clause's tier)"
    )
    aversion: _P = Field(0.5, description="adversary's ambiguity aversion (alpha-maxmin weight on the worst case)")

    @model_validator(mode="after")
    def _mass(self) -> "Ambiguity":
        if sum(self.responses.values()) <= 0:
            raise ValueError("ambiguity responses must have positive total probability")
        return self


class Rotation(_Frozen):
    """Rotation: the option's packages are present ``duty`` of every ``period`` (campaign level)."""

    period: Duration = Field(30 * 86400.0, gt=0.0, description="length of one rotation cycle (> 0)")
    duty: _P = 0.5
    packages: tuple[_Id, ...] = Field((), description="packages that rotate (empty: all of the option's)")


class OverTheHorizon(_Frozen):
    r"""Allied ISR for the defended country's long-range strikes, or allied stand-off strikes.

    Campaign level only (no target-level strike planning): the adversary's launch capacity is
    :math:`\kappa = c_{\text{sites}} \, c_{\text{stocks}}`, the surviving fractions of its
    launch sites and areas (launchers, airfields, launch pads) and of its stocks (storage and
    production of drones and missiles). Each day, :math:`N_k` strikes reach component
    :math:`k` (Poisson with mean :math:`\phi_k s`), each removing a fraction :math:`e_k` of
    what is left, and the adversary restores a fraction :math:`g_k` of the gap to full:

    .. math::

        c_k(d+1) = g_k + (1 - g_k) (1 - e_k)^{N_k(d)} c_k(d).

    ``mode`` sets the escalation cost: the strikes' rung on the ladder (ISR targeting support
    rung 2, allied stand-off strikes rung 7). Every default is notional
    (:data:`skyshield.campaign.capacity.OTH_SOURCES`, with its range).
    """

    mode: Literal["isr", "stand-off"] = "isr"
    strikes_per_day: float = Field(
        0.5, ge=0.0, le=1000.0, description="s: strikes a day that reach launch capacity (mean of a Poisson count)"
    )
    share_on_sites: _P = Field(0.5, description="phi: share of the strikes aimed at launch sites and areas (the rest at stocks)")
    effect_on_sites: _P = Field(0.02, description="e_sites: fraction of the remaining launch-site capacity one strike removes")
    effect_on_stocks: _P = Field(0.01, description="e_stocks: fraction of the remaining stocks one strike removes")
    regeneration_sites: _P = Field(0.05, description="g_sites: fraction of the gap to full launch-site capacity restored a day")
    regeneration_stocks: _P = Field(0.02, description="g_stocks: fraction of the gap to full stocks restored a day (production)")
    source: str = ""
