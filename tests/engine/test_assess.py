"""Assess: expected damage, value protected and people exposed, against closed forms."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from skyshield.engine.assess import _expected_damage, exposed_share

from .builder import build, metric, params_for


def _params(shelter=0.0, t_shelter=600.0):
    tt = SimpleNamespace(p_damage=np.array([0.5, 0.8, 0.0]), damage_fraction=np.array([0.01, 0.1, 0.0]),
                         warhead=np.array([True, True, False]))
    assets = SimpleNamespace(value_usd=np.array([1e9, 2e8]), population=np.array([1_000_000, 50_000]))
    return SimpleNamespace(threat_types=tt, assets=assets, shelter_fraction=shelter, time_to_shelter_s=t_shelter)


def test_expected_damage_and_value_protected_match_the_closed_form() -> None:
    p = _params()
    # threats: two drones (type 0) and a missile (type 1) at asset 0, a decoy (type 2) and a
    # missile at asset 1; the first drone and the second missile leak.
    raid = SimpleNamespace(type_index=np.array([0, 0, 1, 2, 1]), target=np.array([0, 0, 0, 1, 1]), size=5)
    leaked = np.array([True, False, False, True, True])
    arrives = np.ones(5, bool)
    expected, avoided = _expected_damage(p, raid, leaked, arrives)
    q0, q1 = 0.5 * 0.01, 0.8 * 0.1
    e_leak = 1e9 * (1 - (1 - q0)) + 2e8 * (1 - (1 - q1))
    e_all = 1e9 * (1 - (1 - q0) ** 2 * (1 - q1)) + 2e8 * (1 - (1 - q1))
    assert expected == pytest.approx(e_leak, rel=1e-12)
    assert avoided == pytest.approx(e_all - e_leak, rel=1e-12)


def test_value_protected_falls_with_every_extra_leaker() -> None:
    p = _params()
    raid = SimpleNamespace(type_index=np.array([0, 0, 0, 1, 1]), target=np.array([0, 0, 1, 0, 1]), size=5)
    rng = np.random.default_rng(0)
    for _ in range(50):
        leaked = rng.random(5) < 0.5
        _, before = _expected_damage(p, raid, leaked, np.ones(5, bool))
        for k in np.flatnonzero(~leaked):
            more = leaked.copy()
            more[k] = True
            _, after = _expected_damage(p, raid, more, np.ones(5, bool))
            assert after < before


def _population_exposed(p, raid, hit, warn):
    return float((p.assets.population * exposed_share(p, raid, hit, warn)).sum())


def test_people_shelter_in_proportion_to_their_warning() -> None:
    p = _params(shelter=0.4, t_shelter=600.0)
    raid = SimpleNamespace(target=np.array([0, 0, 1]))
    hit = np.array([True, True, True])
    # Asset 0 hit twice, warned 1200 s and 300 s (the least-warned hit counts: half the time
    # to shelter, so 0.2 of its people sheltered); asset 1 warned 0 s (nobody sheltered).
    got = _population_exposed(p, raid, hit, np.array([1200.0, 300.0, 0.0]))
    assert got == pytest.approx(1_000_000 * (1 - 0.4 * 0.5) + 50_000 * 1.0)
    # Everyone warned long enough: exactly (1 - shelter) of the people at damaged assets.
    got = _population_exposed(p, raid, hit, np.array([5000.0, 5000.0, 5000.0]))
    assert got == pytest.approx(0.6 * 1_050_000)
    assert _population_exposed(p, raid, np.zeros(3, bool), np.zeros(3)) == 0.0


def test_civil_defence_lowers_people_exposed_on_a_raid_with_hours_of_warning(tmp_path: Path) -> None:
    kw = dict(
        assets=[{"id": "city", "kind": "city", "lonlat": [30.52, 50.45], "radius": "15 km", "population": 1000000, "value": 1e9}],
        launch_areas=[{"id": "north", "lonlat": [33.8, 52.8], "radius": "20 km"}],
        forces=[{"id": "radar", "type": "ground-surveillance-radar", "side": "defended", "lonlat": [32.5, 51.6]}],
        groups=[{"id": "d", "type": "shahed-136", "count": 10, "launch_areas": ["north"], "launch_window": ["0 h", "1 h"],
                 "targets": {"city": 1}}],
    )
    sc0, cat = build(tmp_path, **kw)
    sc1, _ = build(tmp_path, **kw, extra={"civil_defence": {"shelter_fraction": 0.3, "time_to_shelter": "10 min"}})
    before = metric(params_for(sc0, cat), "population_exposed", 4)
    after = metric(params_for(sc1, cat), "population_exposed", 4)
    assert before.min() == 1_000_000  # ten undefended drones: the city is hit every night
    np.testing.assert_allclose(after, 0.7 * before)  # warned hours ahead: the full shelter share
