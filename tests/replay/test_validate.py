"""Judging the model over many nights: the figures, the command, and a short replay of real nights."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from skyshield.cli.main import main
from skyshield.replay.calibrate import ClassResult, NightResult
from skyshield.replay.params import load_calibration
from skyshield.replay.validate import summarise, validate

from .test_replay import _csv


def _night(date: str, rep: float, sim: float, n: int, pi: tuple[float, float], cls: str = "drone",
           hits: float | None = None) -> NightResult:
    c = ClassResult(weapon_class=cls, reported_launched=n, reported_destroyed=rep * n, reported_not_reach_goal=0.0,
                    reported_destroyed_fraction=rep, simulated_mean=sim, simulated_ci95=(sim, sim),
                    simulated_hard_kill_mean=sim / 2, tolerance=0.10, predictive_interval=pi,
                    predictive_interval_binomial=(sim - 0.01, sim + 0.01),
                    simulated_leakers_mean=(1 - sim) * n * 0.6, reported_hit_locations=hits)
    return NightResult(date, 0.4, 4, 0, (c,), "h")


def test_summary_figures_are_the_textbook_ones() -> None:
    nights = (
        _night("2025-08-01", 0.60, 0.70, 50, (0.55, 0.80), hits=5),  # error +0.10, within, covered
        _night("2025-08-02", 0.90, 0.85, 400, (0.80, 0.88), hits=20),  # -0.05, within, not covered
        _night("2025-08-03", 0.50, 0.80, 30, (0.60, 0.95), hits=4),  # +0.30, outside, not covered
        _night("2025-08-04", 0.95, 0.90, 10, (0.80, 1.00)),  # fewer than 20 launches: left out
    )
    s = summarise(nights, "drone", 20)
    assert (s.nights, s.within_tolerance, s.launched) == (3, 2, 480)
    assert s.mean_error == pytest.approx((0.10 - 0.05 + 0.30) / 3)
    assert s.mean_abs_error == pytest.approx((0.10 + 0.05 + 0.30) / 3)
    assert s.correlation == pytest.approx(np.corrcoef([0.70, 0.85, 0.80], [0.60, 0.90, 0.50])[0, 1])
    assert s.coverage == pytest.approx(1 / 3) and s.coverage_binomial == 0.0
    assert s.goal_met is False  # MAE 0.15 > 0.06
    assert s.interval_width == pytest.approx((0.25 + 0.08 + 0.35) / 3)
    leak = np.array([0.3 * 50, 0.15 * 400, 0.2 * 30]) * 0.6
    assert s.hits_nights == 3
    assert s.hits_correlation == pytest.approx(np.corrcoef([5, 20, 4], leak)[0, 1])
    assert s.leakers_per_hit_location == pytest.approx(leak.sum() / 29)
    assert summarise(nights, "drone", 1).nights == 4
    empty = summarise(nights, "cruise", 20)
    assert empty.nights == 0 and empty.goal_met is None and math.isnan(empty.mean_abs_error)


def test_goals_are_judged_per_class() -> None:
    good = tuple(_night(f"2025-08-{i:02d}", r, r + 0.02, 100, (r - 0.1, r + 0.1), "cruise")
                 for i, r in enumerate((0.6, 0.7, 0.8, 0.9), 1))
    assert summarise(good, "cruise").goal_met is True
    ball = tuple(_night(f"2025-08-{i:02d}", 0.0, 0.3, 20, (0.2, 0.5) if i < 3 else (0.0, 0.5), "ballistic")
                 for i in range(1, 6))  # covered on 3 of 5 nights: 60 % < 80 %
    assert summarise(ball, "ballistic").goal_met is False


def test_period_command_prints_json_per_class_and_night_and_draws_the_chart(tmp_path: Path) -> None:
    png = tmp_path / "chart.png"
    out = CliRunner().invoke(main, ["replay", "--attacks", str(_csv(tmp_path)), "--from", "2025-07-01", "--to",
                                    "2025-07-31", "-n", "2", "-j", "1", "--format", "json", "--plot", str(png)])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["period"] == {"from": "2025-07-01", "to": "2025-07-31"}
    assert set(doc["classes"]) == {"drone", "cruise", "ballistic"}
    d = doc["classes"]["drone"]
    assert d["nights"] == 1 and d["launched"] == 100
    for k in ("within_tolerance", "mean_error", "mean_abs_error", "correlation", "coverage", "goal", "goal_met"):
        assert k in d
    night = doc["nights"][0]
    assert night["date"] == "2025-07-09"
    lo, hi = night["classes"]["drone"]["predictive_interval"]
    assert 0.0 <= lo <= hi <= 1.0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_command_writes_a_calibration_file_the_replay_reads(tmp_path: Path) -> None:
    cal = tmp_path / "cal.yaml"
    out = CliRunner().invoke(main, ["replay", "--attacks", str(_csv(tmp_path)), "--from", "2025-07-01", "--to",
                                    "2025-07-31", "-n", "1", "-j", "1", "--fit", str(cal), "--min-launched", "5"])
    assert out.exit_code == 0, out.output
    c = load_calibration(cal)
    assert c.fitted_on["from"] == "2025-07-01" and c.fitted_on["nights"]["drone"] == 1
    assert 0.0 <= c.parameters["aim_exponent_drone"].value <= 2.0
    out = CliRunner().invoke(main, ["replay", "--attacks", str(_csv(tmp_path)), "--date", "2025-07-09", "-n", "2",
                                    "--calibration", str(cal), "--format", "json"])
    assert out.exit_code == 0, out.output


@pytest.mark.parametrize("args,msg", [
    (["--date", "2025-07-09", "--from", "2025-07-01"], "either --date"),
    (["--from", "2025-07-01"], "--from and --to"),
    (["--date", "2025-07-09", "--plot", "x.png"], "need a period"),
    (["--from", "2025-07-31", "--to", "2025-07-01"], "before"),
    (["--from", "2025-07-01", "--to", "2025-07-31", "--min-launched", "0"], "at least 1"),
])
def test_bad_combinations_exit_2_with_a_message(tmp_path: Path, args: list[str], msg: str) -> None:
    out = CliRunner().invoke(main, ["replay", "--attacks", str(_csv(tmp_path)), *args])
    assert out.exit_code == 2 and msg in out.output and "Traceback" not in out.output


def test_short_replay_of_real_nights_runs_and_does_not_depend_on_workers(shared_data: Path) -> None:
    """Three nights around 2025-09-07 (a small night, the largest mass night, a medium one)."""
    f = shared_data / "attacks" / "missile_attacks_daily.csv"
    a = validate(f, "2025-09-06", "2025-09-08", replications=2, seed=1, workers=1)
    b = validate(f, "2025-09-06", "2025-09-08", replications=2, seed=1, workers=2)
    assert a.as_dict() == b.as_dict()
    assert [n.date for n in a.nights] == ["2025-09-06", "2025-09-07", "2025-09-08"]
    s = a.summaries["drone"]
    assert s.nights == 3 and s.launched == 91 + 810 + 142
    assert all(math.isfinite(x) for x in (s.mean_error, s.mean_abs_error, s.correlation, s.coverage))
    assert not a.unmatched_places
    mass = a.nights[1].result("drone")
    assert mass is not None and mass.reported_launched == 810
    assert mass.reported_hit_locations == 33
    # The JSON document names the seed and the calibration file it was made with, and each
    # night's aim regions as the replayed shares (rounded), which sum to one.
    doc = a.as_dict()
    assert doc["seed"] == 1 and doc["calibration"]["file"] == a.calibration
    aims = doc["nights"][1]["classes"]["drone"]["aim_regions"]
    assert aims == {k: round(v, 4) for k, v in mass.aim_regions.items()}
    assert len(aims) > 1 and sum(aims.values()) == pytest.approx(1.0, abs=1e-3)
    # The chart is a PNG at the 96 dpi of a screen (the report embeds it at its pixel size).
    import io

    from PIL import Image

    from skyshield.replay.plot import validation_chart

    im = Image.open(io.BytesIO(validation_chart(a)))
    assert im.format == "PNG" and round(im.info["dpi"][0]) == 96
