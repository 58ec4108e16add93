"""Shared test helpers: small synthetic scenarios built in code, and the shared data path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """``../shared/data`` beside the repository (or ``$SKYSHIELD_SHARED_DATA``), if present."""
    env = os.environ.get("SKYSHIELD_SHARED_DATA")
    p = Path(env) if env else REPO.parent / "shared" / "data"
    return p if p.is_dir() else None


@pytest.fixture
def shared_data() -> Path:
    p = shared_data_dir()
    if p is None:
        pytest.skip("public data folder ../shared/data is absent (set SKYSHIELD_SHARED_DATA)")
    return p
