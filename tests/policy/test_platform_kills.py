"""Allied kills of adversary launch platforms (bombers, glide-bomb carriers of the aviation
phase) are direct engagement: each one is one allied action at rung 6, counted once.

Hand-built night (the glide-bomb world of ``tests/engine/test_aviation.py``): Su-34-class
carriers from the Voronezh region release glide bombs 60 km short of Kharkiv, over Russia; a
Patriot near Kharkiv, unknown to the adversary, may fire over Russia (``in-reach``) and shoots
some carriers down before release. It is brought by the allied option (an allied unit) or is
the defended country's own (no rung for the alliance).
"""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc
import pytest

from skyshield.engine import Engine
from skyshield.policy.phase import EscalationPhase
from skyshield.rng import Streams

from ..engine.builder import build, params_for
from ..engine.test_aviation import AREAS, ASSETS, EMPTY_RAID, PATRIOT, glide_group

REPS = 8


class _Capture:
    def __call__(self, params, raid, seg, out, streams):
        self.night = (raid, seg, out)
        return out


def _nights(tmp_path, allied: bool, reps: int = REPS):
    unit = {**PATRIOT, "side": "allied", "package": "shield", "deployed_forward": True} if allied else PATRIOT
    # No adversary responses: the rung is the allied actions' own (a response to a shoot-down
    # would come at rung 6 or 7).
    quiet = {"response_rate_deliberate": 0.0, "response_rate_inadvertent": 0.0, "response_rate_accidental": 0.0}
    options = {"shield": {"packages": ["shield"], "data_sharing": "none", "roe": "in-reach",
                          "escalation": quiet}} if allied else None
    aviation = {"groups": [glide_group()], "unknown_to_adversary": [PATRIOT["id"]], "fighters": []}
    sc, cat = build(tmp_path, ASSETS, AREAS, [unit], EMPTY_RAID, options=options, extra={"aviation": aviation})
    p = params_for(sc, cat, "shield" if allied else "none")
    out = []
    for r in range(reps):
        cap = _Capture()
        Engine(escalate=cap).run(p, Streams(seed=3, replication=r))
        out.append((p, *cap.night, Streams(seed=3, replication=r)))
    return out


def _ladder(night, keep):
    """The escalate phase's metrics and policy rows on the night's events filtered by ``keep(kind)``."""
    p, raid, seg, out, st = night
    kinds = out.events.column("kind")
    mask = pc.equal(kinds, kinds)  # all true
    for k in set(kinds.to_pylist()):
        if not keep(k):
            mask = pc.and_(mask, pc.not_equal(kinds, k))
    res = EscalationPhase()(p, raid, seg, out.__class__(out.metrics, out.events.filter(mask)), st)
    return res.metrics, res.events


@pytest.fixture(scope="module")
def allied_nights(tmp_path_factory):
    return _nights(tmp_path_factory.mktemp("allied"), allied=True)


def test_each_allied_platform_kill_is_one_rung_6_action_and_nothing_else_counts_it(allied_nights):
    kills = []
    for night in allied_nights:
        n = int(night[3].metrics["launch_platforms_destroyed_by_allied"])
        rows = int(np.sum(np.array(night[3].events.column("kind").to_pylist(), dtype=object) == "platform-kill"))
        assert rows == n  # one event row per platform shot down (all by the allied Patriot here)
        kills.append(n)
        # Only the platform kills: the ladder reaches direct engagement exactly when there was one.
        only, ev = _ladder(night, lambda k: k == "platform-kill")
        assert only["max_rung"] == (6.0 if n else 0.0) and only["p_direct_engagement"] == float(n > 0)
        assert only["allied_actions"] == n and only["rung_raised_by_manned_aircraft_shot_down"] == float(n > 0)
        details = [d for k, d in zip(ev.column("kind").to_pylist(), ev.column("detail").to_pylist())
                   if k == "rung" and d and "launch platform" in d]
        assert len(details) == (1 if n else 0) and (not n or "su-34" in details[0])
        # The whole night against the night without its platform-kill rows: exactly n more allied
        # actions of the manned kind (no double counting through the bombs' intercepts).
        full, _ = _ladder(night, lambda k: True)
        without, _ = _ladder(night, lambda k: k != "platform-kill")
        assert full["allied_actions"] - without["allied_actions"] == n
        assert full["max_rung"] >= only["max_rung"]
    # The Patriot (Pk 0.8 against aircraft, one salvo per carrier) kills carriers on every night.
    assert min(kills) > 0 and np.mean(kills) > 5


def test_the_defended_countrys_own_kills_of_platforms_raise_no_allied_rung(tmp_path):
    for night in _nights(tmp_path, allied=False, reps=3):
        assert night[3].metrics["launch_platforms_destroyed"] > 0
        m, _ = _ladder(night, lambda k: True)
        assert m["max_rung"] == 0 and m["allied_actions"] == 0
