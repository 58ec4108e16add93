"""Experiment files: validation with lines, overrides by dotted path, units, samples."""

from __future__ import annotations

import pytest

from skyshield.documents import ScenarioError
from skyshield.experiments import ExperimentSpec, load_experiment, resolve_experiment

BASE = """\
id: t
scenario: eastern-flank-night-raid-v1
options: [none, umbrella]
replications: 2
seed: 4
"""


def _write(tmp_path, extra: str):
    p = tmp_path / "e.yaml"
    p.write_text(BASE + extra)
    return p


def _resolve(p):
    spec, lines = load_experiment(p)
    return resolve_experiment(spec, p, lines)


def test_catalog_quantity_sampled_within_its_public_range_in_si(tmp_path) -> None:
    exp = _resolve(_write(tmp_path, "design: {method: lhs, samples: 4}\n"
                                    "parameters:\n  - path: catalog.threats.shahed-136.speed\n"))
    # shahed-136 speed: 150 .. 185 km/h in the catalog
    assert exp.lows[0] == pytest.approx(150 / 3.6) and exp.highs[0] == pytest.approx(185 / 3.6)
    for s in exp.samples:
        assert s.catalog.threats["shahed-136"].speed.value == pytest.approx(s.values[0], rel=1e-12)
        assert 150 / 3.6 <= s.values[0] <= 185 / 3.6
    assert len({s.catalog_hash for s in exp.samples}) == 4
    assert len({s.scenario.content_hash for s in exp.samples}) == 1  # the scenario did not change


def test_scenario_integer_field_by_id_and_explicit_bounds_with_units(tmp_path) -> None:
    exp = _resolve(_write(tmp_path, """design: {method: grid, levels: 2}
parameters:
  - path: scenario.forces.ua-gsr-kyiv.lonlat.0
    name: kyiv-radar-lon
    low: 30.0
    high: 30.4
  - path: scenario.raid.groups.0.count
    values: [10, 20, 30]
  - path: catalog.sensors.ground-surveillance-radar.reference_range
    low: 100 km
    high: 400 km
"""))
    assert len(exp.samples) == 2 * 3 * 2
    counts = sorted({s.scenario.raid.groups[0].count for s in exp.samples})
    assert counts == [10, 20, 30]
    rr = sorted({s.catalog.sensors["ground-surveillance-radar"].reference_range.value for s in exp.samples})
    assert rr == [100e3, 400e3]  # written in km, held in metres; the public range widened to fit
    lons = sorted({[f for f in s.scenario.forces if f.id == "ua-gsr-kyiv"][0].lonlat[0] for s in exp.samples})
    assert lons == [30.0, 30.4]


def test_unknown_path_names_the_line_and_the_known_ids(tmp_path) -> None:
    p = _write(tmp_path, "design: {method: lhs, samples: 2}\nparameters:\n  - path: catalog.threats.shahed-137.speed\n")
    with pytest.raises(ScenarioError) as e:
        _resolve(p)
    msg = str(e.value)
    assert f"{p}:8" in msg and "shahed-136" in msg


def test_bound_without_a_unit_is_refused_for_a_quantity(tmp_path) -> None:
    p = _write(tmp_path, "design: {method: lhs, samples: 2}\nparameters:\n"
                         "  - path: catalog.threats.shahed-136.speed\n    low: 40\n")
    with pytest.raises(ScenarioError, match="speed with its unit"):
        _resolve(p)


def test_spec_rules_are_checked_with_lines(tmp_path) -> None:
    p = _write(tmp_path, "design: {method: sobol, samples: 10}\nparameters:\n  - path: catalog.threats.shahed-136.speed\n")
    with pytest.raises(ScenarioError, match="power-of-two"):
        load_experiment(p)
    p = _write(tmp_path, "replicatons: 3\n")
    with pytest.raises(ScenarioError, match="unknown field") as e:
        load_experiment(p)
    assert f"{p}:6" in str(e.value)


def test_same_file_and_seed_same_identity_other_seed_other_identity() -> None:
    a = resolve_experiment(ExperimentSpec(id="x", scenario="eastern-flank-night-raid-v1", options=("none",),
                                          replications=3, seed=1))
    b = resolve_experiment(ExperimentSpec(id="x", scenario="eastern-flank-night-raid-v1", options=("none",),
                                          replications=9, seed=1))
    c = resolve_experiment(ExperimentSpec(id="x", scenario="eastern-flank-night-raid-v1", options=("none",),
                                          replications=3, seed=2))
    assert a.identity_hash == b.identity_hash != c.identity_hash
    unseeded = ExperimentSpec(id="x", scenario="eastern-flank-night-raid-v1", options=("none",), replications=1)
    assert resolve_experiment(unseeded, seed_entropy=12345).seed_entropy == 12345


def test_the_packaged_example_experiment_resolves() -> None:
    from importlib.resources import files

    p = files("skyshield.experiments").joinpath("examples", "night-raid-drone-uncertainty.yaml")
    spec, lines = load_experiment(str(p))
    exp = resolve_experiment(spec, str(p), lines)
    assert len(exp.samples) == 16 and exp.parameter_names == ("shahed-speed", "shahed-rcs", "mfg-pk")
    pks = [s.catalog.shooters["mobile-fire-group"].envelopes["drone"].pk for s in exp.samples]
    assert all(0.15 <= x <= 0.5 for x in pks) and len(set(pks)) == 16
