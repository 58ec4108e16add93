"""The web app: a FastAPI application over the public facade (:mod:`skyshield.api`).

It serves one page (``static/index.html``) with everything it needs vendored in the package
(MapLibre GL JS under its BSD licence, no tiles, fonts or scripts from elsewhere), and a JSON
API: the theatre's zones, an option's forces on the map, the playback of one replication, the
comparison of options as a background job with its progress, and the results stores of one
folder.

What a request can name is checked, never used as a path: scenarios are built-in ids, stores
are names of folders directly inside the configured results folder, checked again after
resolving (:func:`_store_path`).
"""

from __future__ import annotations

import asyncio
import logging
import json
from collections import OrderedDict
from importlib import resources
from pathlib import Path
from threading import BoundedSemaphore, Lock, Thread
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from .. import api
from ..api import views
from .guard import TOKEN_COOKIE, Guard, token_ok
from .jobs import JobQueue, QueueFull

__all__ = ["LOOPBACK_HOSTS", "create_app"]

STATIC_DIR = Path(str(resources.files("skyshield.web") / "static"))
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
MAX_BODY_BYTES = 16 * 1024
MAX_REPLICATIONS = 2000
MAX_OPTIONS = 12
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "worker-src blob:; child-src blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'none'")
"""The page may load and connect to this server only (MapLibre's worker starts from a blob)."""


class CompareRequest(BaseModel):
    """A comparison to run: a built-in scenario, its options (the first is the baseline)."""

    scenario: str = Field(max_length=200)
    options: list[str] = Field(min_length=1, max_length=MAX_OPTIONS)
    replications: int = Field(20, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(0, ge=0, le=2**63 - 1)


class _Cache:
    """A small LRU of computed views (playback, map), thread safe; at most ``busy`` of them
    computed at once (429 beyond: a view can take seconds of CPU)."""

    def __init__(self, size: int = 16, busy: int = 2):
        self.size = size
        self._d: OrderedDict[Any, Any] = OrderedDict()
        self._lock = Lock()
        self._busy = BoundedSemaphore(busy)

    def get(self, key: Any, make: Any) -> Any:
        with self._lock:
            if key in self._d:
                self._d.move_to_end(key)
                return self._d[key]
        if not self._busy.acquire(timeout=60):
            raise HTTPException(429, "the server is busy computing other views; try again")
        try:
            value = make()
        finally:
            self._busy.release()
        with self._lock:
            self._d[key] = value
            while len(self._d) > self.size:
                self._d.popitem(last=False)
        return value


def _store_path(results_dir: Path | None, name: str) -> Path:
    """The store ``name`` inside ``results_dir``, refused (404) unless it resolves to a folder
    directly inside it (no ``..``, no absolute path, no symbolic link out)."""
    if results_dir is None:
        raise HTTPException(404, "no results folder configured (skyshield serve --results DIR)")
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise HTTPException(404, "no such store")
    base = results_dir.resolve()
    p = (base / name).resolve()
    if not p.is_relative_to(base) or p.parent != base or not p.is_dir():
        raise HTTPException(404, "no such store")
    return p


def create_app(results_dir: str | Path | None = None, token: str | None = None,
               allowed_hosts: set[str] | None = None, workers: int | None = 1,
               max_running: int = 2, max_body_bytes: int = MAX_BODY_BYTES, warm: tuple[str, ...] = ()) -> Any:
    """The ASGI app.

    Parameters
    ----------
    results_dir
        Folder whose results stores (``skyshield sweep`` outputs) may be browsed.
    token
        Required on every request when given (header ``X-Skyshield-Token``, query ``token`` or
        the cookie the page sets).
    allowed_hosts
        Accepted Host headers (DNS-rebinding guard); ``None`` accepts any.
    workers
        Worker processes of each comparison (``None``: all cores).
    max_running
        Comparisons running at once; one more is answered 429.
    max_body_bytes
        Largest request body accepted (413 beyond).
    warm
        Built-in scenarios whose zones are computed at once in a background thread (the first
        build of a theatre's zones takes seconds), so that the page opens quickly.
    """
    app = FastAPI(title="skyshield", docs_url=None, redoc_url=None, openapi_url=None)
    rdir = Path(results_dir).resolve() if results_dir is not None else None
    jobs = JobQueue(max_running=max_running)
    cache = _Cache()
    app.state.jobs = jobs

    titles = views.builtin_scenario_titles()
    loaded = _Cache(size=8)

    def scenario_id(sid: str) -> str:
        if sid not in titles:
            raise HTTPException(404, f"no built-in scenario {sid!r}")
        return sid

    def scenario_obj(sid: str) -> Any:
        """The validated built-in scenario (validated once per server)."""
        return loaded.get(sid, lambda: api.load_scenario(scenario_id(sid)))

    def options_of(sid: str, opts: str | list[str]) -> tuple[str, ...]:
        given = opts.split(",") if isinstance(opts, str) else list(opts)
        if not 1 <= len(given) <= MAX_OPTIONS or any(len(o) > 200 for o in given):
            raise HTTPException(422, f"give 1 to {MAX_OPTIONS} options")
        try:
            return api.resolve_options(given, scenario_obj(sid))
        except Exception as exc:
            raise HTTPException(422, str(exc)) from None

    @app.get("/")
    def index(request: Request) -> Any:
        resp = FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})
        t = request.query_params.get("token")
        if token is not None and token_ok(t, token):
            resp.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
        return resp

    @app.get("/api/scenarios")
    def scenarios() -> Any:
        return {"scenarios": titles, "options": views.option_presets()}

    @app.get("/api/options")
    def options(scenario: str = Query(max_length=200)) -> Any:
        sid = scenario_id(scenario)
        return {"options": cache.get(("options", sid), lambda: views.option_presets(scenario_obj(sid)))}

    @app.get("/api/theatre")
    def theatre(scenario: str = Query(max_length=200)) -> Any:
        sid = scenario_id(scenario)
        return cache.get(("theatre", sid), lambda: views.theatre_geojson(scenario_obj(sid)))

    @app.get("/api/map")
    def map_(scenario: str = Query(max_length=200), option: str = Query("none", max_length=200)) -> Any:
        sid = scenario_id(scenario)
        (o,) = options_of(sid, [option])
        return cache.get(("map", sid, o), lambda: views.map_features(scenario_obj(sid), o))

    @app.get("/api/playback")
    def playback(scenario: str = Query(max_length=200), options: str = Query("none,umbrella", max_length=2000),
                 replication: int = Query(0, ge=0, lt=100_000), seed: int = Query(0, ge=0, le=2**63 - 1)) -> Any:
        sid = scenario_id(scenario)
        opts = options_of(sid, options)
        key = ("playback", sid, opts, replication, seed)
        body = cache.get(key, lambda: json.dumps(views.playback(scenario_obj(sid), opts, replication, seed),
                                                      allow_nan=False))
        return _RawJSON(body)

    @app.post("/api/compare", status_code=202)
    def compare(req: CompareRequest) -> Any:
        sid = scenario_id(req.scenario)
        opts = options_of(sid, req.options)

        def work(progress: Any) -> dict[str, Any]:
            cmp = api.compare(sid, opts, req.replications, req.seed, workers=workers, progress=progress)
            doc = cmp.document()
            menu = {o: doc["options"][o]["metrics"] for o in opts}
            return json.loads(json.dumps({**doc, "pareto": views.pareto_view(menu)}, allow_nan=False, default=str))

        try:
            job = jobs.submit(req.replications * len(opts), work)
        except QueueFull as exc:
            raise HTTPException(429, str(exc)) from None
        return job.state()

    def job_of(job_id: str) -> Any:
        job = jobs.get(job_id) if len(job_id) <= 64 else None
        if job is None:
            raise HTTPException(404, "no such job")
        return job

    @app.get("/api/jobs/{job_id}")
    def job_state(job_id: str) -> Any:
        return job_of(job_id).state()

    @app.get("/api/jobs/{job_id}/result")
    def job_result(job_id: str) -> Any:
        job = job_of(job_id)
        if job.status != "finished":
            raise HTTPException(409, f"job is {job.status}" + (f": {job.error}" if job.error else ""))
        return job.result

    @app.get("/api/jobs/{job_id}/events")
    async def job_events(job_id: str) -> Any:
        job = job_of(job_id)

        async def stream() -> Any:
            last = None
            for _ in range(36_000):  # at most an hour at 10 updates a second
                s = job.state()
                if s != last:
                    yield f"data: {json.dumps(s)}\n\n"
                    last = s
                if s["status"] != "running":
                    return
                await asyncio.sleep(0.1)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    @app.get("/api/stores")
    def stores() -> Any:
        return {"results_dir": rdir is not None, "stores": views.list_stores(rdir) if rdir is not None else []}

    @app.get("/api/stores/{name}")
    def store(name: str) -> Any:
        p = _store_path(rdir, name)
        try:
            return views.store_summary(p)
        except Exception as exc:
            raise HTTPException(422, f"cannot read the store: {exc}") from None

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Any:
        resp = await call_next(request)
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["Referrer-Policy"] = "no-referrer"
        return resp

    def warm_up() -> None:
        for sid in warm:
            try:
                cache.get(("theatre", sid), lambda sid=sid: views.theatre_geojson(scenario_obj(sid)))
            except Exception as exc:  # a request for it will report the problem
                logging.getLogger("skyshield.web").warning("could not prepare %s: %s", sid, exc)

    if warm:
        Thread(target=warm_up, name="skyshield-warm-up", daemon=True).start()

    app.mount("/static", StaticFiles(directory=STATIC_DIR, follow_symlink=False), name="static")
    return Guard(app, token, allowed_hosts, max_body_bytes)


class _RawJSON(JSONResponse):
    """A response whose body is JSON text already (cached playback)."""

    def render(self, content: Any) -> bytes:
        return content.encode("utf-8") if isinstance(content, str) else super().render(content)
