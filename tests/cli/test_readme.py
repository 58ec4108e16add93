"""The README's commands, run as written (examples are tests)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

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


def test_readme_main_command_runs_end_to_end() -> None:
    args = _skyshield_part(_first_block()[0])
    res = subprocess.run([*SKYSHIELD, *args], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    for option in ("none", "air-policing", "umbrella"):
        assert option in out
    for metric in ("launched", "destroyed", "leaked", "interceptor_cost_usd", "assets_hit"):
        assert metric in out
    assert "Traceback" not in res.stderr


def test_json_output_is_one_document_with_the_promised_shape() -> None:
    res = subprocess.run(
        [*SKYSHIELD, "run", "eastern-flank-night-raid-v1", "--option", "none", "-n", "3", "--seed", "7",
         "--format", "json", "-j", "1"],
        capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    prov = doc["provenance"]
    assert {"scenario", "scenario_hash", "seed", "replications", "version"} <= set(prov)
    assert prov["seed"] == 7 and prov["replications"] == 3
    metrics = doc["options"]["none"]["metrics"]
    for m in ("launched", "destroyed", "leaked", "interceptors_used", "interceptor_cost_usd", "assets_hit"):
        assert m in metrics
        lo, hi = metrics[m]["ci95"]
        assert lo <= metrics[m]["mean"] <= hi


def test_list_and_schema() -> None:
    res = subprocess.run([*SKYSHIELD, "list"], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "eastern-flank-night-raid-v1" in res.stdout and "umbrella" in res.stdout
    res = subprocess.run([*SKYSHIELD, "schema"], capture_output=True, text=True, timeout=120)
    schema = json.loads(res.stdout)
    assert {"theatre", "assets", "forces", "raid"} <= set(schema["properties"])
