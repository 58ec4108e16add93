"""Policy: contingency clauses, the escalation ladder, the adversary's responses, tripwires.

The scenario-language models live in :mod:`skyshield.policy.spec`; the escalate phase of the
kernel is :class:`skyshield.policy.phase.EscalationPhase` (import it from there: this package
initialiser stays light because the scenario model imports the spec).
"""

from .spec import (
    RESPONSE_KINDS,
    TRIGGER_EVENTS,
    Ambiguity,
    Clause,
    Escalation,
    OverTheHorizon,
    Response,
    Rotation,
    Transfer,
    Trigger,
    Tripwire,
)

__all__ = [
    "RESPONSE_KINDS",
    "TRIGGER_EVENTS",
    "Ambiguity",
    "Clause",
    "Escalation",
    "OverTheHorizon",
    "Response",
    "Rotation",
    "Transfer",
    "Trigger",
    "Tripwire",
]
