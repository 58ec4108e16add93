"""Tacview ACMI 2.2 text flight recording of one replication.

The file opens with the two header lines (``FileType=text/acmi/tacview``, ``FileVersion=2.2``)
and global properties on object ``0`` (``ReferenceTime``, ``Title``, ``DataSource``,
``Comments``). Then time frames ``#<seconds after ReferenceTime>``, strictly increasing, each
followed by object lines ``<hex id>,T=<lon>|<lat>|<alt>,<Property>=<value>,...`` and removals
``-<hex id>``. Property values escape ``,`` and line breaks with a backslash.

Objects: every shooter, sensor and defended asset from the first frame; every threat from its
launch to its end (``Event=Destroyed`` when shot down, ``Event=Message`` for soft kills,
failures and leakers, an explosion object where a threat was destroyed or hit its aim area);
every salvo as a missile drawn from its shooter to the intercept point (not simulated: see
:mod:`skyshield.export.trace`).
"""

from __future__ import annotations

from pathlib import Path

from .trace import Trace, iso

__all__ = ["SITE_TYPES", "SUFFIX", "THREAT_TYPES", "to_bytes", "write"]

SUFFIX = ".txt.acmi"

THREAT_TYPES = {"drone": "Air+FixedWing", "decoy": "Air+FixedWing+Decoy", "cruise": "Weapon+Missile",
                "ballistic": "Weapon+Missile", "aircraft": "Air+FixedWing"}
"""Tacview object types of the threat classes."""
SITE_TYPES = {"sam": "Ground+AntiAircraft", "gun": "Ground+AntiAircraft", "ship": "Sea+Watercraft+Warship",
              "fighter": "Air+FixedWing"}
"""Tacview object types of the shooter kinds (sensors are ``Ground+Static+Building`` or, for
airborne early warning, ``Air+FixedWing``; assets are ``Navaid+Static+Bullseye``)."""

_SITE, _SENSOR, _ASSET, _THREAT, _SHOT, _BANG = 0x10000, 0x20000, 0x30000, 0x1000000, 0x2000000, 0x3000000
EXPLOSION_S = 10.0
"""Seconds an explosion object stays on the map (display only)."""


def _esc(text: object) -> str:
    return str(text).replace("\\", "\\\\").replace(",", "\\,").replace("\n", "\\\n")


def _t(lon: float, lat: float, alt: float) -> str:
    return f"T={lon:.7f}|{lat:.7f}|{alt:.1f}"


def to_bytes(tr: Trace) -> bytes:
    """The recording as UTF-8 text (a pure function of the trace)."""
    recs: list[tuple[float, int, str]] = []  # (time, sequence, line): frames in time order

    def add(t: float, line: str) -> None:
        recs.append((round(float(t), 2), len(recs), line))

    def site(oid: int, sites, j: int, typ: str, coalition: str, color: str) -> None:
        add(0.0, f"{oid:x},{_t(sites.lon_deg[j], sites.lat_deg[j], sites.alt_m[j])},Type={typ},"
                 f"Name={_esc(sites.type_name[j])},CallSign={_esc(sites.ids[j])},Coalition={coalition},Color={color}")

    for j in range(len(tr.shooters.ids)):
        allied = bool(tr.shooters.allied[j])
        site(_SITE + j, tr.shooters, j, SITE_TYPES.get(tr.shooters.kind[j], "Ground+AntiAircraft"),
             "Allies" if allied else "Defenders", "Blue" if allied else "Cyan")
    for j in range(len(tr.sensors.ids)):
        typ = "Air+FixedWing" if tr.sensors.kind[j] == "aew" else "Ground+Static+Building"
        site(_SENSOR + j, tr.sensors, j, typ, "Allies" if tr.sensors.allied[j] else "Defenders", "Grey")
    for j in range(len(tr.assets.ids)):
        site(_ASSET + j, tr.assets, j, "Navaid+Static+Bullseye", "Defenders", "Green")

    th = tr.threats
    for i in range(th.size):
        t, lon, lat, alt = th.samples(i)
        oid = _THREAT + i
        for k in range(t.size):
            extra = (f",Type={THREAT_TYPES.get(th.cls_name[i], 'Air+FixedWing')},Name={_esc(th.type_name[i])},"
                     f"Coalition=Adversary,Color=Red,Label={i}") if k == 0 else ""
            add(t[k], f"{oid:x},{_t(lon[k], lat[k], alt[k])}{extra}")
        end, fate = th.t_end_s[i], th.fate[i]
        if fate == "destroyed":
            add(end, f"0,Event=Destroyed|{oid:x}|")
        elif fate != "in-flight":
            add(end, f"0,Event=Message|{oid:x}|{_esc(fate + ' (' + th.target[i] + ')')}")
        if fate in ("destroyed", "leaked"):
            bang = _BANG + i
            add(end, f"{bang:x},{_t(lon[-1], lat[-1], alt[-1] if fate == 'destroyed' else 0.0)},"
                     f"Type=Misc+Explosion,Radius=200,Color={'Orange' if fate == 'destroyed' else 'Red'}")
            add(end + EXPLOSION_S, f"-{bang:x}")
        if fate != "in-flight":
            add(end, f"-{oid:x}")
    s, sh = tr.shots, tr.shooters
    for k in range(s.size):
        j, oid = int(s.shooter[k]), _SHOT + k
        add(s.t_fire_s[k], f"{oid:x},{_t(sh.lon_deg[j], sh.lat_deg[j], sh.alt_m[j])},Type=Weapon+Missile,"
                           f"Name={_esc(s.weapon[k] or 'interceptor')},Parent={_SITE + j:x},Coalition="
                           f"{'Allies' if sh.allied[j] else 'Defenders'},Color=Blue")
        add(s.t_intercept_s[k], f"{oid:x},{_t(s.lon_deg[k], s.lat_deg[k], s.alt_m[k])}")
        add(s.t_intercept_s[k], f"-{oid:x}")

    p = tr.provenance()
    head = [
        "FileType=text/acmi/tacview",
        "FileVersion=2.2",
        f"0,ReferenceTime={iso(tr.start)}",
        f"0,Title={_esc(f'skyshield {tr.scenario_id}: {tr.option}, seed {tr.seed}, replication {tr.replication}')}",
        f"0,DataSource={_esc('skyshield ' + p['skyshield'])}",
        "0,Author=skyshield",
        f"0,Comments={_esc('simulated replication (scenario sha256 ' + tr.scenario_hash + '); interceptor flights drawn as straight lines; ' + 'fighter missiles from a notional altitude')}",
    ]
    recs.sort(key=lambda r: (r[0], r[1]))
    out = head
    last = None
    for frame, _, line in recs:
        if frame != last:
            out.append(f"#{frame:.2f}")
            last = frame
        out.append(line)
    return ("\n".join(out) + "\n").encode("utf-8")


def write(tr: Trace, path: str | Path) -> Path:
    p = Path(path)
    p.write_bytes(to_bytes(tr))
    return p
