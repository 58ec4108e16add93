"""A results store: open or create one, write finished chunks, read results back."""

from __future__ import annotations

import json
import os
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from ..provenance import code_version
from .files import (
    CHECKSUMS,
    CHUNK_META_KEY,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    ChunkFile,
    StoreError,
    StoreLock,
    _place,
    _tmp_path,
    _utc,
    atomic_write_bytes,
    atomic_write_table,
    check_chunks,
    chunk_meta,
    clean_for_writing,
    directory_is_free,
    file_sha256,
    json_bytes,
    list_chunks,
    read_chunk,
    read_manifest,
    run_record,
    verify_chunk_file,
    write_checksums,
)

if TYPE_CHECKING:
    from ..experiments import ResolvedExperiment
    from ..runner import ChunkResult

__all__ = ["ResultStore", "code_version"]

KEY_COLUMNS = ("option", "sample", "replication")


class ResultStore:
    """A directory of results. :meth:`open` to read, :meth:`open_for` to write a sweep into."""

    def __init__(self, root: str | Path, manifest: dict[str, Any]):
        self.root = Path(root)
        self.manifest = manifest
        self._run_file: Path | None = None
        self._run: dict[str, Any] | None = None
        self._lock: StoreLock | None = None

    def close(self) -> None:
        """Release the writer's lock (also released when the process ends)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def checksummed(self) -> bool:
        """Whether every chunk of this store has a checksum record (stores made since checksums)."""
        return self.manifest.get("checksums") == CHECKSUMS

    def verify(self) -> None:
        """Check every chunk file against its SHA-256; :class:`StoreError` names the first damaged one."""
        if not self.checksummed:
            return
        for c in self.chunks():
            verify_chunk_file(self.root, "metrics", c.name)
            if (self.root / "events" / c.name).is_file():
                verify_chunk_file(self.root, "events", c.name)

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, root: str | Path) -> "ResultStore":
        """Open an existing store for reading; :class:`StoreError` if it is not one."""
        st = cls(root, read_manifest(root))
        st.chunks()  # validates the chunk files' names and spans
        return st

    @staticmethod
    def recorded_entropy(root: str | Path) -> int | None:
        """The seed entropy of the store at ``root``, if there is one (to resume unseeded runs)."""
        root = Path(root)
        if not (root / MANIFEST).is_file():
            return None
        return int(read_manifest(root)["seed_entropy"])

    @classmethod
    def open_for(cls, root: str | Path, exp: "ResolvedExperiment", experiment_text: str | None = None) -> "ResultStore":
        """Create a store for ``exp``, or reopen the one there to complete it.

        Raises
        ------
        StoreError
            If the directory holds something else, or results of another experiment.
        """
        root = Path(root)
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root}: not a directory")
        root.mkdir(parents=True, exist_ok=True)
        lock = StoreLock(root)  # before anything is decided or written: one writer at a time
        try:
            st = cls._open_locked(root, exp, experiment_text)
        except BaseException:
            lock.release()
            raise
        st._lock = lock
        return st

    @classmethod
    def _open_locked(cls, root: Path, exp: "ResolvedExperiment", experiment_text: str | None) -> "ResultStore":
        if directory_is_free(root):
            return cls._create(root, exp, experiment_text)
        man = read_manifest(root)
        if man["identity_hash"] != exp.identity_hash:
            raise StoreError(
                f"{root} holds results of another experiment ({man['experiment'].get('id')!r}, identity "
                f"{man['identity_hash'][:12]}; this one is {exp.spec.id!r}, {exp.identity_hash[:12]}): "
                "the scenario, catalog, options, design, seed or fidelity differ; use another --out"
            )
        if exp.spec.replications < int(man["replications"]):
            raise StoreError(
                f"{root} already asks for {man['replications']} replications; ask for at least as many "
                f"(given {exp.spec.replications})"
            )
        st = cls(root, man)
        clean_for_writing(root)
        st.chunks()
        st._close_stale_runs()
        if exp.spec.replications > int(man["replications"]):
            man = dict(man, replications=exp.spec.replications, experiment=exp.spec.model_dump(mode="json"))
            atomic_write_bytes(root, root / MANIFEST, json_bytes(man))
            st.manifest = man
        return st

    @classmethod
    def _create(cls, root: Path, exp: "ResolvedExperiment", experiment_text: str | None) -> "ResultStore":
        root.mkdir(parents=True, exist_ok=True)
        s0 = exp.samples[0]
        inputs = root / "inputs"
        if experiment_text is not None:
            atomic_write_bytes(root, inputs / "experiment.yaml", experiment_text.encode("utf-8"))
        if s0.catalog_doc is not None:
            atomic_write_bytes(root, inputs / "catalog.json", json_bytes(s0.catalog_doc))
        if s0.scenario_doc is not None:
            atomic_write_bytes(root, inputs / "scenario.json", json_bytes(s0.scenario_doc))
        man = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_utc": _utc(),
            "code_version": code_version(),
            "experiment": exp.spec.model_dump(mode="json"),
            "experiment_source": exp.source,
            "identity_hash": exp.identity_hash,
            "seed_entropy": str(exp.seed_entropy),
            "options": list(exp.options),
            "replications": exp.spec.replications,
            "fidelity": exp.spec.fidelity,
            "design": exp.spec.design.method,
            "scenario": {"id": exp.base_scenario.id, "title": exp.base_scenario.title,
                         "hash": exp.base_scenario.content_hash},
            "checksums": CHECKSUMS,
            "parameters": [
                {"name": n, "path": p, "low": lo, "high": hi}
                for n, p, lo, hi in zip(exp.parameter_names, exp.parameter_paths, exp.lows, exp.highs)
            ],
            "samples": [
                {"sample": s.index, "values": list(s.values), "scenario_hash": s.scenario.content_hash,
                 "catalog_hash": s.catalog_hash}
                for s in exp.samples
            ],
        }
        atomic_write_bytes(root, root / MANIFEST, json_bytes(man))  # last: it marks the store
        return cls(root, man)

    # -- what is there --------------------------------------------------------------------------

    @property
    def options(self) -> list[str]:
        return list(self.manifest["options"])

    @property
    def replications(self) -> int:
        return int(self.manifest["replications"])

    @property
    def n_samples(self) -> int:
        return len(self.manifest["samples"])

    @property
    def parameter_names(self) -> list[str]:
        return [p["name"] for p in self.manifest.get("parameters", [])]

    @property
    def seed_entropy(self) -> int:
        return int(self.manifest["seed_entropy"])

    @property
    def total(self) -> int:
        """Replications the experiment asks for, over all options and samples."""
        return self.replications * len(self.options) * self.n_samples

    def chunks(self) -> list[ChunkFile]:
        cs = list_chunks(self.root, "metrics")
        check_chunks(self.root, cs, len(self.options), self.n_samples)
        return cs

    def completed(self) -> dict[tuple[int, int], set[int]]:
        """Finished replications by (option index, sample)."""
        out: dict[tuple[int, int], set[int]] = {}
        for c in self.chunks():
            out.setdefault((c.option, c.sample), set()).update(range(c.start, c.stop))
        return out

    @property
    def done(self) -> int:
        return sum(min(c.stop, self.replications) - min(c.start, self.replications) for c in self.chunks())

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    def runs(self) -> list[dict[str, Any]]:
        d = self.root / "runs"
        out = []
        if d.is_dir():
            for p in sorted(d.glob("*.json")):
                try:
                    out.append(dict(json.loads(p.read_text(encoding="utf-8")), file=p.name))
                except (OSError, json.JSONDecodeError) as exc:
                    raise StoreError(f"{p}: corrupt run record ({exc})") from None
        return out

    def samples_table(self) -> pa.Table:
        """One row per sample: its hashes and parameter values (SI units)."""
        rows = self.manifest["samples"]
        cols: dict[str, pa.Array] = {
            "sample": pa.array([r["sample"] for r in rows], pa.int32()),
            "scenario_hash": pa.array([r["scenario_hash"] for r in rows], pa.string()),
            "catalog_hash": pa.array([r["catalog_hash"] for r in rows], pa.string()),
        }
        for i, name in enumerate(self.parameter_names):
            cols[name] = pa.array([float(r["values"][i]) for r in rows], pa.float64())
        return pa.table(cols)

    # -- writing --------------------------------------------------------------------------------

    def begin_run(self, executor: str, workers: int) -> None:
        self._run = run_record(executor, workers, code_version())
        self._run["replications_before"] = self.done
        name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}.json"
        self._run_file = self.root / "runs" / name
        atomic_write_bytes(self.root, self._run_file, json_bytes(self._run))

    def end_run(self, status: str = "finished", index: bool = False) -> None:
        """Record how the run ended (``finished``, ``interrupted`` or ``failed``) and its counts;
        with ``index``, rebuild the DuckDB catalog (needs the ``store`` extra).

        If the record cannot be written (a full disk), it stays ``running`` and the next sweep
        that opens the store marks it ``interrupted`` with the counts its chunks show.
        """
        if self._run is not None and self._run_file is not None:
            self._run.update(status=status, finished_utc=_utc())
            try:
                atomic_write_bytes(self.root, self._run_file, json_bytes(self._run))
            except OSError:
                pass
        if index:
            from .catalog import rebuild_catalog

            rebuild_catalog(self)

    def _close_stale_runs(self) -> None:
        """Runs still ``running`` while we hold the lock were killed: mark them ``interrupted``,
        with the chunks and replications their chunk files show they wrote."""
        stale = [r for r in self.runs() if r.get("status") == "running"]
        if not stale:
            return
        by_run: dict[str, list[int]] = {}
        for c in self.chunks():
            try:
                meta = chunk_meta(self.root / "metrics" / c.name)
            except Exception:
                continue
            w = by_run.setdefault(str(meta.get("run")), [0, 0])
            w[0] += 1
            w[1] += c.stop - c.start
        for r in stale:
            name = r.pop("file")
            chunks, reps = by_run.get(name, [0, 0])
            r.update(status="interrupted", chunks_written=chunks, replications_written=reps,
                     note="the process ended without closing its run record (killed); counts from its chunk files")
            atomic_write_bytes(self.root, self.root / "runs" / name, json_bytes(r))

    def write_chunk(self, res: "ChunkResult", extra: dict[str, Any] | None = None) -> ChunkFile:
        """Write one finished chunk (events first, then metrics: the metrics file marks it done)."""
        c = res.chunk
        cf = ChunkFile(c.option, c.sample, c.start, c.stop)
        s = self.manifest["samples"][c.sample]
        meta = {
            "option": self.options[c.option],
            "option_index": c.option,
            "sample": c.sample,
            "rep_start": c.start,
            "rep_stop": c.stop,
            "wall_s": res.wall_s,
            "finished_utc": _utc(),
            "seed_entropy": self.manifest["seed_entropy"],
            "scenario_hash": s["scenario_hash"],
            "catalog_hash": s["catalog_hash"],
            "fidelity": self.manifest.get("fidelity", "statistical"),
            **(extra or {}),
        }
        if self._run is not None:
            meta.update(code_version=self._run["code_version"], host=self._run["host"], pid=self._run["pid"],
                        executor=self._run["executor"], run=self._run_file.name if self._run_file else None)
        md = {CHUNK_META_KEY: json.dumps(meta).encode()}
        option = self.options[c.option]
        digests: dict[str, str | None] = {"metrics": None, "events": None}
        if res.events:
            parts = []
            for k, t in enumerate(res.events):
                n = t.num_rows
                parts.append(
                    t.append_column("option", pa.array([option] * n, pa.string()))
                    .append_column("sample", pa.array([c.sample] * n, pa.int32()))
                    .append_column("replication", pa.array([c.start + k] * n, pa.int32()))
                )
            ev = pa.concat_tables(parts).replace_schema_metadata(md)
            digests["events"] = atomic_write_table(self.root, self.root / "events" / cf.name, ev)
        keys: list[str] = []
        for row in res.rows:
            for k in row:
                if k not in keys:
                    keys.append(k)
        n = len(res.rows)
        cols = {
            "option": pa.array([option] * n, pa.string()),
            "sample": pa.array([c.sample] * n, pa.int32()),
            "replication": pa.array(range(c.start, c.stop), pa.int32()),
        }
        for k in keys:
            cols[k] = pa.array([row.get(k, 0.0) for row in res.rows], pa.float64())
        import pyarrow.parquet as pq

        tmp = _tmp_path(self.root, cf.name)
        pq.write_table(pa.table(cols).replace_schema_metadata(md), tmp, compression="zstd", write_page_checksum=True)
        digests["metrics"] = file_sha256(tmp)
        if self.checksummed:
            write_checksums(self.root, cf.name, digests)  # before the metrics file: it marks the chunk done
        _place(tmp, self.root / "metrics" / cf.name)
        if self._run is not None and self._run_file is not None:
            self._run["chunks_written"] += 1
            self._run["replications_written"] += n
        return cf

    # -- reading --------------------------------------------------------------------------------

    def metrics(self) -> pa.Table:
        """Every finished replication: ``option, sample, replication`` then metrics (sorted by name).

        Rows are in (option as listed in the experiment, sample, replication) order, whatever
        order the chunks were written in; a metric a replication did not report is 0.
        """
        tables = []
        verify = self.root if self.checksummed else None
        for c in self.chunks():
            t = read_chunk(self.root / "metrics" / c.name, verify)
            tables.append(t.replace_schema_metadata(None))
        return _normalise(tables, self.options, fill=True)

    def events(self, option: str | None = None, sample: int | None = None,
               replications: int | None = None) -> pa.Table | None:
        """Event logs (``None`` if the experiment kept none), optionally filtered."""
        o_idx = self.options.index(option) if option is not None else None
        tables = []
        for c in self.chunks():
            if (o_idx is not None and c.option != o_idx) or (sample is not None and c.sample != sample):
                continue
            if replications is not None and c.start >= replications:
                continue
            p = self.root / "events" / c.name
            if not p.is_file():
                continue
            t = read_chunk(p, self.root if self.checksummed else None).replace_schema_metadata(None)
            if replications is not None:
                t = t.filter(pc.less(t["replication"], replications))
            tables.append(t)
        if not tables:
            return None
        return _normalise(tables, self.options, fill=False)

    def chunk_records(self) -> list[dict[str, Any]]:
        """The provenance of every finished chunk (from its Parquet metadata)."""
        out = []
        for c in self.chunks():
            p = self.root / "metrics" / c.name
            try:
                meta = chunk_meta(p)
            except Exception as exc:
                raise StoreError(f"{p}: corrupt chunk file ({exc})") from None
            ev = self.root / "events" / c.name
            out.append({"file": c.name, "events_file": ev.name if ev.is_file() else None,
                        "replications": c.stop - c.start, **meta})
        return out

    @cached_property
    def catalog_path(self) -> Path:
        return self.root / "catalog.duckdb"

    def inputs(self) -> tuple[Any, Any]:
        """The scenario and catalog of sample 0, validated again from the stored documents."""
        from ..catalog import Catalog
        from ..scenario import parse_scenario

        try:
            sdoc = json.loads((self.root / "inputs" / "scenario.json").read_text(encoding="utf-8"))
            cdoc = json.loads((self.root / "inputs" / "catalog.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise StoreError(f"{self.root / 'inputs'}: missing or corrupt input documents ({exc})") from None
        cat = Catalog.model_validate(cdoc)
        return parse_scenario(sdoc, {}, str(self.root / "inputs" / "scenario.json"), cat), cat


def _normalise(tables: list[pa.Table], options: list[str], fill: bool) -> pa.Table:
    if not tables:
        cols = {"option": pa.array([], pa.string()), "sample": pa.array([], pa.int32()),
                "replication": pa.array([], pa.int32())}
        return pa.table(cols)
    t = pa.concat_tables(tables, promote_options="default")
    order = {o: i for i, o in enumerate(options)}
    o_idx = pa.array([order[o] for o in t["option"].to_pylist()], pa.int32())
    t = t.append_column("__o", o_idx)
    t = t.sort_by([("__o", "ascending"), ("sample", "ascending"), ("replication", "ascending")]).drop(["__o"])
    if fill:
        rest = sorted(c for c in t.column_names if c not in KEY_COLUMNS)
        t = t.select([*KEY_COLUMNS, *rest])
        for i, name in enumerate(t.column_names):
            if name not in KEY_COLUMNS and t[name].null_count:
                t = t.set_column(i, name, pc.fill_null(t[name], 0.0))
    return t
