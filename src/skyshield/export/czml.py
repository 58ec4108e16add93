"""CZML 1.0 of one replication, for Cesium (written with ``czml3``).

The first packet is the document (``id: document``, ``version``, a ``clock`` over the night at
60x). Then, each with an ``availability`` interval:

* ``threat-<i>``: a sampled ``position`` (``cartographicDegrees`` as ``[seconds after epoch,
  lon, lat, height]`` quadruples, epoch its launch) with a ``point`` and a trailing ``path``,
  coloured by fate; its ``description`` gives type, class, aim area and fate;
* ``shot-<k>``: a salvo flying from its shooter's site to the intercept point between firing and
  intercept (drawn, not simulated: see :mod:`skyshield.export.trace`), blue if it killed;
* ``event-<r>``: launch, detect, kill, suppress, leak and hit points, from their moment to the
  end of the night; escalation events (no place) as packets with only a name and description;
* ``site-<id>``, ``sensor-<id>``, ``asset-<id>``: fixed points with labels.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from .trace import Trace, iso

__all__ = ["SUFFIX", "to_bytes", "to_packets", "write"]

SUFFIX = ".czml"

_FATE_RGBA = {"destroyed": [255, 165, 0, 255], "suppressed": [255, 0, 255, 255], "failed": [128, 128, 128, 255],
              "leaked": [255, 0, 0, 255], "in-flight": [255, 255, 0, 255]}
_EVENT_RGBA = {"launch": [255, 80, 80, 200], "detect": [0, 255, 255, 200], "kill": [255, 165, 0, 255],
               "suppress": [255, 0, 255, 255], "leak": [255, 0, 0, 255], "hit": [128, 0, 0, 255]}


def _when(tr: Trace, t_s: float) -> str:
    return iso(tr.start + timedelta(seconds=round(float(t_s), 3)))


def _span(tr: Trace, a: float, b: float) -> Any:
    """The interval from ``a`` to ``b`` seconds (``czml3.types.TimeInterval``)."""
    from czml3.types import TimeInterval

    return TimeInterval(start=_when(tr, a), end=_when(tr, max(a, b)))


def to_packets(tr: Trace) -> list[Any]:
    """The packets as ``czml3`` models (validated by them as they are built)."""
    from czml3 import CZML_VERSION, Packet
    from czml3.properties import (
        Clock,
        Color,
        Label,
        Point,
        PolylineMaterial,
        Position,
        SolidColorMaterial,
    )
    from czml3.properties import Path as CzPath

    packets = [Packet(id="document", name=f"skyshield {tr.scenario_id}: {tr.option}, seed {tr.seed}, "
                                           f"replication {tr.replication}",
                      version=CZML_VERSION,
                      description="; ".join(f"{a}: {b}" for a, b in tr.provenance().items()),
                      clock=Clock(currentTime=_when(tr, 0.0), multiplier=60, interval=_span(tr, 0.0, tr.duration_s)))]
    th = tr.threats
    for i in range(th.size):
        t, lon, lat, alt = th.samples(i)
        t0 = float(t[0])
        flat: list[float] = []
        for a, b, c, d in zip(t, lon, lat, alt):
            flat += [round(float(a) - t0, 3), round(float(b), 6), round(float(c), 6), round(float(d), 1)]
        rgba = _FATE_RGBA[th.fate[i]]
        packets.append(Packet(
            id=f"threat-{i}", name=f"threat {i}: {th.type_name[i]}",
            description=f"{th.cls_name[i]}, aimed at {th.target[i]}: {th.fate[i]}",
            availability=_span(tr, th.t_start_s[i], th.t_end_s[i]),
            position=Position(epoch=_when(tr, t0), cartographicDegrees=flat),
            point=Point(color=Color(rgba=rgba), pixelSize=6),
            path=CzPath(material=PolylineMaterial(solidColor=SolidColorMaterial(color=Color(rgba=rgba))),
                        width=1, leadTime=0, trailTime=900)))
    sh, s = tr.shooters, tr.shots
    for k in range(s.size):
        j = int(s.shooter[k])
        dt = max(round(float(s.t_intercept_s[k] - s.t_fire_s[k]), 3), 0.001)  # a point-blank shot still moves
        rgba = [0, 0, 255, 255] if s.killed[k] else [160, 160, 160, 255]
        packets.append(Packet(
            id=f"shot-{k}", name=f"{sh.ids[j]} -> threat {int(s.threat[k])}",
            description=f"{int(s.n_interceptors[k])} x {s.weapon[k] or 'interceptor'}: "
                        f"{'killed' if s.killed[k] else 'missed'} (flight drawn, not simulated)",
            availability=_span(tr, s.t_fire_s[k], s.t_intercept_s[k]),
            position=Position(epoch=_when(tr, s.t_fire_s[k]), cartographicDegrees=[
                0.0, round(float(sh.lon_deg[j]), 6), round(float(sh.lat_deg[j]), 6), float(sh.alt_m[j]),
                dt, round(float(s.lon_deg[k]), 6), round(float(s.lat_deg[k]), 6), round(float(s.alt_m[k]), 1)]),
            point=Point(color=Color(rgba=rgba), pixelSize=3)))
    for r, row in enumerate(tr.events.to_pylist()):
        kind = row["kind"]
        if row["threat"] is None:
            packets.append(Packet(id=f"event-{r}", name=kind, description=str(row.get("detail") or kind),
                                  availability=_span(tr, row["t_s"], tr.duration_s)))
            continue
        if kind == "engage":
            continue  # the shot-* packets
        elon, elat, ealt = (float(x) for x in tr.event_pos[r])
        if row["lon_deg"] is not None:
            elon, elat = float(row["lon_deg"]), float(row["lat_deg"])
        if kind in ("launch", "leak", "hit"):
            ealt = 0.0
        packets.append(Packet(
            id=f"event-{r}", name=f"{kind} {row['threat']}",
            description=f"{row['threat_type']} at t = {row['t_s']:.1f} s" + (f", by {row['shooter']}" if row["shooter"] else ""),
            availability=_span(tr, row["t_s"], tr.duration_s),
            position=Position(cartographicDegrees=[round(elon, 6), round(elat, 6), round(ealt, 1)]),
            point=Point(color=Color(rgba=_EVENT_RGBA.get(kind, [255, 255, 255, 255])), pixelSize=5)))
    for prefix, sites in (("site", tr.shooters), ("sensor", tr.sensors), ("asset", tr.assets)):
        for j, sid in enumerate(sites.ids):
            packets.append(Packet(
                id=f"{prefix}-{sid}", name=sid,
                description=f"{sites.type_name[j]} ({sites.kind[j]}, {'allied' if sites.allied[j] else 'defended'})",
                position=Position(cartographicDegrees=[round(float(sites.lon_deg[j]), 6),
                                                       round(float(sites.lat_deg[j]), 6), float(sites.alt_m[j])]),
                point=Point(color=Color(rgba=[0, 128, 255, 255] if prefix == "site" else [200, 200, 200, 255]),
                            pixelSize=8),
                label=Label(text=sid)))
    return packets


def to_bytes(tr: Trace) -> bytes:
    """The CZML document (a JSON array of packets) as UTF-8 bytes."""
    from czml3 import Document

    doc = json.loads(Document(packets=to_packets(tr)).dumps())
    return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode("utf-8")


def write(tr: Trace, path: str | Path) -> Path:
    p = Path(path)
    p.write_bytes(to_bytes(tr))
    return p
