"""SIGTERM, SIGINT and kill -9 stop the real command line with no process left behind.

Each test starts ``skyshield`` in a subprocess (its own session, as a batch scheduler or
``timeout`` would), waits until its worker processes are up, signals the main process only,
and then checks the whole process tree it had: every process gone within seconds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO

MINI = REPO / "tests" / "data" / "mini-scenario.yaml"
STOP_WITHIN_S = 30.0


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    # faulthandler: a process that does not stop is made to print every thread's stack (SIGABRT)
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    return subprocess.Popen([sys.executable, "-m", "skyshield.cli.main", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env,
                            preexec_fn=_default_sigint)


def _default_sigint() -> None:
    """Give the command the default SIGINT, as a terminal or a batch scheduler would.

    A test suite started in the background by a non-interactive shell (``nohup ... &``)
    inherits SIGINT ignored, and Python keeps an inherited SIG_IGN: the command would then,
    rightly, not react to SIGINT at all (measured: "SIGINT ignored: True", the run went on).
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _sigint_ignored(pid: int) -> bool:
    """Whether the process ignores SIGINT (inherited SIG_IGN: Python then keeps it ignored)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            mask = next(int(ln.split()[1], 16) for ln in fh if ln.startswith("SigIgn:"))
    except (OSError, StopIteration):
        return False
    return bool(mask >> (signal.SIGINT - 1) & 1)


def _tree_when_busy(proc: subprocess.Popen[str], workers: int, timeout_s: float = 120.0,
                    ready=lambda: True) -> list[psutil.Process]:  # type: ignore[no-untyped-def]
    """The process and its descendants, once at least ``workers`` descendants exist (and ``ready()``)."""
    main = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited early ({proc.returncode}): {proc.stderr.read() if proc.stderr else ''}")
        kids = main.children(recursive=True)
        if len(kids) >= workers and ready():
            time.sleep(1.5)  # let the workers start computing
            return [main, *main.children(recursive=True)]
        time.sleep(0.1)
    raise AssertionError("worker processes never appeared")


def _chunks(out: Path) -> int:
    d = out / "metrics"
    return len(list(d.iterdir())) if d.is_dir() else 0


def _gone(tree: list[psutil.Process], within_s: float) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(tree, timeout=within_s)
    return [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]


def _cleanup(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(10)


def _stop_and_check(proc: subprocess.Popen[str], sig: int, workers: int = 2, ready=lambda: True) -> str:  # type: ignore[no-untyped-def]
    try:
        tree = _tree_when_busy(proc, workers, ready=ready)
        t0 = time.monotonic()
        proc.send_signal(sig)
        # "Within seconds": a few on an idle machine; the bound leaves room for a loaded CI box.
        try:
            _, err = proc.communicate(timeout=STOP_WITHIN_S)  # reaps the main process (its status is ours)
        except subprocess.TimeoutExpired:
            ignored = _sigint_ignored(proc.pid)
            proc.send_signal(signal.SIGABRT)  # faulthandler prints where every thread is
            _, err = proc.communicate(timeout=30)
            raise AssertionError(f"not stopped within {STOP_WITHIN_S:.0f} s of {signal.Signals(sig).name} "
                                 f"(SIGINT ignored: {ignored}); its threads:\n{err[-6000:]}") from None
        left = _gone(tree[1:], within_s=max(0.5, STOP_WITHIN_S - (time.monotonic() - t0)))
        assert not left, f"left behind after {sig!r}: {[(p.pid, p.name()) for p in left]}"
        if sig != signal.SIGKILL:
            assert proc.returncode == 128 + sig, err
            assert "interrupted" in err and "Traceback" not in err, err
        return err
    finally:
        _cleanup(proc)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_run_stops_on_a_signal_with_no_worker_left(tmp_path: Path, sig: int) -> None:
    proc = _start(["run", "eastern-flank-night-raid-v1", "-n", "400", "-j", "2"], tmp_path)
    _stop_and_check(proc, sig)


def test_compare_stops_on_sigterm_with_no_worker_left(tmp_path: Path) -> None:
    proc = _start(["compare", "eastern-flank-night-raid-v1", "--options", "none,umbrella", "-n", "300", "-j", "2"],
                  tmp_path)
    _stop_and_check(proc, signal.SIGTERM)


def test_kill_9_of_the_parent_takes_its_workers_with_it(tmp_path: Path) -> None:
    proc = _start(["run", "eastern-flank-night-raid-v1", "-n", "400", "-j", "2"], tmp_path)
    _stop_and_check(proc, signal.SIGKILL)


def test_sweep_stops_on_sigterm_and_its_run_record_says_interrupted(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(
        "id: sig-test\nscenario: eastern-flank-night-raid-v1\noptions: [none, umbrella]\n"
        "replications: 400\nseed: 3\nchunk_size: 2\n"
    )
    proc = _start(["sweep", "exp.yaml", "--out", "out", "-j", "2", "--format", "none"], tmp_path)
    _stop_and_check(proc, signal.SIGTERM, ready=lambda: _chunks(tmp_path / "out") > 0)
    runs = [json.loads(p.read_text()) for p in (tmp_path / "out" / "runs").glob("*.json")]
    assert len(runs) == 1 and runs[0]["status"] == "interrupted"
    chunks = sorted((tmp_path / "out" / "metrics").iterdir())
    assert runs[0]["chunks_written"] == len(chunks)
    assert runs[0]["replications_written"] == 2 * len(chunks)
    # and it resumes: the lock was released with the process
    res = subprocess.run([sys.executable, "-m", "skyshield.cli.main", "results", "out", "--format", "json"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and json.loads(res.stdout)["provenance"]["done"] == 2 * len(chunks)


def test_a_killed_sweeps_run_record_is_closed_by_the_next_sweep(tmp_path: Path) -> None:
    (tmp_path / "exp.yaml").write_text(
        "id: sig-test\nscenario: eastern-flank-night-raid-v1\noptions: [none]\nreplications: 400\nseed: 3\n"
        "chunk_size: 2\n"
    )
    proc = _start(["sweep", "exp.yaml", "--out", "out", "-j", "2", "--format", "none"], tmp_path)
    _stop_and_check(proc, signal.SIGKILL, ready=lambda: _chunks(tmp_path / "out") > 0)
    runs = sorted((tmp_path / "out" / "runs").glob("*.json"))
    assert [json.loads(p.read_text())["status"] for p in runs] == ["running"]  # what kill -9 leaves
    proc = _start(["sweep", "exp.yaml", "--out", "out", "-j", "2", "--format", "none"], tmp_path)
    _stop_and_check(proc, signal.SIGTERM)  # the second sweep resumed, then was stopped itself
    runs = sorted((tmp_path / "out" / "runs").glob("*.json"))
    first = json.loads(runs[0].read_text())
    assert first["status"] == "interrupted" and "killed" in first["note"]
    mine = [p for p in (tmp_path / "out" / "metrics").iterdir()
            if json.loads(pq.read_schema(p).metadata[b"skyshield.chunk"])["run"] == runs[0].name]
    assert first["chunks_written"] == len(mine) > 0
    assert first["replications_written"] == 2 * len(mine)


def test_campaign_stops_on_sigterm_with_no_worker_left(tmp_path: Path) -> None:
    from tests.replay.test_replay import _csv

    records = _csv(tmp_path)
    proc = _start(["campaign", str(MINI), "--records", str(records), "--days", "3650", "-n", "50", "-j", "2",
                   "--options", "none"], tmp_path)
    _stop_and_check(proc, signal.SIGTERM)
