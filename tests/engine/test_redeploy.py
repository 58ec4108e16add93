"""Redeployment freed by allied cover (``skyshield.engine.redeploy``).

Hand-built scenario: one movable IRIS-T SLM battery guards Lviv; Dnipro, worth less and aimed
at by as many drones, has none. Under ``none`` nothing frees the battery and it stays. Under an
option whose allied F-35 patrol covers Lviv, the battery is freed and the allocation moves it to
Dnipro, where the allies are not: Dnipro's leakers and expected damage fall, Lviv's rise a little, and the net
gain is the damage avoided at Dnipro minus the cover lost at Lviv.

The allocation itself is checked against brute-force enumeration of every placement (an
independent solution of the same objective) on random small instances.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.engine import simulate
from skyshield.engine.redeploy import BREAK_STEP, allocate

from .builder import build, paired_ci, params_for

REPS = 12


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("redeploy")
    cap = {"posture": "cap", "tanker": True, "sorties": 5, "relief_on_station": True}
    return build(
        tmp,
        assets=[{"id": "lviv", "kind": "city", "lonlat": [24.03, 49.84], "radius": "10 km", "population": 720000,
                 "value": 6e8},
                {"id": "dnipro", "kind": "city", "lonlat": [35.05, 48.46], "radius": "10 km", "population": 980000,
                 "value": 4e8}],
        launch_areas=[{"id": "bryansk", "lonlat": [33.8, 52.8], "radius": "20 km"},
                      {"id": "millerovo", "lonlat": [40.39, 48.92], "radius": "20 km"}],
        forces=[{"id": "radar-w", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [24.3, 49.9]},
                {"id": "radar-e", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [35.3, 48.6]},
                {"id": "iris", "type": "iris-t-slm", "side": "defended", "lonlat": [24.10, 49.80],
                 "movable": {"relocation_time": "3 d", "candidates": ["dnipro"]}},
                {"id": "cap-west", "type": "f-35-cap", "side": "allied", "package": "shield", "lonlat": [24.6, 50.0],
                 "fighter": cap}],
        groups=[{"id": "w", "type": "shahed-136", "count": 30, "launch_areas": ["bryansk"],
                 "launch_window": ["0 h", "3 h"], "targets": {"lviv": 1}, "dispersion": "10 km"},
                {"id": "e", "type": "shahed-136", "count": 30, "launch_areas": ["millerovo"],
                 "launch_window": ["0 h", "3 h"], "targets": {"dnipro": 1}, "dispersion": "10 km"}],
        options={"shield": {"packages": ["shield"], "data_sharing": "fire-control", "roe": "defended-airspace"}},
        duration="12 h",
    )


@pytest.fixture(scope="module")
def params(world):
    sc, cat = world
    return {o: params_for(sc, cat, o) for o in ("none", "shield")}


def test_alone_the_battery_stays_and_the_gain_is_exactly_zero(params):
    red = params["none"].redeployment
    assert [(m.force_id, m.to) for m in red.moves] == [("iris", "home")] and red.freed == ()
    assert red.moved == () and red.reference is None
    m = simulate(params["none"], 1, 0).metrics
    assert m["protection_gain_from_redeployment"] == 0.0 and m["units_redeployed"] == 0.0


def test_under_allied_cover_of_lviv_the_battery_moves_to_dnipro(params):
    p = params["shield"]
    red = p.redeployment
    assert [(m.force_id, m.to) for m in red.moved] == [("iris", "dnipro")] and red.freed == ("iris",)
    j = p.shooters.ids.index("iris")
    assert p.shooters.lonlat[j].tolist() == pytest.approx([35.05, 48.46])
    assert red.allied_covered.tolist() == [True, False]  # Lviv covered by the allies, Dnipro not
    ref = red.reference
    assert ref.shooters.lonlat[ref.shooters.ids.index("iris")].tolist() == pytest.approx([24.10, 49.80])
    assert red.objective_usd > red.reference_objective_usd


@pytest.fixture(scope="module")
def nights(params):
    p = params["shield"]
    return [simulate(p, 5, r).metrics for r in range(REPS)], [simulate(p.redeployment.reference, 5, r).metrics
                                                               for r in range(REPS)]


def test_the_move_protects_dnipro_and_the_gain_is_measured_where_the_allies_are_not(nights):
    moved, ref = nights

    def col(ms, k):
        return np.array([m[k] for m in ms], float)

    # Dnipro: the battery now shoots there (30 drones aimed: all 30 leak without it, about 7 with it, measured).
    d, h = paired_ci(col(ref, "asset_dnipro_leaked"), col(moved, "asset_dnipro_leaked"))
    assert d - h > 3.0
    # Lviv: the allied patrol holds it; losing the battery costs little there (0 leak before, about 1.3 after).
    d_l, h_l = paired_ci(col(moved, "asset_lviv_leaked"), col(ref, "asset_lviv_leaked"))
    assert d_l + h_l < d - h
    gain = col(moved, "protection_gain_from_redeployment")
    assert np.allclose(gain, col(ref, "expected_damage_usd") - col(moved, "expected_damage_usd"))
    assert np.allclose(gain, col(moved, "protection_gain_from_redeployment_allied_covered")
                       + col(moved, "protection_gain_from_redeployment_elsewhere"))
    g, hg = paired_ci(col(moved, "protection_gain_from_redeployment_elsewhere"), np.zeros(REPS))
    assert g - hg > 0.0 and g > 0.5 * col(ref, "asset_dnipro_expected_damage_usd").mean()
    assert (col(moved, "units_redeployed") == 1).all()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_the_milp_finds_the_placement_brute_force_finds(seed):
    rng = np.random.default_rng(seed)
    A, U = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    weight = rng.uniform(0.0, 10.0, A)
    base = rng.uniform(0.0, 2.0, A) * (rng.random(A) < 0.5)
    depth = rng.uniform(0.2, 2.0, U)
    covers = [rng.random((int(rng.integers(1, 4)), A)) < 0.5 for _ in range(U)]

    def value(ch):
        D = base + sum(covers[u][k] * depth[u] for u, k in enumerate(ch))
        return float(np.dot(weight, 1.0 - np.exp(-D)))

    best = max(value(ch) for ch in itertools.product(*[range(c.shape[0]) for c in covers]))
    choice, v = allocate(weight, base, depth, covers)
    assert v == pytest.approx(value(choice))
    # Tangent breakpoints overestimate f by at most step^2/8 per asset: the MILP's choice is optimal within that.
    assert value(choice) >= best - weight.sum() * BREAK_STEP**2 / 8 - 1e-9
