"""Engagement and battle management: doctrine, weapon-target assignment, rules of engagement,
fighters, electronic warfare and the cost ledger.

Each module is small and pure: closed forms and vectorised rules that the engine's battle
loop (:mod:`skyshield.engine.battle`) calls, and that tests check against hand-worked cases.
"""

from .doctrine import (
    expected_shots_sls,
    interceptors_for_confidence,
    p_kill_salvo,
    p_kill_sls,
    p_zero_leakers,
)
from .roe import REASONS, ROE_DEFENDED, RoeCase, decide, roe_allows
from .wta import greedy_assign, optimal_assign

__all__ = [
    "expected_shots_sls",
    "interceptors_for_confidence",
    "p_kill_salvo",
    "p_kill_sls",
    "p_zero_leakers",
    "ROE_DEFENDED",
    "RoeCase",
    "REASONS",
    "decide",
    "roe_allows",
    "greedy_assign",
    "optimal_assign",
]
