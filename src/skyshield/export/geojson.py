"""GeoJSON (RFC 7946) of one replication: tracks, shots, events and sites as features.

One ``FeatureCollection``; every feature's ``properties.kind`` says what it is:

* ``track``: a threat's flight (``LineString`` of ``[lon, lat, alt_m]``), with its type, class,
  fate, aim area, launch and end times and the time of every vertex (``t_s``);
* ``shot``: a salvo drawn from its shooter to the point where it met its threat's path
  (``LineString``; drawn, not simulated: see :mod:`skyshield.export.trace`), with ``killed``;
* ``event``: every event of the replication with a place (``Point``): ``launch``, ``detect``
  (the threat's position when it entered the defended picture), ``engage`` (the threat's
  position at firing), ``kill`` (intercept point), ``suppress``, ``leak`` and ``hit`` (aim point);
* ``escalation``: rungs and clause events, with no place (``geometry: null``);
* ``debris``: where an intercept's debris lands (``Point``);
* ``shooter``, ``sensor``, ``asset``: sites (``Point``).

Times are seconds after time zero (``t_s``) and UTC (``time``). Provenance is the top-level
foreign member ``skyshield``.
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path
from typing import Any

from .trace import Trace, iso

__all__ = ["SUFFIX", "to_bytes", "to_dict", "write"]

SUFFIX = ".geojson"


def _r(x: float, nd: int = 6) -> float:
    return round(float(x), nd)


def _when(tr: Trace, t_s: float) -> str:
    return iso(tr.start + timedelta(seconds=round(float(t_s), 3)))


def _point(lon: float, lat: float, alt: float | None, props: dict[str, Any]) -> dict[str, Any]:
    c = [_r(lon), _r(lat)] + ([_r(alt, 1)] if alt is not None else [])
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": c}, "properties": props}


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def to_dict(tr: Trace) -> dict[str, Any]:
    """The FeatureCollection as a dict."""
    feats: list[dict[str, Any]] = []
    th = tr.threats
    for i in range(th.size):
        ts, lon, lat, alt = th.samples(i)
        coords = [[_r(a), _r(b), _r(c, 1)] for a, b, c in zip(lon, lat, alt)]
        t = [float(x) for x in ts]
        if len(coords) == 1:  # a LineString needs two positions: a threat that never moved
            coords = coords * 2
            t = t * 2
        feats.append({"type": "Feature", "id": f"threat-{i}",
                      "geometry": {"type": "LineString", "coordinates": coords},
                      "properties": {"kind": "track", "threat": i, "threat_type": th.type_name[i],
                                     "class": th.cls_name[i], "fate": th.fate[i], "target": th.target[i],
                                     "t_start_s": _r(th.t_start_s[i], 3), "t_end_s": _r(th.t_end_s[i], 3),
                                     "time_start": _when(tr, th.t_start_s[i]), "time_end": _when(tr, th.t_end_s[i]),
                                     "t_s": [_r(x, 3) for x in t]}})
    sh, s = tr.shooters, tr.shots
    for k in range(s.size):
        j = int(s.shooter[k])
        feats.append({"type": "Feature", "id": f"shot-{k}",
                      "geometry": {"type": "LineString", "coordinates": [
                          [_r(sh.lon_deg[j]), _r(sh.lat_deg[j]), _r(sh.alt_m[j], 1)],
                          [_r(s.lon_deg[k]), _r(s.lat_deg[k]), _r(s.alt_m[k], 1)]]},
                      "properties": {"kind": "shot", "shooter": sh.ids[j], "threat": int(s.threat[k]),
                                     "weapon": s.weapon[k], "interceptors": int(s.n_interceptors[k]),
                                     "t_fire_s": _r(s.t_fire_s[k], 3), "t_intercept_s": _r(s.t_intercept_s[k], 3),
                                     "time_fire": _when(tr, s.t_fire_s[k]),
                                     "time_intercept": _when(tr, s.t_intercept_s[k]),
                                     "killed": bool(s.killed[k]), "wasted": bool(s.wasted[k]), "drawn": True}})
    ev = tr.events.to_pylist()
    for r, row in enumerate(ev):
        lon, lat, alt = tr.event_pos[r]
        if row["lon_deg"] is not None:  # the engine's own point (launch, intercept, aim)
            lon, lat = row["lon_deg"], row["lat_deg"]
        props = {k: _clean(v) for k, v in row.items()
                 if k not in ("lon_deg", "lat_deg", "debris_lon_deg", "debris_lat_deg") and v is not None}
        props["kind"], props["event"] = "event", row["kind"]
        props["time"] = _when(tr, row["t_s"])
        if row["threat"] is None:  # escalation: a moment, no place
            props["kind"] = "escalation"
            feats.append({"type": "Feature", "geometry": None, "properties": props})
            continue
        feats.append(_point(lon, lat, alt, props))
        if row["kind"] == "kill" and row["debris_lon_deg"] is not None:
            feats.append(_point(row["debris_lon_deg"], row["debris_lat_deg"], None,
                                {"kind": "debris", "threat": row["threat"], "zone": row["debris_zone"],
                                 "t_s": row["t_s"], "time": _when(tr, row["t_s"])}))
    for kind, sites in (("shooter", tr.shooters), ("sensor", tr.sensors), ("asset", tr.assets)):
        for j, sid in enumerate(sites.ids):
            feats.append(_point(sites.lon_deg[j], sites.lat_deg[j], None,
                                {"kind": kind, "id": sid, "type": sites.type_name[j], "role": sites.kind[j],
                                 "allied": bool(sites.allied[j])}))
    return {"type": "FeatureCollection", "skyshield": tr.provenance(), "features": feats}


def to_bytes(tr: Trace) -> bytes:
    """UTF-8 JSON, keys in a fixed order: the same replication gives the same bytes."""
    return json.dumps(to_dict(tr), separators=(",", ":"), allow_nan=False).encode("utf-8")


def write(tr: Trace, path: str | Path) -> Path:
    p = Path(path)
    p.write_bytes(to_bytes(tr))
    return p
