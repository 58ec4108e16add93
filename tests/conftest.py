"""Shared test helpers: small synthetic scenarios built in code, and the shared data path."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]


def load_benchmark(name: str) -> ModuleType:
    """The script ``benchmarks/<name>.py`` as a module (the benchmarks are scripts, not a
    package), registered under ``name`` so its dataclasses and pickling work."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


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
