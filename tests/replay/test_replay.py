"""Replay: reading the records format, rebuilding a night, and the calibrated nights staying
within tolerance (regression on ../shared/data, skipped where that folder is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from skyshield.catalog import load_catalog
from skyshield.cli.main import main
from skyshield.replay import (
    RecordsError,
    build_night,
    decoy_share,
    read_night,
    read_nights,
    tolerance,
)
from skyshield.scenario import load_scenario

HEADER = ("time_start,time_end,model,launch_place,target,target_main,launched,destroyed,not_reach_goal,"
          "still_attacking,border_crossing,is_shahed,num_hit_location,num_fall_fragment_location,carrier,"
          "turbojet,turbojet_destroyed,affected region,destroyed_details,launched_details,"
          "launch_place_details,source\n")


def _csv(tmp_path: Path) -> Path:
    rows = [
        '2025-07-08 18:00,2025-07-09 09:00,Shahed-136/131,"Kursk oblast and Chauda, Crimea",Ukraine,,100,50,30,,{},70,,,,,,,,,,kpszsu/posts/x',
        "2025-07-08 18:00,2025-07-09 09:00,X-101/X-555 and Kalibr,,Ukraine,,10,8,0,,{},,,,,,,,,,,kpszsu/posts/x",
        "2025-07-08 18:00,2025-07-09 09:00,Iskander-M/KN-23,Belgorod oblast,Ukraine,,3,1,0,,{},,,,,,,,,,,kpszsu/posts/x",
        "2025-07-09,2025-07-09,Unknown UAV,,south,,40,40,,,{},,,,,,,,,,,PvKPivden/posts/y",
    ]
    f = tmp_path / "attacks.csv"
    f.write_text(HEADER + "\n".join(rows) + "\n")
    return f


def test_records_reader_splits_bundles_and_ignores_regional_rows(tmp_path: Path) -> None:
    rows = read_night(_csv(tmp_path), "2025-07-09")
    by = {r.threat_type: r for r in rows}
    assert set(by) == {"shahed-136", "kh-101", "kalibr", "iskander-m"}
    assert by["kh-101"].launched == by["kalibr"].launched == 5  # "X-101/X-555 and Kalibr" split evenly
    assert by["shahed-136"].not_reach_goal == 30 and by["shahed-136"].is_shahed == 70
    assert decoy_share(rows, "2025-07-09") == pytest.approx(0.3)
    with pytest.raises(RecordsError):
        read_night(_csv(tmp_path), "2025-07-10")
    with pytest.raises(RecordsError):
        read_night(tmp_path / "missing.csv", "2025-07-09")


def test_night_builder_keeps_counts_areas_and_decoys(tmp_path: Path) -> None:
    cat = load_catalog()
    ref = load_scenario("eastern-flank-night-raid-v1", cat)
    sc = build_night(ref, cat, read_night(_csv(tmp_path), "2025-07-09"), "2025-07-09")
    counts: dict[str, int] = {}
    for g in sc.raid.groups:
        counts[g.type] = counts.get(g.type, 0) + g.count
    assert counts == {"shahed-136": 70, "gerbera": 30, "kh-101": 5, "kalibr": 5, "iskander-m": 3}
    areas = {a for g in sc.raid.groups if g.type == "shahed-136" for a in g.launch_areas}
    assert areas == {"kursk-oblast", "chauda"}
    assert sc.forces == ref.forces  # the defended country's own defences
    assert "rzeszow-hub" not in {t for g in sc.raid.groups for t in g.targets}  # aims in the defended country only


def test_tolerance_is_two_standard_errors_between_ten_and_fifteen_points() -> None:
    assert tolerance(0.9, 1000) == 0.10
    assert tolerance(0.5, 10) == pytest.approx(2 * (0.5 * 0.5 / 10) ** 0.5)  # small nights: 2 SE
    assert tolerance(0.0, 4) > 0.3  # 0 of 4 does not claim zero variance
    assert tolerance(0.5, 20) == 0.15  # 2 SE would be 0.22: capped on nights of 20 or more
    assert tolerance(0.44, 9) > 0.3 and tolerance(0.44, 25) == 0.15


def test_records_reader_keeps_the_details_and_splits_by_launched_details(tmp_path: Path) -> None:
    rows = [
        ('2025-07-08 18:00,2025-07-09 09:00,Shahed-136/131,Kursk oblast,Ukraine,Lutsk,100,50,30,,{},70,12,3,,,,'
         '"[\'Volyn oblast\', \'Kyiv\']","{\'west\': 40, \'east\': NaN}",,,kpszsu/posts/x'),
        ('2025-07-08 18:00,2025-07-09 09:00,X-101/X-555 and Kalibr,,Ukraine,,62,55,0,,{},,,,,,,,,'
         '"{\'X-101/X-555\': 50, \'Kalibr\': 12}","{\'X-101/X-555\': \'Caspian Sea\', \'Kalibr\': \'Black Sea\'}",'
         'kpszsu/posts/x'),
    ]
    f = tmp_path / "attacks.csv"
    f.write_text(HEADER + "\n".join(rows) + "\n")
    got = {r.threat_type: r for r in read_night(f, "2025-07-09")}
    sh = got["shahed-136"]
    assert sh.affected_regions == ("Volyn oblast", "Kyiv") and sh.target_main == "Lutsk"
    assert sh.destroyed_details == (("west", 40.0), ("east", None))
    assert sh.hit_locations == 12 and sh.debris_locations == 3
    assert got["kh-101"].launched == 50 and got["kalibr"].launched == 12  # launched_details, not an even split
    assert got["kalibr"].launch_place == "Black Sea" and got["kh-101"].launch_place == "Caspian Sea"
    assert got["kh-101"].destroyed == pytest.approx(55 * 50 / 62)


def test_a_malformed_detail_is_a_located_error(tmp_path: Path) -> None:
    row = ('2025-07-08 18:00,2025-07-09 09:00,Shahed-136/131,,Ukraine,,10,5,0,,{},,,,,,,'
           '"[\'Volyn oblast\'",,,,kpszsu/posts/x')
    f = tmp_path / "attacks.csv"
    f.write_text(HEADER + row + "\n")
    with pytest.raises(RecordsError, match=r"attacks.csv:2: affected region: not a Python literal"):
        read_night(f, "2025-07-09")
    row = ('2025-07-08 18:00,2025-07-09 09:00,Shahed-136/131,,Ukraine,,10,5,0,,{},,,,,,,,'
           '"{\'south\': -3}",,,kpszsu/posts/x')
    f.write_text(HEADER + row + "\n")
    with pytest.raises(RecordsError, match=r"attacks.csv:2: destroyed_details: 'south': expected a count"):
        read_night(f, "2025-07-09")


def test_read_nights_groups_a_period_by_morning_report(tmp_path: Path) -> None:
    nights = read_nights(_csv(tmp_path), "2025-07-01", "2025-07-31")
    assert list(nights) == ["2025-07-09"]
    assert {r.threat_type for r in nights["2025-07-09"]} == {"shahed-136", "kh-101", "kalibr", "iskander-m"}
    with pytest.raises(RecordsError, match="before"):
        read_nights(_csv(tmp_path), "2025-07-31", "2025-07-01")


def test_cli_replay_json_document(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["replay", "--attacks", str(_csv(tmp_path)), "--date", "2025-07-09",
                                    "-n", "3", "-j", "1", "--seed", "0", "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert set(doc["classes"]) == {"drone", "cruise", "ballistic"}
    d = doc["classes"]["drone"]
    assert d["reported_launched"] == 100 and d["reported_destroyed_fraction"] == pytest.approx(0.8)
    mean = d["simulated_destroyed_fraction"]["mean"]
    lo, hi = d["simulated_destroyed_fraction"]["ci95"]
    # A Student-t interval of three replications: symmetric about the mean and wider than the
    # +-1.96 s / sqrt(3) it once was: (hi - lo) / 2 = t(0.975, 2) s / sqrt(3) with s at most
    # the spread of three fractions in [0, 1]; and the CLI's numbers are the Python API's.
    assert hi - mean == pytest.approx(mean - lo, abs=2e-6) and hi > lo
    from skyshield.api import replay as replay_api

    res = replay_api(_csv(tmp_path), "2025-07-09", replications=3, seed=0)
    c = next(c for c in res.classes if c.weapon_class == "drone")
    assert mean == pytest.approx(c.simulated_mean, abs=1e-6)
    assert [lo, hi] == pytest.approx(list(c.simulated_ci95), abs=1e-6)


def test_replay_interval_is_students_t_of_the_replications() -> None:
    """The replay's 95 % interval of a class's simulated fraction against scipy's Student-t
    interval (independent code). Mutant killed (a real bug, fixed): the normal quantile 1.96,
    which with three replications covers about 80 % instead of 95 %."""
    from scipy import stats

    from skyshield.replay.calibrate import _ci95

    x = np.array([0.81, 0.86, 0.79])
    lo, hi = _ci95(x)
    ref = stats.t.interval(0.95, 2, loc=x.mean(), scale=stats.sem(x))
    assert lo == pytest.approx(ref[0], rel=1e-12) and hi == pytest.approx(ref[1], rel=1e-12)
    assert _ci95(np.array([0.5])) == (0.5, 0.5)


def test_cli_replay_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["replay", "--attacks", str(tmp_path / "nope.csv"), "--date", "2025-07-09"])
    assert out.exit_code == 2 and "Traceback" not in out.output
    out = CliRunner().invoke(main, ["replay", "--attacks", str(_csv(tmp_path)), "--date", "9 July"])
    assert out.exit_code == 2 and "YYYY-MM-DD" in out.output


def test_real_shaheds_are_read_for_drone_rows_only(tmp_path: Path) -> None:
    """``is_shahed`` (real Shaheds among Shahed-type launches) means something for drones
    only: a cruise-missile row with the column filled reads None. Mutant killed: the class
    test joined with `or`."""
    def row(model: str, launched: int, shahed: int) -> str:
        cols = ["2025-07-08 18:00", "2025-07-09 09:00", model, "", "Ukraine", "", str(launched), str(launched // 2),
                "0", "", "{}", str(shahed)] + [""] * 9 + ["kpszsu/posts/x"]
        return ",".join(cols)

    f = tmp_path / "attacks.csv"
    f.write_text(HEADER + row("Shahed-136/131", 100, 60) + "\n" + row("Kalibr", 10, 4) + "\n")
    got = {r.threat_type: r for r in read_night(f, "2025-07-09")}
    assert got["shahed-136"].is_shahed == 60 and got["kalibr"].is_shahed is None
