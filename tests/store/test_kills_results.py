"""Store details that mutation testing found unchecked: the Arrow types of the key columns
(an empty store's tables too), and the manifest grown when an experiment asks for more
replications, chunk files and the SQL catalog tables, a crashed catalog build's leftovers. No
sweep is run: the store is created, chunks are written by hand, read and reopened.

Each test names the mistake it catches; each was checked by applying that mistake by hand.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow as pa
import pytest

from skyshield.store import MANIFEST, ResultStore, StoreError
from tests.store.helpers import resolved, write_experiment


@pytest.fixture(scope="module")
def experiments(tmp_path_factory):
    d = tmp_path_factory.mktemp("kills")
    three = resolved(write_experiment(d, reps=3, name="exp3.yaml"))
    # The same experiment asking for five replications (resolving it again would take seconds).
    five = replace(three, spec=three.spec.model_copy(update={"replications": 5}))
    assert five.identity_hash == three.identity_hash
    return d, three, five


def test_an_empty_store_reads_as_typed_empty_tables(experiments, tmp_path) -> None:
    # Mistakes caught: the key columns typed by inference (null or int64 instead of int32), or
    # the empty table missing a key column.
    d, three, _ = experiments
    st = ResultStore.open_for(tmp_path / "out", three, (d / "exp3.yaml").read_text())
    st.close()
    m = ResultStore.open(tmp_path / "out").metrics()
    assert m.num_rows == 0
    assert m.schema == pa.schema([("option", pa.string()), ("sample", pa.int32()), ("replication", pa.int32())])
    s = ResultStore.open(tmp_path / "out").samples_table()
    assert s.schema.field("sample").type == pa.int32()
    assert s["sample"].to_pylist() == [0, 1]
    assert s.column_names[:3] == ["sample", "scenario_hash", "catalog_hash"]
    assert [s.schema.field(n).type for n in s.column_names[3:]] == [pa.float64(), pa.float64()]


def test_asking_for_more_replications_grows_the_manifest_on_disk_and_keeps_the_rest(experiments, tmp_path) -> None:
    # Mistakes caught: the grown manifest not written (or written empty), the count kept at the
    # old value, or the store's own view not updated.
    d, three, five = experiments
    out = tmp_path / "out"
    ResultStore.open_for(out, three, (d / "exp3.yaml").read_text()).close()
    before = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert before["replications"] == 3
    st = ResultStore.open_for(out, five)
    assert st.replications == 5 and st.total == 5 * 2 * 2
    st.close()
    after = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert after["replications"] == 5 and after["experiment"]["replications"] == 5
    same = {k: v for k, v in before.items() if k not in ("replications", "experiment")}
    assert {k: after[k] for k in same} == same
    assert ResultStore.open(out).replications == 5
    # Fewer than stored is refused; as many again leaves the manifest as it is.
    with pytest.raises(StoreError, match="already asks for 5 replications"):
        ResultStore.open_for(out, three)
    ResultStore.open_for(out, five).close()
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8")) == after


def _hand_chunks(st: ResultStore) -> None:
    """Two hand-written chunks of option 0, sample 0; the second replication reports no ``b``."""
    from skyshield.runner.work import Chunk, ChunkResult

    st.write_chunk(ChunkResult(Chunk(0, 0, 0, 2), [{"a": 1.0, "b": 3.0}, {"a": 2.0}], [], 0.5))
    st.write_chunk(ChunkResult(Chunk(1, 1, 0, 1), [{"b": 4.0}], [], 0.25))


def test_a_metric_a_replication_did_not_report_is_written_as_zero_and_chunks_carry_the_fidelity(experiments,
                                                                                                 tmp_path) -> None:
    # Mistakes caught: a missing metric written as null in the chunk file (only the store's own
    # reader would fill it), the chunk's fidelity not read from the manifest.
    import pyarrow.parquet as pq

    d, three, _ = experiments
    st = ResultStore.open_for(tmp_path / "out", three, (d / "exp3.yaml").read_text())
    _hand_chunks(st)
    st.close()
    files = sorted((tmp_path / "out" / "metrics").glob("*.parquet"))
    first = pq.read_table(files[0])
    assert first["a"].to_pylist() == [1.0, 2.0] and first["b"].to_pylist() == [3.0, 0.0]
    assert first["b"].null_count == 0
    recs = ResultStore.open(tmp_path / "out").chunk_records()
    assert [r["fidelity"] for r in recs] == ["statistical", "statistical"]


def test_the_sql_catalog_tables_name_their_columns_and_keep_the_experiment_as_sorted_json(experiments,
                                                                                          tmp_path) -> None:
    # Mistakes caught: a column of the options, parameters or chunks table misnamed, the
    # experiment's JSON not key-sorted (its text would change with dict order).
    from skyshield.store import query

    d, three, _ = experiments
    st = ResultStore.open_for(tmp_path / "out", three, (d / "exp3.yaml").read_text())
    _hand_chunks(st)
    st.close()
    out = tmp_path / "out"
    opts = query(out, "SELECT option_index, option FROM options ORDER BY option_index")
    assert opts.column_names == ["option_index", "option"]
    assert opts.to_pylist() == [{"option_index": 0, "option": "none"}, {"option_index": 1, "option": "umbrella"}]
    par = query(out, "SELECT name, path FROM parameters")
    assert par.column_names == ["name", "path"]
    assert par["path"].to_pylist() == ["catalog.threats.shahed-136.speed",
                                       "catalog.shooters.patriot-pac3.envelopes.ballistic.pk"]
    ch = query(out, "SELECT * FROM chunks ORDER BY option_index")
    assert "fidelity" in ch.column_names
    assert ch["fidelity"].to_pylist() == ["statistical", "statistical"]
    # A store grown in memory holds the experiment in field order (id, title, ...), not sorted:
    # its catalog still keeps the sorted text.
    grown = ResultStore.open_for(out, replace(three, spec=three.spec.model_copy(update={"replications": 4})))
    spec = grown.manifest["experiment"]
    assert json.dumps(spec) != json.dumps(spec, sort_keys=True)
    text = query(grown, "SELECT experiment_json FROM experiment")["experiment_json"][0].as_py()
    grown.close()
    assert text == json.dumps(spec, sort_keys=True)


def test_leftover_temporary_files_of_a_writer_and_of_duckdb_are_removed_and_others_kept(experiments,
                                                                                        tmp_path) -> None:
    # Mistake caught: a DuckDB ``.tmp.wal`` beside a temporary catalog left behind (its name
    # checked on the wrong slice).
    d, three, _ = experiments
    out = tmp_path / "out"
    ResultStore.open_for(out, three, (d / "exp3.yaml").read_text()).close()
    tmp = out / "tmp"
    tmp.mkdir(exist_ok=True)
    for name in ("catalog.duckdb.123.456.tmp", "catalog.duckdb.123.456.tmp.wal", "notes.txt", "x.tmp.wal"):
        (tmp / name).write_text("x")
    ResultStore.open_for(out, three).close()
    assert sorted(p.name for p in tmp.iterdir()) == ["notes.txt", "x.tmp.wal"]


def test_the_parameters_table_of_a_design_without_parameters_is_typed_and_empty(experiments, tmp_path) -> None:
    # Mistake caught: the parameters table's columns typed by inference (null-typed when the
    # experiment varies nothing, so SQL on it fails or compares with NULL).
    from skyshield.store.catalog import _tables

    d, three, _ = experiments
    st = ResultStore.open_for(tmp_path / "out", three, (d / "exp3.yaml").read_text())
    st.close()
    st.manifest = dict(st.manifest, parameters=[])  # what a design without parameters stores
    t = _tables(st)["parameters"]
    assert t.num_rows == 0
    assert t.schema == pa.schema([("name", pa.string()), ("path", pa.string()), ("low", pa.float64()),
                                  ("high", pa.float64())])


def test_a_missing_checksum_record_and_a_damaged_chunk_are_reported_in_full(experiments, tmp_path) -> None:
    # Mistake caught: the remedy in the message garbled (the analyst is told what to delete and
    # to rerun the sweep); the path and the cause are checked elsewhere, the wording here.
    import re

    from skyshield.store.files import checksum_path

    d, three, _ = experiments
    out = tmp_path / "out"
    st = ResultStore.open_for(out, three, (d / "exp3.yaml").read_text())
    _hand_chunks(st)
    st.close()
    first, second = sorted((out / "metrics").glob("*.parquet"))
    cpath = checksum_path(out, first.name)
    cpath.unlink()
    with pytest.raises(StoreError) as e:
        ResultStore.open(out).metrics()
    assert str(e.value) == (f"{first}: its checksum record {cpath} is missing; delete the chunk file and rerun "
                            "the sweep to recompute it")
    first.unlink()
    data = bytearray(second.read_bytes())
    data[len(data) // 2] ^= 0xFF
    second.write_bytes(bytes(data))
    with pytest.raises(StoreError) as e:
        ResultStore.open(out).metrics()
    c2 = checksum_path(out, second.name)
    want = (re.escape(f"{second}: damaged (SHA-256 ") + "[0-9a-f]{12}" + re.escape("..., recorded ") + "[0-9a-f]{12}"
            + re.escape(f"...); delete it (and {c2.name}) and rerun the sweep to recompute the chunk"))
    assert re.fullmatch(want, str(e.value))
