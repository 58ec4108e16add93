"""The README's commands, run as written (examples are tests)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()
SKYSHIELD = [sys.executable, "-m", "skyshield"]


def _first_block() -> list[str]:
    block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert block, "README must open with a bash block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def _skyshield_part(line: str) -> list[str]:
    part = line.split("&&")[-1].strip()
    words = shlex.split(part)
    assert words[0].endswith("skyshield"), part
    return words[1:]


def test_readme_opens_with_the_two_setup_commands() -> None:
    lines = _first_block()
    assert len(lines) == 2
    assert "skyshield compare eastern-flank-night-raid-v1" in lines[0]
    assert "pytest" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert _first_block()[1] in ci


REPS = 3
KEYS = ("launched", "destroyed", "suppressed_ew", "leaked", "interceptors_used", "interceptor_cost_usd",
        "assets_hit", "allied_engagements")


@pytest.fixture(scope="module")
def engine_runs() -> dict[str, list[dict[str, float]]]:
    """The README's scenario, options and seed run through the engine directly (no CLI, no
    runner): the numbers the commands must print."""
    from skyshield.catalog import load_catalog
    from skyshield.engine import compile_scenario, simulate
    from skyshield.options import resolve_option
    from skyshield.scenario import load_scenario

    cat = load_catalog()
    sc = load_scenario("eastern-flank-night-raid-v1", cat)
    out = {}
    for o in ("none", "air-policing", "umbrella"):
        p = compile_scenario(sc, cat, resolve_option(o, sc))
        out[o] = [simulate(p, 7, r).metrics for r in range(REPS)]
    return out


def _t_interval(x: list[float]) -> tuple[float, float, float]:
    """Mean and Student-t 95 % interval, computed with scipy (independent of analysis.stats)."""
    a = np.asarray(x, float)
    if a.std() == 0:
        return float(a.mean()), float(a.mean()), float(a.mean())
    lo, hi = stats.t.interval(0.95, a.size - 1, loc=a.mean(), scale=stats.sem(a))
    return float(a.mean()), float(lo), float(hi)


def _check_metric(doc_metric: dict, values: list[float], name: str) -> None:
    m, lo, hi = _t_interval(values)
    assert doc_metric["mean"] == pytest.approx(m, rel=1e-9, abs=1e-9), name
    assert doc_metric["ci95"] == pytest.approx([lo, hi], rel=1e-9, abs=1e-9), name


def test_readme_main_command_prints_the_engines_numbers(engine_runs) -> None:
    """The README's first command, with 3 replications instead of 200 and JSON output: every
    option's means and 95 % intervals are those of the engine run directly with the same seed
    (t interval from scipy); the options faced the same raid (common random numbers); each
    threat ends in one state; the umbrella engages and `none` has no allied shooter. Mutants
    killed: the CLI reporting another seed or replication, a CI of the wrong width, options
    drawn on different raids. The full 200-replication command runs under ``-m slow``."""
    args = _skyshield_part(_first_block()[0])
    k = args.index("--replications")
    args[k + 1] = str(REPS)
    res = subprocess.run([*SKYSHIELD, *args, "--format", "json", "-j", "1"], capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert list(doc["options"]) == ["none", "air-policing", "umbrella"]
    for o, runs in engine_runs.items():
        metrics = doc["options"][o]["metrics"]
        for key in KEYS:
            _check_metric(metrics[key], [r.get(key, 0.0) for r in runs], f"{o}:{key}")
        ends = sum(metrics[x]["mean"] for x in ("destroyed", "suppressed_ew", "leaked", "failed", "in_flight_at_end"))
        assert ends == pytest.approx(metrics["launched"]["mean"])
    launched = {o: [r["launched"] for r in runs] for o, runs in engine_runs.items()}
    assert launched["none"] == launched["air-policing"] == launched["umbrella"]
    assert doc["options"]["none"]["metrics"]["allied_engagements"]["mean"] == 0
    assert doc["options"]["umbrella"]["metrics"]["allied_engagements"]["mean"] > 5


@pytest.mark.slow
def test_readme_main_command_runs_end_to_end_as_written() -> None:
    args = _skyshield_part(_first_block()[0])
    res = subprocess.run([*SKYSHIELD, *args], capture_output=True, text=True, timeout=1200)
    assert res.returncode == 0, res.stderr
    for option in ("none", "air-policing", "umbrella"):
        assert option in res.stdout
    assert "Traceback" not in res.stderr


def test_json_output_is_one_document_with_the_promised_shape(engine_runs) -> None:
    res = subprocess.run(
        [*SKYSHIELD, "run", "eastern-flank-night-raid-v1", "--option", "none", "-n", str(REPS), "--seed", "7",
         "--format", "json", "-j", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    prov = doc["provenance"]
    assert {"scenario", "scenario_hash", "seed", "replications", "version"} <= set(prov)
    assert prov["seed"] == 7 and prov["replications"] == REPS
    metrics = doc["options"]["none"]["metrics"]
    for m in ("launched", "destroyed", "leaked", "interceptors_used", "interceptor_cost_usd", "assets_hit"):
        # The same numbers as the engine run directly, with scipy's t interval (it used to
        # check only lo <= mean <= hi, true of any interval built as mean +- h).
        _check_metric(metrics[m], [r[m] for r in engine_runs["none"]], m)
    assert metrics["destroyed"]["ci95"][1] - metrics["destroyed"]["ci95"][0] > 1.0  # replications differ


def test_list_and_schema() -> None:
    res = subprocess.run([*SKYSHIELD, "list"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "eastern-flank-night-raid-v1" in res.stdout and "umbrella" in res.stdout
    res = subprocess.run([*SKYSHIELD, "schema"], capture_output=True, text=True, timeout=120)
    schema = json.loads(res.stdout)
    assert {"theatre", "assets", "forces", "raid"} <= set(schema["properties"])
