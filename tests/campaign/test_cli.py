"""`skyshield campaign` end to end: the packaged generator by default, --records and
--generator overriding it (and saying so in the provenance), and its input errors."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from skyshield.campaign.generator import ATTRIBUTION, DEFAULT_FIT_SPAN, default_generator
from skyshield.cli.main import main

REPO = Path(__file__).resolve().parents[2]
QUICK = ["--days", "2", "-n", "1", "-j", "1", "--format", "json"]


def _run(*args: str):
    return CliRunner().invoke(main, ["campaign", "eastern-flank-night-raid-v1", *args])


def test_campaign_runs_without_records_on_the_packaged_generator_and_says_so():
    r = _run("--options", "none,air-policing", *QUICK)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    prov = doc["provenance"]
    assert prov["generator_from"].startswith("packaged default")
    gen = prov["generator"]
    assert gen["fit_period"] == list(DEFAULT_FIT_SPAN) and gen["source_file"] == "missile_attacks_daily.csv"
    assert len(gen["sha256"]) == 64 and gen["attribution"] == ATTRIBUTION and gen["package_version"]
    assert prov["period"] == "2025-Q3"  # the latest full quarter of the packaged fit
    m = doc["options"]["air-policing"]["metrics"]
    assert m["launched"]["mean"] > 0
    for k in ("days_of_defence_min", "allied_days_of_defence_min", "days_of_defence_pac_3_mse",
              "launch_capacity_final", "oth_strikes", "aid_interceptors"):
        assert k in m
    assert "allied_days_of_defence_min" not in doc["options"]["none"]["metrics"]


def test_records_override_the_packaged_generator_and_the_provenance_says_so(shared_data, tmp_path):
    csv = shared_data / "attacks" / "missile_attacks_daily.csv"
    gen = tmp_path / "g.yaml"
    r = _run("--options", "none,over-the-horizon", *QUICK, "--records", str(csv), "--fit-start", "2024-01-01",
             "--fit-end", "2024-06-30", "--save-generator", str(gen))
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["provenance"]["generator_from"] == "fitted to --records missile_attacks_daily.csv"
    assert doc["provenance"]["generator"]["fit_period"] == ["2024-01-01", "2024-06-30"]
    assert doc["provenance"]["period"] == "2024-Q2" and gen.is_file()
    m = doc["options"]["over-the-horizon"]["metrics"]
    for k in ("max_rung", "p_direct_engagement", "p_tripwire", "allied_losses", "clauses_fired",
              "debris_on_allied_territory", "days_of_defence_min", "launch_capacity_final", "protection"):
        assert k in m
    # A saved generator in turn overrides the default, and the two runs see the same raids.
    r2 = _run("--options", "none", *QUICK, "--generator", str(gen))
    assert r2.exit_code == 0, r2.output
    doc2 = json.loads(r2.output)
    assert doc2["provenance"]["generator_from"] == f"--generator {gen}"
    assert doc2["options"]["none"]["metrics"]["launched"] == doc["options"]["none"]["metrics"]["launched"]


def test_records_and_generator_together_or_fit_dates_without_records_are_input_errors(tmp_path):
    g = tmp_path / "g.yaml"
    default_generator().save(g)
    r = _run("--days", "2", "--records", str(g), "--generator", str(g))
    assert r.exit_code == 2 and "at most one" in r.output
    r = _run("--days", "2", "--fit-start", "2024-01-01")
    assert r.exit_code == 2 and "--records" in r.output


@pytest.mark.slow
def test_the_readme_campaign_command_runs_as_written():
    readme = (REPO / "README.md").read_text()
    line = next(x for x in readme.splitlines() if x.startswith("skyshield campaign "))
    words = shlex.split(re.sub(r"\s+#.*$", "", line))
    assert "--records" not in words and "--days" in words
    res = subprocess.run([sys.executable, "-m", "skyshield", *words[1:]], capture_output=True, text=True,
                         timeout=1800, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert "over-the" in res.stdout and "packaged default" in res.stderr  # long names are cut in the table
