"""Cross-field rules that need the catalog and the map: a threat's range, where forces stand.

Each broken file goes through the real command line and must give the file, the line of the
offending entry, the field, the figures, and exit status 2.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REFERENCE = (Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml").read_text()


def _validate(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    f = tmp_path / "case.yaml"
    f.write_text(text)
    return subprocess.run([sys.executable, "-m", "skyshield.cli.main", "validate", str(f)],
                          capture_output=True, text=True, timeout=120)


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


def test_a_decoy_sent_beyond_its_range_is_an_error_with_the_figures(tmp_path: Path) -> None:
    # Gerbera: 600 km range; the launch area (33.8 E, 52.8 N) to Lviv is 755 km on WGS-84.
    text = REFERENCE.replace("      type: shahed-136\n      count: 5", "      type: gerbera\n      count: 5")
    res = _validate(tmp_path, text)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    line = _line(text, "- id: drones-west")
    assert f"case.yaml:{line}: raid.groups[1]: gerbera has a range of 600 km" in res.stderr
    from pyproj import Geod

    _, _, d_m = Geod(ellps="WGS84").inv(33.80, 52.80, 24.03, 49.84)
    reported = float(res.stderr.split("to lviv is ")[1].split(" km")[0].replace(",", ""))
    assert reported == pytest.approx(d_m / 1000.0, rel=0.005)  # the sphere is within 0.5 % of WGS-84


def test_a_dog_leg_counts_along_the_route(tmp_path: Path) -> None:
    # Kyiv is 430 km from the launch area in a straight line (within 600 km), but not by way
    # of a waypoint near Lviv.
    text = REFERENCE.replace("      type: shahed-136\n      count: 20", "      type: gerbera\n      count: 20") \
        .replace("      targets: {kyiv: 1}", "      targets: {kyiv: 1}\n      via: [[[26.0, 50.0]]]")
    res = _validate(tmp_path, text)
    assert res.returncode == 2
    assert "raid.groups[0]: gerbera has a range of 600 km" in res.stderr and "via route 1" in res.stderr
    ok = REFERENCE.replace("      type: shahed-136\n      count: 20", "      type: gerbera\n      count: 20")
    assert _validate(tmp_path, ok).returncode == 0


@pytest.mark.parametrize("force, fragment", [
    ("{id: x, type: nasams, side: allied, package: p, lonlat: [24.50, 50.50]}",
     "x (nasams) stands at [24.5, 50.5], which is defended territory; allied ground units stand on allied soil"),
    ("{id: x, type: iris-t-slm, side: defended, lonlat: [22.50, 50.50]}",
     "x (iris-t-slm) stands at [22.5, 50.5], which is allied territory; defended ground units stand on defended soil"),
    ("{id: x, type: aegis-ddg, side: allied, package: p, lonlat: [30.50, 50.50]}",
     "x (aegis-ddg) stands at [30.5, 50.5], which is defended territory; a ship stands at sea"),
    ("{id: x, type: f-35-cap, side: allied, package: p, lonlat: [36.50, 52.50]}",
     "which is adversary territory; aircraft stations are over defended, allied or international airspace"),
    ("{id: x, type: ground-surveillance-radar, side: defended, lonlat: [37.80, 48.00]}",
     "which is occupied territory; defended ground units stand on defended soil"),
])
def test_a_force_outside_the_territory_its_side_implies_is_an_error(tmp_path: Path, force: str, fragment: str) -> None:
    text = REFERENCE.replace("forces:\n", f"forces:\n  - {force}\n")
    res = _validate(tmp_path, text)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"case.yaml:{_line(text, force)}: forces[0].lonlat: " in res.stderr
    assert fragment in res.stderr


def test_deployed_forward_allows_an_allied_unit_in_the_defended_country(tmp_path: Path) -> None:
    force = "{id: x, type: nasams, side: allied, package: p, lonlat: [24.50, 50.50], deployed_forward: true}"
    assert _validate(tmp_path, REFERENCE.replace("forces:\n", f"forces:\n  - {force}\n")).returncode == 0


def test_the_built_in_scenarios_obey_the_rules() -> None:
    for sid in ("eastern-flank-night-raid-v1", "western-raid-v1"):
        res = subprocess.run([sys.executable, "-m", "skyshield.cli.main", "validate", sid],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr
