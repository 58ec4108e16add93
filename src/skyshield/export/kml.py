"""KML 2.2 of one replication, with times, for Google Earth (written with ``simplekml``).

Folders:

* ``Threats``: one placemark per threat with a ``gx:Track`` (a ``when`` and a ``gx:coord`` per
  track sample, altitude absolute) and a ``TimeSpan`` from launch to its end, styled by fate;
* ``Shots``: one placemark per salvo, a line from its shooter to the intercept point with a
  ``TimeSpan`` from firing to intercept (drawn, not simulated: see :mod:`skyshield.export.trace`);
* ``Events``: launch, detect, kill, suppress, leak and hit points, each with a ``TimeSpan`` from
  its moment to the end of the night (what has happened stays on the map);
* ``Debris``: where intercept debris lands, from the intercept on;
* ``Escalation``: rungs and clause events (no place; a ``TimeStamp`` each);
* ``Sites``: shooters, sensors and defended assets (no time).

Element ids, which ``simplekml`` numbers per process, are renumbered in document order so the
same replication gives the same bytes.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from .trace import Trace, iso

__all__ = ["FATE_COLOURS", "SUFFIX", "to_bytes", "write"]

SUFFIX = ".kml"

FATE_COLOURS = {"destroyed": "ff00a5ff", "suppressed": "ffff00ff", "failed": "ff808080", "leaked": "ff0000ff",
                "in-flight": "ff00ffff"}
"""KML colours (aabbggrr) of the threat fates: orange, magenta, grey, red, yellow."""
_EVENT_COLOURS = {"launch": "ff0000ff", "detect": "ffffff00", "kill": "ff00a5ff", "suppress": "ffff00ff",
                  "leak": "ff0000ff", "hit": "ff000080"}
_ID = re.compile(rb' id="([^"]*)"')
_URL = re.compile(rb"<styleUrl>#([^<]*)</styleUrl>")


def _renumber(text: bytes) -> bytes:
    """Ids numbered from 1 in order of appearance (style references follow)."""
    new: dict[bytes, bytes] = {}
    for m in _ID.finditer(text):
        new.setdefault(m.group(1), str(len(new) + 1).encode())
    text = _ID.sub(lambda m: b' id="' + new[m.group(1)] + b'"', text)
    return _URL.sub(lambda m: b"<styleUrl>#" + new.get(m.group(1), m.group(1)) + b"</styleUrl>", text)


def _when(tr: Trace, t_s: float) -> str:
    return iso(tr.start + timedelta(seconds=round(float(t_s), 3)))


def to_bytes(tr: Trace) -> bytes:
    """The KML document as UTF-8 bytes (a pure function of the trace)."""
    import simplekml

    k = simplekml.Kml(name=f"skyshield {tr.scenario_id}: {tr.option}, seed {tr.seed}, replication {tr.replication}")
    prov = tr.provenance()
    k.document.description = (
        "; ".join(f"{a}: {b}" for a, b in prov.items())
        + ". Simulated replication; interceptor flights are drawn as straight lines from the shooter's site.")
    end = _when(tr, tr.duration_s)

    styles = {}
    for fate, colour in FATE_COLOURS.items():
        st = simplekml.Style()
        st.linestyle.color, st.linestyle.width = colour, 2
        st.iconstyle.color, st.iconstyle.scale = colour, 0.6
        styles[fate] = st
    ev_styles = {}
    for kind, colour in _EVENT_COLOURS.items():
        st = simplekml.Style()
        st.iconstyle.color, st.iconstyle.scale = colour, 0.7
        ev_styles[kind] = st
    shot_style = {}
    for killed, colour in ((True, "ffff0000"), (False, "ff808080")):
        st = simplekml.Style()
        st.linestyle.color, st.linestyle.width = colour, 1
        shot_style[killed] = st

    th = tr.threats
    fol = k.newfolder(name="Threats")
    for i in range(th.size):
        t, lon, lat, alt = th.samples(i)
        trk = fol.newgxtrack(name=f"threat {i}: {th.type_name[i]}")
        trk.description = f"{th.cls_name[i]}, aimed at {th.target[i]}: {th.fate[i]}"
        trk.altitudemode = simplekml.AltitudeMode.absolute
        trk.newwhen([_when(tr, x) for x in t])
        trk.newgxcoord([(round(float(a), 6), round(float(b), 6), round(float(c), 1)) for a, b, c in zip(lon, lat, alt)])
        trk.timespan.begin, trk.timespan.end = _when(tr, th.t_start_s[i]), _when(tr, th.t_end_s[i])
        trk.style = styles[th.fate[i]]

    sh, s = tr.shooters, tr.shots
    fol = k.newfolder(name="Shots")
    for e in range(s.size):
        j = int(s.shooter[e])
        ln = fol.newlinestring(name=f"{sh.ids[j]} -> threat {int(s.threat[e])}",
                               coords=[(round(float(sh.lon_deg[j]), 6), round(float(sh.lat_deg[j]), 6), float(sh.alt_m[j])),
                                       (round(float(s.lon_deg[e]), 6), round(float(s.lat_deg[e]), 6), round(float(s.alt_m[e]), 1))])
        ln.description = (f"{int(s.n_interceptors[e])} x {s.weapon[e] or 'interceptor'}: "
                          f"{'killed' if s.killed[e] else 'missed'}{' (target already gone)' if s.wasted[e] else ''}")
        ln.altitudemode = simplekml.AltitudeMode.absolute
        ln.timespan.begin, ln.timespan.end = _when(tr, s.t_fire_s[e]), _when(tr, s.t_intercept_s[e])
        ln.style = shot_style[bool(s.killed[e])]

    rows = tr.events.to_pylist()
    fol = k.newfolder(name="Events")
    deb = k.newfolder(name="Debris")
    esc = k.newfolder(name="Escalation")
    for r, row in enumerate(rows):
        kind = row["kind"]
        if row["threat"] is None:
            pm = esc.newmultigeometry(name=kind)  # no place: an empty geometry
            pm.description = str(row.get("detail") or kind)
            pm.timestamp.when = _when(tr, row["t_s"])
            continue
        if kind == "engage":
            continue  # drawn in Shots
        lon, lat, alt = tr.event_pos[r]
        if row["lon_deg"] is not None:
            lon, lat = row["lon_deg"], row["lat_deg"]
        pm = fol.newpoint(name=f"{kind} {row['threat']}", coords=[(round(float(lon), 6), round(float(lat), 6),
                                                                   round(float(alt), 1))])
        pm.altitudemode = simplekml.AltitudeMode.absolute if kind in ("detect", "kill", "suppress") else \
            simplekml.AltitudeMode.clamptoground
        pm.description = f"{row['threat_type']} at t = {row['t_s']:.1f} s" + (f", by {row['shooter']}" if row["shooter"] else "")
        pm.timespan.begin, pm.timespan.end = _when(tr, row["t_s"]), end
        pm.style = ev_styles.get(kind, ev_styles["launch"])
        if kind == "kill" and row["debris_lon_deg"] is not None:
            d = deb.newpoint(name=f"debris {row['threat']}",
                             coords=[(round(row["debris_lon_deg"], 6), round(row["debris_lat_deg"], 6))])
            d.description = f"debris zone: {row['debris_zone']}"
            d.timespan.begin, d.timespan.end = _when(tr, row["t_s"]), end

    fol = k.newfolder(name="Sites")
    for role, sites in (("shooter", tr.shooters), ("sensor", tr.sensors), ("asset", tr.assets)):
        for j, sid in enumerate(sites.ids):
            pm = fol.newpoint(name=sid, coords=[(round(float(sites.lon_deg[j]), 6), round(float(sites.lat_deg[j]), 6))])
            side = "allied" if sites.allied[j] else "defended"
            pm.description = f"{role}: {sites.type_name[j]} ({sites.kind[j]}, {side})"
    text = k.kml(format=True).encode("utf-8")
    return _renumber(text)


def write(tr: Trace, path: str | Path) -> Path:
    p = Path(path)
    p.write_bytes(to_bytes(tr))
    return p
