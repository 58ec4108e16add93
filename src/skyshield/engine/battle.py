r"""Engage: the battle loop, from opportunities (:mod:`skyshield.engine.opportunities`) to
salvoes fired and their outcomes.

The battle loop takes opportunities in order of intercept time, the only part of the night
that is stepped: inventories and reloads, fire channels, fighters' load-outs and sorties,
salvoes, shoot-look-shoot with imperfect kill assessment, coordination (a side sharing its
picture does not double-engage; independent batteries do) and electronic-warfare soft kills
interact there. With ``doctrine.assignment`` ``greedy`` or ``optimal`` a weapon-target
assignment (:mod:`skyshield.engage.wta`) is solved every decision interval instead.

Kill draws are per threat and per interceptor fired at it (common random numbers across
options). Kill-assessment and EW draws are counter-based sub-streams keyed by the
replication's engagement stream, so options still share them.
"""

from __future__ import annotations

import heapq
import math
from array import array
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..engage.ew import soft_kill_times
from ..engage.wta import greedy_assign, optimal_assign
from ..rng import Streams, keyed_uniform
from .opportunities import Opportunities
from .params import EngineParams
from .raid import Raid

__all__ = ["Engagements", "BattlePolicy", "GreedyBattle", "MAX_SHOTS", "LOOK_S"]

MAX_SHOTS = 32
"""Kill draws held per threat; a threat facing more interceptors reuses them cyclically."""
LOOK_S = 5.0
"""Default kill assessment delay after an intercept (s); the scenario's doctrine sets it."""
_EPS_S = 1e-6
"""Time tolerance: ``(a + fly) - fly`` may round below ``a``; a retry must not re-trigger."""


@dataclass(frozen=True)
class Engagements:
    """Every salvo fired, in firing order, and the threats lost to electronic warfare."""

    shooter: NDArray[np.int64]  # (E,)
    threat: NDArray[np.int64]  # (E,)
    segment: NDArray[np.int64]  # (E,)
    t_fire_s: NDArray[np.float64]  # (E,)
    t_intercept_s: NDArray[np.float64]  # (E,)
    n_interceptors: NDArray[np.int64]  # (E,)
    killed: NDArray[np.bool_]  # (E,)
    weapon: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (E,) row of weapon_names
    cost_usd: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (E,)
    wasted: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, bool))  # (E,) target already gone
    ew_t_lost_s: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))  # (N,) inf if not
    ew_site: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))  # (N,) -1 if not


class BattlePolicy(Protocol):
    """The engage phase: from opportunities to salvoes fired and their outcomes."""

    def __call__(self, params: EngineParams, raid: Raid, opp: Opportunities, streams: Streams) -> Engagements: ...


class _Books:
    """Mutable state of one battle: magazines, channels, sorties, what each group knows."""

    def __init__(self, params: EngineParams, raid: Raid, kill_u, ka_u, t_lost, opp_pk_factor=None):
        sh = params.shooters
        d = params.doctrine
        J = sh.ids.__len__()
        self.look = d.look_s
        self.p_ka = d.kill_assessment
        self.cls = params.threat_types.cls[raid.type_index].tolist()
        self.salvo = sh.salvo.tolist()
        self.slot_pk = sh.slot_pk.tolist()
        self.slot_cost = sh.slot_cost_usd.tolist()
        self.slot_weapon = sh.slot_weapon.tolist()
        self.load = sh.slot_rounds.tolist()
        self.rounds = [list(r) for r in self.load]
        self.reserve = sh.reserve.tolist()
        self.full = [max(sum(r), 1) for r in self.load]
        self.reloads = sh.reloads.tolist()
        self.reload_s = sh.reload_s.tolist()
        self.endurance = sh.endurance_s.tolist()
        self.back = sh.returns_to_station.tolist()
        self.qra = sh.qra.tolist()
        # Start of the current sortie (CAP: on station; QRA: set at the first scramble).
        self.sortie0 = [math.nan if q or not math.isfinite(e) else a
                        for q, e, a in zip(self.qra, self.endurance, sh.avail_from_s.tolist())]
        self.ready_at = [-math.inf] * J
        self.channels = [[-math.inf] * int(c) for c in sh.fire_channels.tolist()]
        side = sh.side.tolist()
        if d.independent:
            self.group = list(range(J))
        elif params.sharing_level >= 2:  # two-way picture: one coordinated network
            self.group = [0] * J
        else:
            self.group = side
        self.seg_pk = opp_pk_factor.tolist() if opp_pk_factor is not None and opp_pk_factor.size else None
        # Flat, 8 bytes a draw (lists of Python floats would take four times that per threat).
        self.ku = kill_u if isinstance(kill_u, array) else array("d", np.asarray(kill_u, np.float64).tobytes())
        self.ka = ka_u if isinstance(ka_u, array) else array("d", np.asarray(ka_u, np.float64).tobytes())
        n = raid.size
        self.t_lost = t_lost.tolist()
        self.t_dead = [math.inf] * n
        self.shots = [0] * n
        self.busy: dict[tuple[int, int], float] = {}
        self.known: dict[tuple[int, int], float] = {}  # group believes the threat gone from then
        self.mis: set[tuple[int, int]] = set()  # group wrongly believes a dead threat alive
        self.out: list[tuple] = []

    def _empty(self, j: int) -> bool:
        return not any(self.rounds[j])

    def _start_reload(self, j: int, t_s: float) -> None:
        self.rounds[j] = [0] * len(self.rounds[j])
        if self.reloads[j] > 0 and math.isfinite(self.reload_s[j]):
            self.reloads[j] -= 1
            self.rounds[j] = list(self.load[j])
            self.ready_at[j] = t_s + self.reload_s[j]
            if math.isfinite(self.endurance[j]):
                self.sortie0[j] = math.nan if self.qra[j] else self.ready_at[j]
        else:
            self.ready_at[j] = math.inf

    def gate(self, t: float, j: int, i: int, fly: float) -> float | None:
        """``None`` if shooter j may fire now at i; else the next intercept time to retry
        (``inf``: never)."""
        t_fire = t - fly
        if t_fire >= self.t_lost[i]:
            return math.inf
        g = self.group[j]
        if t_fire >= self.known.get((g, i), math.inf):
            return math.inf
        if t_fire >= self.t_dead[i] + self.look and (g, i) not in self.mis:
            return math.inf
        b = self.busy.get((g, i))
        if b is not None and t_fire < b + self.look - _EPS_S:
            return b + self.look + fly
        e = self.endurance[j]
        if math.isfinite(e) and not math.isnan(self.sortie0[j]) and t_fire > self.sortie0[j] + e:
            self._start_reload(j, self.sortie0[j] + e)  # fuel out: back to base
        if self.ready_at[j] > t_fire + _EPS_S:
            return self.ready_at[j] + fly
        ch = self.channels[j]
        c = min(range(len(ch)), key=ch.__getitem__)
        if ch[c] > t_fire + _EPS_S:
            return ch[c] + fly
        return None

    def slot(self, j: int, i: int) -> int:
        c = self.cls[i]
        res = self.reserve[j][c]
        if res > 0 and sum(self.rounds[j]) <= res * self.full[j]:
            return -1  # doctrine: the rest of the load is kept for other threat classes
        for s, r in enumerate(self.rounds[j]):
            if r > 0 and self.slot_pk[j][s][c] > 0:
                return s
        return -1

    def fire(self, t: float, j: int, i: int, fly: float, m: int, s: int) -> bool:
        """Fire shooter j's slot s at threat i, intercepting at t; returns whether the group
        will look again (the threat is believed alive)."""
        c_i = self.cls[i]
        t_fire = t - fly
        if math.isnan(self.sortie0[j]) and math.isfinite(self.endurance[j]):
            self.sortie0[j] = t_fire - fly if self.qra[j] else t_fire
        n = min(self.salvo[j][c_i], self.rounds[j][s])
        self.rounds[j][s] -= n
        ch = self.channels[j]
        c = min(range(len(ch)), key=ch.__getitem__)
        ch[c] = t + (fly if self.back[j] else 0.0)
        p = self.slot_pk[j][s][c_i] * (self.seg_pk[m] if self.seg_pk is not None else 1.0)
        k = self.shots[i]
        row, ku = i * MAX_SHOTS, self.ku
        gone = t >= self.t_dead[i] or t >= self.t_lost[i]
        killed = (not gone) and any(ku[row + (k + q) % MAX_SHOTS] < p for q in range(n))
        self.shots[i] = k + n
        self.out.append((j, i, m, t_fire, t, n, killed, self.slot_weapon[j][s], n * self.slot_cost[j][s], gone))
        if killed:
            self.t_dead[i] = t
        g = self.group[j]
        right = self.ka[row + k % MAX_SHOTS] < self.p_ka
        dead = killed or gone
        self.mis.discard((g, i))
        self.busy[(g, i)] = t  # under fire: the group waits for the assessment
        again = False
        if dead and right:
            self.known[(g, i)] = t + self.look
        elif dead:  # a kill assessed as a miss: the group engages a dead threat again
            self.mis.add((g, i))
            again = True
        elif right:  # a miss recognised as a miss: look, then shoot again
            again = True
        else:  # a miss assessed as a kill: the group stops engaging it
            self.known[(g, i)] = t + self.look
        if self._empty(j):
            self._start_reload(j, t_fire)
        return again

    def engagements(self, t_lost: NDArray[np.float64], ew_site: NDArray[np.int64]) -> Engagements:
        if not self.out:
            z = np.zeros(0, dtype=np.int64)
            return Engagements(z, z, z, np.zeros(0), np.zeros(0), z, np.zeros(0, bool), z, np.zeros(0),
                               np.zeros(0, bool), t_lost, ew_site)
        j_, i_, m_, tf, ti, n_, k_, w_, c_, g_ = zip(*self.out)
        return Engagements(
            np.array(j_, dtype=np.int64), np.array(i_, dtype=np.int64), np.array(m_, dtype=np.int64),
            np.array(tf), np.array(ti), np.array(n_, dtype=np.int64), np.array(k_, dtype=bool),
            np.array(w_, dtype=np.int64), np.array(c_, dtype=float), np.array(g_, dtype=bool),
            t_lost, ew_site,
        )


class GreedyBattle:
    """The battle manager: earliest-intercept-first (event-driven) by default, or a
    weapon-target assignment every decision interval (``doctrine.assignment``).

    Each opportunity, at its turn, fires one salvo if the threat is alive and not already
    under fire in the shooter's coordination group, the shooter has rounds that engage the
    threat's class, is ready (reloaded, on station, fuelled) and has a free fire channel; a
    surviving threat recognised as such can be engaged again after the look time while it
    stays in an envelope.
    """

    def __call__(self, params: EngineParams, raid: Raid, opp: Opportunities, streams: Streams) -> Engagements:
        n = raid.size
        # Dice per threat and per interceptor fired at it, from named streams: the same for
        # every option (common random numbers), untouched when other subsystems draw more.
        kill_u, ka_u = _dice(streams, n)
        t_lost, ew_site = np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
        if params.ew is not None and opp.ew_site.size:
            ew = params.ew
            c = params.threat_types.cls[raid.type_index[opp.ew_threat]]
            t_lost, ew_site = soft_kill_times(
                n, opp.ew_site, opp.ew_threat, opp.ew_t_enter_s, ew.p_soft[opp.ew_site, c], ew.key,
                streams.key("engagement/ew"),
            )
        books = _Books(params, raid, kill_u, ka_u, t_lost, opp.segment_pk_factor)
        if params.doctrine.assignment == 0:
            _event_loop(books, opp)
        else:
            _assignment_loop(books, params, raid, opp)
        return books.engagements(t_lost, ew_site)


_BLOCK = 65_536
"""Opportunities turned into Python values at a time by the event loop."""


def _dice(streams: Streams, n: int) -> tuple[array, array]:
    """Kill and kill-assessment draws, ``MAX_SHOTS`` per threat, row after row: the
    ``engagement`` stream's ``(n, MAX_SHOTS)`` uniforms and the counter-based assessment
    uniforms of indices ``0 .. n * MAX_SHOTS - 1``. Drawn :data:`_BLOCK` values at a time
    (the same values as in one call), straight into 8-byte arrays."""
    gen = streams.generator("engagement")
    key = streams.key("engagement/assessment")
    kill, ka = array("d"), array("d")
    rows = max(_BLOCK // MAX_SHOTS, 1)
    for lo in range(0, n, rows):
        hi = min(lo + rows, n)
        kill.frombytes(gen.random((hi - lo, MAX_SHOTS)).tobytes())
        ka.frombytes(keyed_uniform(key, 1, np.arange(lo * MAX_SHOTS, hi * MAX_SHOTS)).tobytes())
    return kill, ka


def _event_loop(books: _Books, opp: Opportunities) -> None:
    """Opportunities in order of intercept time; a retry goes back in at its new time.

    The opportunities arrive sorted by earliest intercept, so only the retries are kept in a
    heap: the next opportunity is the earlier of the heap's top and the next in the sorted
    columns (on a tie, the sorted one, whose index is below every retry's sequence number).
    This is the order of one heap of all of them keyed ``(time, index)``, without holding a
    Python tuple per opportunity.
    """
    O = opp.shooter.size
    heap: list[tuple] = []
    seq = O
    push, pop = heapq.heappush, heapq.heappop
    look = books.look
    gate, slot, fire = books.gate, books.slot, books.fire
    for lo in range(0, O, _BLOCK):
        hi = min(lo + _BLOCK, O)
        block = zip(opp.t_first_s[lo:hi].tolist(), opp.shooter[lo:hi].tolist(), opp.threat[lo:hi].tolist(),
                    opp.t_last_s[lo:hi].tolist(), opp.flyout_s[lo:hi].tolist(), opp.segment[lo:hi].tolist())
        for item in block:
            while heap and heap[0][0] < item[0]:
                seq = _step(pop(heap), heap, seq, gate, slot, fire, look, push)
            seq = _step(item, heap, seq, gate, slot, fire, look, push)
    while heap:
        seq = _step(pop(heap), heap, seq, gate, slot, fire, look, push)


def _step(item: tuple, heap: list[tuple], seq: int, gate, slot, fire, look: float, push) -> int:
    """One opportunity's turn: fire if allowed, push its retry; returns the next sequence number."""
    if len(item) == 7:
        t, _, j, i, t_last, fly, m = item
    else:
        t, j, i, t_last, fly, m = item
    nt = gate(t, j, i, fly)
    if nt is None:
        s = slot(j, i)
        if s < 0:
            return seq
        if not fire(t, j, i, fly, m, s):
            return seq
        nt = t + look + fly
    if nt <= t_last:
        seq += 1
        push(heap, (nt, seq, j, i, t_last, fly, m))
    return seq


def _priority(params: EngineParams, raid: Raid, t_now: float, i: NDArray[np.int64], arrival: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""Firing priority of threats: :math:`w_v \hat c + w_t / (1 + \tau/600\,s) + w_a \hat V`,
    with :math:`\hat c` the threat's cost and :math:`\hat V` its aimed asset's value (each
    over the raid's maximum), :math:`\tau` the time to go."""
    d = params.doctrine
    tt = params.threat_types
    cost = tt.cost_usd[raid.type_index[i]]
    val = params.assets.value_usd[raid.target[i]]
    c_max = max(float(tt.cost_usd.max(initial=0.0)), 1e-9)
    v_max = max(float(params.assets.value_usd.max(initial=0.0)), 1e-9)
    ttg = np.maximum(arrival - t_now, 0.0)
    return d.w_threat_value * cost / c_max + d.w_time_to_go / (1.0 + ttg / 600.0) + d.w_asset_value * val / v_max


def _assignment_loop(books: _Books, params: EngineParams, raid: Raid, opp: Opportunities) -> None:
    """Every decision interval, assign free fire channels to threats (greedy or optimal)."""
    assign = greedy_assign if params.doctrine.assignment == 1 else optimal_assign
    dt = params.decision_interval_s
    O = opp.shooter.size
    if O == 0:
        return
    # Arrival estimate per threat: the latest window end seen (for time to go).
    arrival = np.zeros(raid.size)
    np.maximum.at(arrival, opp.threat, opp.t_last_s)
    f0 = opp.t_first_s - opp.flyout_s
    f1 = opp.t_last_s - opp.flyout_s
    order = np.argsort(f0, kind="stable")
    pending: list[int] = []
    ptr = 0
    tau = float(f0[order[0]])
    salvo = np.asarray(books.salvo)
    while ptr < O or pending:
        while ptr < O and f0[order[ptr]] <= tau + dt:
            pending.append(int(order[ptr]))
            ptr += 1
        pending = [o for o in pending if f1[o] >= tau]
        if not pending:
            if ptr < O:
                tau = float(f0[order[ptr]])
                continue
            break
        cand = []
        for o in pending:
            j, i = int(opp.shooter[o]), int(opp.threat[o])
            fly = float(opp.flyout_s[o])
            t = max(float(opp.t_first_s[o]), tau + fly)
            if books.gate(t, j, i, fly) is None and books.slot(j, i) >= 0:
                cand.append(o)
        if cand:
            c = np.array(cand)
            js, inv_j = np.unique(opp.shooter[c], return_inverse=True)
            ts, inv_t = np.unique(opp.threat[c], return_inverse=True)
            value = np.full((js.size, ts.size), -np.inf)
            slots = [books.slot(int(opp.shooter[o]), int(opp.threat[o])) for o in cand]
            pk = np.array([books.slot_pk[int(opp.shooter[o])][s][books.cls[int(opp.threat[o])]] for o, s in zip(cand, slots)])
            n = salvo[opp.shooter[c], params.threat_types.cls[raid.type_index[opp.threat[c]]]]
            v = _priority(params, raid, tau, opp.threat[c], arrival[opp.threat[c]]) * (1.0 - (1.0 - pk) ** n)
            best = {}
            for k in range(c.size):  # one candidate per (shooter, threat): the best value
                key = (inv_j[k], inv_t[k])
                if key not in best or v[k] > value[key]:
                    best[key] = k
                    value[key] = v[k]
            cap = np.array([sum(1 for x in books.channels[int(jj)] if x <= tau + _EPS_S) for jj in js])
            aj, at = assign(value, cap)
            for a, b in zip(aj.tolist(), at.tolist()):
                k = best[(a, b)]
                o = cand[k]
                j, i = int(opp.shooter[o]), int(opp.threat[o])
                fly = float(opp.flyout_s[o])
                t = max(float(opp.t_first_s[o]), tau + fly)
                if books.gate(t, j, i, fly) is None:
                    books.fire(t, j, i, fly, int(opp.segment[o]), slots[k])
        tau += dt
