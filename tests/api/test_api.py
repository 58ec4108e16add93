"""The Python API: the same numbers as the command line's JSON, views that agree with each
other, provenance that tells every input apart, and input errors that say what is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import skyshield as sk
from skyshield.documents import ScenarioError
from skyshield.engine.explain import CAUSES

MINI = str(Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml")


@pytest.fixture(scope="module")
def cmp():
    return sk.compare(MINI, options=["none", "umbrella", "air-policing"], replications=6, seed=11, workers=1)


def test_import_runs_nothing_heavy() -> None:
    code = ("import sys, skyshield; "
            "print(sorted(m for m in ('numpy', 'pyarrow', 'pandas', 'skyshield.api') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "[]"
    assert {"compare", "run", "replay", "campaign", "load_scenario", "Comparison"} <= set(dir(sk))


def test_the_api_returns_the_numbers_of_the_cli_json(cmp) -> None:
    res = subprocess.run([sys.executable, "-m", "skyshield", "compare", MINI, "--options", "none,umbrella,air-policing",
                          "-n", "6", "--seed", "11", "-j", "2", "--format", "json"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    cli = json.loads(res.stdout)
    api = json.loads(cmp.to_json())
    assert cli["options"] == api["options"]  # every number, bit for bit (2 workers against 1)
    assert cli["metric_docs"] == api["metric_docs"] and cli["metric_units"] == api["metric_units"]
    assert {k: v for k, v in cli["provenance"].items()} == api["provenance"]


def test_the_views_agree_with_the_document_and_with_each_other(cmp) -> None:
    doc = cmp.document()
    df = cmp.metrics
    assert len(df) == 3 * 6 and list(df["option"].unique()) == ["none", "umbrella", "air-policing"]
    s = cmp.summary()
    for o in cmp.options:
        for k in ("leaked", "destroyed", "max_rung", "interceptor_cost_usd"):
            assert s.loc[(o, k), "mean"] == pytest.approx(doc["options"][o]["metrics"][k]["mean"])
            assert s.loc[(o, k), "mean"] == pytest.approx(df.loc[df["option"] == o, k].mean())
    d = cmp.difference("umbrella")
    exp = df.loc[df["option"] == "umbrella", "leaked"].to_numpy() - df.loc[df["option"] == "none", "leaked"].to_numpy()
    assert d.loc["leaked", "mean"] == pytest.approx(exp.mean())
    assert d.loc["leaked", "mean"] == pytest.approx(doc["options"]["umbrella"]["difference_vs_none"]["leaked"]["mean"])
    assert d.loc["leaked", "unit"] == "threats" and d.loc["interceptor_cost_usd", "unit"] == "USD"
    ds = cmp.to_xarray()
    assert dict(ds.sizes) == {"option": 3, "replication": 6}
    np.testing.assert_array_equal(ds["leaked"].sel(option="umbrella").values,
                                  df.loc[df["option"] == "umbrella", "leaked"].to_numpy())
    assert ds["leaked"].attrs["units"] == "threats" and json.loads(ds.attrs["provenance"])["seed"] == 11


def test_the_counts_add_up_as_the_reading_guide_says_in_every_replication(cmp) -> None:
    df = cmp.metrics
    assert (df["destroyed"] + df["suppressed_ew"] + df["leaked"] + df["in_flight_at_end"] == df["launched"]).all()
    causes = sum(df[f"leaked_by_cause_{c.replace('-', '_')}"] for c in CAUSES)
    assert (causes == df["leaked"]).all()
    assert cmp.document()["reading_guide"] == "destroyed + suppressed_ew + leaked + failed + in_flight_at_end = launched"


def test_explain_gives_causes_that_sum_to_leaked_and_the_ladder(cmp) -> None:
    e = cmp.explain("umbrella")
    m = cmp.document()["options"]["umbrella"]["metrics"]
    assert e.leakers["mean"].sum() == pytest.approx(m["leaked"]["mean"])
    d = cmp.document()["options"]["umbrella"]["difference_vs_none"]["leaked"]["mean"]
    assert e.leakers_difference["mean"].sum() == pytest.approx(d)
    ge = e.rung_distribution["mean"]
    assert list(ge.index) == [str(k) for k in range(1, 10)]
    assert all(a >= b for a, b in zip(ge, ge.iloc[1:]))  # P(rung >= k) falls with k
    top = e.rung_reasons[("set_top_rung_share", "mean")]
    assert top.sum() == pytest.approx(ge.loc["1"])  # one reason per night above rung 0
    assert "umbrella:" in e.text and "Why:" in e.text and "Against none" in e.text
    # against another base: differences are recomputed on the same raids
    e2 = cmp.explain("umbrella", base="air-policing")
    dd = (cmp.metrics.query("option == 'umbrella'")["leaked"].to_numpy()
          - cmp.metrics.query("option == 'air-policing'")["leaked"].to_numpy()).mean()
    assert e2.leakers_difference["mean"].sum() == pytest.approx(dd)


def test_events_when_asked_and_a_clear_error_when_not(cmp) -> None:
    with pytest.raises(ValueError, match="events=True"):
        cmp.events  # noqa: B018
    r = sk.run(MINI, "none", replications=2, seed=1, workers=1, events=True)
    ev = r.events
    assert set(ev["replication"]) == {0, 1} and (ev["kind"] == "launch").sum() == 2 * 25


def test_input_errors_say_what_is_wrong_and_suggest() -> None:
    with pytest.raises(ScenarioError, match="did you mean 'umbrella'"):
        sk.compare(MINI, options=["none", "umbrela"], replications=1)
    with pytest.raises(ScenarioError, match="at least 1"):
        sk.compare(MINI, options="none", replications=0)
    with pytest.raises(ScenarioError, match="did you mean 'statistical'"):
        sk.compare(MINI, options="none", replications=1, fidelity="statistcal")
    with pytest.raises(KeyError, match="did you mean 'umbrella'"):
        sk.run(MINI, "umbrella", replications=1, seed=1, workers=1).explain("umbrela")


def test_provenance_tells_every_input_apart(tmp_path) -> None:
    base = sk.run(MINI, "none", replications=2, seed=1, workers=1).provenance
    assert {"scenario_hash", "catalog_hash", "inputs", "seed", "replications", "options", "fidelity", "version",
            "code_version"} <= set(base)
    assert base["inputs"][0]["role"] == "scenario" and len(base["inputs"][0]["sha256"]) == 64
    overlay = tmp_path / "o.yaml"
    overlay.write_text("sources: {t: test}\nthreats: {shahed-136: {speed: {value: 160 km/h, low: 150 km/h, "
                       "high: 200 km/h, source: t}}}\n")
    same_overlay = tmp_path / "same.yaml"
    same_overlay.write_text("sources: {t2: test}\n")  # changes no value that the run uses, but is an input
    variant = tmp_path / "v.yaml"
    variant.write_text(f"extends: {MINI}\nid: mini-variant-v1\n")
    runs = {
        "base": base,
        "overlay": sk.run(MINI, "none", replications=2, seed=1, workers=1, catalog=[overlay]).provenance,
        "inert overlay": sk.run(MINI, "none", replications=2, seed=1, workers=1, catalog=[same_overlay]).provenance,
        "seed": sk.run(MINI, "none", replications=2, seed=2, workers=1).provenance,
        "replications": sk.run(MINI, "none", replications=3, seed=1, workers=1).provenance,
        "option": sk.run(MINI, "umbrella", replications=2, seed=1, workers=1).provenance,
        "extends": sk.run(variant, "none", replications=2, seed=1, workers=1).provenance,
    }
    keys = {k: json.dumps({f: v for f, v in p.items() if f != "code_version"}, sort_keys=True) for k, p in runs.items()}
    assert len(set(keys.values())) == len(keys), keys
    ov = runs["overlay"]
    assert ov["catalog_hash"] != base["catalog_hash"] and ov["inputs"][-1]["role"] == "catalog-overlay"
    ex = runs["extends"]["inputs"]
    assert [r["role"] for r in ex] == ["scenario", "extends"] and ex[1]["content_hash"] == base["scenario_hash"]


def test_sk_campaign_and_sk_replay_are_the_api_even_with_their_subpackages_imported() -> None:
    import skyshield.campaign
    import skyshield.replay  # noqa: F401

    c = sk.campaign(MINI, ["none"], days=2, replications=1, seed=1, workers=1)
    assert isinstance(c, sk.CampaignResult) and c.document()["options"]["none"]["metrics"]["days"]["mean"] == 2
    assert skyshield.campaign.run_campaign is not None  # the subpackage is still the subpackage


def test_replay_through_the_api_is_the_cli_document(shared_data) -> None:
    csv = shared_data / "attacks" / "missile_attacks_daily.csv"
    r = sk.replay(csv, "2025-09-07", replications=3, seed=2, workers=1)
    res = subprocess.run([sys.executable, "-m", "skyshield", "replay", "--attacks", str(csv), "--date", "2025-09-07",
                          "-n", "3", "--seed", "2", "-j", "1", "--format", "json"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == json.loads(r.to_json())
    df = r.classes_frame
    assert "drone" in df.index and 0 <= df.loc["drone", "simulated_mean"] <= 1


def test_the_readme_python_example_runs() -> None:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (block,) = re.findall(r"```python\n(.*?)```", readme, re.S)
    code = block.replace("replications=200", "replications=2").replace("seed=7)", "seed=7, workers=1)")
    ns: dict = {}
    exec(compile(code, "README.md", "exec"), ns)  # noqa: S102 - the README's own example
    assert ns["cmp"].replications == 2 and list(ns["cmp"].options) == ["none", "umbrella"]
