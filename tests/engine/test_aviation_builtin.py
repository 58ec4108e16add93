"""The built-in ``front-line-glide-bomb-v1``: release geometry, and the adversary reading the
option's rules of engagement (the stand-off rule is about threatened airspace, not distance).

The movable units of the reference laydown are pinned at home here
(``examples/front-line-glide-bomb-pinned.yaml``) so that the only
difference between the options is their own forces and ROE (with redeployment, every option
with allied cover moves a Patriot to the front, and that decides the carriers' fate first).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skyshield.engine import compile_scenario
from skyshield.engine.aviation import fly
from skyshield.geo import Zone, great_circle_distance_m
from skyshield.options import resolve_option
from skyshield.rng import Streams
from skyshield.scenario import load_scenario

SID = "front-line-glide-bomb-v1"
PINNED = Path(__file__).resolve().parents[2] / "examples" / "front-line-glide-bomb-pinned.yaml"


@pytest.fixture(scope="module")
def pinned():
    sc = load_scenario(PINNED)  # docs/options.md measures it
    base = load_scenario(SID)
    assert not any(f.movable for f in sc.forces)
    assert [f.model_copy(update={"movable": None}) for f in base.forces] == list(sc.forces)
    assert sc.aviation == base.aviation and sc.raid == base.raid
    from skyshield.catalog import load_catalog

    cat = load_catalog()
    return {o: compile_scenario(sc, cat, resolve_option(o, sc))
            for o in ("none", "forward-cap", "forward-cap-in-reach", "sky-shield")}


def _group_rows(p, sortie, gid):
    return sortie.group == [g.id for g in p.aviation.groups].index(gid)


def test_release_geometry_glide_bombs_at_their_range_bombers_at_take_off(pinned):
    p = pinned["none"]
    s = fly(p, Streams(seed=0, replication=0))
    for gid in ("su34-kab-north", "su34-kab-south"):
        rows = _group_rows(p, s, gid)
        centre = p.assets.lonlat[s.target[rows]]
        d = great_circle_distance_m(centre[:, 0], centre[:, 1], s.release[rows, 0], s.release[rows, 1])
        assert np.allclose(d, 60e3, rtol=1e-3)  # the UMPK's catalog range
    south = _group_rows(p, s, "su34-kab-south")  # Zaporizhzhia is struck from over the occupied south
    assert (p.theatre.classify(s.release[south, 0], s.release[south, 1]) == Zone.OCCUPIED).all()
    rows = _group_rows(p, s, "tu95-kh101")  # Kh-101 outranges the flight: launched at take-off
    assert np.array_equal(s.release[rows], s.origin[rows]) and np.array_equal(s.t_release_s[rows], s.t_takeoff_s[rows])


@pytest.mark.parametrize("rep", [0, 1])
def test_carriers_abort_before_a_cap_allowed_to_fire_where_they_fly_and_only_then(pinned, rep):
    """The forward CAP stations near Kharkiv and Zaporizhzhia reach the carriers' release areas
    over the Belgorod region and the occupied south. Under `forward-cap` (defended-airspace
    ROE) they may not fire there: only a carrier releasing over the defended country itself
    aborts. Under `forward-cap-in-reach` they may: every carrier bound for Kharkiv or
    Zaporizhzhia aborts. Sky Shield's stations, 200 km from Russia, change nothing."""
    st = Streams(seed=0, replication=rep)
    s = {o: fly(p, st) for o, p in pinned.items()}
    p = pinned["none"]
    kz = np.isin(s["none"].target, [p.assets.ids.index("kharkiv"), p.assets.ids.index("zaporizhzhia")])
    glide = ~_group_rows(p, s["none"], "tu95-kh101")
    assert kz.sum() >= 15
    assert not s["none"].aborted[glide].any() and not s["sky-shield"].aborted[glide].any()
    over_defended = p.theatre.classify(s["none"].release[:, 0], s["none"].release[:, 1]) == Zone.DEFENDED
    assert not (s["forward-cap"].aborted & ~over_defended).any()
    assert s["forward-cap-in-reach"].aborted[kz].all()
    assert s["forward-cap-in-reach"].aborted.sum() - s["forward-cap"].aborted.sum() >= 14
    assert not s["forward-cap-in-reach"].aborted[~glide].any()  # the bombers launch deep in Russia
