"""The embedded DuckDB catalog of a store, and SQL over its results.

``catalog.duckdb`` holds the provenance: tables ``experiment`` (one row), ``options``,
``parameters``, ``samples`` (hashes and parameter values), ``chunks`` (every finished chunk:
replications, timing, host, code version, seed entropy) and ``runs`` (every sweep
invocation). It is *derived*: rebuilt from the files on disk into a temporary file and moved
into place, so a crash can leave it stale but never inconsistent, and a stale one is rebuilt
the next time it is opened. The replication data stay in Parquet; :func:`connect` adds the
views ``metrics``, ``events`` and ``results`` (metrics joined with the sample parameters).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from .files import StoreError, _tmp_path
from .results import KEY_COLUMNS, ResultStore

__all__ = ["connect", "query", "rebuild_catalog"]

_TABLES = ("experiment", "options", "parameters", "samples", "chunks", "runs", "store_state")


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise StoreError("the results catalog needs DuckDB: pip install 'skyshield[store]'") from exc
    return duckdb


def _fingerprint(st: ResultStore) -> str:
    """Changes whenever a chunk, a run record or the manifest changes."""
    h = hashlib.sha256()
    for sub in ("metrics", "events", "runs"):
        d = st.root / sub
        if d.is_dir():
            for p in sorted(d.iterdir()):
                s = p.stat()
                h.update(f"{sub}/{p.name}:{s.st_size}:{s.st_mtime_ns};".encode())
    h.update(json.dumps(st.manifest, sort_keys=True).encode())
    return h.hexdigest()


def _tables(st: ResultStore) -> dict[str, pa.Table]:
    m = st.manifest
    spec = m["experiment"]
    exp = {
        "id": spec.get("id"),
        "title": spec.get("title", ""),
        "scenario_id": m["scenario"]["id"],
        "scenario_hash": m["scenario"]["hash"],
        "seed_entropy": str(m["seed_entropy"]),
        "fidelity": m.get("fidelity"),
        "design": m.get("design"),
        "replications": int(m["replications"]),
        "n_options": len(m["options"]),
        "n_samples": len(m["samples"]),
        "replications_total": st.total,
        "replications_done": st.done,
        "code_version": m.get("code_version"),
        "created_utc": m.get("created_utc"),
        "identity_hash": m["identity_hash"],
        "experiment_json": json.dumps(spec, sort_keys=True),
        "source": m.get("experiment_source"),
    }
    out = {
        "experiment": pa.Table.from_pylist([exp]),
        "options": pa.table({"option_index": pa.array(range(len(m["options"])), pa.int32()),
                             "option": pa.array(m["options"], pa.string())}),
        "parameters": pa.table({
            "name": pa.array([p["name"] for p in m.get("parameters", [])], pa.string()),
            "path": pa.array([p["path"] for p in m.get("parameters", [])], pa.string()),
            "low": pa.array([p["low"] for p in m.get("parameters", [])], pa.float64()),
            "high": pa.array([p["high"] for p in m.get("parameters", [])], pa.float64()),
        }),
        "samples": st.samples_table(),
    }
    chunk_cols = ["file", "events_file", "option", "option_index", "sample", "rep_start", "rep_stop",
                  "replications", "wall_s", "finished_utc", "seed_entropy", "scenario_hash", "catalog_hash",
                  "fidelity", "code_version", "host", "pid", "executor", "run"]
    recs = st.chunk_records()
    out["chunks"] = pa.table({c: pa.array([r.get(c) for r in recs], _chunk_type(c)) for c in chunk_cols})
    run_cols = ["file", "started_utc", "finished_utc", "status", "executor", "workers", "host", "pid",
                "code_version", "chunks_written", "replications_written", "replications_before"]
    runs = st.runs()
    out["runs"] = pa.table({c: pa.array([r.get(c) for r in runs], _run_type(c)) for c in run_cols})
    return out


def _chunk_type(c: str) -> pa.DataType:
    if c in ("option_index", "sample", "rep_start", "rep_stop", "replications", "pid"):
        return pa.int64()
    return pa.float64() if c == "wall_s" else pa.string()


def _run_type(c: str) -> pa.DataType:
    return pa.int64() if c in ("workers", "pid", "chunks_written", "replications_written",
                               "replications_before") else pa.string()


def rebuild_catalog(st: ResultStore) -> Path:
    """Write ``catalog.duckdb`` from what is on disk (temporary file, then atomic rename)."""
    duckdb = _duckdb()
    fp = _fingerprint(st)
    tables = _tables(st)
    tables["store_state"] = pa.table({"fingerprint": [fp]})
    tmp = _tmp_path(st.root, "catalog.duckdb")
    con = duckdb.connect(str(tmp))
    try:
        for name, t in tables.items():
            con.register("_t", t)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _t')
            con.unregister("_t")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    wal = Path(str(tmp) + ".wal")
    if wal.exists():
        wal.unlink()
    os.replace(tmp, st.catalog_path)
    return st.catalog_path


def _is_current(st: ResultStore) -> bool:
    if not st.catalog_path.is_file():
        return False
    duckdb = _duckdb()
    try:
        con = duckdb.connect(str(st.catalog_path), read_only=True)
        try:
            got = con.execute("SELECT fingerprint FROM store_state").fetchone()
        finally:
            con.close()
    except Exception:  # a damaged catalog is simply rebuilt
        return False
    return bool(got) and got[0] == _fingerprint(st)


def connect(root: str | Path | ResultStore) -> Any:
    """A DuckDB connection with the catalog's tables and views over the Parquet results.

    Rebuilds the catalog first if it is missing or stale (into memory if the directory is
    read-only).
    """
    duckdb = _duckdb()
    st = root if isinstance(root, ResultStore) else ResultStore.open(root)
    st.verify()  # DuckDB reads the Parquet files itself: check them against their SHA-256 first
    if not _is_current(st):
        try:
            rebuild_catalog(st)
        except OSError:
            con = duckdb.connect(":memory:")
            for name, t in _tables(st).items():
                con.register(f"_{name}", t)
                con.execute(f'CREATE TEMP TABLE "{name}" AS SELECT * FROM "_{name}"')
            _views(con, st)
            return con
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{_sql_str(st.catalog_path)}' AS cat (READ_ONLY)")
    for name in _TABLES:
        con.execute(f'CREATE TEMP VIEW "{name}" AS SELECT * FROM cat."{name}"')
    _views(con, st)
    return con


def _sql_str(p: Path | str) -> str:
    return str(p).replace("'", "''")


def _views(con: Any, st: ResultStore) -> None:
    import pyarrow.parquet as pq

    chunks = st.chunks()
    mfiles = [st.root / "metrics" / c.name for c in chunks]
    if mfiles:
        names: list[str] = []
        for f in mfiles:
            for n in pq.read_schema(f).names:
                if n not in names and n not in KEY_COLUMNS:
                    names.append(n)
        lst = ", ".join(f"'{_sql_str(f)}'" for f in mfiles)
        sel = ", ".join(f'COALESCE("{n}", 0.0) AS "{n}"' for n in sorted(names))
        con.execute(
            f"CREATE TEMP VIEW metrics AS SELECT option, sample, replication{', ' + sel if sel else ''} "
            f"FROM read_parquet([{lst}], union_by_name=true)"
        )
    else:
        con.execute("CREATE TEMP VIEW metrics AS SELECT NULL::VARCHAR AS option, NULL::INTEGER AS sample, "
                    "NULL::INTEGER AS replication WHERE false")
    efiles = [st.root / "events" / c.name for c in chunks if (st.root / "events" / c.name).is_file()]
    if efiles:
        lst = ", ".join(f"'{_sql_str(f)}'" for f in efiles)
        con.execute(f"CREATE TEMP VIEW events AS SELECT * FROM read_parquet([{lst}], union_by_name=true)")
    else:
        con.execute("CREATE TEMP VIEW events AS SELECT NULL::VARCHAR AS option, NULL::INTEGER AS sample, "
                    "NULL::INTEGER AS replication, NULL::VARCHAR AS kind WHERE false")
    con.execute("CREATE TEMP VIEW results AS SELECT m.*, s.* EXCLUDE (sample) FROM metrics m "
                "JOIN samples s USING (sample)")


def query(root: str | Path | ResultStore, sql: str) -> pa.Table:
    """Run SQL against a store (tables and views as in :func:`connect`); an Arrow table back."""
    con = connect(root)
    try:
        try:
            rel = con.sql(sql)
            if rel is None:  # a statement with no result
                return pa.table({})
            fetch = getattr(rel, "to_arrow_table", None) or getattr(rel, "arrow")  # DuckDB 2 / 1
            return fetch()
        except Exception as exc:
            raise StoreError(f"SQL error: {exc}") from None
    finally:
        con.close()
