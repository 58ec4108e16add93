"""``adversary=`` in the Python facade and ``--adversary`` on the command line say the same thing:
``both`` runs every option under each adversary on the same raids, labelled ``<option>@fixed`` and
``<option>@adaptive``, and the provenance names the adversary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import skyshield as sk
from skyshield.cli.main import main
from skyshield.documents import ScenarioError

MINI = str(Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml")


@pytest.fixture(scope="module")
def mini():
    return sk.load_scenario(MINI)


def test_both_labels_each_option_under_each_adversary_and_keeps_them_paired(mini) -> None:
    cmp = sk.compare(mini, options="none", replications=2, seed=3, workers=1, adversary="both")
    assert cmp.options == ("none@fixed", "none@adaptive")
    assert cmp.provenance["adversary"] == "both"
    # No allied posture under `none`: the adaptive raid is the fixed raid, replication by replication.
    assert cmp.rows("none@fixed") == cmp.rows("none@adaptive")
    d = cmp.document()["options"]["none@adaptive"]["difference_vs_none@fixed"]
    assert all(v["mean"] in (0.0, None) for v in d.values())
    one = sk.compare(mini, options="none", replications=2, seed=3, workers=1, adversary="adaptive")
    assert one.options == ("none",) and one.provenance["adversary"] == "adaptive"
    assert one.rows("none") == cmp.rows("none@adaptive")


def test_an_unknown_adversary_is_an_input_error(mini) -> None:
    with pytest.raises(ScenarioError, match="--adversary"):
        sk.compare(mini, options="none", replications=1, workers=1, adversary="cunning")


def test_the_command_line_labels_the_adversary() -> None:
    args = ["compare", MINI, "--options", "none", "-n", "1", "--seed", "3", "-j", "1", "--scheduler", "serial",
            "--adversary", "both"]
    res = CliRunner().invoke(main, args + ["--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert list(doc["options"]) == ["none@fixed", "none@adaptive"] and doc["provenance"]["adversary"] == "both"
    table = CliRunner().invoke(main, args).stdout
    assert "Adversary: both." in table and "none@adaptive" in table
    fixed = CliRunner().invoke(main, [*args[:-2], "--format", "json"]).stdout
    assert json.loads(fixed)["provenance"]["adversary"] == "fixed" and "@" not in fixed  # the default
    bad = CliRunner().invoke(main, args[:-1] + ["cunning"])
    assert bad.exit_code == 2 and "cunning" in bad.output
