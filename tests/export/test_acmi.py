"""Tacview ACMI 2.2 text checked against the published grammar by a parser written here from
the format's technical reference (not the writer's code): two header lines, then global
properties (object 0), ``#`` time frames in seconds after ReferenceTime, object lines
``hexid,Prop=value,...`` with ``\\,`` escapes, ``T=`` with 3, 5, 6 or 9 ``|``-separated fields
(empty: unchanged), and removals ``-hexid``."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from skyshield.export import acmi

from .conftest import event_counts

_SPLIT = re.compile(r"(?<!\\),")
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def parse(text: str) -> dict:
    """A minimal reader of ACMI 2.2 text: raises AssertionError on any grammar violation."""
    lines = text.split("\n")
    assert lines[0].lstrip("\ufeff") == "FileType=text/acmi/tacview"
    assert lines[1] == "FileVersion=2.2"
    glob: dict[str, str] = {}
    objects: dict[str, dict] = {}
    events: list[tuple[float, list[str]]] = []
    removed: dict[str, float] = {}
    frames: list[float] = []
    t = None
    buf = ""
    for raw in lines[2:]:
        if raw.endswith("\\") and not raw.endswith("\\\\"):  # continued on the next line
            buf += raw[:-1] + "\n"
            continue
        line, buf = buf + raw, ""
        if not line or line.startswith("//"):
            continue
        if line.startswith("#"):
            t = float(line[1:])
            assert not frames or t > frames[-1], f"frame {t} after {frames[-1]}"
            frames.append(t)
            continue
        if line.startswith("-"):
            oid = line[1:]
            assert _HEX.match(oid) and oid in objects and oid not in removed, line
            removed[oid] = t
            continue
        oid, *props = _SPLIT.split(line)
        assert _HEX.match(oid), line
        kv = {}
        for p in props:
            k, sep, v = p.partition("=")
            assert sep and re.match(r"^[A-Za-z][A-Za-z0-9.]*$", k), p
            kv[k] = v.replace("\\,", ",")
        if oid == "0":
            if "Event" in kv:
                assert t is not None
                events.append((t, kv["Event"].split("|")))
            else:
                glob.update(kv)
            continue
        assert t is not None, "object line before the first time frame"
        assert oid not in removed, f"{oid} updated after its removal"
        o = objects.setdefault(oid, {"props": {}, "samples": []})
        if "T" in kv:
            f = kv["T"].split("|")
            assert len(f) in (3, 5, 6, 9), kv["T"]
            vals = [float(x) if x else None for x in f]
            if not o["samples"]:
                assert None not in vals[:3], "first position must be complete"
            o["samples"].append((t, *vals[:3]))
        o["props"].update({k: v for k, v in kv.items() if k != "T"})
    return {"global": glob, "objects": objects, "events": events, "removed": removed, "frames": frames}


@pytest.fixture(scope="module")
def rec(tr):
    return parse(acmi.to_bytes(tr).decode("utf-8"))


def test_header_and_reference_time(tr, rec) -> None:
    t = datetime.fromisoformat(rec["global"]["ReferenceTime"].replace("Z", "+00:00"))
    assert t == tr.start
    assert tr.scenario_id in rec["global"]["Title"] and "," in rec["global"]["Title"]  # escaped, read back
    assert rec["frames"][0] == 0.0


def test_objects_count_the_replication(tr, rec) -> None:
    c = tr.counts()
    objs = rec["objects"]
    threats = {k: o for k, o in objs.items() if o["props"].get("Coalition") == "Adversary"}
    assert len(threats) == c["threats"]
    shots = [o for o in objs.values() if o["props"].get("Type") == "Weapon+Missile"
             and o["props"].get("Coalition") != "Adversary"]
    assert len(shots) == c["shots"]
    destroyed = [e for _, e in rec["events"] if e[0] == "Destroyed"]
    assert len(destroyed) == c["destroyed"] and all(e[1] in threats for e in destroyed)
    removed_threats = [k for k in threats if k in rec["removed"]]
    assert len(removed_threats) == c["threats"] - c["in-flight"]
    messages = [e[2] for _, e in rec["events"] if e[0] == "Message"]
    for fate in ("suppressed", "leaked"):
        assert sum(m.startswith(fate) for m in messages) == c[fate]
    sites = [o for o in objs.values() if o["props"].get("Type") == "Ground+AntiAircraft"]
    assert len(sites) == sum(k in ("sam", "gun") for k in tr.shooters.kind)
    bangs = [o for o in objs.values() if o["props"].get("Type") == "Misc+Explosion"]
    assert len(bangs) == c["destroyed"] + c["leaked"]
    assert event_counts(tr)["kill"] == c["destroyed"]


def test_threat_samples_are_the_track(tr, rec) -> None:
    th = tr.threats
    by_name = sorted((int(o["props"]["Label"]), o) for o in rec["objects"].values() if "Label" in o["props"])
    assert [i for i, _ in by_name] == list(range(th.size))
    for i, o in by_name:
        t, lon, lat, alt = th.samples(i)
        s = o["samples"]
        assert len(s) == t.size
        assert s[0][0] == pytest.approx(t[0], abs=0.006) and s[-1][0] == pytest.approx(t[-1], abs=0.006)
        assert s[-1][1] == pytest.approx(lon[-1], abs=1e-6) and s[-1][2] == pytest.approx(lat[-1], abs=1e-6)
        if th.fate[i] != "in-flight":
            assert rec["removed"][f"{0x1000000 + i:x}"] == pytest.approx(th.t_end_s[i], abs=0.006)


def test_the_parser_rejects_what_the_grammar_forbids() -> None:
    good = "FileType=text/acmi/tacview\nFileVersion=2.2\n0,ReferenceTime=2000-01-01T00:00:00Z\n#0\n1,T=1|2|3,Type=Air\n"
    parse(good)
    for bad in (good.replace("2.2", "2.1"), good + "#0\n", good + "1,T=1|2\n", good + "-2\n",
                good + "-1\n1,T=1|2|3\n", good.replace("1,T=1|2|3", "xyz,T=1|2|3")):
        with pytest.raises(AssertionError):
            parse(bad)


def test_same_replication_same_bytes(tr, tr_again) -> None:
    assert acmi.to_bytes(tr) == acmi.to_bytes(tr_again)
