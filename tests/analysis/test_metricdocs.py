"""Every metric emitted has a definition and a unit; docs/metrics.md says the same as the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

import skyshield as sk
from skyshield.analysis.metricdocs import READING_GUIDE, metric_doc, metrics_markdown, registry
from skyshield.catalog import load_catalog
from skyshield.engine import compile_scenario, engine_for, simulate
from skyshield.options import builtin_options, resolve_option
from skyshield.scenario import load_scenario

REPO = Path(__file__).resolve().parents[2]
MINI = str(REPO / "tests" / "data" / "mini-scenario.yaml")


def _undocumented(names, scope="night"):
    return sorted(n for n in names if metric_doc(n, scope) is None or not metric_doc(n, scope).unit)


@pytest.mark.parametrize("scenario", ["eastern-flank-night-raid-v1", "western-raid-v1"])
def test_every_metric_of_every_preset_option_is_documented_with_a_unit(scenario) -> None:
    cat = load_catalog()
    sc = load_scenario(scenario, cat)
    names: set[str] = set()
    for o in builtin_options():
        names |= set(simulate(compile_scenario(sc, cat, resolve_option(o, sc)), 3, 0).metrics)
    assert len(names) > 300
    assert _undocumented(names) == []


@pytest.mark.parametrize("scenario", ["case-israel-2024-04-13", "case-poland-2025-09-10"])
def test_every_metric_of_the_validation_cases_is_documented_with_a_unit(scenario) -> None:
    # the cases name nationalities (kills by nation and shooter kind) and launch failures
    cat = load_catalog()
    sc = load_scenario(scenario, cat)
    names: set[str] = set()
    for o in ("none", "allied-as-flown"):
        names |= set(simulate(compile_scenario(sc, cat, resolve_option(o, sc)), 2, 0).metrics)
    assert any("_by_" in n for n in names) and "failed" in names
    assert _undocumented(names) == []


def test_full_fidelity_and_campaign_metrics_are_documented() -> None:
    cat = load_catalog()
    sc = load_scenario(MINI, cat)
    p = compile_scenario(sc, cat, resolve_option("umbrella", sc))
    full = simulate(p, 1, 0, engine=engine_for("full")).metrics
    assert {"gospa_m", "siap_completeness", "siap_latency_s"} <= set(full)
    assert _undocumented(full) == []
    c = sk.campaign(MINI, ["none", "umbrella"], days=2, replications=1, seed=1, workers=1)
    doc = c.document()
    names = {k for o in doc["options"].values() for k in o["metrics"]}
    assert _undocumented(names, "campaign") == []
    assert set(doc["metric_docs"]) == names == set(doc["metric_units"])


def test_the_document_defines_exactly_the_metrics_it_reports() -> None:
    doc = sk.run(MINI, "forward-cap", replications=2, seed=1, workers=1).document()
    names = set(doc["options"]["forward-cap"]["metrics"])
    assert set(doc["metric_docs"]) == names == set(doc["metric_units"])
    assert doc["metric_units"]["leaked"] == "threats" and doc["metric_units"]["interceptor_cost_usd"] == "USD"
    assert doc["metric_units"]["p_rung_ge_4"] == "probability" and doc["metric_units"]["early_warning_s"] == "s"


def test_a_name_no_entry_matches_is_reported_as_undocumented() -> None:
    # the check is not vacuous: a new metric nobody documented fails it
    assert _undocumented(["leaked", "leaked_by_magic", "asset_kyiv_hits", "destroyed_spaceship"]) == [
        "destroyed_spaceship", "leaked_by_magic"]


def test_every_entry_has_a_unit_and_a_definition_and_the_doc_file_is_current() -> None:
    for scope in ("night", "campaign"):
        for d in registry(scope):
            assert d.unit and d.doc and d.pattern, d
    text = (REPO / "docs" / "metrics.md").read_text()
    assert text.strip() == metrics_markdown().strip(), (
        "docs/metrics.md is out of date: python -m skyshield.analysis.metricdocs > docs/metrics.md")
    assert READING_GUIDE in text
