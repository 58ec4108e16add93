"""KML read back with ``xml.etree`` (structure, times, style references) and ``fastkml``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

pytest.importorskip("simplekml", reason="the kml export needs the export extra (simplekml)")

from skyshield.export import kml

from .conftest import event_counts

NS = {"k": "http://www.opengis.net/kml/2.2", "gx": "http://www.google.com/kml/ext/2.2"}


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def doc(tr):
    return kml.to_bytes(tr)


@pytest.fixture(scope="module")
def folders(doc):
    root = ET.fromstring(doc)
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    d = root.find("k:Document", NS)
    return {f.findtext("k:name", namespaces=NS): f for f in d.findall("k:Folder", NS)}


def test_folders_count_the_replication(tr, folders) -> None:
    c, n = tr.counts(), event_counts(tr)
    assert len(folders["Threats"].findall("k:Placemark", NS)) == c["threats"]
    assert len(folders["Shots"].findall("k:Placemark", NS)) == c["shots"]
    names = [p.findtext("k:name", namespaces=NS).split()[0] for p in folders["Events"].findall("k:Placemark", NS)]
    for kind in ("launch", "detect", "kill", "suppress", "leak", "hit"):
        assert names.count(kind) == n[kind], kind
    assert len(folders["Debris"].findall("k:Placemark", NS)) == n["kill"]
    esc = folders["Escalation"].findall("k:Placemark", NS)
    assert len(esc) == n["rung"]
    assert sum(1 for p in esc for _ in p.iter("{http://www.opengis.net/kml/2.2}coordinates")) == 0  # no place


def test_tracks_have_a_when_per_coordinate_increasing_within_their_time_span(tr, folders) -> None:
    for i, pm in enumerate(folders["Threats"].findall("k:Placemark", NS)):
        trk = pm.find("gx:Track", NS)
        when = [_t(w.text) for w in trk.findall("k:when", NS)]
        coords = [tuple(map(float, c.text.split())) for c in trk.findall("gx:coord", NS)]
        assert len(when) == len(coords) == tr.threats.samples(i)[0].size
        assert all(b > a for a, b in zip(when, when[1:]))
        assert all(len(c) == 3 and -180 <= c[0] <= 180 and -90 <= c[1] <= 90 for c in coords)
        span = pm.find("k:TimeSpan", NS)
        assert _t(span.findtext("k:begin", namespaces=NS)) == when[0]
        assert _t(span.findtext("k:end", namespaces=NS)) == when[-1]
        assert trk.findtext("k:altitudeMode", namespaces=NS) == "absolute"


def test_every_shot_and_event_has_a_time_span_and_styles_resolve(doc, folders) -> None:
    root = ET.fromstring(doc)
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for pm in root.iter("{http://www.opengis.net/kml/2.2}Placemark"):
        url = pm.findtext("k:styleUrl", namespaces=NS)
        if url:
            assert url[1:] in ids
    for name in ("Shots", "Events", "Debris"):
        for pm in folders[name].findall("k:Placemark", NS):
            span = pm.find("k:TimeSpan", NS)
            assert _t(span.findtext("k:begin", namespaces=NS)) <= _t(span.findtext("k:end", namespaces=NS))


def test_fastkml_reads_it(tr, doc) -> None:
    fastkml = pytest.importorskip("fastkml")
    k = fastkml.kml.KML.from_string(doc)
    (document,) = k.features
    folders = {f.name: f for f in document.features}
    assert len(folders["Threats"].features) == tr.counts()["threats"]
    assert len(folders["Shots"].features) == tr.counts()["shots"]


def test_same_replication_same_bytes(tr_again, doc) -> None:
    assert kml.to_bytes(tr_again) == doc
