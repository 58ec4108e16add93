"""One replication with positions over time: the common input of every export format.

A :class:`Trace` is what the engine did in one replication of one option (the same events,
bit for bit, as ``compare(..., events=True)`` keeps for that replication), plus where every
object was: threat tracks sampled along their great-circle segments, shooter and sensor sites,
and every salvo as a flight from its shooter to the point where it met (or missed) its threat.

The engine's phases are not changed: :func:`trace` runs :func:`skyshield.engine.simulate` with
the sense and battle phases wrapped in taps that keep what they were given and what they
returned (the raid, its segments, the engagements), so what is exported is what was simulated.

Two things are drawn, not simulated, and say so in every format: an interceptor's flight is a
great circle from its shooter's site to the intercept point, flown at constant speed between
firing and intercept (the engine models fly-out as a time, not a path), and a fighter's
missile starts from its station at :data:`FIGHTER_ALT_M`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from ..catalog import THREAT_CLASSES
from ..engine import EngineParams, engine_for, simulate
from ..engine.params import ALLIED, SHOOTER_KINDS
from ..engine.trajectory import Segments, positions_at
from ..geo import unit_to_lonlat

__all__ = [
    "DEFAULT_START",
    "DEFAULT_STEP_S",
    "FATES",
    "FIGHTER_ALT_M",
    "Shots",
    "Sites",
    "Trace",
    "Tracks",
    "trace_params",
]

F = NDArray[np.float64]
I = NDArray[np.int64]

FATES = ("destroyed", "suppressed", "failed", "leaked", "in-flight")
"""How each threat ended (exactly one per threat, as in :mod:`skyshield.engine.assess`)."""

FIGHTER_ALT_M = 8000.0
"""notional-fighter-altitude: the altitude a fighter's missile is drawn from (its station's
altitude is not modelled; display only, no number depends on it)."""

DEFAULT_START = "2000-01-01T00:00:00Z"
"""notional-start: the UTC moment the exports put at the scenario's time zero when none is
given (scenarios count seconds from their start and carry no date)."""

MIN_GAP_S = 1.5e-3
"""Least time between two samples of a track (closer ones are dropped)."""

DEFAULT_STEP_S = 60.0
"""Seconds between track samples (segment ends are always samples)."""


@dataclass(frozen=True)
class Tracks:
    """Threat tracks, one row per threat, and their samples flattened in (threat, time) order."""

    type_name: tuple[str, ...]  # (N,) catalog threat type
    cls_name: tuple[str, ...]  # (N,) threat class (drone, decoy, cruise, ballistic, aircraft)
    fate: tuple[str, ...]  # (N,) one of FATES
    target: tuple[str, ...]  # (N,) asset id of its aim area
    t_start_s: F  # (N,) launch
    t_end_s: F  # (N,) kill, soft kill, failure, arrival or the end of the scenario
    offsets: I  # (N + 1,) samples of threat i are rows offsets[i]:offsets[i + 1]
    t_s: F  # (P,) sample times, strictly increasing within a threat
    lon_deg: F  # (P,)
    lat_deg: F  # (P,)
    alt_m: F  # (P,) altitude above the surface

    @property
    def size(self) -> int:
        return len(self.type_name)

    def samples(self, i: int) -> tuple[F, F, F, F]:
        """``(t_s, lon_deg, lat_deg, alt_m)`` of threat ``i``."""
        s = slice(int(self.offsets[i]), int(self.offsets[i + 1]))
        return self.t_s[s], self.lon_deg[s], self.lat_deg[s], self.alt_m[s]


@dataclass(frozen=True)
class Sites:
    """Fixed sites (shooters or sensors)."""

    ids: tuple[str, ...]  # (J,)
    type_name: tuple[str, ...]  # (J,) catalog type (or sensor kind)
    kind: tuple[str, ...]  # (J,) sam, gun, ship, fighter; or the sensor's kind
    allied: NDArray[np.bool_]  # (J,) an allied unit (else the defended country's own)
    lon_deg: F  # (J,)
    lat_deg: F  # (J,)
    alt_m: F  # (J,)


@dataclass(frozen=True)
class Shots:
    """Every salvo fired, in firing order (the engine's engagements)."""

    shooter: I  # (E,) row of Trace.shooters
    threat: I  # (E,)
    weapon: tuple[str, ...]  # (E,) interceptor id ("" if the shooter has none named)
    n_interceptors: I  # (E,)
    t_fire_s: F  # (E,)
    t_intercept_s: F  # (E,)
    killed: NDArray[np.bool_]  # (E,)
    wasted: NDArray[np.bool_]  # (E,) its threat was already gone
    lon_deg: F  # (E,) where it met the threat's path
    lat_deg: F  # (E,)
    alt_m: F  # (E,)

    @property
    def size(self) -> int:
        return int(self.shooter.size)


@dataclass(frozen=True)
class Trace:
    """One replication of one option, with positions over time (seconds after the start)."""

    scenario_id: str
    scenario_hash: str
    option: str
    seed: int
    replication: int
    fidelity: str
    duration_s: float
    start: datetime  # UTC moment of time zero (notional unless given)
    events: pa.Table  # EVENT_SCHEMA rows, as compare(..., events=True) keeps them
    metrics: dict[str, float]
    threats: Tracks
    shooters: Sites
    sensors: Sites
    shots: Shots
    assets: Sites
    event_pos: F  # (len(events), 3) lon_deg, lat_deg, alt_m of the event's threat at the event's time (NaN: no threat)

    def counts(self) -> dict[str, int]:
        """Threats by fate, salvoes and kills: what every format must carry."""
        out = {f: int(sum(x == f for x in self.threats.fate)) for f in FATES}
        out["threats"] = self.threats.size
        out["shots"] = self.shots.size
        return out

    def provenance(self) -> dict[str, Any]:
        from .. import __version__

        return {"scenario": self.scenario_id, "scenario_hash": self.scenario_hash, "option": self.option,
                "seed": self.seed, "replication": self.replication, "fidelity": self.fidelity,
                "skyshield": __version__, "start": iso(self.start)}


def iso(t: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (with fractional seconds only when there are any)."""
    t = t.astimezone(UTC)
    s = t.strftime("%Y-%m-%dT%H:%M:%S")
    if t.microsecond:
        s += f".{t.microsecond:06d}".rstrip("0")
    return s + "Z"


def parse_start(text: str) -> datetime:
    """A UTC moment from ISO 8601 text (``Z`` or an offset; a naive time is taken as UTC)."""
    t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


class _Tap:
    """A phase wrapped to keep what it saw and returned (the last call: the night flown)."""

    def __init__(self, phase: Any, box: dict[str, Any], name: str):
        self.phase, self.box, self.name = phase, box, name

    def __call__(self, params: EngineParams, raid: Any, x: Any, streams: Any) -> Any:
        out = self.phase(params, raid, x, streams)
        self.box[self.name] = (params, raid, x, out)
        return out


def trace_params(params: EngineParams, seed: int, replication: int, *, fidelity: str = "statistical",
                 start: datetime | str = DEFAULT_START, step_s: float = DEFAULT_STEP_S,
                 meta: dict[str, Any] | None = None) -> Trace:
    """Simulate replication ``replication`` of compiled ``params`` (sample 0, seed ``seed``)
    and keep the positions.

    Parameters
    ----------
    params
        Compiled parameters of one option.
    seed, replication
        As in :func:`skyshield.compare`: the same pair gives the same raid and dice.
    fidelity
        Engine fidelity.
    start
        UTC moment of the scenario's time zero.
    step_s
        Seconds between track samples (segment ends are always samples).
    meta
        Scenario id and hash to record (default: those in ``params``).
    """
    if not step_s > 0:
        raise ValueError(f"step_s must be positive, got {step_s!r}")
    start_t = parse_start(start) if isinstance(start, str) else start
    box: dict[str, Any] = {}
    base = engine_for(fidelity)
    eng = replace(base, sense=cast(Any, _Tap(base.sense, box, "sense")),
                  battle=cast(Any, _Tap(base.battle, box, "battle")))
    out = simulate(params, seed, replication, engine=eng)
    _, raid, seg, _pic = box["sense"]
    p, _, _opp, e = box["battle"]
    events = out.events
    tt = p.threat_types
    n = raid.size

    # Fate and end of each threat, read from the events (what the counts are made of).
    kinds = np.asarray(events.column("kind").to_pylist(), dtype=object)
    thr = np.asarray(events.column("threat").fill_null(-1).to_numpy(), np.int64)  # -1: not a threat's (escalation)
    t_ev = np.asarray(events.column("t_s").to_numpy(), float)
    end = np.minimum(np.where(np.isfinite(seg.arrival_s), seg.arrival_s, p.duration_s), p.duration_s)
    fate = np.full(n, "in-flight", dtype=object)
    fate[raid.failed] = "failed"
    for k, name in (("leak", "leaked"), ("suppress", "suppressed"), ("kill", "destroyed")):
        sel = kinds == k
        fate[thr[sel]] = name
        if k in ("kill", "suppress"):
            np.minimum.at(end, thr[sel], t_ev[sel])
    tracks = _tracks(seg, raid, end, step_s, tt, p, fate)

    sh = p.shooters
    kind = tuple(SHOOTER_KINDS[k] for k in sh.kind)
    alt = np.where(np.array([k == "fighter" for k in kind], bool), FIGHTER_ALT_M, 0.0)
    shooters = Sites(tuple(sh.ids), tuple(sh.type_names), kind, sh.side == ALLIED,
                     np.asarray(sh.lonlat[:, 0], float), np.asarray(sh.lonlat[:, 1], float), alt)
    sensors = _sensor_sites(p)
    a = p.assets
    assets = Sites(tuple(a.ids), tuple(a.kind), tuple(a.kind), np.zeros(len(a.ids), bool),
                   np.asarray(a.lonlat[:, 0], float), np.asarray(a.lonlat[:, 1], float), np.zeros(len(a.ids)))
    shots = _shots(seg, e, sh)
    pos = np.full((thr.size, 3), np.nan)
    own = np.flatnonzero(thr >= 0)
    pos[own] = _positions(seg, thr[own], np.minimum(t_ev[own], end[thr[own]]))
    m = meta or {}
    return Trace(
        scenario_id=m.get("scenario_id", p.scenario_id), scenario_hash=m.get("scenario_hash", p.scenario_hash),
        option=p.option, seed=int(seed), replication=int(replication), fidelity=fidelity,
        duration_s=float(p.duration_s), start=start_t, events=events, metrics=dict(out.metrics),
        threats=tracks, shooters=shooters, sensors=sensors, shots=shots, assets=assets, event_pos=pos,
    )


def _tracks(seg: Segments, raid: Any, end: F, step_s: float, tt: Any, p: EngineParams, fate: NDArray) -> Tracks:
    """Samples every ``step_s`` along each segment, plus its ends, up to the threat's end."""
    n = raid.size
    stop = np.minimum(seg.t1_s, end[seg.threat])
    keep = (stop > seg.t0_s) | (seg.local == 0)
    m_idx = np.flatnonzero(keep)
    a = seg.t0_s[m_idx]
    b = np.maximum(stop[m_idx], a)
    cnt = np.ceil((b - a) / step_s).astype(np.int64) + 1  # a, a + step, ..., then b
    m_rep = np.repeat(m_idx, cnt)
    k = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    t = np.minimum(np.repeat(a, cnt) + k * step_s, np.repeat(b, cnt))
    th = seg.threat[m_rep]
    order = np.lexsort((t, th))  # stable: segments of a threat keep their order at equal times
    th, t, m_rep = th[order], t[order], m_rep[order]
    # At least MIN_GAP_S between samples, so times written to the millisecond still increase.
    dup = np.zeros(t.size, bool)
    while True:
        keep_i = np.flatnonzero(~dup)
        close = (th[keep_i[1:]] == th[keep_i[:-1]]) & (t[keep_i[1:]] < t[keep_i[:-1]] + MIN_GAP_S)
        if not close.any():
            break
        # drop the first of each run of close samples after its predecessor, then look again
        first = np.flatnonzero(close & ~np.r_[False, close[:-1]])
        dup[keep_i[1:][first]] = True
    th, t, m_rep = th[~dup], t[~dup], m_rep[~dup]
    lon, lat = unit_to_lonlat(positions_at(seg, m_rep, t))
    offsets = np.searchsorted(th, np.arange(n + 1)).astype(np.int64)
    launch = np.full(n, np.nan)
    np.fmin.at(launch, seg.threat, seg.t0_s)
    launch = np.where(np.isfinite(launch), launch, raid.launch_s)
    return Tracks(
        type_name=tuple(tt.names[i] for i in raid.type_index),
        cls_name=tuple(THREAT_CLASSES[tt.cls[i]] for i in raid.type_index),
        fate=tuple(str(f) for f in fate),
        target=tuple(p.assets.ids[j] for j in raid.target),
        t_start_s=launch, t_end_s=np.maximum(end, launch), offsets=offsets, t_s=t,
        lon_deg=np.asarray(lon, float).reshape(-1), lat_deg=np.asarray(lat, float).reshape(-1),
        alt_m=seg.alt_m[m_rep].astype(float),
    )


def _positions(seg: Segments, threat: I, t_s: F) -> F:
    """``(K, 3)`` lon, lat, alt of threats ``threat`` at times ``t_s`` (on the segment flown then)."""
    if threat.size == 0:
        return np.zeros((0, 3))
    lo = np.searchsorted(seg.threat, threat, "left")
    hi = np.searchsorted(seg.threat, threat, "right")
    m = lo.copy()
    for j in range(int((hi - lo).max(initial=1))):  # segments per threat: a handful
        nxt = lo + j
        ok = (nxt < hi) & (seg.t0_s[np.minimum(nxt, seg.t0_s.size - 1)] <= t_s)
        m = np.where(ok, nxt, m)
    lon, lat = unit_to_lonlat(positions_at(seg, m, t_s))
    return np.column_stack([np.asarray(lon, float).reshape(-1), np.asarray(lat, float).reshape(-1),
                            seg.alt_m[m].astype(float)])


def _shots(seg: Segments, e: Any, sh: Any) -> Shots:
    """Salvoes with the point on their threat's path at the intercept time."""
    if e.shooter.size:
        lon, lat = unit_to_lonlat(positions_at(seg, e.segment, e.t_intercept_s))
        lon, lat = np.asarray(lon, float).reshape(-1), np.asarray(lat, float).reshape(-1)
        alt = seg.alt_m[e.segment].astype(float)
    else:
        lon = lat = alt = np.zeros(0)
    names = sh.weapon_names
    weapon = tuple(names[w] if 0 <= w < len(names) else "" for w in e.weapon) if e.weapon.size == e.shooter.size \
        else ("",) * e.shooter.size
    wasted = e.wasted if e.wasted.size == e.shooter.size else np.zeros(e.shooter.size, bool)
    return Shots(e.shooter.astype(np.int64), e.threat.astype(np.int64), weapon, e.n_interceptors.astype(np.int64),
                 e.t_fire_s.astype(float), e.t_intercept_s.astype(float), e.killed.astype(bool), wasted.astype(bool),
                 lon, lat, alt)


def _sensor_sites(p: EngineParams) -> Sites:
    from ..engine.params import SENSOR_KINDS

    s = p.sensors
    lon, lat = unit_to_lonlat(s.unit) if len(s.ids) else (np.zeros(0), np.zeros(0))
    kinds = tuple(SENSOR_KINDS[k] for k in p.sensor_models.kind) if p.sensor_models is not None \
        else ("sensor",) * len(s.ids)
    return Sites(tuple(s.ids), kinds, kinds, s.side == ALLIED, np.asarray(lon, float).reshape(-1),
                 np.asarray(lat, float).reshape(-1), np.asarray(s.height_m, float))
