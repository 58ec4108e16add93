"""ROE: a table of (shooter, target path, intercept point, debris) cases and the expected decision."""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.engage.roe import REASONS, RoeCase, decide, roe_allows
from skyshield.engine.params import ROE_CODES
from skyshield.geo import Zone

OWN = 0
OVER = ROE_CODES["over-allied-territory"]
PATH = ROE_CODES["path-crosses-allied"]
REACH = ROE_CODES["in-reach"]
A, D, S, X, N, O = Zone.ALLIED, Zone.DEFENDED, Zone.SEA, Zone.ADVERSARY, Zone.NEUTRAL, Zone.OCCUPIED

CASES = [
    # (description, case, allowed, reason)
    ("own SAM over own country", RoeCase(OWN, D, D, False), True, "allowed"),
    ("own SAM over occupied territory", RoeCase(OWN, D, O, False), True, "allowed"),
    ("own SAM over the Black Sea", RoeCase(OWN, D, S, False), True, "allowed"),
    ("own SAM may not fire into Polish airspace", RoeCase(OWN, D, A, True), False, "airspace"),
    ("own SAM may not fire into Moldovan airspace", RoeCase(OWN, D, N, False), False, "airspace"),
    ("soft shield: intercept over Poland", RoeCase(OVER, A, A, True), True, "allowed"),
    ("soft shield: not over the defended country, even if bound for Poland", RoeCase(OVER, A, D, True), False, "airspace"),
    ("soft shield: not over the defended country", RoeCase(OVER, A, D, False), False, "airspace"),
    ("soft shield ship at sea: sea intercept of a threat bound for allied soil", RoeCase(OVER, S, S, True), True, "allowed"),
    ("soft shield ship at sea: not a threat bound elsewhere", RoeCase(OVER, S, S, False), False, "airspace"),
    ("soft shield land battery: no sea intercepts", RoeCase(OVER, A, S, True), False, "airspace"),
    ("soft shield: debris falling on Moldova", RoeCase(OVER, A, A, True, debris_zone=N), False, "neutral-debris"),
    ("path ROE: over the defended country, path crosses Poland", RoeCase(PATH, A, D, True), True, "allowed"),
    ("path ROE: over the defended country, path stays in it", RoeCase(PATH, A, D, False), False, "path"),
    ("path ROE: never over the adversary", RoeCase(PATH, A, X, True), False, "airspace"),
    ("in reach: over the defended country", RoeCase(REACH, A, D, False), True, "allowed"),
    ("in reach: over occupied territory", RoeCase(REACH, A, O, False), True, "allowed"),
    ("in reach: not inside a neutral country", RoeCase(REACH, A, N, False), False, "airspace"),
    ("in reach: debris on a neutral country", RoeCase(REACH, S, S, False, debris_zone=N), False, "neutral-debris"),
    ("own SAM: debris on a neutral country is its own call", RoeCase(OWN, D, D, False, debris_zone=N), True, "allowed"),
]


@pytest.mark.parametrize(("what", "case", "allowed", "reason"), CASES, ids=[c[0] for c in CASES])
def test_roe_decision_table(what: str, case: RoeCase, allowed: bool, reason: str) -> None:
    assert decide(case) == (allowed, reason), what


def test_vectorised_rule_equals_the_scalar_table() -> None:
    cases = [c[1] for c in CASES]
    ok, why = roe_allows(
        [c.roe for c in cases], [c.shooter_zone for c in cases], [c.intercept_zone for c in cases],
        [c.intercept_zone if c.debris_zone is None else c.debris_zone for c in cases],
        [c.crosses_allied for c in cases],
    )
    assert ok.tolist() == [c[2] for c in CASES]
    assert [REASONS[w] for w in why] == [c[3] for c in CASES]


def test_wider_roe_never_denies_what_a_narrower_one_allows() -> None:
    zones = [int(z) for z in Zone]
    grid = np.array(np.meshgrid(zones, zones, zones, [0, 1])).reshape(4, -1)
    sz, iz, dz, cr = grid
    allowed = {r: roe_allows(r, sz, iz, dz, cr)[0] for r in (OVER, PATH, REACH)}
    # over-allied-territory (land) is within path-crosses-allied, which is within in-reach
    land = sz != Zone.SEA
    consistent = (iz != Zone.ALLIED) | (cr == 1)  # a threat over allied soil crosses it
    assert not (allowed[OVER] & land & consistent & ~allowed[PATH]).any()
    assert not (allowed[PATH] & ~allowed[REACH]).any()


def test_a_host_permits_by_default_and_a_refusal_denies_in_its_airspace_only() -> None:
    """Callers that know nothing of host nations (the redeployment estimate) leave ``host_ok``
    out: over a host's airspace the engagement is then allowed exactly as with ``True``, and
    denied with ``False``; elsewhere ``host_ok`` changes nothing. Mutant killed: the default
    flipped to a refusal."""
    for roe in (OVER, PATH, REACH):
        default, _ = roe_allows(roe, A, Zone.HOST, Zone.HOST, True)
        yes, _ = roe_allows(roe, A, Zone.HOST, Zone.HOST, True, True)
        no, _ = roe_allows(roe, A, Zone.HOST, Zone.HOST, True, False)
        assert bool(default) == bool(yes) and bool(yes) and not bool(no), roe
        elsewhere = [bool(roe_allows(roe, A, D, D, True, h)[0]) for h in (True, False)]
        assert elsewhere[0] == elsewhere[1], roe
