"""CZML read back as JSON against the CZML packet rules, and by czml3's own model."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

pytest.importorskip("czml3", reason="the czml export needs the export extra (czml3)")

from skyshield.export import czml

from .conftest import event_counts


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def packets(tr):
    return json.loads(czml.to_bytes(tr))


def test_document_packet_first_and_ids_unique(packets) -> None:
    assert packets[0]["id"] == "document" and packets[0]["version"] == "1.0"
    a, b = packets[0]["clock"]["interval"].split("/")
    assert _t(a) < _t(b)
    ids = [p["id"] for p in packets]
    assert len(ids) == len(set(ids))


def test_packets_count_the_replication(tr, packets) -> None:
    c, n = tr.counts(), event_counts(tr)
    kinds = [p["id"].split("-")[0] for p in packets]
    assert kinds.count("threat") == c["threats"]
    assert kinds.count("shot") == c["shots"]
    names = [p["name"].split()[0] for p in packets if p["id"].startswith("event-")]
    for kind in ("launch", "detect", "kill", "suppress", "leak", "hit", "rung"):
        assert names.count(kind) == n[kind], kind
    fates = [p["description"].rsplit(": ", 1)[1] for p in packets if p["id"].startswith("threat-")]
    for fate in ("destroyed", "suppressed", "leaked", "in-flight"):
        assert fates.count(fate) == c[fate] > 0


def test_sampled_positions_follow_the_packet_rules(tr, packets) -> None:
    """cartographicDegrees: [t, lon, lat, h] quadruples with increasing t (seconds from the
    epoch) when sampled, [lon, lat, h] when constant; samples inside the availability."""
    for p in packets:
        pos = p.get("position")
        if pos is None:
            continue
        v = pos["cartographicDegrees"]
        if "epoch" not in pos:
            assert len(v) == 3 and -180 <= v[0] <= 180 and -90 <= v[1] <= 90
            continue
        assert len(v) % 4 == 0 and len(v) >= 8
        t = v[0::4]
        assert all(b > a for a, b in zip(t, t[1:])), p["id"]
        assert all(-180 <= x <= 180 for x in v[1::4]) and all(-90 <= x <= 90 for x in v[2::4])
        start, end = (_t(x) for x in p["availability"].split("/"))
        epoch = _t(pos["epoch"])
        assert epoch == start
        assert abs((epoch - start).total_seconds() + t[-1] - (end - start).total_seconds()) < 2e-3, p["id"]
    i = 0
    th = [p for p in packets if p["id"] == f"threat-{i}"][0]
    assert len(th["position"]["cartographicDegrees"]) == 4 * tr.threats.samples(i)[0].size


def test_czml3_model_reads_every_packet(packets) -> None:
    from czml3 import Packet

    for p in packets:
        assert Packet(**p).id == p["id"]


def test_same_replication_same_bytes(tr, tr_again) -> None:
    assert czml.to_bytes(tr) == czml.to_bytes(tr_again)
