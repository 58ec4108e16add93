"""Option policy -> frozen :class:`PolicyParams` the escalation phase reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..geo import Zone
from .spec import Ambiguity, Clause, Escalation, OverTheHorizon, Rotation, Transfer, Tripwire

__all__ = ["PolicyParams", "build_policy", "DEFAULT_RESPONSE_RUNG"]

DEFAULT_RESPONSE_RUNG: dict[str, int] = {
    "more-aid": 0,
    "add-assets": 3,
    "authorise-beyond-border": 4,
    "suppress-air-defences": 7,
    "stand-off-strikes": 7,
}
"""Rung (:data:`skyshield.policy.ladder.RUNGS`) a response reaches unless the clause says."""


@dataclass(frozen=True)
class PolicyParams:
    """What the escalation phase needs of an option, compiled once per (scenario, option)."""

    clauses: tuple[Clause, ...] = ()
    escalation: Escalation = field(default_factory=Escalation)
    sharing_level: int = 0
    tripwire_ids: tuple[str, ...] = ()  # (T,) unit ids
    tripwire_lonlat: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))  # (T, 2)
    tripwire_radius_m: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (T,)
    tripwire_p_debris: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (T,)
    tripwire_rung: int = 7
    exposed_ids: tuple[str, ...] = ()  # allied aircraft units inside the defended airspace
    transferred_forces: frozenset[str] = frozenset()  # force ids flown by the defended country
    allied_forces: frozenset[str] = frozenset()  # force ids of allied packages (not transferred)
    over_the_horizon: OverTheHorizon | None = None
    ambiguity: Ambiguity | None = None
    transfer: tuple[Transfer, ...] = ()
    rotation: tuple[Rotation, ...] = ()
    initial_credibility: float | None = None  # campaign: credibility carried over from last night

    @property
    def credibility0(self) -> float:
        return self.escalation.credibility if self.initial_credibility is None else self.initial_credibility


def build_policy(sc, catalog, option, theatre) -> PolicyParams:
    """Compile the policy part of ``option`` (a ResolvedOption) for scenario ``sc``.

    Allied aircraft are *exposed* when their unit sits over the defended country (forward
    CAP, aircraft based there); tripwire units are the units of the tripwire packages.
    """
    pk = set(option.packages)
    transferred = {p for t in option.transfer for p in t.packages}
    trip_pk: dict[str, Tripwire] = {}
    for tw in option.tripwires:
        for p in tw.packages:
            trip_pk.setdefault(p, tw)
    t_ids, t_ll, t_r, t_p = [], [], [], []
    exposed: list[str] = []
    allied: set[str] = set()
    xfer: set[str] = set()
    for f in sc.forces:
        if f.package == "own" or f.package not in pk:
            continue
        if f.package in transferred:
            xfer.add(f.id)
        elif f.side == "allied":
            allied.add(f.id)
        if f.package in trip_pk:
            tw = trip_pk[f.package]
            t_ids.append(f.id)
            t_ll.append(f.lonlat)
            t_r.append(float(tw.lethal_radius))
            t_p.append(tw.p_casualty_debris)
        st = catalog.shooters.get(f.type)
        is_aircraft = (st is not None and st.kind == "fighter") or (
            f.type in catalog.sensors and catalog.sensors[f.type].kind == "aew")
        if is_aircraft and f.side == "allied" and f.package not in transferred:
            z = int(theatre.classify(np.array([f.lonlat[0]]), np.array([f.lonlat[1]]))[0])
            if z in (int(Zone.DEFENDED), int(Zone.OCCUPIED)):
                exposed.extend([f.id] * f.count)
    return PolicyParams(
        clauses=tuple(option.clauses),
        escalation=option.escalation or Escalation(),
        sharing_level=option.sharing_level,
        tripwire_ids=tuple(t_ids),
        tripwire_lonlat=np.array(t_ll, dtype=float).reshape(-1, 2),
        tripwire_radius_m=np.array(t_r, dtype=float),
        tripwire_p_debris=np.array(t_p, dtype=float),
        tripwire_rung=max((tw.response_rung for tw in option.tripwires), default=7),
        exposed_ids=tuple(exposed),
        transferred_forces=frozenset(xfer),
        allied_forces=frozenset(allied),
        over_the_horizon=option.over_the_horizon,
        ambiguity=option.ambiguity,
        transfer=tuple(option.transfer),
        rotation=tuple(option.rotation),
    )
