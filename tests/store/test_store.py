"""The results store: round trip with provenance, crash leftovers, resumption, bad directories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from skyshield.runner import SerialExecutor, run_sweep
from skyshield.store import MANIFEST, ResultStore, StoreError, query
from tests.store.helpers import resolved, write_experiment


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    d = tmp_path_factory.mktemp("store")
    exp = resolved(write_experiment(d))
    st = ResultStore.open_for(d / "out", exp, (d / "exp.yaml").read_text())
    run_sweep(exp, st, executor=SerialExecutor(), chunk_size=2)
    return d, exp


def test_every_replication_is_stored_once_in_experiment_order(swept) -> None:
    d, exp = swept
    t = ResultStore.open(d / "out").metrics()
    assert t.num_rows == 2 * 2 * 3
    keys = list(zip(t["option"].to_pylist(), t["sample"].to_pylist(), t["replication"].to_pylist()))
    assert keys == [(o, s, r) for o in ("none", "umbrella") for s in range(2) for r in range(3)]
    assert t.column_names[:3] == ["option", "sample", "replication"]
    assert t.column("launched").null_count == 0


def test_stored_rows_equal_a_direct_simulation(swept) -> None:
    from skyshield.engine import compile_scenario, simulate
    from skyshield.options import resolve_option

    d, exp = swept
    t = ResultStore.open(d / "out").metrics()
    s = exp.samples[1]
    p = compile_scenario(s.scenario, s.catalog, resolve_option("umbrella", s.scenario))
    direct = simulate(p, exp.seed_entropy, 2, sample=1)
    row = [r for r in t.to_pylist() if r["option"] == "umbrella" and r["sample"] == 1 and r["replication"] == 2][0]
    for k, v in direct.metrics.items():
        assert row[k] == v


def test_store_round_trips_its_provenance(swept) -> None:
    d, exp = swept
    st = ResultStore.open(d / "out")
    man = st.manifest
    assert man["seed_entropy"] == str(exp.seed_entropy) == "11"
    assert man["scenario"]["hash"] == exp.base_scenario.content_hash
    assert man["identity_hash"] == exp.identity_hash
    assert [s["catalog_hash"] for s in man["samples"]] == [s.catalog_hash for s in exp.samples]
    assert [s["values"] for s in man["samples"]] == [list(s.values) for s in exp.samples]
    assert (d / "out" / "inputs" / "experiment.yaml").read_text() == (d / "exp.yaml").read_text()
    # the stored inputs rebuild the same scenario
    sc, _ = st.inputs()
    assert sc.content_hash == exp.base_scenario.content_hash
    # every chunk carries its own provenance, and the DuckDB catalog has it all
    recs = st.chunk_records()
    assert sum(r["replications"] for r in recs) == 12
    assert all(r["seed_entropy"] == "11" and r["code_version"] and r["wall_s"] > 0 for r in recs)
    e = query(st, "SELECT seed_entropy, scenario_hash, replications_done, code_version FROM experiment").to_pylist()[0]
    assert e["seed_entropy"] == "11" and e["scenario_hash"] == exp.base_scenario.content_hash
    assert e["replications_done"] == 12 and e["code_version"]
    p = query(st, "SELECT name, low, high FROM parameters ORDER BY name").to_pylist()
    assert {r["name"] for r in p} == set(exp.parameter_names)
    n = query(st, "SELECT count(*) AS n, sum(replications) AS r FROM chunks").to_pylist()[0]
    assert n == {"n": len(recs), "r": 12}
    runs = query(st, "SELECT status, executor FROM runs").to_pylist()
    assert runs == [{"status": "finished", "executor": "serial"}]


def test_sql_views_agree_with_the_arrow_tables(swept) -> None:
    d, _ = swept
    st = ResultStore.open(d / "out")
    t = st.metrics()
    got = query(st, "SELECT option, sum(leaked) AS s FROM metrics GROUP BY option ORDER BY option").to_pylist()
    want = {o: sum(r["leaked"] for r in t.to_pylist() if r["option"] == o) for o in ("none", "umbrella")}
    assert {r["option"]: r["s"] for r in got} == want
    ev = st.events()
    assert query(st, "SELECT count(*) AS n FROM events").to_pylist()[0]["n"] == ev.num_rows
    joined = query(st, "SELECT DISTINCT sample, \"threats.shahed-136.speed\" AS v FROM results ORDER BY sample")
    assert joined["v"].to_pylist() == [s.values[0] for s in resolved(d / "exp.yaml").samples]


def test_crash_leftovers_are_cleaned_and_missing_chunks_recomputed(swept, tmp_path) -> None:
    d, exp = swept
    out = tmp_path / "copy"
    shutil.copytree(d / "out", out)
    full = ResultStore.open(out).metrics()
    full_ev = ResultStore.open(out).events()
    # what a crash can leave: chunks missing, an event file without its metrics file, temp files
    metrics = sorted((out / "metrics").iterdir())
    for p in metrics[1::2]:
        p.unlink()
    (out / "tmp").mkdir(exist_ok=True)
    (out / "tmp" / "o000-s000000-r00000000-00000002.parquet.4242.17000000001.tmp").write_bytes(b"PAR1 torn")
    (out / "tmp" / "my-notes.txt").write_text("the user's own file")  # never ours to delete
    (out / "tmp" / "my-dir").mkdir()
    assert ResultStore.open(out).done < 12  # still readable, just incomplete
    st = ResultStore.open_for(out, exp)
    assert sorted(p.name for p in (out / "tmp").iterdir()) == ["my-dir", "my-notes.txt"]
    assert {p.name for p in (out / "events").iterdir()} == {p.name for p in (out / "metrics").iterdir()}
    assert {p.name[:-5] for p in (out / "checksums").iterdir()} == {p.name[:-8] for p in (out / "metrics").iterdir()}
    s = run_sweep(exp, st, executor=SerialExecutor(), chunk_size=3)  # another chunking on purpose
    assert s.before + s.ran == 12
    again = ResultStore.open(out)
    assert again.metrics().equals(full)
    assert again.events().equals(full_ev)
    assert len(again.runs()) == 2


def test_a_foreign_directory_is_refused_with_a_clear_error(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("my thesis")
    with pytest.raises(StoreError, match="not a skyshield results store"):
        ResultStore.open(tmp_path)
    with pytest.raises(StoreError, match="no such directory"):
        ResultStore.open(tmp_path / "missing")
    exp = resolved(write_experiment(tmp_path))
    with pytest.raises(StoreError, match="not a skyshield results store"):
        ResultStore.open_for(tmp_path, exp)


def test_corrupt_stores_give_clear_errors(swept, tmp_path) -> None:
    d, exp = swept
    out = tmp_path / "c"
    shutil.copytree(d / "out", out)
    victim = sorted((out / "metrics").iterdir())[0]
    victim.write_bytes(b"not parquet at all")
    with pytest.raises(StoreError, match="damaged .SHA-256"):
        ResultStore.open(out).metrics()
    (out / "metrics" / "stray.csv").write_text("x")
    with pytest.raises(StoreError, match="not a chunk file"):
        ResultStore.open(out)
    (out / MANIFEST).write_text("{ truncated")
    with pytest.raises(StoreError, match="corrupt manifest"):
        ResultStore.open(out)
    (out / MANIFEST).write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(StoreError, match="not a skyshield results manifest"):
        ResultStore.open(out)


def test_another_experiment_cannot_write_into_a_store(swept, tmp_path) -> None:
    d, _ = swept
    other = write_experiment(tmp_path, samples=4)
    with pytest.raises(StoreError, match="another experiment"):
        ResultStore.open_for(d / "out", resolved(other))


def test_chunk_files_carry_metadata_readable_without_skyshield(swept) -> None:
    d, _ = swept
    f = sorted((d / "out" / "metrics").iterdir())[0]
    meta = json.loads(pq.read_schema(f).metadata[b"skyshield.chunk"])
    assert meta["rep_start"] == 0 and meta["option"] == "none" and meta["seed_entropy"] == "11"


def test_the_catalog_is_rebuilt_when_stale(swept, tmp_path) -> None:
    d, _ = swept
    out = tmp_path / "s"
    shutil.copytree(d / "out", out)
    assert query(out, "SELECT count(*) AS n FROM chunks").to_pylist()[0]["n"] > 0
    for p in (out / "metrics").iterdir():
        p.unlink()
    assert query(out, "SELECT count(*) AS n FROM chunks").to_pylist()[0]["n"] == 0
    assert query(out, "SELECT count(*) AS n FROM metrics").to_pylist()[0]["n"] == 0
    (out / "catalog.duckdb").write_bytes(b"garbage")
    assert query(out, "SELECT replications_done FROM experiment").to_pylist()[0]["replications_done"] == 0
