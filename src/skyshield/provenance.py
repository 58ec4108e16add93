"""Where a result comes from: the package and code version, and a hash of every input file.

Two runs whose inputs differ in anything that changes a number (the scenario, every file it
extends, every catalog overlay, the seed, the replications, the options, the fidelity or the
code) never share a provenance record: each input is recorded with its SHA-256.

>>> rec = input_record("<built-in>/eastern-flank-night-raid-v1.yaml", b"id: x\\n", role="scenario")
>>> rec["role"], rec["sha256"][:12]
('scenario', '52b881e6cd7c')
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

from . import __version__

__all__ = ["code_version", "input_record", "sha256_bytes", "sha256_json"]


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_json(doc: Any) -> str:
    """Hex SHA-256 of the canonical JSON of ``doc`` (sorted keys, no spaces)."""
    return sha256_bytes(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode())


def input_record(ref: str, data: bytes, role: str, **extra: Any) -> dict[str, Any]:
    """One input file of a run: its role (``scenario``, ``extends``, ``catalog-overlay``), how it
    was named, and the SHA-256 of its bytes as read."""
    return {"role": role, "ref": ref, "sha256": sha256_bytes(data), **extra}


def code_version() -> str:
    """The package version, with the git commit (and ``.dirty``) when run from a checkout."""
    here = Path(__file__).resolve().parent  # the skyshield package
    try:
        sha = subprocess.run(["git", "-C", str(here), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        if sha.returncode != 0:
            return __version__
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no", "--", "."],
                               capture_output=True, text=True, timeout=5)
        return f"{__version__}+g{sha.stdout.strip()}" + (".dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return __version__
