"""The kernel: one replication as an ordered pipeline of phases.

``move -> sense -> decide/engage -> assess -> escalate``. Each phase is an injected strategy with one
verb; later work (measurement-level tracking, fighters, escalation) plugs in here without
touching the kernel. Analytic where the physics allows (trajectories and coverage are closed
forms), stepped only where things interact (the battle loop, in intercept-time order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pyarrow as pa

from ..engage.fighters import launch_on_warning
from ..policy.phase import EscalationPhase
from ..rng import Streams
from .assess import Outcome, assess
from .aviation import aviation_metrics, launch, platform_kill_events
from ..picture.network import link_into
from .battle import BattlePolicy, GreedyBattle
from .opportunities import find_opportunities
from .params import EngineParams
from .raid import sample_raid
from .redeploy import gain_metrics
from .sense import Sensing, StatisticalSensing
from .trajectory import build_segments

__all__ = ["Engine", "FIDELITIES", "engine_for", "simulate"]


@dataclass(frozen=True)
class Engine:
    """Phases of one replication; replace any of them to change a model."""

    sense: Sensing = field(default_factory=StatisticalSensing)
    battle: BattlePolicy = field(default_factory=GreedyBattle)
    escalate: EscalationPhase = field(default_factory=EscalationPhase)  # clauses, tripwires, adversary responses

    def run(self, params: EngineParams, streams: Streams) -> Outcome:
        red = params.redeployment
        if red is None:
            return self.night(params, streams)
        # Redeployment: the same raid flown with every movable unit at home, first (so that a
        # phase keeping the last night it saw keeps the night flown), then the night flown.
        ref = self.night(red.reference, streams).metrics if red.reference is not None else None
        out = self.night(params, streams)
        return replace(out, metrics={**out.metrics, **gain_metrics(red, out.metrics, ref, params.assets.ids)})

    def night(self, params: EngineParams, streams: Streams) -> Outcome:
        """One night of ``params`` through the phases (no redeployment reference)."""
        raid = sample_raid(params, streams)  # the raid: common to every option
        raid, sortie = launch(params, raid, streams)  # adversary aviation: munitions of platforms that release
        seg = build_segments(raid, params)  # move: analytic flight paths
        pic = self.sense(params, raid, seg, streams)  # sense: who sees what, when
        params = launch_on_warning(params, raid, seg, pic)  # patrols timed to the raid
        opp = find_opportunities(params, raid, seg, pic, link_into(params, streams))  # decide: who could fire, when (ROE)
        eng = self.battle(params, raid, opp, streams)  # engage: the battle loop
        damage_u = streams.generator("damage").random(raid.size)
        out = assess(params, raid, seg, pic, opp, eng, damage_u)
        if sortie is not None:
            out = replace(out, metrics={**out.metrics, **aviation_metrics(params, raid, sortie, out.events)},
                          events=pa.concat_tables([out.events, platform_kill_events(params, sortie)]))
        return self.escalate(params, raid, seg, out, streams)  # escalate: ladder and clauses


_DEFAULT = Engine()

def _full_engine() -> Engine:
    from .sense_full import FullSensing  # measurement-level tracking: imported when asked for

    return Engine(sense=FullSensing())


FIDELITIES: dict[str, Callable[[], Engine]] = {"statistical": Engine, "full": _full_engine}
"""Engines by fidelity name. ``statistical`` draws detection from coverage models, ``full``
simulates measurements, per-sensor trackers and track fusion; both have the same interfaces,
and other fidelities register here."""


def engine_for(fidelity: str) -> Engine:
    """The engine of a fidelity; ``KeyError`` lists the known ones."""
    if fidelity not in FIDELITIES:
        raise KeyError(f"unknown fidelity {fidelity!r}; known: {', '.join(FIDELITIES)}")
    return FIDELITIES[fidelity]()


def simulate(params: EngineParams, seed: int, replication: int, sample: int = 0, engine: Engine | None = None) -> Outcome:
    """Run one replication of ``params`` with the named streams of ``(seed, sample, replication)``."""
    return (engine or _DEFAULT).run(params, Streams(seed=seed, replication=replication, sample=sample))
