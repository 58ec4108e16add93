"""One replication of a small hand-built scenario, traced once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

SCENARIO = Path(__file__).resolve().parent / "export-scenario.yaml"
OPTION, SEED, REPLICATION = "air-policing", 1, 1
"""This replication has every event kind: launch, detect, engage, kill, suppress, leak, hit,
threats still in flight at the end, and an escalation rung (an event with no threat)."""


@pytest.fixture(scope="session")
def tr():
    from skyshield.api import trace

    return trace(SCENARIO, OPTION, seed=SEED, replication=REPLICATION)


@pytest.fixture(scope="session")
def tr_again():
    """The same replication traced a second time (determinism)."""
    from skyshield.api import trace

    return trace(SCENARIO, OPTION, seed=SEED, replication=REPLICATION)


def event_counts(tr) -> dict[str, int]:
    kinds = tr.events.column("kind").to_pylist()
    return {k: kinds.count(k) for k in set(kinds)}
