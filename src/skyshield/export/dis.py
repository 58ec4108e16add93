r"""DIS 7 (IEEE 1278.1-2012) Entity State, Fire and Detonation PDUs of one replication.

Encoded here with :mod:`struct`, big-endian as the standard requires, and written to a pcap file
(IPv4 over UDP, port 3000, raw-IP link type) or sent over UDP to a loopback port.

* **Entity State** (type 1, 144 bytes, no variable parameters): every shooter site every
  :data:`SITE_STEP_S`; every threat at each of its track samples; its last PDU
  sets the appearance's *deactivated* bit (and *destroyed* damage when shot down). Location is
  geocentric (WGS-84 ECEF, metres, through PROJ); linear velocity is the ECEF difference to the
  next sample; orientation is the body frame (x along the velocity, wings level) as the
  ECEF-referenced Euler angles :math:`\psi, \theta, \phi` (Z-Y-X).
* **Fire** (type 2, 96 bytes): every salvo at its firing time, from its shooter's site, with the
  number of interceptors as the munition quantity.
* **Detonation** (type 3, 104 bytes): every salvo at its intercept time and point (result
  *entity impact* when it killed, *detonation* otherwise), and every leaker at its aim point
  (result *ground impact*).

Entity ids are ``(site 1, application, number)``: application 1 the defence's sites (shooters),
2 the threats, 3 the interceptors (numbered by salvo), numbers from 1. Force: friendly (1) for
the defence, opposing (2) for the threats. Entity types carry kind and domain only (country and
category 0, *other*): the catalog does not map types to SISO-REF-010 entity codes. Timestamps
are absolute (low bit set): hours are split into :math:`2^{31}-1` units, counted from the top of
the hour of ``start + t``.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .trace import Trace

__all__ = [
    "EXERCISE",
    "PORT",
    "SITE",
    "SUFFIX",
    "Pdu",
    "detonation",
    "entity_state",
    "euler_ecef",
    "fire",
    "lla_to_ecef",
    "pdus",
    "send",
    "timestamp",
    "to_bytes",
    "write",
]

SUFFIX = ".pcap"
PORT = 3000  # the DIS port registered with Wireshark's dissector
EXERCISE = 1
SITE = 1
APP_DEFENCE, APP_THREAT, APP_MUNITION = 1, 2, 3
FRIENDLY, OPPOSING = 1, 2
KIND_PLATFORM, KIND_MUNITION = 1, 2
DOMAIN_LAND, DOMAIN_AIR, DOMAIN_SURFACE, DOMAIN_ANTI_AIR = 1, 2, 3, 1
RESULT_ENTITY_IMPACT, RESULT_GROUND_IMPACT, RESULT_DETONATION = 1, 3, 5
APPEARANCE_DESTROYED = 3 << 3  # damage bits 3-4
APPEARANCE_DEACTIVATED = 1 << 23  # state bit
DR_FPW = 2  # dead reckoning: constant velocity, world coordinates

_HEADER = struct.Struct(">BBBBIHBB")  # version, exercise, type, family, timestamp, length, status, pad
_EID = struct.Struct(">HHH")
_ETYPE = struct.Struct(">BBHBBBB")
_ESPDU = struct.Struct(">HHHBB" "BBHBBBB" "BBHBBBB" "fff" "ddd" "fff" "I" "B15s" "fff" "fff" "B11s" "I")
_FIRE = struct.Struct(">HHH" "HHH" "HHH" "HHH" "I" "ddd" "BBHBBBB" "HHHH" "fff" "f")
_DETONATION = struct.Struct(">HHH" "HHH" "HHH" "HHH" "fff" "ddd" "BBHBBBB" "HHHH" "fff" "BBH")
ESPDU_BYTES, FIRE_BYTES, DETONATION_BYTES = 12 + _ESPDU.size, 12 + _FIRE.size, 12 + _DETONATION.size


@dataclass(frozen=True)
class Pdu:
    t_s: float  # seconds after time zero
    data: bytes


def timestamp(seconds_utc: float) -> int:
    """DIS absolute timestamp of a UTC moment (seconds since the epoch)."""
    past_hour = float(seconds_utc) % 3600.0
    units = min(int(past_hour / 3600.0 * (2**31 - 1)), 2**31 - 1)
    return (units << 1) | 1


def _header(pdu_type: int, family: int, ts: int, length: int) -> bytes:
    return _HEADER.pack(7, EXERCISE, pdu_type, family, ts, length, 0, 0)


@lru_cache(maxsize=1)
def _transformer():
    import pyproj

    return pyproj.Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


def lla_to_ecef(lon_deg, lat_deg, alt_m) -> NDArray[np.float64]:
    """``(K, 3)`` WGS-84 geocentric metres of geodetic points (height above the ellipsoid)."""
    x, y, z = _transformer().transform(np.asarray(lon_deg, float), np.asarray(lat_deg, float),
                                       np.asarray(alt_m, float))
    return np.column_stack([np.atleast_1d(x), np.atleast_1d(y), np.atleast_1d(z)])


def euler_ecef(ecef_m: NDArray[np.float64], vel_mps: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""``(K, 3)`` psi, theta, phi (radians) of a wings-level body flying along ``vel_mps``.

    Body axes in ECEF: :math:`x_b = \hat v`, :math:`y_b = \widehat{x_b \times u}` (``u`` the
    local vertical), :math:`z_b = x_b \times y_b`; then :math:`\psi = \operatorname{atan2}(R_{21},
    R_{11})`, :math:`\theta = -\arcsin R_{31}`, :math:`\phi = \operatorname{atan2}(R_{32}, R_{33})`
    with :math:`R = [x_b\ y_b\ z_b]`. A body at rest faces local north.
    """
    p = np.asarray(ecef_m, float)
    up = p / np.maximum(np.linalg.norm(p, axis=1, keepdims=True), 1e-9)
    v = np.asarray(vel_mps, float)
    north = np.cross(up, np.cross(np.array([0.0, 0.0, 1.0]), up))
    north /= np.maximum(np.linalg.norm(north, axis=1, keepdims=True), 1e-12)
    h = v - np.einsum("ij,ij->i", v, up)[:, None] * up
    still = np.linalg.norm(v, axis=1) < 1e-9
    x = np.where(still[:, None], north, v)
    vertical = np.linalg.norm(np.where(still[:, None], north, h), axis=1) < 1e-9 * np.maximum(np.linalg.norm(x, axis=1), 1)
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    y = np.cross(x, up)
    y = np.where(vertical[:, None], np.cross(x, north), y)  # straight up or down: any level wing
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    z = np.cross(x, y)
    psi = np.arctan2(x[:, 1], x[:, 0])
    theta = -np.arcsin(np.clip(x[:, 2], -1.0, 1.0))
    phi = np.arctan2(y[:, 2], z[:, 2])
    # Gimbal lock (body x along the Earth's axis: flying north or south at the equator): psi and
    # phi turn about the same axis; phi = 0 and psi takes the whole turn.
    lock = np.hypot(x[:, 0], x[:, 1]) < 1e-9
    psi = np.where(lock, np.arctan2(-y[:, 0], y[:, 1]), psi)
    phi = np.where(lock, 0.0, phi)
    return np.column_stack([psi, theta, phi])


def _marking(text: str) -> bytes:
    return text.encode("ascii", "replace")[:11]


def entity_state(ts: int, eid: tuple[int, int, int], force: int, etype: tuple[int, ...], vel: NDArray,
                 loc: NDArray, ori: NDArray, appearance: int, marking: str) -> bytes:
    """One Entity State PDU (protocol family 1, entity information/interaction)."""
    body = _ESPDU.pack(*eid, force, 0, *etype, *etype, *map(float, vel), *map(float, loc), *map(float, ori),
                       appearance, DR_FPW, b"", 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1, _marking(marking), 0)
    return _header(1, 1, ts, ESPDU_BYTES) + body


def fire(ts: int, shooter: tuple[int, int, int], target: tuple[int, int, int], munition: tuple[int, int, int],
         event: int, loc: NDArray, mtype: tuple[int, ...], quantity: int, vel: NDArray, range_m: float) -> bytes:
    """One Fire PDU (protocol family 2, warfare)."""
    body = _FIRE.pack(*shooter, *target, *munition, SITE, APP_MUNITION, event, 0, *map(float, loc), *mtype,
                      0, 0, quantity, 0, *map(float, vel), float(range_m))
    return _header(2, 2, ts, FIRE_BYTES) + body


def detonation(ts: int, shooter: tuple[int, int, int], target: tuple[int, int, int],
               munition: tuple[int, int, int], event: int, vel: NDArray, loc: NDArray, mtype: tuple[int, ...],
               quantity: int, result: int) -> bytes:
    """One Detonation PDU (protocol family 2, warfare), no variable parameters."""
    body = _DETONATION.pack(*shooter, *target, *munition, SITE, munition[1], event, *map(float, vel),
                            *map(float, loc), *mtype, 0, 0, quantity, 0, 0.0, 0.0, 0.0, result, 0, 0)
    return _header(3, 2, ts, DETONATION_BYTES) + body


_THREAT_TYPE = {"drone": (KIND_PLATFORM, DOMAIN_AIR, 0, 0, 0, 0, 0), "decoy": (KIND_PLATFORM, DOMAIN_AIR, 0, 0, 0, 0, 0),
                "aircraft": (KIND_PLATFORM, DOMAIN_AIR, 0, 0, 0, 0, 0),
                "cruise": (KIND_MUNITION, 0, 0, 1, 0, 0, 0), "ballistic": (KIND_MUNITION, 0, 0, 1, 0, 0, 0)}
_SITE_TYPE = {"sam": (KIND_PLATFORM, DOMAIN_LAND, 0, 0, 0, 0, 0), "gun": (KIND_PLATFORM, DOMAIN_LAND, 0, 0, 0, 0, 0),
              "ship": (KIND_PLATFORM, DOMAIN_SURFACE, 0, 0, 0, 0, 0), "fighter": (KIND_PLATFORM, DOMAIN_AIR, 0, 1, 0, 0, 0)}
INTERCEPTOR_TYPE = (KIND_MUNITION, DOMAIN_ANTI_AIR, 0, 1, 0, 0, 0)  # guided anti-air munition


def _velocities(p: NDArray, t: NDArray) -> NDArray:
    """ECEF velocity of each sample toward the next (the last keeps the one before)."""
    if t.size < 2:
        return np.zeros_like(p)
    v = np.diff(p, axis=0) / np.maximum(np.diff(t), 1e-9)[:, None]
    return np.vstack([v, v[-1:]])


def _eid(app: int, k: int) -> tuple[int, int, int]:
    if not 0 <= k < 65534:
        raise ValueError(f"more than 65534 entities of application {app}: DIS entity numbers are 16 bits")
    return (SITE, app, k + 1)


SITE_STEP_S = 600.0
"""Seconds between Entity State PDUs of the fixed sites (they do not move)."""


def pdus(tr: Trace, site_step_s: float = SITE_STEP_S) -> list[Pdu]:
    """Every PDU of the replication in time order (ties in a fixed order). Threats report at
    their track samples (the trace's ``step_s``), fixed sites every ``site_step_s``."""
    epoch = tr.start.timestamp()
    out: list[tuple[float, int, bytes]] = []

    def add(t: float, data: bytes) -> None:
        out.append((float(t), len(out), data))

    sh = tr.shooters
    J = len(sh.ids)
    if J:
        site_ecef = lla_to_ecef(sh.lon_deg, sh.lat_deg, sh.alt_m)
        site_ori = euler_ecef(site_ecef, np.zeros_like(site_ecef))
        grid = np.arange(0.0, tr.duration_s + 1e-9, site_step_s)
        for t in grid:
            ts = timestamp(epoch + t)
            last = t + site_step_s > tr.duration_s
            for j in range(J):
                add(t, entity_state(ts, _eid(APP_DEFENCE, j), FRIENDLY, _SITE_TYPE.get(sh.kind[j], _SITE_TYPE["sam"]),
                                    np.zeros(3), site_ecef[j], site_ori[j], APPEARANCE_DEACTIVATED if last else 0,
                                    sh.ids[j]))
    th = tr.threats
    for i in range(th.size):
        t, lon, lat, alt = th.samples(i)
        p = lla_to_ecef(lon, lat, alt)
        v = _velocities(p, t)
        ori = euler_ecef(p, v)
        etype = _THREAT_TYPE.get(th.cls_name[i], _THREAT_TYPE["drone"])
        ended = th.fate[i] != "in-flight"
        for k in range(t.size):
            app = 0
            if k == t.size - 1 and ended:
                app = APPEARANCE_DEACTIVATED | (APPEARANCE_DESTROYED if th.fate[i] == "destroyed" else 0)
            add(t[k], entity_state(timestamp(epoch + t[k]), _eid(APP_THREAT, i), OPPOSING, etype, v[k], p[k], ori[k],
                                   app, th.type_name[i]))
        if th.fate[i] == "leaked":
            add(t[-1], detonation(timestamp(epoch + t[-1]), _eid(APP_THREAT, i), (0, 0, 0), _eid(APP_THREAT, i),
                                  (i % 65535) + 1, v[-1], p[-1], etype, 1, RESULT_GROUND_IMPACT))
    s = tr.shots
    if s.size:
        js = s.shooter
        a = lla_to_ecef(sh.lon_deg[js], sh.lat_deg[js], sh.alt_m[js])
        b = lla_to_ecef(s.lon_deg, s.lat_deg, s.alt_m)
        rng = np.linalg.norm(b - a, axis=1)
        vel = (b - a) / np.maximum(s.t_intercept_s - s.t_fire_s, 1e-3)[:, None]
        for k in range(s.size):
            shooter, target = _eid(APP_DEFENCE, int(js[k])), _eid(APP_THREAT, int(s.threat[k]))
            mun = (SITE, APP_MUNITION, (k % 65534) + 1)
            ev = (k % 65535) + 1
            q = int(min(s.n_interceptors[k], 65535))
            add(s.t_fire_s[k], fire(timestamp(epoch + s.t_fire_s[k]), shooter, target, mun, ev, a[k],
                                    INTERCEPTOR_TYPE, q, vel[k], rng[k]))
            add(s.t_intercept_s[k], detonation(timestamp(epoch + s.t_intercept_s[k]), shooter, target, mun, ev,
                                               vel[k], b[k], INTERCEPTOR_TYPE, q,
                                               RESULT_ENTITY_IMPACT if s.killed[k] else RESULT_DETONATION))
    out.sort(key=lambda r: (r[0], r[1]))
    return [Pdu(t, d) for t, _, d in out]


def _ip_checksum(header: bytes) -> int:
    s = sum(struct.unpack(f">{len(header) // 2}H", header))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _packets(tr: Trace, items: list[Pdu]) -> Iterator[bytes]:
    epoch = tr.start.timestamp()
    lo = bytes([127, 0, 0, 1])
    for n, pdu in enumerate(items):
        udp = struct.pack(">HHHH", PORT, PORT, 8 + len(pdu.data), 0) + pdu.data
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xFFFF, 0x4000, 64, 17, 0, lo, lo)
        ip = ip[:10] + struct.pack(">H", _ip_checksum(ip)) + ip[12:]
        t = epoch + pdu.t_s
        sec = int(np.floor(t))
        usec = min(int(round((t - sec) * 1e6)), 999_999)
        frame = ip + udp
        yield struct.pack("<IIII", sec, usec, len(frame), len(frame)) + frame


def to_bytes(tr: Trace, site_step_s: float = SITE_STEP_S) -> bytes:
    """A pcap capture (little-endian, microseconds, link type 101: raw IPv4) of every PDU."""
    head = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101)
    return head + b"".join(_packets(tr, pdus(tr, site_step_s)))


def write(tr: Trace, path: str | Path, site_step_s: float = SITE_STEP_S) -> Path:
    p = Path(path)
    p.write_bytes(to_bytes(tr, site_step_s))
    return p


def send(tr: Trace, port: int = PORT, host: str = "127.0.0.1", speed: float = 0.0,
         site_step_s: float = SITE_STEP_S) -> int:
    """Send every PDU as one UDP datagram to a loopback ``host:port``; returns how many.

    ``speed`` 0 sends at once; ``speed`` x paces the PDUs at x times simulated time.
    Only loopback addresses are accepted: forward further with a DIS gateway of your own.
    """
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"DIS over UDP goes to a loopback address only, not {host}")
    if not 0 < int(port) < 65536:
        raise ValueError(f"port must be 1-65535, got {port}")
    items = pdus(tr, site_step_s)
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_DGRAM) as sock:
        t0 = time.monotonic()
        for pdu in items:
            if speed > 0:
                wait = (pdu.t_s - items[0].t_s) / speed - (time.monotonic() - t0)
                if wait > 0:
                    time.sleep(wait)
            sock.sendto(pdu.data, (host, int(port)))
    return len(items)
