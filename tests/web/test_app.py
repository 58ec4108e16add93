"""The web app's API through FastAPI's test client: what it serves, and what it refuses."""

from __future__ import annotations

import json
import re
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed: pip install 'skyshield[web]'")
pytest.importorskip("httpx", reason="the web extra is not installed: pip install 'skyshield[web]'")

from fastapi.testclient import TestClient

from skyshield.web import create_app
from skyshield.web.app import STATIC_DIR

SCENARIO = "eastern-flank-night-raid-v1"
LOCAL = {"127.0.0.1", "localhost", "testserver"}


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder with one small sweep store, a plain folder, and a symbolic link that
    points out of the folder."""
    from skyshield.runner import SerialExecutor, run_sweep
    from skyshield.store import ResultStore
    from tests.store.helpers import resolved, write_experiment

    d = tmp_path_factory.mktemp("results")
    work = tmp_path_factory.mktemp("work")
    exp = resolved(write_experiment(work, reps=2, samples=1))
    st = ResultStore.open_for(d / "tiny", exp, (work / "exp.yaml").read_text())
    run_sweep(exp, st, executor=SerialExecutor(), chunk_size=2)
    st.close()
    (d / "not-a-store").mkdir()
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("secret")
    (d / "escape").symlink_to(outside, target_is_directory=True)
    return d


@pytest.fixture(scope="module")
def client(results_dir: Path) -> TestClient:
    return TestClient(create_app(results_dir, allowed_hosts=LOCAL))


# -- the page and its assets --------------------------------------------------------------------

def test_page_and_assets_are_served_with_a_policy_that_forbids_other_origins(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "<script src=\"/static/app.js\">" in r.text
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp and "script-src 'self'" in csp
    for name in ("app.js", "charts.js", "app.css", "vendor/maplibre-gl/maplibre-gl.js", "vendor/maplibre-gl/maplibre-gl.css"):
        assert client.get(f"/static/{name}").status_code == 200, name


def test_own_page_files_name_no_other_origin() -> None:
    """The page's own files load nothing from elsewhere (the vendored MapLibre is checked in
    the browser tests: no request leaves 127.0.0.1)."""
    for name in ("index.html", "app.js", "charts.js", "app.css"):
        text = (STATIC_DIR / name).read_text("utf-8").replace('"http://www.w3.org/2000/svg"', "")  # a name, not a load
        hits = re.findall(r"(?:https?:)?//[A-Za-z0-9.-]+\.[a-z]{2,}", text)
        assert not hits, (name, hits)


def test_maplibre_is_vendored_with_its_licence() -> None:
    d = STATIC_DIR / "vendor" / "maplibre-gl"
    lic = (d / "LICENSE.txt").read_text("utf-8")
    assert "Redistribution and use in source and binary forms" in lic  # BSD-3-Clause
    assert (d / "maplibre-gl.js").stat().st_size > 500_000
    assert "sourceMappingURL" not in (d / "maplibre-gl.js").read_text("utf-8")[-2000:]


# -- views ----------------------------------------------------------------------------------

def test_scenarios_list_the_built_in_ids_and_option_presets(client: TestClient) -> None:
    d = client.get("/api/scenarios").json()
    assert SCENARIO in d["scenarios"] and {"none", "umbrella", "air-policing"} <= set(d["options"])


def test_options_of_a_case_include_its_own(client: TestClient) -> None:
    import skyshield as sk

    case = "case-israel-2024-04-13"
    own = list(sk.load_scenario(case).options)
    got = client.get(f"/api/options?scenario={case}").json()["options"]
    assert own and set(own) <= set(got) and "none" in got
    assert client.get("/api/options?scenario=nope").status_code == 404


def test_theatre_zones_put_kyiv_in_the_defended_zone_and_warsaw_in_the_allied(client: TestClient) -> None:
    """Against independent facts: Kyiv is in Ukraine (defended), Warsaw in Poland (allied),
    Minsk in Belarus (adversary in this scenario)."""
    from shapely.geometry import Point, shape

    g = client.get(f"/api/theatre?scenario={SCENARIO}").json()
    zones = {f["properties"]["zone"]: shape(f["geometry"]) for f in g["features"]}
    assert {"defended", "allied", "adversary", "occupied", "sea"} <= set(zones)
    for (lon, lat), z in (((30.52, 50.45), "defended"), ((21.01, 52.23), "allied"), ((27.56, 53.90), "adversary")):
        assert zones[z].contains(Point(lon, lat)), z
        assert sum(s.contains(Point(lon, lat)) for s in zones.values()) == 1


def test_map_coverage_never_passes_the_radar_horizon(client: TestClient) -> None:
    """Oracle: the 4/3-earth radar horizon d_km = 4.12 (sqrt(h_radar) + sqrt(h_target)) bounds
    every detection range drawn, for every sensor and threat type."""
    from skyshield.api.views import _compiled

    f = client.get(f"/api/map?scenario={SCENARIO}&option=umbrella").json()
    _, p = _compiled(SCENARIO, "umbrella")
    alt = dict(zip(p.threat_types.names, p.threat_types.alt_m))
    height = dict(zip(p.sensors.ids, p.sensors.height_m))
    assert len(f["sensors"]) > 10 and f["threat_types"]
    for s in f["sensors"]:
        for tt, r in s["range_m"].items():
            horizon_m = 4120.0 * (height[s["id"]] ** 0.5 + alt[tt] ** 0.5)
            assert 0 < r <= horizon_m * 1.001, (s["id"], tt, r, horizon_m)


def test_map_shows_the_allied_forces_an_option_brings(client: TestClient) -> None:
    none = client.get(f"/api/map?scenario={SCENARIO}&option=none").json()
    umb = client.get(f"/api/map?scenario={SCENARIO}&option=umbrella").json()
    allied = lambda f: [s for s in f["shooters"] if s["side"] == "allied"]
    assert not allied(none) and len(allied(umb)) > 0
    assert all(s["envelope_m"] for s in allied(umb))
    names = {a["id"] for a in umb["assets"]}
    assert "kyiv" in names and umb["launch_areas"] and umb["air_bases"] and umb["cap_stations"]


def test_playback_is_the_replication_compare_runs(client: TestClient) -> None:
    """The events of the playback add up to the metrics the runner (a separate code path:
    process pool, chunking) reports for the same replication and seed, option by option; the
    raid is the same for both options (launch times and aim points)."""
    import skyshield as sk

    r = client.get(f"/api/playback?scenario={SCENARIO}&options=none,umbrella&replication=1&seed=5")
    assert r.status_code == 200
    pb = r.json()
    cmp = sk.compare(SCENARIO, ["none", "umbrella"], replications=2, seed=5, workers=1)
    for o in ("none", "umbrella"):
        m = cmp.rows(o)[1]
        c = pb["options"][o]["counts"]
        assert c["launch"] == m["launched"] == pb["threats"]["n"]
        assert c.get("kill", 0) == m["destroyed"]
        assert c.get("leak", 0) == m["leaked"]
        outcome = pb["options"][o]["outcome"]
        assert outcome.count("kill") == m["destroyed"]
    assert pb["options"]["none"]["outcome"] != pb["options"]["umbrella"]["outcome"]


def test_playback_tracks_start_at_the_launch_point_and_leakers_end_at_their_aim(client: TestClient) -> None:
    """Keyframes (from the engine's flight paths) against the engine's own launch and leak
    events: the first keyframe is the launch point at the launch time; a leaker's track passes
    within a few km of where its leak event puts it at that time."""
    import math

    pb = client.get(f"/api/playback?scenario={SCENARIO}&options=none,umbrella&replication=1&seed=5").json()
    th, v = pb["threats"], pb["options"]["none"]
    ev = v["events"]
    off = th["offsets"]
    launches = {ev["threat"][i]: (ev["lon"][i], ev["lat"][i]) for i, k in enumerate(ev["kind"]) if k == "launch"}
    for j in range(th["n"]):
        a = off[j]
        assert abs(th["t_s"][a] - th["launch_s"][j]) <= 0.11
        assert abs(th["lon"][a] - launches[j][0]) < 1e-3 and abs(th["lat"][a] - launches[j][1]) < 1e-3

    def at(j: int, t: float) -> tuple[float, float]:
        a, b = off[j], off[j + 1]
        ts = th["t_s"][a:b]
        k = max(0, min(len(ts) - 2, max(i for i in range(len(ts)) if ts[i] <= t)))
        f = 0.0 if ts[k + 1] == ts[k] else min(1.0, (t - ts[k]) / (ts[k + 1] - ts[k]))
        return (th["lon"][a + k] + f * (th["lon"][a + k + 1] - th["lon"][a + k]),
                th["lat"][a + k] + f * (th["lat"][a + k + 1] - th["lat"][a + k]))

    leaks = [i for i, k in enumerate(ev["kind"]) if k == "leak"]
    assert leaks
    for i in leaks:
        lon, lat = at(ev["threat"][i], ev["t_s"][i])
        d_km = 6371.0 * math.hypot(math.radians(lon - ev["lon"][i]) * math.cos(math.radians(lat)), math.radians(lat - ev["lat"][i]))
        assert d_km < 30.0, (ev["threat"][i], d_km)


def test_pareto_view_marks_the_dominated_option() -> None:
    from skyshield.api.views import pareto_view

    e = lambda m: {"mean": m, "ci95": [m, m]}
    menu = {"cheap": {"interceptor_cost_usd": e(1.0), "leaked": e(10.0), "max_rung": e(1.0)},
            "good": {"interceptor_cost_usd": e(5.0), "leaked": e(2.0), "max_rung": e(1.0)},
            "worse": {"interceptor_cost_usd": e(6.0), "leaked": e(3.0), "max_rung": e(2.0)}}
    front = {p["option"]: p["front"] for p in pareto_view(menu)}
    assert front == {"cheap": True, "good": True, "worse": False}


# -- comparison jobs ----------------------------------------------------------------------------

def test_compare_job_streams_progress_and_returns_the_document(client: TestClient) -> None:
    r = client.post("/api/compare", json={"scenario": SCENARIO, "options": ["none", "umbrella"], "replications": 2, "seed": 3})
    assert r.status_code == 202
    job = r.json()
    assert job["total"] == 4
    with client.stream("GET", f"/api/jobs/{job['id']}/events") as s:
        states = [json.loads(line[6:]) for line in s.iter_lines() if line.startswith("data: ")]
    assert states[-1]["status"] == "finished" and states[-1]["done"] == 4
    assert [x["done"] for x in states] == sorted(x["done"] for x in states)
    doc = client.get(f"/api/jobs/{job['id']}/result").json()
    assert set(doc["options"]) == {"none", "umbrella"}
    assert "difference_vs_none" in doc["options"]["umbrella"] and doc["options"]["none"]["leakers_by_cause"]
    assert {p["option"] for p in doc["pareto"]} == {"none", "umbrella"}
    assert "escalation" in doc["options"]["umbrella"] and doc["options"]["umbrella"]["assets"]["kyiv"]


def test_a_third_running_comparison_is_refused_with_429(results_dir: Path) -> None:
    app = create_app(results_dir, allowed_hosts=LOCAL, max_running=2)
    c = TestClient(app)
    release = threading.Event()
    queue = app.app.state.jobs
    held = [queue.submit(1, lambda progress: release.wait(30)) for _ in range(2)]
    try:
        r = c.post("/api/compare", json={"scenario": SCENARIO, "options": ["none"], "replications": 1})
        assert r.status_code == 429
    finally:
        release.set()
    for j in held:
        for _ in range(100):
            if j.status != "running":
                break
            time.sleep(0.02)
    assert queue.running() == 0


def test_compare_refuses_what_it_cannot_run(client: TestClient) -> None:
    bad = [{"scenario": "/etc/passwd", "options": ["none"]},
           {"scenario": "../../secret", "options": ["none"]},
           {"scenario": SCENARIO, "options": ["no-such-option"]},
           {"scenario": SCENARIO, "options": ["none"], "replications": 10**6},
           {"scenario": SCENARIO, "options": []}]
    for body in bad:
        assert client.post("/api/compare", json=body).status_code in (404, 422), body


# -- stores -----------------------------------------------------------------------------------

def test_stores_of_the_results_folder_are_listed_and_summarised(client: TestClient, results_dir: Path) -> None:
    ls = client.get("/api/stores").json()
    assert [s["name"] for s in ls["stores"]] == ["tiny"]
    d = client.get("/api/stores/tiny").json()
    assert set(d["options"]) == {"none", "umbrella"} and d["provenance"]["done"] == d["provenance"]["total"] == 4
    assert d["options"]["none"]["leaked"]["ci95"][0] <= d["options"]["none"]["leaked"]["mean"]
    # DuckDB's view of the store against the store's own Parquet reader
    import numpy as np
    import pyarrow.compute as pc

    from skyshield.store import ResultStore

    st = ResultStore.open(results_dir / "tiny")
    t = st.metrics()
    st.close()
    for o in ("none", "umbrella"):
        leaked = t.filter(pc.equal(t["option"], o))["leaked"].to_numpy()
        assert d["options"][o]["leaked"]["mean"] == pytest.approx(float(np.mean(leaked)))
    assert len(d["pareto"]) == 2


@pytest.mark.parametrize("path", [
    "/api/stores/..", "/api/stores/..%2F..%2Fetc", "/api/stores/%2Fetc", "/api/stores/escape",
    "/api/stores/not-a-store", "/api/stores/tiny%2F..%2F..", "/api/stores/%00",
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2Fapp.py", "/static/%2e%2e/%2e%2e/api/views.py",
])
def test_traversal_attempts_reach_nothing_outside_the_app_folders(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 422), (path, r.status_code)
    assert "secret" not in r.text and "def create_app" not in r.text and "import" not in r.text


# -- the gate ---------------------------------------------------------------------------------

def test_oversized_bodies_are_refused_with_413(client: TestClient) -> None:
    big = json.dumps({"scenario": SCENARIO, "options": ["none"], "pad": "x" * 100_000})
    assert client.post("/api/compare", content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: refused while reading
        for _ in range(40):
            yield b"x" * 1024

    assert client.post("/api/compare", content=chunks(), headers={"content-type": "application/json"}).status_code == 413


def test_unexpected_host_header_is_refused(client: TestClient) -> None:
    """A page on another site that rebinds its name to 127.0.0.1 sends its own Host."""
    assert client.get("/api/scenarios", headers={"host": "attacker.example"}).status_code == 400


def test_token_is_required_on_every_request_when_set(results_dir: Path) -> None:
    tok = "s3cret-token_value"
    c = TestClient(create_app(results_dir, token=tok))
    for path in ("/", "/static/app.js", "/api/scenarios", "/api/stores"):
        assert c.get(path).status_code == 401, path
        assert c.get(path, headers={"X-Skyshield-Token": tok[:-1] + "X"}).status_code == 401, path
        assert c.get(path, headers={"X-Skyshield-Token": tok}).status_code == 200, path
    assert c.post("/api/compare", json={"scenario": SCENARIO, "options": ["none"]}).status_code == 401
    # the page opened with ?token= sets a cookie that its scripts and styles carry
    r = c.get(f"/?token={tok}")
    assert r.status_code == 200 and "skyshield_token" in r.headers["set-cookie"]
    assert "httponly" in r.headers["set-cookie"].lower()
    assert c.get("/static/app.js").status_code == 200  # the cookie now in the client's jar
    c.cookies.clear()
    assert c.get("/static/app.js").status_code == 401


def test_serve_binds_loopback_by_default_and_prints_a_token_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from click.testing import CliRunner

    from skyshield.cli.main import main

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, host, port, **kw: seen.update(app=app, host=host, port=port))
    r = CliRunner().invoke(main, ["serve"])
    assert r.exit_code == 0, r.output
    assert seen["host"] == "127.0.0.1" and "token" not in r.output
    assert TestClient(seen["app"], base_url="http://127.0.0.1").get("/api/scenarios").status_code == 200

    r = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "9999"])
    assert r.exit_code == 0, r.output
    tok = re.search(r"token: (\S+)", r.output).group(1)
    assert len(tok) >= 32 and seen["host"] == "0.0.0.0"
    c = TestClient(seen["app"])
    assert c.get("/api/scenarios").status_code == 401
    assert c.get(f"/api/scenarios?token={tok}").status_code == 200
