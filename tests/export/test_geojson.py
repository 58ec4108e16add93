"""GeoJSON read back by independent readers (``geojson`` and ``shapely``), and RFC 7946 rules."""

from __future__ import annotations

import json

import pytest

from skyshield.export import geojson as gj

from .conftest import event_counts


@pytest.fixture(scope="module")
def doc(tr):
    return gj.to_bytes(tr)


def test_reads_back_as_valid_geojson(doc) -> None:
    geojson = pytest.importorskip("geojson")
    fc = geojson.loads(doc.decode("utf-8"))
    assert fc.is_valid, fc.errors()
    assert fc["type"] == "FeatureCollection"


def test_features_count_the_replication(tr, doc) -> None:
    from shapely.geometry import shape

    fc = json.loads(doc)
    by: dict[str, list] = {}
    for f in fc["features"]:
        by.setdefault(f["properties"]["kind"], []).append(f)
    c, n = tr.counts(), event_counts(tr)
    assert len(by["track"]) == c["threats"]
    assert len(by["shot"]) == c["shots"] == n["engage"]
    assert len(by["debris"]) == n["kill"]
    assert len(by["escalation"]) == n["rung"]
    ev = [f["properties"]["event"] for f in by["event"]]
    for kind in ("launch", "detect", "engage", "kill", "suppress", "leak", "hit"):
        assert ev.count(kind) == n[kind], kind
    fates = [f["properties"]["fate"] for f in by["track"]]
    for fate in ("destroyed", "suppressed", "leaked", "in-flight"):
        assert fates.count(fate) == c[fate] > 0
    assert sum(f["properties"]["killed"] for f in by["shot"]) == c["destroyed"]
    for f in by["track"]:
        g = shape(f["geometry"])
        assert g.geom_type == "LineString" and g.has_z and g.is_valid
        assert len(f["properties"]["t_s"]) == len(f["geometry"]["coordinates"])
    assert len(by["shooter"]) == len(tr.shooters.ids) and len(by["asset"]) == len(tr.assets.ids)


def test_rfc7946_positions_and_monotonic_times(doc) -> None:
    fc = json.loads(doc)
    assert "crs" not in fc  # RFC 7946 section 4: WGS-84 only, no crs member
    for f in fc["features"]:
        g = f["geometry"]
        if g is None:
            assert f["properties"]["kind"] == "escalation"
            continue
        pts = [g["coordinates"]] if g["type"] == "Point" else g["coordinates"]
        for p in pts:
            assert 2 <= len(p) <= 3 and -180 <= p[0] <= 180 and -90 <= p[1] <= 90
        if f["properties"]["kind"] == "track":
            t = f["properties"]["t_s"]
            assert all(b > a for a, b in zip(t, t[1:]))
            assert f["properties"]["time_start"] <= f["properties"]["time_end"]
        if f["properties"]["kind"] == "shot":
            assert f["properties"]["t_fire_s"] <= f["properties"]["t_intercept_s"]


def test_same_replication_same_bytes(tr_again, doc) -> None:
    assert gj.to_bytes(tr_again) == doc
