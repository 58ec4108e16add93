"""The HTML report: self-contained, drawn with the network cut, every option and metric in it."""

from __future__ import annotations

import re
import socket

import pytest

from skyshield.report import write_report
from skyshield.runner import SerialExecutor, run_sweep
from skyshield.store import ResultStore, StoreError
from tests.store.helpers import resolved, write_experiment


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    exp = resolved(write_experiment(d, reps=3, samples=2))
    st = ResultStore.open_for(d / "out", exp, (d / "exp.yaml").read_text())
    run_sweep(exp, st, executor=SerialExecutor(), catalog=False)
    return d / "out"


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the report tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_report_renders_offline_with_every_option_and_metric(store, tmp_path, no_network) -> None:
    path = write_report(store, tmp_path / "r.html")
    text = path.read_text(encoding="utf-8")
    st = ResultStore.open(store)
    metrics = [c for c in st.metrics().column_names if c not in ("option", "sample", "replication")]
    for o in st.options:
        for m in metrics:
            assert f"data-metric='{m}' data-option='{o}'" in text, (o, m)
    # self-contained: nothing referenced outside the file, images inline
    assert not re.findall(r"""(?:src|href)\s*=\s*["'](?!data:|#)""", text)
    assert "<script" not in text and "<link" not in text and "@import" not in text and "url(" not in text
    assert len(re.findall(r'src="data:image/png;base64,', text)) >= 4  # bars, map, convergence, Pareto
    # provenance of the numbers
    assert st.manifest["seed_entropy"] in text and st.manifest["scenario"]["hash"] in text
    assert "SELECT avg(" in text
    for c in st.chunk_records():
        assert c["file"] in text


def test_report_of_an_empty_store_says_so(tmp_path) -> None:
    exp = resolved(write_experiment(tmp_path))
    ResultStore.open_for(tmp_path / "empty", exp)
    with pytest.raises(StoreError, match="no finished replication"):
        write_report(tmp_path / "empty")
