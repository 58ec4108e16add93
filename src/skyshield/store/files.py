"""The results store on disk: Parquet chunks, a manifest, and nothing ever half-written.

Layout of a store directory::

    skyshield-store.json            manifest: format, experiment, seed entropy, samples, provenance
    inputs/experiment.yaml          the experiment file as given
    inputs/scenario.json            the scenario and catalog documents of sample 0 (units
    inputs/catalog.json             written out), enough to rebuild maps without the originals
    metrics/oOOO-sSSSSSS-rAAAAAAAA-BBBBBBBB.parquet   one row per replication of a finished chunk
    events/oOOO-sSSSSSS-rAAAAAAAA-BBBBBBBB.parquet    its event log (if the experiment keeps them)
    runs/<utc>-<pid>.json           one record per `skyshield sweep` invocation
    catalog.duckdb                  the DuckDB catalog, rebuilt from the files above

Every file is written to ``tmp/`` and moved into place with :func:`os.replace` (atomic on
POSIX), the event file of a chunk before its metrics file: a chunk exists exactly when its
metrics file does. A process killed at any instant leaves finished chunks and stray files in
``tmp/`` (removed on the next open for writing), never a torn file where a reader looks.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "ChunkFile",
    "StoreError",
    "atomic_write_bytes",
    "atomic_write_table",
    "is_store",
    "read_manifest",
]

FORMAT = "skyshield-results"
FORMAT_VERSION = 1
MANIFEST = "skyshield-store.json"
CHUNK_META_KEY = b"skyshield.chunk"
_CHUNK_RE = re.compile(r"^o(\d{3,})-s(\d{6,})-r(\d{8,})-(\d{8,})\.parquet$")
_OWN_ENTRIES = {MANIFEST, "inputs", "metrics", "events", "runs", "tmp", "catalog.duckdb", "report.html"}


class StoreError(Exception):
    """A directory that is not a (readable) skyshield results store, or does not fit the run."""


def _utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _tmp_path(root: Path, name: str) -> Path:
    d = root / "tmp"
    d.mkdir(exist_ok=True)
    return d / f"{name}.{os.getpid()}.{time.monotonic_ns()}.tmp"


def _place(tmp: Path, final: Path) -> None:
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, final)


def atomic_write_bytes(root: Path, final: Path, data: bytes) -> None:
    """Write ``data`` to ``final`` through a temporary file in ``root/tmp``."""
    tmp = _tmp_path(root, final.name)
    tmp.write_bytes(data)
    _place(tmp, final)


def atomic_write_table(root: Path, final: Path, table: pa.Table) -> None:
    """Write a Parquet file through a temporary file in ``root/tmp``."""
    tmp = _tmp_path(root, final.name)
    pq.write_table(table, tmp, compression="zstd")
    _place(tmp, final)


@dataclass(frozen=True)
class ChunkFile:
    """A finished chunk, as named on disk."""

    option: int
    sample: int
    start: int
    stop: int

    @property
    def name(self) -> str:
        return f"o{self.option:03d}-s{self.sample:06d}-r{self.start:08d}-{self.stop:08d}.parquet"

    @classmethod
    def parse(cls, name: str) -> "ChunkFile | None":
        m = _CHUNK_RE.match(name)
        if not m:
            return None
        o, s, a, b = (int(g) for g in m.groups())
        return cls(o, s, a, b) if b > a else None


def is_store(root: str | Path) -> bool:
    return (Path(root) / MANIFEST).is_file()


def read_manifest(root: str | Path) -> dict[str, Any]:
    """The manifest of a store; :class:`StoreError` with the reason if there is none."""
    root = Path(root)
    if not root.exists():
        raise StoreError(f"{root}: no such directory")
    if not root.is_dir():
        raise StoreError(f"{root}: not a directory")
    path = root / MANIFEST
    if not path.is_file():
        raise StoreError(
            f"{root} is not a skyshield results store (it has no {MANIFEST}); "
            "`skyshield sweep EXPERIMENT --out DIR` creates one"
        )
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{path}: corrupt manifest ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StoreError(f"{path}: not a skyshield results manifest (format {doc.get('format')!r})"
                         if isinstance(doc, dict) else f"{path}: not a skyshield results manifest")
    if doc.get("format_version") != FORMAT_VERSION:
        raise StoreError(
            f"{path}: store format version {doc.get('format_version')!r}; this skyshield reads version "
            f"{FORMAT_VERSION}"
        )
    for key in ("experiment", "options", "replications", "samples", "seed_entropy", "identity_hash"):
        if key not in doc:
            raise StoreError(f"{path}: corrupt manifest (no {key!r})")
    return doc


def list_chunks(root: Path, kind: str = "metrics") -> list[ChunkFile]:
    """Finished chunks, sorted by name; :class:`StoreError` for anything foreign in there."""
    d = root / kind
    if not d.is_dir():
        return []
    out = []
    for p in sorted(d.iterdir()):
        c = ChunkFile.parse(p.name)
        if c is None:
            raise StoreError(f"{p}: not a chunk file of a skyshield store (remove it)")
        out.append(c)
    return out


def check_chunks(root: Path, chunks: Iterable[ChunkFile], n_options: int, n_samples: int) -> None:
    """No chunk outside the experiment, no replication in two chunks."""
    seen: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for c in chunks:
        if c.option >= n_options or c.sample >= n_samples:
            raise StoreError(f"{root / 'metrics' / c.name}: option or sample outside the experiment")
        seen.setdefault((c.option, c.sample), []).append((c.start, c.stop))
    for (o, s), spans in seen.items():
        spans.sort()
        for (a0, b0), (a1, b1) in zip(spans, spans[1:]):
            if a1 < b0:
                raise StoreError(
                    f"{root}: overlapping chunks for option {o}, sample {s}: replications {a0}-{b0 - 1} "
                    f"and {a1}-{b1 - 1} (a store written by two sweeps at once?)"
                )


def chunk_meta(table_or_path: pa.Table | Path) -> dict[str, Any]:
    """The provenance a chunk file carries in its Parquet metadata."""
    schema = table_or_path.schema if isinstance(table_or_path, pa.Table) else pq.read_schema(table_or_path)
    raw = (schema.metadata or {}).get(CHUNK_META_KEY)
    return json.loads(raw) if raw else {}


def read_chunk(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise StoreError(f"{path}: corrupt chunk file ({exc}); delete it and rerun the sweep to recompute it") from None


def clean_for_writing(root: Path) -> int:
    """Remove leftovers of an interrupted writer: temporary files and orphan event files."""
    n = 0
    tmp = root / "tmp"
    if tmp.is_dir():
        for p in tmp.iterdir():
            if p.is_file():
                p.unlink()
                n += 1
            else:
                shutil.rmtree(p)
    have = {c.name for c in list_chunks(root, "metrics")}
    ev = root / "events"
    if ev.is_dir():
        for p in ev.iterdir():
            if p.name not in have:  # written just before a crash, before its metrics file
                p.unlink()
                n += 1
    return n


def directory_is_free(root: Path) -> bool:
    """True if ``root`` is missing, empty, or holds only the leftovers of a store's creation."""
    if not root.exists():
        return True
    if not root.is_dir():
        return False
    entries = {p.name for p in root.iterdir()}
    return not entries or (MANIFEST not in entries and entries <= {"inputs", "tmp"})


def run_record(executor: str, workers: int, code_version: str) -> dict[str, Any]:
    return {
        "started_utc": _utc(),
        "finished_utc": None,
        "status": "running",
        "executor": executor,
        "workers": workers,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "code_version": code_version,
        "chunks_written": 0,
        "replications_written": 0,
    }


def json_bytes(doc: Mapping[str, Any]) -> bytes:
    return (json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n").encode("utf-8")
