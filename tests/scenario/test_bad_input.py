"""Broken scenario files: each gives a precise error (file, line, field, what was expected),
exit status 2 and no traceback, through the real command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REFERENCE = (Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml").read_text()


def _line_of(text: str, needle: str) -> int:
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


def _skyshield(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skyshield.cli.main", *args], capture_output=True, text=True, timeout=120
    )


def _broken(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    assert old in REFERENCE, old
    text = REFERENCE.replace(old, new, 1)
    p = tmp_path / "broken.yaml"
    p.write_text(text)
    return p, text


CASES = [
    # (id, old, new, line marker in the new text, field path, expected message fragment, given)
    ("wrong-type", "count: 20", "count: many", "count: many", "raid.groups[0].count",
     "valid integer", "'many'"),
    ("unknown-field", "decision_interval: 20 s", "decision_interval: 20 s\ncolour: red", "colour: red",
     "colour", "unknown field", None),
    ("unknown-platform", "type: iris-t-slm", "type: patriot-pac9", "patriot-pac9",
     "forces[1].type", "unknown platform type", "'patriot-pac9'"),
    ("point-outside-theatre", "lonlat: [30.52, 50.45]", "lonlat: [100.52, 10.45]", "[100.52, 10.45]",
     "assets[0].lonlat", "outside the theatre box", None),
    ("bad-unit", "duration: 6 h", "duration: 6 fortnights", "6 fortnights", "duration",
     "unknown time unit", "'6 fortnights'"),
    ("bare-number", "radius: 15 km, population: 2950000", "radius: 15, population: 2950000",
     "radius: 15, population", "assets[0].radius", "bare number is ambiguous", None),
    ("negative-count", "count: 5", "count: -5", "count: -5", "raid.groups[1].count",
     "greater than or equal to 0", "-5"),
    ("unknown-target", "targets: {lviv: 1}", "targets: {atlantis: 1}", "atlantis",
     "raid.groups[1].targets.atlantis", "unknown asset id", None),
    ("missing-field", "title: Minimal test scenario\n", "", "id: mini-test-v1", "title",
     "required field is missing", None),
    ("malformed-yaml", "duration: 6 h", "duration: [6 h", "duration: [6 h", "(top level)",
     "malformed YAML", None),
]


@pytest.mark.parametrize(("old", "new", "marker", "path", "fragment", "given"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_scenario_gives_precise_error_and_exit_2(
    tmp_path: Path, old: str, new: str, marker: str, path: str, fragment: str, given: str | None
) -> None:
    f, text = _broken(tmp_path, old, new)
    res = _skyshield("run", str(f), "-n", "1", "-j", "1")
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    line = _line_of(text, marker)
    if fragment == "malformed YAML":
        # The parser notices the unclosed bracket at or after the line that opened it.
        assert f"{f}:" in res.stderr and fragment in res.stderr
        reported = int(res.stderr.split(f"{f}:")[1].split(":")[0])
        assert line <= reported <= line + 2
        return
    expected_prefix = f"{f}:{line}: {path}: "
    assert expected_prefix in res.stderr, res.stderr
    assert fragment in res.stderr
    if given is not None:
        assert f"(given: {given})" in res.stderr


def test_negative_speed_in_a_catalog_overlay_names_its_file_and_line(tmp_path: Path) -> None:
    overlay = tmp_path / "my-catalog.yaml"
    overlay.write_text("threats:\n  shahed-136:\n    speed: {value: -180 km/h, source: evz-shahed}\n")
    res = _skyshield("validate", "eastern-flank-night-raid-v1", "--catalog", str(overlay))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert f"{overlay}:3: threats.shahed-136.speed.value: expected a positive speed" in res.stderr


def test_missing_file_and_unknown_option_are_clear(tmp_path: Path) -> None:
    res = _skyshield("run", str(tmp_path / "nope.yaml"))
    assert res.returncode == 2 and "no such file" in res.stderr and "Traceback" not in res.stderr
    res = _skyshield("compare", "eastern-flank-night-raid-v1", "--options", "none,no-fly-zone", "-n", "1")
    assert res.returncode == 2 and "unknown option 'no-fly-zone'" in res.stderr


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    text = REFERENCE.replace("count: 20", "count: many", 1).replace("duration: 6 h", "duration: 6 parsecs", 1)
    f = tmp_path / "two.yaml"
    f.write_text(text)
    res = _skyshield("validate", str(f))
    assert res.returncode == 2
    assert "raid.groups[0].count" in res.stderr and "duration" in res.stderr


def test_the_reference_scenario_is_valid_and_hash_is_stable() -> None:
    res = _skyshield("validate", "eastern-flank-night-raid-v1")
    assert res.returncode == 0
    from skyshield.scenario import load_scenario

    assert load_scenario("eastern-flank-night-raid-v1").content_hash in res.stdout
