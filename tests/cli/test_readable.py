"""Readable at 80-100 columns: tables that fit, names never cut, one number format, a reading
guide, and "did you mean" for what the user mistyped."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

import skyshield as sk
from skyshield.analysis.fmt import mean_ci_text
from skyshield.cli.render import (
    KEY_METRICS,
    cause_table,
    difference_table,
    escalation_table,
    fit_tables,
    menu_table,
    result_table,
)

MINI = str(Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml")
OPTIONS = ["none", "umbrella+air-policing+forward-cap", "contingency-clauses-ambiguous", "air-policing",
           "qra-eastern-flank"]


@pytest.fixture(scope="module")
def doc():
    return sk.compare(MINI, options=OPTIONS, replications=3, seed=5, workers=1).document()


def _render(doc, width: int) -> str:
    c = Console(width=width, record=True, color_system=None)
    for f in (menu_table, difference_table, result_table, cause_table, escalation_table):
        for t in f(doc, width=width):
            c.print(t)
    return c.export_text()


@pytest.mark.parametrize("width", [80, 100])
def test_every_table_fits_and_cuts_no_name(doc, width) -> None:
    text = _render(doc, width)
    lines = text.splitlines()
    assert max(len(ln.rstrip()) for ln in lines) <= width
    assert "…" not in text and "..." not in text  # nothing ellipsised
    for o in OPTIONS:
        # a composite name may be folded at its "+" joints, never cut: every part is whole
        assert o in text or all(("+" + p if i else p) in text for i, p in enumerate(o.split("+"))), o
    for m in KEY_METRICS:
        if m in doc["options"]["none"]["metrics"]:
            assert f"│ {m} " in text, m
    if width == 80:
        assert "continued (options" in text  # five options do not fit side by side in 80 columns


def test_the_main_table_carries_the_reading_guide_units_and_the_json_numbers(doc) -> None:
    text = _render(doc, 100)
    assert "Reading: destroyed + suppressed_ew + leaked + failed + in_flight_at_end = launched" in text
    main = text[text.index("Reading:"):]
    row = next(ln for ln in main.splitlines() if ln.startswith("│ leaked "))
    assert "│ threats " in row
    m = doc["options"]["none"]["metrics"]["leaked"]
    assert mean_ci_text(m["mean"], *m["ci95"]) in row  # the JSON's number, in the one format


def test_fit_tables_splits_columns_into_pages_that_each_fit() -> None:
    cols = [f"option-{i:02d}" for i in range(12)]
    pages = fit_tables("t", ["metric"], [["leaked"]], cols, [["123 ± 4.56"] * 12], 60)
    assert len(pages) == 4  # 3 columns of 13 characters fit beside "metric" in 60
    c = Console(width=60, record=True)
    for p in pages:
        c.print(p)
    text = c.export_text()
    assert all(f"option-{i:02d}" in text for i in range(12))
    assert max(len(ln.rstrip()) for ln in text.splitlines()) <= 60


def test_unknown_options_and_fields_get_a_did_you_mean(tmp_path) -> None:
    res = subprocess.run([sys.executable, "-m", "skyshield", "compare", MINI, "--options", "none,umbrela", "-n", "1"],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2 and "did you mean 'umbrella'" in res.stderr and "Traceback" not in res.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(MINI).read_text().replace("decision_interval: 20 s", "decison_interval: 20 s"))
    res = subprocess.run([sys.executable, "-m", "skyshield", "validate", str(bad)], capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 2 and "did you mean 'decision_interval'" in res.stderr


def test_piped_output_fits_100_columns() -> None:
    res = subprocess.run([sys.executable, "-m", "skyshield", "compare", MINI, "--options", ",".join(OPTIONS), "-n", "2",
                          "-j", "1"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert max(len(ln.rstrip()) for ln in res.stdout.splitlines()) <= 100
    assert res.stdout.index("Option menu") < res.stdout.index("Difference vs none") < res.stdout.index("Reading:")
    doc = json.loads(subprocess.run([sys.executable, "-m", "skyshield", "compare", MINI, "--options", "none", "-n", "2",
                                     "-j", "1", "--format", "json"], capture_output=True, text=True,
                                    timeout=300).stdout)
    assert doc["reading_guide"].endswith("= launched")
