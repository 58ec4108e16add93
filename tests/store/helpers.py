"""A small experiment for store, runner, CLI and report tests: two options, two design
points, a handful of replications of the built-in night raid thinned to a twentieth of its
threats (its scenario file is written beside the experiment file, which names it by a
relative path)."""

from __future__ import annotations

from pathlib import Path

EXPERIMENT = """\
id: tiny-sweep
title: Tiny sweep for tests
scenario: {scenario}
options: [none, umbrella]
replications: {reps}
seed: 11
design: {{method: lhs, samples: {samples}}}
parameters:
  - path: catalog.threats.shahed-136.speed
  - path: catalog.shooters.patriot-pac3.envelopes.ballistic.pk
    low: 0.3
    high: 0.9
precision: {{metrics: [leaked, assets_hit], relative: 0.05}}
"""


def write_small_scenario(dir: Path, thin: int = 20) -> Path:
    from importlib.resources import files

    import yaml

    text = files("skyshield.scenario").joinpath("builtin", "eastern-flank-night-raid-v1.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    doc["id"] = "small-night-raid-v1"
    for g in doc["raid"]["groups"]:
        g["count"] = max(1, g["count"] // thin)
    p = Path(dir) / "small-night-raid-v1.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return p


def write_experiment(dir: Path, reps: int = 3, samples: int = 2, name: str = "exp.yaml", small: bool = True) -> Path:
    scenario = write_small_scenario(dir).name if small else "eastern-flank-night-raid-v1"
    p = Path(dir) / name
    p.write_text(EXPERIMENT.format(reps=reps, samples=samples, scenario=scenario), encoding="utf-8")
    return p


def resolved(path: Path):  # type: ignore[no-untyped-def]
    from skyshield.experiments import load_experiment, resolve_experiment

    spec, lines = load_experiment(path)
    return resolve_experiment(spec, path, lines)
