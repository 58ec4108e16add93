"""DIS 7 PDUs: geometry against closed forms written here, the capture file byte by byte, the
PDUs decoded field by field by Wireshark's dissector (tshark), and UDP to a loopback port."""

from __future__ import annotations

import math
import shutil
import socket
import struct
import subprocess
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.export import dis

A_M, F = 6378137.0, 1 / 298.257223563  # WGS-84
E2 = F * (2 - F)


def ecef(lon, lat, h):
    """Geodetic to geocentric, the textbook closed form (not PROJ)."""
    lam, phi = np.radians(lon), np.radians(lat)
    n = A_M / np.sqrt(1 - E2 * np.sin(phi) ** 2)
    return np.column_stack([(n + h) * np.cos(phi) * np.cos(lam), (n + h) * np.cos(phi) * np.sin(lam),
                            (n * (1 - E2) + h) * np.sin(phi)])


def rot(psi, theta, phi):
    """Body-to-ECEF rotation of Z-Y-X Euler angles."""
    cz, sz, cy, sy, cx, sx = np.cos(psi), np.sin(psi), np.cos(theta), np.sin(theta), np.cos(phi), np.sin(phi)
    return np.array([[cy * cz, sx * sy * cz - cx * sz, cx * sy * cz + sx * sz],
                     [cy * sz, sx * sy * sz + cx * cz, cx * sy * sz - sx * cz],
                     [-sy, sx * cy, cx * cy]])


def test_location_is_wgs84_geocentric() -> None:
    lon, lat, h = np.array([0.0, 30.52, -70.0, 179.9]), np.array([0.0, 50.45, -33.4, 89.0]), np.array([0, 300, 1e4, 0])
    assert np.allclose(dis.lla_to_ecef(lon, lat, h), ecef(lon, lat, h), atol=1e-3)


def test_orientation_of_known_headings_at_the_origin() -> None:
    p = ecef(np.array([0.0, 0.0]), np.array([0.0, 0.0]), np.array([0.0, 0.0]))
    north, east = np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0])
    o = dis.euler_ecef(p, np.vstack([north, east]))
    assert np.allclose(o[0], [0.0, -math.pi / 2, 0.0], atol=1e-9)  # level, heading north
    assert np.allclose(o[1], [math.pi / 2, 0.0, -math.pi / 2], atol=1e-9)  # level, heading east


@settings(max_examples=60, deadline=None)
@given(lon=st.floats(-180, 180), lat=st.floats(-85, 85), az=st.floats(0, 2 * math.pi), climb=st.floats(-1.2, 1.2))
def test_body_x_points_along_the_velocity_and_the_wings_stay_level(lon, lat, az, climb) -> None:
    p = ecef(np.array([lon]), np.array([lat]), np.array([1000.0]))[0]
    up = p / np.linalg.norm(p)
    e = np.cross([0.0, 0.0, 1.0], up)
    e /= np.linalg.norm(e)
    n = np.cross(up, e)
    v = (math.cos(climb) * (math.sin(az) * e + math.cos(az) * n) + math.sin(climb) * up) * 250.0
    psi, theta, phi = dis.euler_ecef(p[None, :], v[None, :])[0]
    r = rot(psi, theta, phi)
    assert np.allclose(r @ [1, 0, 0], v / 250.0, atol=1e-9)
    assert abs(np.dot(r @ [0, 1, 0], up)) < 1e-9  # right wing horizontal
    assert np.dot(r @ [0, 0, 1], up) < 0  # body z (down) below the horizon


def test_timestamp_counts_units_of_the_hour_with_the_absolute_bit() -> None:
    assert dis.timestamp(0.0) == 1
    assert dis.timestamp(7200.0 + 1800.0) == ((2**31 - 1) // 2) << 1 | 1
    assert dis.timestamp(3599.999999) >> 1 == pytest.approx(2**31 - 1, abs=2000)


@pytest.fixture(scope="module")
def pcap(tr):
    return dis.to_bytes(tr)


@pytest.fixture(scope="module")
def pdus(tr):
    return dis.pdus(tr)


def _records(pcap: bytes):
    magic, major, minor, _, _, snap, link = struct.unpack("<IHHiIII", pcap[:24])
    assert (magic, major, minor, link) == (0xA1B2C3D4, 2, 4, 101)
    off = 24
    while off < len(pcap):
        sec, usec, incl, orig = struct.unpack("<IIII", pcap[off:off + 16])
        assert incl == orig <= snap and usec < 1_000_000
        yield sec + usec / 1e6, pcap[off + 16:off + 16 + incl]
        off += 16 + incl
    assert off == len(pcap)


def test_capture_holds_one_udp_datagram_per_pdu_in_time_order(tr, pcap, pdus) -> None:
    recs = list(_records(pcap))
    assert len(recs) == len(pdus)
    times = [t for t, _ in recs]
    assert all(b >= a for a, b in zip(times, times[1:]))
    for (t, frame), pdu in zip(recs, pdus):
        ip = frame[:20]
        assert ip[0] == 0x45 and ip[9] == 17
        s = sum(struct.unpack(">10H", ip))  # an intact header sums to 0xFFFF (ones' complement)
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        assert s == 0xFFFF
        sport, dport, length, _ = struct.unpack(">HHHH", frame[20:28])
        assert sport == dport == 3000 and length == 8 + len(pdu.data)
        assert frame[28:] == pdu.data
        assert t == pytest.approx(tr.start.timestamp() + pdu.t_s, abs=1e-6)


def test_pdu_counts_match_the_replication(tr, pdus) -> None:
    c = tr.counts()
    by_type = {k: [p for p in pdus if p.data[2] == k] for k in (1, 2, 3)}
    for k, size in ((1, 144), (2, 96), (3, 104)):
        assert all(len(p.data) == size == struct.unpack(">H", p.data[8:10])[0] for p in by_type[k])
    threat_es = [p for p in by_type[1] if struct.unpack(">H", p.data[14:16])[0] == dis.APP_THREAT]
    assert len(threat_es) == tr.threats.t_s.size
    assert len(by_type[2]) == c["shots"]
    assert len(by_type[3]) == c["shots"] + c["leaked"]


def test_same_replication_same_bytes(tr_again, pcap) -> None:
    assert dis.to_bytes(tr_again) == pcap


TSHARK = shutil.which("tshark")
FIELDS = ["dis.pdu_type", "dis.pdu_length", "dis.entity_id_site", "dis.entity_id_application",
          "dis.entity_id_entity", "dis.force_id", "dis.entityKind", "dis.entityDomain", "dis.entity_location.x",
          "dis.entity_location.y", "dis.entity_location.z", "dis.timestamp", "dis.fire.location.x",
          "dis.detonation.location.x", "dis.detonation.result", "dis.entity_marking", "dis.proto_ver",
          "dis.appearance"]


@pytest.fixture(scope="module")
def decoded(pcap, tmp_path_factory):
    if TSHARK is None:
        pytest.skip("tshark (Debian package tshark, Wireshark's dissector) is not installed; .ci/run installs it")
    path = tmp_path_factory.mktemp("dis") / "night.pcap"
    path.write_bytes(pcap)
    cmd = [TSHARK, "-n", "-r", str(path), "-T", "fields", "-E", "separator=;", "-E", "occurrence=a",
           *[x for f in FIELDS for x in ("-e", f)]]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
    return [dict(zip(FIELDS, line.split(";"))) for line in out.splitlines()]


def test_wireshark_decodes_every_pdu_as_dis_7(decoded, pdus) -> None:
    assert len(decoded) == len(pdus)
    assert {r["dis.proto_ver"] for r in decoded} == {"7"}
    assert [int(r["dis.pdu_type"]) for r in decoded] == [p.data[2] for p in pdus]
    assert [int(r["dis.pdu_length"]) for r in decoded] == [len(p.data) for p in pdus]


def test_wireshark_reads_the_threat_entity_states_as_written(tr, decoded) -> None:
    th = tr.threats
    start = tr.start.timestamp()
    rows: dict[int, list[dict]] = {}
    for r in decoded:
        if r["dis.pdu_type"] == "1" and r["dis.entity_id_application"] == str(dis.APP_THREAT):
            assert r["dis.entity_id_site"] == "1" and r["dis.force_id"] == "2"
            rows.setdefault(int(r["dis.entity_id_entity"]), []).append(r)
    assert sorted(rows) == list(range(1, th.size + 1))
    for i in range(th.size):
        t, lon, lat, alt = th.samples(i)
        got = rows[i + 1]
        assert len(got) == t.size
        xyz = np.array([[float(g[f"dis.entity_location.{a}"]) for a in "xyz"] for g in got])
        assert np.allclose(xyz, ecef(lon, lat, alt), atol=1e-3)
        ts = np.array([float(g["dis.timestamp"]) for g in got])
        assert np.allclose(ts, (start + t) % 3600.0, atol=1e-5)
        kind = 2 if th.cls_name[i] in ("cruise", "ballistic") else 1
        assert {g["dis.entityKind"] for g in got} == {f"{kind},{kind}"}
        assert got[0]["dis.entity_marking"] == th.type_name[i][:11]
        last = int(got[-1]["dis.appearance"], 0)
        assert bool(last & (1 << 23)) == (th.fate[i] != "in-flight")
        assert ((last >> 3) & 3) == (3 if th.fate[i] == "destroyed" else 0)


def test_wireshark_reads_fire_and_detonation_as_written(tr, decoded) -> None:
    s, sh = tr.shots, tr.shooters
    fires = [r for r in decoded if r["dis.pdu_type"] == "2"]
    dets = [r for r in decoded if r["dis.pdu_type"] == "3"]
    assert len(fires) == s.size
    site = ecef(sh.lon_deg, sh.lat_deg, sh.alt_m)
    for r in fires:
        # firing entity, target entity, munition: three entity ids in order
        apps = r["dis.entity_id_application"].split(",")
        ents = [int(x) for x in r["dis.entity_id_entity"].split(",")]
        assert apps == ["1", "2", "3"]
        k = ents[2] - 1
        assert ents[0] == s.shooter[k] + 1 and ents[1] == s.threat[k] + 1
        assert float(r["dis.fire.location.x"]) == pytest.approx(site[s.shooter[k], 0], abs=1e-3)
        assert float(r["dis.timestamp"]) == pytest.approx((tr.start.timestamp() + s.t_fire_s[k]) % 3600, abs=1e-5)
    results = [int(r["dis.detonation.result"]) for r in dets]
    c = tr.counts()
    assert results.count(1) == c["destroyed"]  # entity impact: the salvoes that killed
    assert results.count(5) == s.size - c["destroyed"]  # detonation: the misses
    assert results.count(3) == c["leaked"]  # ground impact: the leakers
    hit = ecef(s.lon_deg, s.lat_deg, s.alt_m)
    for r in dets:
        ents = [int(x) for x in r["dis.entity_id_entity"].split(",")]
        if r["dis.entity_id_application"].split(",")[2] == "3":
            k = ents[2] - 1
            assert float(r["dis.detonation.location.x"]) == pytest.approx(hit[k, 0], abs=1e-3)


def test_udp_sends_every_pdu_to_a_loopback_port(tr, pdus) -> None:
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(2.0)
    got: list[bytes] = []

    def listen() -> None:
        try:
            while len(got) < len(pdus):
                got.append(rx.recv(2048))
        except TimeoutError:
            pass

    th = threading.Thread(target=listen)
    th.start()
    try:
        sent = dis.send(tr, rx.getsockname()[1], speed=50_000.0)
    finally:
        th.join(10)
        rx.close()
    assert sent == len(pdus)
    assert got == [p.data for p in pdus]


def test_udp_refuses_an_address_off_this_machine(tr) -> None:
    with pytest.raises(ValueError, match="loopback"):
        dis.send(tr, 3000, host="192.0.2.1")
