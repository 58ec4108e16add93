"""`skyshield sweep / results / report` end to end, including a sweep killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from skyshield.store import ResultStore
from tests.store.helpers import write_experiment

SKYSHIELD = [sys.executable, "-m", "skyshield.cli.main"]


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*SKYSHIELD, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    exp = write_experiment(d, reps=4, samples=2)
    r = _cli("sweep", str(exp), "--out", str(d / "full"), "-j", "1", "--format", "json")
    assert r.returncode == 0, r.stderr
    return d, exp, json.loads(r.stdout)


def test_sweep_prints_the_option_menu_with_provenance(uninterrupted) -> None:
    _, _, doc = uninterrupted
    assert doc["provenance"]["done"] == doc["provenance"]["total"] == 16
    assert doc["provenance"]["seed_entropy"] == "11"
    assert set(doc["options"]) == {"none", "umbrella"}
    assert doc["options"]["none"]["metrics"]["launched"]["n"] == 8


def test_a_sweep_killed_with_sigkill_resumes_to_identical_results(uninterrupted, tmp_path) -> None:
    d, exp, _ = uninterrupted
    out = tmp_path / "killed"
    proc = subprocess.Popen([*SKYSHIELD, "sweep", str(exp), "--out", str(out), "-j", "1", "--chunk-size", "1",
                             "--format", "none"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            m = out / "metrics"
            if m.is_dir() and len(list(m.iterdir())) >= 3:
                break
            if proc.poll() is not None:
                pytest.fail("the sweep finished before it could be killed")
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    partial = ResultStore.open(out)  # readable after the kill
    before = partial.done
    assert 3 <= before < 16
    r = _cli("results", str(out), "--format", "json")  # and listable
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["provenance"]["done"] == partial.done
    r = _cli("sweep", str(exp), "--out", str(out), "-j", "1", "--chunk-size", "2", "--format", "none")
    assert r.returncode == 0, r.stderr
    assert "already there" in r.stderr
    resumed, full = ResultStore.open(out), ResultStore.open(d / "full")
    keys = list(zip(*(resumed.metrics()[k].to_pylist() for k in ("option", "sample", "replication"))))
    assert len(keys) == len(set(keys)) == 16  # none lost, none twice
    assert resumed.metrics().equals(full.metrics())
    assert resumed.events().equals(full.events())
    statuses = [r["status"] for r in resumed.runs()]
    # the killed run's record was closed by the resuming sweep: interrupted, with what it wrote
    assert statuses.count("finished") == 1 and statuses.count("interrupted") == 1
    killed = next(r for r in resumed.runs() if r["status"] == "interrupted")
    assert killed["replications_written"] == killed["chunks_written"] == before


def test_results_answers_sql(uninterrupted) -> None:
    d, _, _ = uninterrupted
    r = _cli("results", str(d / "full"), "--sql",
             "SELECT option, count(*) AS n FROM metrics GROUP BY option ORDER BY option", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [{"option": "none", "n": 8}, {"option": "umbrella", "n": 8}]
    r = _cli("results", str(d / "full"), "--sql", "SELECT nonsense FROM nowhere")
    assert r.returncode == 2 and "SQL error" in r.stderr and "Traceback" not in r.stderr


def test_results_and_report_refuse_a_foreign_directory(tmp_path) -> None:
    (tmp_path / "data.csv").write_text("a,b\n")
    for cmd in ("results", "report"):
        r = _cli(cmd, str(tmp_path))
        assert r.returncode == 2
        assert "not a skyshield results store" in r.stderr and "Traceback" not in r.stderr


def test_sweep_refuses_a_bad_experiment_file_with_its_line(tmp_path) -> None:
    exp = write_experiment(tmp_path)
    exp.write_text(exp.read_text().replace("catalog.threats.shahed-136.speed", "catalog.threats.shahed-999.speed"))
    r = _cli("sweep", str(exp), "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "exp.yaml:" in r.stderr and "shahed-999" in r.stderr


def test_report_command_writes_the_html_file(uninterrupted, tmp_path) -> None:
    d, _, _ = uninterrupted
    r = _cli("report", str(d / "full"), "--out", str(tmp_path / "r.html"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
