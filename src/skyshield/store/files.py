"""The results store on disk: Parquet chunks, a manifest, and nothing ever half-written.

Layout of a store directory::

    skyshield-store.json            manifest: format, experiment, seed entropy, samples, provenance
    inputs/experiment.yaml          the experiment file as given
    inputs/scenario.json            the scenario and catalog documents of sample 0 (units
    inputs/catalog.json             written out), enough to rebuild maps without the originals
    metrics/oOOO-sSSSSSS-rAAAAAAAA-BBBBBBBB.parquet   one row per replication of a finished chunk
    events/oOOO-sSSSSSS-rAAAAAAAA-BBBBBBBB.parquet    its event log (if the experiment keeps them)
    checksums/oOOO-sSSSSSS-rAAAAAAAA-BBBBBBBB.json    SHA-256 of the chunk's metrics and event files
    runs/<utc>-<pid>.json           one record per `skyshield sweep` invocation
    catalog.duckdb                  the DuckDB catalog, rebuilt from the files above
    skyshield-store.lock            held (``flock``) by the one sweep writing the store

Every file is written to ``tmp/`` and moved into place with :func:`os.replace` (atomic on
POSIX), the event file of a chunk first, then its checksums, then its metrics file: a chunk
exists exactly when its metrics file does. A process killed at any instant leaves finished
chunks and stray files in ``tmp/`` (its own temporary files are removed on the next open for
writing; nothing else there is touched), never a torn file where a reader looks.

Bit rot is detected, not read: every chunk file is checked against its SHA-256 before it is
read (and Parquet page checksums are written too). Only one writer at a time: a sweep holds
an exclusive lock on ``skyshield-store.lock`` (released by the kernel however the process
ends), and a second one gets a clear error.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import socket
import stat
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
    "LOCK",
    "StoreLock",
    "atomic_write_bytes",
    "atomic_write_table",
    "check_output_file",
    "is_store",
    "read_manifest",
]

FORMAT = "skyshield-results"
FORMAT_VERSION = 1
MANIFEST = "skyshield-store.json"
LOCK = "skyshield-store.lock"
CHUNK_META_KEY = b"skyshield.chunk"
CHECKSUMS = "sha256"  # manifest["checksums"] of stores whose chunks carry checksum records
_CHUNK_RE = re.compile(r"^o(\d{3,})-s(\d{6,})-r(\d{8,})-(\d{8,})\.parquet$")
_TMP_RE = re.compile(r"^.+\.\d+\.\d+\.tmp$")  # what _tmp_path names (and a DuckDB .wal beside one)
_OWN_ENTRIES = {MANIFEST, "inputs", "metrics", "events", "checksums", "runs", "tmp", "catalog.duckdb",
                "report.html", LOCK}


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


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write_table(root: Path, final: Path, table: pa.Table) -> str:
    """Write a Parquet file (with page checksums) through ``root/tmp``; its SHA-256 back."""
    tmp = _tmp_path(root, final.name)
    pq.write_table(table, tmp, compression="zstd", write_page_checksum=True)
    digest = file_sha256(tmp)
    _place(tmp, final)
    return digest


def check_output_file(path: str | Path, what: str = "output") -> Path:
    """``path`` as a file to (over)write: its folder exists, and it is a regular file or absent.

    Refuses a directory, a device (``/dev/full``), a FIFO or a socket, which a write-then-rename
    would replace (or a plain write would block on); :class:`StoreError` names the path.
    """
    p = Path(path)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise StoreError(f"{what} {p}: the folder {parent} does not exist")
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return p
    except OSError as exc:
        raise StoreError(f"{what} {p}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file (a device, FIFO or socket)"
        raise StoreError(f"{what} {p}: is {kind}; give the path of a file to write")
    return p


class StoreLock:
    """An exclusive, non-blocking ``flock`` on ``ROOT/skyshield-store.lock``.

    The kernel releases it when the holder's process ends, however it ends (even ``kill -9``),
    so a lock is never stale. The file holds the holder's host and pid, for the message.
    """

    def __init__(self, root: Path):
        import fcntl

        self._fd: int | None = None
        self.path = Path(root) / LOCK
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            try:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
            finally:
                os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise StoreError(
                    f"{root} is being written by another sweep ({holder}); wait for it to finish, or use "
                    "another --out (two writers at once would mix their chunks)"
                ) from None
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} on {socket.gethostname()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None

    def __del__(self) -> None:
        self.release()


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


def checksum_path(root: Path, name: str) -> Path:
    return root / "checksums" / (name[: -len(".parquet")] + ".json")


def write_checksums(root: Path, name: str, digests: Mapping[str, str | None]) -> None:
    atomic_write_bytes(root, checksum_path(root, name), json_bytes(dict(digests)))


def verify_chunk_file(root: Path, kind: str, name: str) -> None:
    """Check a chunk's ``metrics`` or ``events`` file against its recorded SHA-256."""
    path = root / kind / name
    cpath = checksum_path(root, name)
    try:
        want = json.loads(cpath.read_text(encoding="utf-8")).get(kind)
    except FileNotFoundError:
        raise StoreError(f"{path}: its checksum record {cpath} is missing; delete the chunk file and rerun "
                         "the sweep to recompute it") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError) as exc:
        raise StoreError(f"{cpath}: corrupt checksum record ({exc})") from None
    if want is None:
        raise StoreError(f"{path}: no checksum recorded for it in {cpath}")
    got = file_sha256(path)
    if got != want:
        raise StoreError(f"{path}: damaged (SHA-256 {got[:12]}..., recorded {want[:12]}...); delete it "
                         f"(and {cpath.name}) and rerun the sweep to recompute the chunk")


def read_chunk(path: Path, verify_root: Path | None = None) -> pa.Table:
    """Read a chunk file; with ``verify_root``, check its SHA-256 first."""
    if verify_root is not None:
        verify_chunk_file(verify_root, path.parent.name, path.name)
    try:
        return pq.read_table(path, page_checksum_verification=True)
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        raise StoreError(f"{path}: corrupt chunk file ({exc}); delete it and rerun the sweep to recompute it") from None


def clean_for_writing(root: Path) -> int:
    """Remove leftovers of an interrupted writer: its own temporary files, and event and
    checksum files of chunks whose metrics file was never placed.

    Only files this module names are removed (``tmp/NAME.PID.NS.tmp``, chunk-named files):
    anything else a user put there is left alone.
    """
    n = 0
    tmp = root / "tmp"
    if tmp.is_dir():
        for p in tmp.iterdir():
            if _TMP_RE.match(p.name) or (p.name.endswith(".tmp.wal") and _TMP_RE.match(p.name[:-4])):
                if p.is_file() and not p.is_symlink():
                    p.unlink()
                    n += 1
    have = {c.name for c in list_chunks(root, "metrics")}
    ev = root / "events"
    if ev.is_dir():
        for p in ev.iterdir():
            if ChunkFile.parse(p.name) is not None and p.name not in have and p.is_file():
                p.unlink()  # written just before a crash, before its metrics file
                n += 1
    ck = root / "checksums"
    if ck.is_dir():
        for p in ck.iterdir():
            if (p.name.endswith(".json") and ChunkFile.parse(p.name[:-5] + ".parquet") is not None
                    and p.name[:-5] + ".parquet" not in have and p.is_file()):
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
    return not entries or (MANIFEST not in entries and entries <= {"inputs", "tmp", LOCK})


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
