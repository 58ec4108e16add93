"""The adaptive adversary spends no planning on decoys: they keep the fixed raid's aims and routes.

The geometry of ``test_adversary.py``: threats launched near Bryansk, an allied IRIS-T SLM at
Chernihiv, route A dog-legging past it to Poltava (about 18 km from the battery), route B
direct, half to Chernihiv and half to Poltava. Here every route is flown twice, by Shahed-type
drones (class ``drone``) and by Gerbera-type decoys (class ``decoy``), and the catalog overlay
gives the battery the same 40 km, pk 0.9 envelope against decoys as against drones, so that the
allied envelope and the cover depth are the same for both classes: whatever differs between
them under ``adaptive`` is the decoy exemption, nothing else.

* The rule would move the decoys (checked, so the test can fail): against the decoy class the
  battery's envelope exists, every route-A decoy track enters it, and the retargeting rule
  applied to the decoy group's cover depth would move a quarter of its aim.
* Under ``adaptive`` the decoys' plan weights are the scenario's, and every decoy row of the
  sampled raid (launch time, target, waypoints, failure) equals the fixed raid's, bit for bit,
  while the Shahed rows of route A are rerouted and route B's aim moves (0.5/0.5 to 0.25/0.75).
* Common random numbers: the drone rows keep their launch times and launch points; the raid's
  row order and size are the fixed raid's (no deterrence here).
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.catalog import THREAT_CLASSES
from skyshield.engine import compile_scenario
from skyshield.engine.adversary import (
    AdaptiveRules,
    aim_cover_depth,
    allied_reach,
    crosses,
    retarget_weights,
)
from skyshield.engine.raid import sample_raid
from skyshield.options import resolve_option
from skyshield.rng import Streams

from .builder import build
from .test_adversary import CORRIDOR, SAM_LONLAT

DECOY = THREAT_CLASSES.index("decoy")
DRONE = THREAT_CLASSES.index("drone")
_ENV = {"max_range": "40 km", "min_range": "1 km", "max_altitude": "20 km", "min_altitude": "20 m", "pk": 0.9,
        "salvo": 1, "source": "t"}


@pytest.fixture(scope="module")
def params(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("adversary-decoys")
    route_a = {"launch_areas": ["bryansk"], "launch_window": ["0 h", "2 h"], "targets": {"poltava": 1},
               "via": [[[30.9, 51.9]]], "dispersion": "1 km"}
    route_b = {"launch_areas": ["bryansk"], "launch_window": ["0 h", "2 h"], "targets": {"chernihiv": 1, "poltava": 1},
               "dispersion": "1 km"}
    sc, cat = build(
        tmp,
        **CORRIDOR,
        groups=[{"id": "a", "type": "shahed-136", "count": 20, **route_a},
                {"id": "a-decoys", "type": "gerbera", "count": 20, **route_a},
                {"id": "b", "type": "shahed-136", "count": 30, **route_b},
                {"id": "b-decoys", "type": "gerbera", "count": 30, **route_b}],
        options={"shield": {"packages": ["shield"], "data_sharing": "fire-control", "roe": "in-reach"}},
        overlay={"sources": {"t": "test: the battery's drone envelope, against decoys too"},
                 "shooters": {"iris-t-slm": {"envelopes": {"cruise": _ENV, "drone": _ENV, "decoy": _ENV}}}},
        duration="10 h",
    )
    return {a: compile_scenario(sc, cat, resolve_option("shield", sc), a) for a in ("fixed", "adaptive")}


def test_without_the_exemption_the_rule_would_move_the_decoys(params) -> None:
    p = params["fixed"]
    rows, reach = allied_reach(p)
    assert reach[:, DECOY].tolist() == reach[:, DRONE].tolist() == [40_000.0]  # same envelope for both classes
    depth = aim_cover_depth(p, rows, reach)
    g = p.raid[3]  # b-decoys
    moved = retarget_weights(g.target_weight, depth[g.target_index, DECOY], AdaptiveRules().retarget_share)
    assert moved == pytest.approx([0.25, 0.75])  # what the rule does to the Shahed group b
    raid = sample_raid(p, Streams(11, 0))
    dec_a = np.flatnonzero(raid.group == 1)
    assert crosses(raid.waypoints[dec_a], raid.n_points[dec_a], np.array([SAM_LONLAT]), np.array([40_000.0])).all()


def test_decoys_keep_the_fixed_aims_and_routes_while_warheads_adapt(params) -> None:
    plan = params["adaptive"].adversary
    assert plan.size_multiplier == 1.0 and plan.counts.tolist() == [20, 20, 30, 30]
    assert plan.weights[3].tolist() == [0.5, 0.5]  # b-decoys: the scenario's aim
    assert plan.weights[2] == pytest.approx([0.25, 0.75])  # b: retargeted
    gerbera = params["adaptive"].threat_types.cls == DECOY
    assert not plan.reroutable[gerbera].any() and plan.reroutable[params["adaptive"].threat_types.cls == DRONE].all()
    retargeted = rerouted = 0
    for rep in range(4):
        f = sample_raid(params["fixed"], Streams(11, rep))
        a = sample_raid(params["adaptive"], Streams(11, rep))
        assert np.array_equal(f.group, a.group) and np.array_equal(f.type_index, a.type_index)
        dec = np.isin(f.group, [1, 3])
        # Decoys: every draw and every point of the track is the fixed raid's.
        assert np.array_equal(f.launch_s[dec], a.launch_s[dec])
        assert np.array_equal(f.target[dec], a.target[dec])
        assert np.array_equal(f.n_points[dec], a.n_points[dec])
        w = f.waypoints.shape[1]
        assert np.array_equal(f.waypoints[dec], a.waypoints[dec][:, :w], equal_nan=True)
        assert np.isnan(a.waypoints[dec][:, w:]).all()
        assert np.array_equal(f.fail_frac[dec], a.fail_frac[dec], equal_nan=True)
        # Warheads: the same launches (CRN), route A rerouted (every track), route B re-aimed (some).
        war_a, war_b = f.group == 0, f.group == 2
        assert np.array_equal(f.launch_s[~dec], a.launch_s[~dec])
        assert np.array_equal(f.waypoints[~dec, 0], a.waypoints[~dec, 0])
        assert (a.n_points[war_a] > f.n_points[war_a]).all()
        rerouted += int(war_a.sum())
        retargeted += int((f.target[war_b] != a.target[war_b]).sum())
    # About a quarter of route B's 4 x 30 Shaheds change aim (Chernihiv to Poltava only).
    assert rerouted == 80 and 15 <= retargeted <= 45
