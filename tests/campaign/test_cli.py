"""`skyshield campaign` end to end (JSON keys) and its input errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from skyshield.cli.main import main


def test_campaign_json_has_the_risk_and_magazine_outputs(shared_data, tmp_path):
    csv = shared_data / "attacks" / "missile_attacks_daily.csv"
    gen = tmp_path / "g.yaml"
    r = CliRunner().invoke(main, ["campaign", "eastern-flank-night-raid-v1", "--options", "none,over-the-horizon",
                                  "--days", "2", "-n", "1", "-j", "1", "--records", str(csv), "--format", "json",
                                  "--save-generator", str(gen)])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    m = doc["options"]["over-the-horizon"]["metrics"]
    for k in ("max_rung", "p_direct_engagement", "p_tripwire", "allied_losses", "clauses_fired",
              "debris_on_allied_territory", "days_of_defence_min", "launch_capacity_final", "protection"):
        assert k in m
    assert doc["provenance"]["generator"]["sha256"] and gen.is_file()


def test_campaign_without_records_is_an_input_error():
    r = CliRunner().invoke(main, ["campaign", "eastern-flank-night-raid-v1", "--days", "2"])
    assert r.exit_code == 2 and "--records" in r.output
