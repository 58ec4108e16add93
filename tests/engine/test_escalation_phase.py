"""The escalate phase in the kernel: outputs, reasons, determinism, no-policy baseline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from skyshield.catalog import load_catalog
from skyshield.engine import Engine, compile_scenario, simulate
from skyshield.options import resolve_option
from skyshield.policy.phase import ESCALATION_METRIC_DOCS, EscalationPhase
from skyshield.scenario import load_scenario


@pytest.fixture(scope="module")
def params():
    cat = load_catalog()
    sc = load_scenario("eastern-flank-night-raid-v1", cat)
    return {o: compile_scenario(sc, cat, resolve_option(o, sc)) for o in ("none", "contingency-clauses+forward-cap")}


def test_the_kernel_runs_the_escalate_phase_by_default():
    assert isinstance(Engine().escalate, EscalationPhase)


def test_every_escalation_metric_is_reported_and_documented(params):
    out = simulate(params["contingency-clauses+forward-cap"], seed=2, replication=0)
    for k in ESCALATION_METRIC_DOCS:
        assert k in out.metrics, k
    assert sum(out.metrics[f"p_max_rung_{r}"] for r in range(10)) == 1.0


def test_policy_events_carry_their_reason_and_engine_events_keep_theirs(params):
    out = simulate(params["contingency-clauses+forward-cap"], seed=2, replication=0)
    ev = out.events
    assert "detail" in ev.column_names
    kinds = ev.column("kind").to_pylist()
    details = ev.column("detail").to_pylist()
    assert all(d for k, d in zip(kinds, details) if k in ("rung", "clause-fired", "clause-triggered", "clause-not-honoured"))
    assert all(d is None for k, d in zip(kinds, details) if k in ("launch", "engage", "kill"))
    assert "rung" in kinds


def test_escalation_is_deterministic(params):
    p = params["contingency-clauses+forward-cap"]
    a, b = simulate(p, seed=4, replication=3), simulate(p, seed=4, replication=3)
    assert a.metrics == b.metrics and a.events.equals(b.events)


def test_the_defended_country_alone_never_engages_the_adversary_directly(params):
    for r in range(3):
        m = simulate(params["none"], seed=1, replication=r).metrics
        assert m["max_rung"] == 0 and m["p_direct_engagement"] == 0 and m["allied_losses"] == 0


_UNITS = ("rung", "probability", "count", "fraction", "h:", "expected", "dimensionless")


def test_every_escalation_metric_doc_names_its_unit():
    for k, doc in ESCALATION_METRIC_DOCS.items():
        assert doc.startswith(_UNITS), (k, doc)


def test_the_json_document_documents_every_escalation_metric_it_reports():
    res = subprocess.run(
        [sys.executable, "-m", "skyshield", "run", "eastern-flank-night-raid-v1", "--option", "forward-cap",
         "-n", "1", "--seed", "3", "-j", "1", "--scheduler", "serial", "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    reported = set(doc["options"]["forward-cap"]["metrics"])
    assert set(ESCALATION_METRIC_DOCS) <= reported
    assert all(doc["metric_docs"].get(k) == v for k, v in ESCALATION_METRIC_DOCS.items())


def test_on_the_reference_night_the_forward_cap_ladder_says_why(params):
    # Which rung each allied action put the night at: posture 5, intercepts 4 over the defended
    # country, 6 only over adversary territory; exposure is reported in hours and hazard.
    out = simulate(params["contingency-clauses+forward-cap"], seed=2, replication=0)
    m = out.metrics
    assert m["allied_aircraft_h"] > 50 and 0 < m["exposure_hazard"] < 0.05
    assert m["allied_action_kinds"] >= 3 and m["allied_actions"] > 100
    ev = out.events
    rungs = [d for k, d in zip(ev.column("kind").to_pylist(), ev.column("detail").to_pylist()) if k == "rung"]
    assert any(d.startswith("rung 5 (allied-aircraft-over-defended)") for d in rungs)
    assert all("over defended territory" not in d for d in rungs if d.startswith("rung 6"))
