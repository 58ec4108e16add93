"""Option policy -> frozen :class:`PolicyParams` the escalation phase reads."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..geo import Zone
from .exposure import Station, distance_to_adversary_held_m
from .laydown import Laydown, active_envelopes
from .persistence import LadderState
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
    stations: tuple[Station, ...] = ()  # allied aircraft forces (fighters, AEW): exposure to adversary fire
    laydown: Laydown | None = None  # adversary SAM and fighter envelopes of the theatre (None: no exposure)
    transferred_forces: frozenset[str] = frozenset()  # force ids flown by the defended country
    allied_forces: frozenset[str] = frozenset()  # force ids of allied packages (not transferred)
    over_the_horizon: OverTheHorizon | None = None
    ambiguity: Ambiguity | None = None
    transfer: tuple[Transfer, ...] = ()
    rotation: tuple[Rotation, ...] = ()
    initial_credibility: float | None = None  # campaign: credibility carried over from last night
    ladder: LadderState = field(default_factory=LadderState)  # campaign: rung and tension carried over

    @property
    def credibility0(self) -> float:
        return self.escalation.credibility if self.initial_credibility is None else self.initial_credibility


def build_policy(sc, catalog, option, theatre) -> PolicyParams:
    """Compile the policy part of ``option`` (a ResolvedOption) for scenario ``sc``.

    Allied aircraft are *exposed* when their unit sits over the defended country (forward
    CAP, aircraft based there); every allied aircraft force (fighters, AEW; not transferred
    ones) is a :class:`~skyshield.policy.exposure.Station` with its distance to adversary-held
    territory, read against the adversary laydown of the theatre
    (:func:`~skyshield.policy.laydown.active_envelopes`); tripwire units are the units of the
    tripwire packages.
    """
    pk = set(option.packages)
    transferred = {p for t in option.transfer for p in t.packages}
    trip_pk: dict[str, Tripwire] = {}
    for tw in option.tripwires:
        for p in tw.packages:
            trip_pk.setdefault(p, tw)
    t_ids, t_ll, t_r, t_p = [], [], [], []
    exposed: list[str] = []
    st_rows: list[tuple[str, str, float, float, int, int]] = []  # id, kind, lon, lat, count, zone
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
        fighter = st is not None and st.kind == "fighter"
        aew = f.type in catalog.sensors and catalog.sensors[f.type].kind == "aew"
        if (fighter or aew) and f.side == "allied" and f.package not in transferred:
            z = int(theatre.classify(np.array([f.lonlat[0]]), np.array([f.lonlat[1]]))[0])
            if z in (int(Zone.DEFENDED), int(Zone.OCCUPIED)):
                exposed.extend([f.id] * f.count)
            st_rows.append((f.id, "fighter" if fighter else "aew", float(f.lonlat[0]), float(f.lonlat[1]), f.count, z))
    d_m = distance_to_adversary_held_m(theatre, [r[2] for r in st_rows], [r[3] for r in st_rows]) if st_rows else np.zeros(0)
    stations = tuple(Station(*row, dist_m=float(d)) for row, d in zip(st_rows, d_m))
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
        stations=stations,
        laydown=active_envelopes(theatre) if stations else None,
        transferred_forces=frozenset(xfer),
        allied_forces=frozenset(allied),
        over_the_horizon=option.over_the_horizon,
        ambiguity=option.ambiguity,
        transfer=tuple(option.transfer),
        rotation=tuple(option.rotation),
    )
