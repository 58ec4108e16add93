"""`compare --pareto` writes the protection-against-risk plot as a PNG."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_compare_writes_a_pareto_png_and_the_menu(tmp_path: Path) -> None:
    png = tmp_path / "menu.png"
    res = subprocess.run(
        [sys.executable, "-m", "skyshield", "compare", "eastern-flank-night-raid-v1",
         "--options", "none,air-policing,forward-cap", "-n", "2", "--seed", "3", "-j", "1",
         "--pareto", str(png), "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = json.loads(res.stdout)
    assert set(doc["options"]) == {"none", "air-policing", "forward-cap"}
    # The defended country alone can never be dominated on escalation risk (rung 0).
    assert doc["options"]["none"]["metrics"]["max_rung"]["mean"] == 0
