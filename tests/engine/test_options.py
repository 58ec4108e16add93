"""The three first options differ through their mechanisms: data feed, ROE geofence, forces."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest

from skyshield.analysis.stats import paired_difference
from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario, simulate
from skyshield.engine.params import ALLIED
from skyshield.options import resolve_option
from skyshield.scenario import load_scenario

REPS = 4


@pytest.fixture(scope="module")
def runs():
    sc = load_scenario("eastern-flank-night-raid-v1")
    cat = load_catalog()
    out = {}
    for o in ("none", "air-policing", "umbrella"):
        p = compile_scenario(sc, cat, resolve_option(o, sc))
        out[o] = (p, [simulate(p, 7, r) for r in range(REPS)])
    return out


def _allied_kill_zones(p, outs) -> list[str]:
    """Zones of the intercept points of every kill made by an allied shooter."""
    allied_ids = {i for i, s in zip(p.shooters.ids, p.shooters.side) if s == ALLIED}
    zones = []
    for o in outs:
        kills = o.events.filter(pc.equal(o.events["kind"], "kill")).to_pylist()
        zones += [k["zone"] for k in kills if k["shooter"] in allied_ids]
    return zones


def _sum(outs, key):
    return sum(o.metrics[key] for o in outs)


def test_none_has_no_allied_forces_and_no_allied_data(runs) -> None:
    p, outs = runs["none"]
    assert not (p.shooters.side == ALLIED).any() and not (p.sensors.side == ALLIED).any()
    assert _sum(outs, "allied_engagements") == 0
    assert _sum(outs, "early_warning_gain_s") == 0


def test_air_policing_feeds_early_warning_into_the_defended_picture(runs) -> None:
    _, outs = runs["air-policing"]
    assert _sum(outs, "early_warning_gain_s") > 0
    assert _sum(outs, "early_warning_s") > _sum(runs["none"][1], "early_warning_s")


def test_air_policing_shooters_only_kill_over_allied_territory(runs) -> None:
    p, outs = runs["air-policing"]
    zones = _allied_kill_zones(p, outs)
    assert zones, "air policing should engage the drones that stray over allied soil"
    assert set(zones) == {"allied"}
    assert _sum(outs, "engagements_denied_roe") > 0


def test_umbrella_engages_over_the_defended_country(runs) -> None:
    p, outs = runs["umbrella"]
    zones = _allied_kill_zones(p, outs)
    assert "defended" in zones
    # Paired over the same raids (common random numbers): the umbrella destroys more, by a
    # margin the 95 % interval of the paired difference bounds away from zero (about 22 more
    # a night on these four). Mutant killed: allied shooters that never fire.
    diff, lo, _ = paired_difference([o.metrics["destroyed"] for o in outs],
                                    [o.metrics["destroyed"] for o in runs["none"][1]])
    assert lo > 5.0, (diff, lo)
    assert _sum(outs, "early_warning_gain_s") > 0
