"""Store faults: a second writer, bit rot, a full or read-only disk, outputs that are not
files. Each gives a clear error (exit 2 naming the path through the CLI), never a wrong
number and never damage to what is not the store's."""

from __future__ import annotations

import errno
import os
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from skyshield.cli.main import main
from skyshield.runner import SerialExecutor, run_sweep
from skyshield.store import ResultStore, StoreError, query
from skyshield.store.files import check_output_file
from tests.store.helpers import resolved, write_experiment


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    exp = resolved(write_experiment(d))
    st = ResultStore.open_for(d / "out", exp, (d / "exp.yaml").read_text())
    run_sweep(exp, st, executor=SerialExecutor(), chunk_size=2)
    st.close()
    return d, exp


def _copy(swept, tmp_path: Path) -> Path:
    d, _ = swept
    out = tmp_path / "copy"
    shutil.copytree(d / "out", out)
    return out


def test_a_second_writer_is_refused_while_the_first_holds_the_store(swept, tmp_path) -> None:
    d, exp = swept
    out = _copy(swept, tmp_path)
    first = ResultStore.open_for(out, exp)
    with pytest.raises(StoreError, match="being written by another sweep .pid"):
        ResultStore.open_for(out, exp)
    res = CliRunner().invoke(main, ["sweep", str(d / "exp.yaml"), "--out", str(out), "-j", "1", "--format", "none"])
    assert res.exit_code == 2 and "being written by another sweep" in res.output
    first.close()
    ResultStore.open_for(out, exp).close()  # free again once the first lets go
    assert ResultStore.open(out).done == 12  # readers are never blocked


def test_random_bytes_in_an_events_file_are_detected_not_read(swept, tmp_path) -> None:
    out = _copy(swept, tmp_path)
    victim = sorted((out / "events").iterdir())[1]
    data = bytearray(victim.read_bytes())
    at = len(data) // 3
    data[at:at + 64] = os.urandom(64)
    victim.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=f"{victim.name}: damaged"):
        ResultStore.open(out).events()
    with pytest.raises(StoreError, match="damaged"):
        query(out, "SELECT min(t_s) FROM events")
    for args in (["results", str(out), "--sql", "SELECT min(t_s) AS t FROM events"], ["report", str(out)]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2 and "damaged" in res.output and str(victim) in res.output, args


def test_every_single_byte_flip_in_a_metrics_chunk_is_detected(swept, tmp_path) -> None:
    out = _copy(swept, tmp_path)
    victim = sorted((out / "metrics").iterdir())[0]
    clean = victim.read_bytes()
    rng = random.Random(5)
    for at in rng.sample(range(len(clean)), 60):
        flipped = bytearray(clean)
        flipped[at] ^= 1 << rng.randrange(8)
        victim.write_bytes(bytes(flipped))
        with pytest.raises(StoreError):
            ResultStore.open(out).metrics()
    victim.write_bytes(clean)
    assert ResultStore.open(out).metrics().num_rows == 12


def test_a_full_disk_is_exit_2_naming_the_path_and_the_run_resumes(swept, tmp_path, monkeypatch) -> None:
    d, _ = swept
    out = tmp_path / "new"
    import skyshield.store.results as results_mod

    real = results_mod._place
    calls = {"n": 0}

    def full(tmp: Path, final: Path) -> None:
        if final.parent.name == "metrics":
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(errno.ENOSPC, "No space left on device", str(final))
        real(tmp, final)

    monkeypatch.setattr(results_mod, "_place", full)
    res = CliRunner().invoke(main, ["sweep", str(d / "exp.yaml"), "--out", str(out), "-j", "1", "--format", "none"])
    assert res.exit_code == 2, res.output
    assert "No space left on device" in res.output and str(out / "metrics") in res.output
    assert "Traceback" not in res.output
    monkeypatch.setattr(results_mod, "_place", real)
    st = ResultStore.open(out)
    assert st.done == 2  # the two one-replication chunks written before the disk filled are kept
    [run] = st.runs()
    assert run["status"] == "failed" and run["chunks_written"] == run["replications_written"] == 2
    res = CliRunner().invoke(main, ["sweep", str(d / "exp.yaml"), "--out", str(out), "-j", "1", "--format", "none"])
    assert res.exit_code == 0 and ResultStore.open(out).metrics().equals(ResultStore.open(d / "out").metrics())


def test_a_read_only_store_is_exit_2_naming_the_path(swept, tmp_path, monkeypatch) -> None:
    d, _ = swept
    import skyshield.store.files as files_mod

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "ro" / "skyshield-store.lock"))

    monkeypatch.setattr(files_mod.os, "open", read_only)
    res = CliRunner().invoke(main, ["sweep", str(d / "exp.yaml"), "--out", str(tmp_path / "ro"), "-j", "1"])
    assert res.exit_code == 2 and "Read-only file system" in res.output and "ro/skyshield-store.lock" in res.output


def test_report_writes_only_a_regular_file(swept, tmp_path) -> None:
    out = _copy(swept, tmp_path)
    for target, msg in ((tmp_path, "is a directory"), (Path("/dev/null"), "not a regular file"),
                        (tmp_path / "missing" / "r.html", "does not exist")):
        res = CliRunner().invoke(main, ["report", str(out), "-o", str(target)])
        assert res.exit_code == 2 and msg in res.output, (target, res.output)
    assert Path("/dev/null").is_char_device()  # untouched
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(StoreError, match="not a regular file"):
        check_output_file(fifo, "report")
    res = CliRunner().invoke(main, ["report", str(out), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 0 and (tmp_path / "r.html").stat().st_size > 1000


def test_outputs_of_run_are_checked_before_the_run(tmp_path) -> None:
    for opt in ("--events", "--pareto"):
        res = CliRunner().invoke(main, ["compare", "eastern-flank-night-raid-v1", "--options", "none", "-n", "1",
                                        "-j", "1", opt, str(tmp_path / "nowhere" / "f")])
        assert res.exit_code == 2 and "does not exist" in res.output and "nowhere" in res.output


def test_a_run_killed_while_running_is_closed_as_interrupted_with_what_it_wrote(swept, tmp_path) -> None:
    """A process killed mid-run leaves its run record at ``running``. The next writer to open
    the store marks it ``interrupted`` with the chunks and replications its chunk files show,
    and leaves finished runs alone. Mutants killed: the stale test inverted or reading the
    wrong field (finished runs rewritten, killed runs left ``running``)."""
    import json

    out = _copy(swept, tmp_path)
    d, exp = swept
    [rec] = sorted((out / "runs").glob("*.json"))
    run = json.loads(rec.read_text())
    assert run["status"] == "finished"
    (out / "runs" / "other.json").write_text(json.dumps(run))  # a finished run: left alone
    rec.write_text(json.dumps(dict(run, status="running")))  # the run that wrote the chunks, killed
    st = ResultStore.open_for(out, exp, (d / "exp.yaml").read_text())
    st.close()
    by_file = {r["file"]: r for r in ResultStore.open(out).runs()}
    killed = by_file[rec.name]
    assert killed["status"] == "interrupted" and "killed" in killed["note"]
    chunks = list((out / "metrics").glob("*.parquet"))
    assert killed["chunks_written"] == len(chunks) == 8
    assert killed["replications_written"] == ResultStore.open(out).metrics().num_rows == 12
    assert by_file["other.json"]["status"] == "finished" and "note" not in by_file["other.json"]
