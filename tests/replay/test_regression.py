"""Regression of the validation figures (docs/calibration.md) on the calibration and the
evaluation periods: the documented commands, re-run, must give the documented figures.

Tolerances (stated once here and in docs/calibration.md): nights and launches exact; mean
error and mean absolute error within 0.02; correlation within 0.08; coverage within 0.10.
Monte Carlo noise at 16 replications per night moves the mean absolute error by less than
0.005 between seeds; the rest is headroom for small model changes (the pending recalibration
of statistical sensing moves detection a little). A change beyond these bounds must update
docs/calibration.md and this table, with the command's new output. Each night's own tolerance
(|simulated - reported|) never exceeds 0.15 on nights of 20 or more launches (tested in
test_replay.py).

Slow (about 1.5 minutes per period on two idle cores): run with ``-m slow``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skyshield.replay.validate import validate

# (from, to) -> class -> documented figures (16 replications per night, seed 1).
DOCUMENTED = {
    ("2025-05-01", "2025-07-31"): {  # calibration period (fitted on)
        "drone": {"nights": 88, "launched": 15728, "mean_error": 0.0066, "mean_abs_error": 0.0767,
                  "correlation": 0.682, "coverage": 0.909},
        "cruise": {"nights": 6, "launched": 222, "mean_error": -0.1011, "mean_abs_error": 0.1442,
                   "correlation": -0.091, "coverage": 1.0},
    },
    ("2025-08-01", "2025-10-31"): {  # evaluation period (never fitted on)
        "drone": {"nights": 90, "launched": 14935, "mean_error": 0.0346, "mean_abs_error": 0.0759,
                  "correlation": 0.615, "coverage": 0.922},
        "cruise": {"nights": 10, "launched": 355, "mean_error": -0.0701, "mean_abs_error": 0.1232,
                   "correlation": 0.246, "coverage": 1.0},
        "ballistic": {"nights": 1, "launched": 28, "mean_error": -0.4085, "mean_abs_error": 0.4085,
                      "correlation": None, "coverage": 1.0},
    },
}
TOL = {"mean_error": 0.02, "mean_abs_error": 0.02, "correlation": 0.08, "coverage": 0.10}


@pytest.mark.slow
@pytest.mark.parametrize("period", list(DOCUMENTED))
def test_validation_figures_stay_as_documented(shared_data: Path, period: tuple[str, str]) -> None:
    v = validate(shared_data / "attacks" / "missile_attacks_daily.csv", *period, replications=16, seed=1)
    for cls, want in DOCUMENTED[period].items():
        got = v.summaries[cls].as_dict()
        assert (got["nights"], got["launched"]) == (want["nights"], want["launched"]), cls
        for k, tol in TOL.items():
            if want[k] is None:
                assert got[k] is None, (cls, k)
            else:
                assert got[k] == pytest.approx(want[k], abs=tol), (cls, k, got[k])
        for n in v.nights:
            c = n.result(cls)
            if c is not None and c.reported_launched >= 20:
                assert c.tolerance <= 0.15
