"""What the web app shows, as plain JSON-ready dicts: the theatre's zones, the forces of an
option on the map, the playback of one replication under several options, and the results
stores of a folder.

Every number comes from where it lives: zones from :mod:`skyshield.geo` (Natural Earth,
offline), coverage from the radar equation capped by the radar horizon
(:func:`skyshield.sensors.radar.detection_range_m`), envelopes from the compiled shooters,
tracks from the engine's own raid sampler and flight paths, events from the engine's run of the
replication. The web app computes nothing itself.

>>> import skyshield as sk
>>> from skyshield.api.views import map_features
>>> f = map_features("eastern-flank-night-raid-v1", "none")
>>> sorted(f)[:4]
['air_bases', 'assets', 'bbox', 'cap_stations']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario import Scenario
from .facade import load_inputs, resolve_options

__all__ = ["builtin_scenario_titles", "list_stores", "map_features", "option_presets", "pareto_view", "playback",
           "store_summary", "theatre_geojson"]

_ZONE_NAMES = {"DEFENDED": "defended", "ALLIED": "allied", "HOST": "host", "ADVERSARY": "adversary",
               "OCCUPIED": "occupied", "NEUTRAL": "neutral", "DISPUTED": "disputed", "SEA": "sea",
               "OTHER": "other"}
_DENSIFY_M = 40e3  # playback keyframes at most this far apart (linear between them in the browser)


def builtin_scenario_titles() -> dict[str, str]:
    """Built-in scenario ids and their titles (the only scenarios the web app runs)."""
    from ..scenario import builtin_scenarios

    return dict(builtin_scenarios())


def option_presets(scenario: str | Path | Scenario | None = None) -> list[str]:
    """The built-in option presets in their catalogue order, then the options a scenario
    defines itself (the page's option menu)."""
    from ..options import builtin_options

    names = list(builtin_options())
    if scenario is not None:
        names += [o for o in load_inputs(scenario)[0].options if o not in names]
    return names


def _compiled(scenario: str | Path | Scenario, option: str, catalog: Sequence[str | Path] = ()) -> tuple[Any, Any]:
    from ..engine import compile_scenario
    from ..options import resolve_option

    sc, cat, _ = load_inputs(scenario, catalog)
    return sc, compile_scenario(sc, cat, resolve_option(option, sc))


def _round(coords: Any, nd: int = 3) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), nd) for c in coords]
    return [_round(c, nd) for c in coords]


@lru_cache(maxsize=8)
def _theatre_geojson(theatre: Any, tolerance_deg: float) -> dict[str, Any]:
    import shapely
    from shapely.geometry import mapping

    from ..geo.layers import zone_geometry
    from ..geo.zones import Zone

    feats = []
    for z in Zone:
        name = _ZONE_NAMES.get(z.name, z.name.lower())
        g = zone_geometry(theatre, z)
        if g.is_empty:
            continue
        g = shapely.simplify(g, tolerance_deg, preserve_topology=True)
        if g.is_empty:
            continue
        m = mapping(g)
        feats.append({"type": "Feature", "properties": {"zone": name},
                      "geometry": {"type": m["type"], "coordinates": _round(m["coordinates"])}})
    return {"type": "FeatureCollection", "features": feats, "bbox": [float(x) for x in theatre.bbox]}


def theatre_geojson(scenario: str | Path | Scenario, tolerance_deg: float = 0.02) -> dict[str, Any]:
    """The theatre's zones (defended, allied, host, adversary, occupied, neutral, disputed,
    sea, other land) as a GeoJSON FeatureCollection, one feature per zone, from the offline
    Natural Earth outlines the engine judges rules of engagement on, simplified by
    ``tolerance_deg`` for drawing (the engine's own outlines are not changed)."""
    from ..scenario import theatre_of

    sc = load_inputs(scenario)[0]
    return _theatre_geojson(theatre_of(sc), float(tolerance_deg))


def map_features(scenario: str | Path | Scenario, option: str = "none",
                 catalog: Sequence[str | Path] = ()) -> dict[str, Any]:
    """Everything on the map under ``option``: assets (aim areas) with their names, launch
    areas, sensors with their detection range against each threat type of the raid, shooters
    with their maximum engagement range per threat class, air bases and CAP stations.

    Ranges are in metres; positions are ``[lon_deg, lat_deg]``.
    """
    from ..catalog import THREAT_CLASSES
    from ..engine.params import SHOOTER_KINDS
    from ..geo import unit_to_lonlat
    from ..sensors.radar import detection_range_m

    sc, p = _compiled(scenario, option, catalog)
    tt, sen, sh = p.threat_types, p.sensors, p.shooters
    in_raid = sorted({g.type_index for g in p.raid if g.count > 0})
    lon, lat = unit_to_lonlat(sen.unit)
    lon, lat = np.atleast_1d(lon), np.atleast_1d(lat)
    sensors = []
    for i, sid in enumerate(sen.ids):
        ranges = {tt.names[k]: float(detection_range_m(sen.ref_range_m[i], tt.rcs_m2[k], sen.height_m[i], tt.alt_m[k]))
                  for k in in_raid}
        sensors.append({"id": sid, "lonlat": [float(lon[i]), float(lat[i])],
                        "side": "defended" if sen.side[i] == 0 else "allied", "range_m": ranges})
    shooters = []
    for j, jid in enumerate(sh.ids):
        env = {THREAT_CLASSES[c]: float(sh.max_range_m[j, c]) for c in range(sh.max_range_m.shape[1])
               if sh.max_range_m[j, c] > 0}
        kind = SHOOTER_KINDS[int(sh.kind[j])]
        shooters.append({"id": jid, "type": sh.type_names[j], "kind": kind, "lonlat": [float(x) for x in sh.lonlat[j]],
                         "side": "defended" if sh.side[j] == 0 else "allied", "envelope_m": env,
                         "inventory": int(sh.inventory[j]), "posture": ("qra" if bool(sh.qra[j]) else "cap")
                         if kind == "fighter" else None})
    caps = [{"id": s["id"], "lonlat": s["lonlat"], "side": s["side"]} for s in shooters
            if s["kind"] == "fighter" and s["posture"] == "cap"]
    return {
        "scenario": sc.id, "title": sc.title, "option": p.option,
        "bbox": [float(x) for x in sc.theatre.bbox] if getattr(sc.theatre, "bbox", None) else None,
        "threat_types": [tt.names[k] for k in in_raid],
        "threat_type_classes": {tt.names[k]: THREAT_CLASSES[int(tt.cls[k])] for k in in_raid},
        "threat_classes": list(THREAT_CLASSES),
        "assets": [{"id": a.id, "kind": a.kind, "lonlat": list(a.lonlat), "radius_m": float(a.radius),
                    "population": int(a.population)} for a in sc.assets],
        "launch_areas": [{"id": a.id, "lonlat": list(a.lonlat), "radius_m": float(a.radius)} for a in sc.launch_areas],
        "sensors": sensors, "shooters": shooters, "cap_stations": caps,
        "air_bases": [{"id": b.id, "lonlat": list(b.lonlat)} for b in sc.air_bases],
    }


def _keyframes(seg: Any, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per threat, the positions of its flight path at keyframe times: the start of every
    segment, points at most :data:`_DENSIFY_M` apart inside it, and the end of the last one.
    Returns ``offsets (n + 1,)``, ``t_s (K,)``, ``lonlat (K, 2)``."""
    from ..engine.trajectory import lonlat_at
    from ..geo import EARTH_RADIUS_M

    order = np.lexsort((seg.local, seg.threat))
    m_all, t_all = [], []
    for m in order:  # a few thousand segments a night: a loop over them is fine here
        t0, t1 = float(seg.t0_s[m]), float(seg.t1_s[m])
        k = max(1, int(math.ceil(float(seg.arc_rad[m]) * EARTH_RADIUS_M / _DENSIFY_M)))
        m_all += [m] * k
        t_all += list(t0 + (t1 - t0) * np.arange(k) / k)
    # the end of every threat's last segment
    last = {}
    for m in order:
        last[int(seg.threat[m])] = m
    thr_of = [int(seg.threat[m]) for m in m_all]
    rows = list(zip(thr_of, t_all, m_all))
    rows += [(i, float(seg.t1_s[m]), m) for i, m in last.items()]
    rows.sort(key=lambda r: (r[0], r[1]))
    thr = np.array([r[0] for r in rows], np.int64)
    t = np.array([r[1] for r in rows], float)
    mm = np.array([r[2] for r in rows], np.int64)
    lo, la = lonlat_at(seg, mm, t)
    offsets = np.searchsorted(thr, np.arange(n + 1))
    return offsets, t, np.column_stack([lo, la])


def _col(t: Any, name: str) -> list[Any]:
    return t[name].to_pylist()


def playback(scenario: str | Path | Scenario, options: str | Sequence[str] = ("none", "umbrella"),
             replication: int = 0, seed: int = 0, catalog: Sequence[str | Path] = ()) -> dict[str, Any]:
    """One replication flown under each option: the threats' flight paths (the same raid for
    every option: common random numbers) and, per option, every event of the night.

    The replication is the one :func:`skyshield.compare` runs as replication ``replication``
    with ``seed`` (statistical fidelity), so the events here add up to that replication's
    metrics.

    Returns
    -------
    dict
        ``threats``: ``type``, ``class``, ``launch_s``, keyframe ``offsets`` with ``t_s`` and
        ``lon``/``lat`` (flat lists); ``options``: per option ``end_s`` and ``outcome`` per
        threat and the events as columns (``t_s``, ``kind``, ``threat``, ``shooter``, ``lon``,
        ``lat``, ``debris_lon``, ``debris_lat``); ``shooters``: positions of every shooter
        named by an event.
    """
    from ..catalog import THREAT_CLASSES
    from ..engine import compile_scenario, simulate
    from ..engine.raid import sample_raid
    from ..engine.trajectory import build_segments
    from ..options import resolve_option
    from ..rng import Streams

    if isinstance(replication, bool) or not isinstance(replication, int) or not 0 <= replication < 100_000:
        raise ValueError("replication must be a whole number in [0, 100000)")
    sc, cat, _ = load_inputs(scenario, catalog)
    names = resolve_options(options, sc)
    out: dict[str, Any] = {"scenario": sc.id, "seed": int(seed), "replication": replication,
                           "duration_s": float(sc.duration), "options": {}, "shooters": {}}
    ref = None
    for o in names:
        p = compile_scenario(sc, cat, resolve_option(o, sc))
        raid = sample_raid(p, Streams(seed=int(seed), replication=replication, sample=0))
        if ref is None:
            seg = build_segments(raid, p)
            offsets, t, ll = _keyframes(seg, raid.size)
            tt = p.threat_types
            out["threats"] = {
                "n": raid.size,
                "type": [tt.names[k] for k in raid.type_index],
                "class": [THREAT_CLASSES[int(tt.cls[k])] for k in raid.type_index],
                "launch_s": [round(float(x), 1) for x in raid.launch_s],
                "offsets": offsets.tolist(), "t_s": np.round(t, 1).tolist(),
                "lon": np.round(ll[:, 0], 4).tolist(), "lat": np.round(ll[:, 1], 4).tolist(),
            }
            ref = (raid.launch_s.copy(), raid.type_index.copy())
        elif not (np.array_equal(ref[0], raid.launch_s) and np.array_equal(ref[1], raid.type_index)):
            raise ValueError(f"option {o!r} flies another raid than {names[0]!r}: common random numbers broken")
        ev = simulate(p, int(seed), replication).events
        for j, jid in enumerate(p.shooters.ids):
            out["shooters"].setdefault(jid, [float(x) for x in p.shooters.lonlat[j]])
        out["options"][o] = _option_events(ev, raid.size, float(sc.duration))
    return out


_FINAL = ("kill", "suppress", "hit", "leak")  # what ends a threat's flight, in order of precedence


def _option_events(ev: Any, n: int, duration_s: float) -> dict[str, Any]:
    t = np.asarray(_col(ev, "t_s"), float)
    kind = _col(ev, "kind")
    thr = np.asarray([-1 if x is None else x for x in _col(ev, "threat")], np.int64)
    end = np.full(n, duration_s)
    outcome = ["in-flight"] * n
    for i in range(len(t)):
        k = kind[i]
        if k in _FINAL and thr[i] >= 0 and (outcome[thr[i]] == "in-flight" or _FINAL.index(k) < _FINAL.index(outcome[thr[i]])):
            outcome[thr[i]] = k
            end[thr[i]] = t[i]

    def num(name: str) -> list[float | None]:
        return [None if v is None or (isinstance(v, float) and not math.isfinite(v)) else round(v, 4)
                for v in _col(ev, name)]

    return {
        "end_s": np.round(end, 1).tolist(), "outcome": outcome,
        "events": {"t_s": np.round(t, 1).tolist(), "kind": kind, "threat": thr.tolist(),
                   "shooter": _col(ev, "shooter"), "weapon": _col(ev, "weapon"),
                   "lon": num("lon_deg"), "lat": num("lat_deg"),
                   "debris_lon": num("debris_lon_deg"), "debris_lat": num("debris_lat_deg")},
        "counts": {k: int(sum(1 for x in kind if x == k)) for k in sorted(set(kind))},
        "notes": [{"t_s": float(t[i]), "text": d} for i, d in enumerate(_col(ev, "detail") if "detail" in
                                                                         ev.column_names else []) if d],
    }


PARETO_AXES = (("interceptor_cost_usd", "min"), ("leaked", "min"), ("max_rung", "min"))
"""Objectives of the web app's Pareto chart: cost (x), leakers (y), escalation (marker)."""


def pareto_view(menu: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Per option the means of :data:`PARETO_AXES` with their intervals and whether the option
    is on the Pareto front (no other option at least as good on all three and better on one).

    ``menu`` maps option -> metric -> ``{"mean", "ci95"}`` (a result document's option
    metrics, or a store's option menu).
    """
    from ..analysis.pareto import pareto_mask

    opts = list(menu)
    pts = [[(menu[o].get(k) or {}).get("mean") for k, _ in PARETO_AXES] for o in opts]
    arr = np.array([[np.nan if v is None else float(v) for v in row] for row in pts], float).reshape(len(opts), -1)
    mask = pareto_mask(arr, [s for _, s in PARETO_AXES]) if opts else np.zeros(0, bool)
    return [{"option": o, **{k: menu[o].get(k) for k, _ in PARETO_AXES}, "front": bool(f)}
            for o, f in zip(opts, mask)]


def list_stores(folder: str | Path) -> list[dict[str, Any]]:
    """The results stores (``skyshield sweep`` outputs) directly inside ``folder``."""
    from ..store import is_store, read_manifest

    root = Path(folder)
    out = []
    if not root.is_dir():
        return out
    for d in sorted(root.iterdir()):
        if d.is_dir() and not d.is_symlink() and is_store(d):
            man = read_manifest(d)
            out.append({"name": d.name, "scenario": man.get("scenario", {}).get("id"),
                        "experiment": man.get("experiment", {}).get("id"), "options": man.get("options")})
    return out


def store_summary(root: str | Path) -> dict[str, Any]:
    """A results store's provenance and option menu (mean and 95 % CI per metric, over all
    design points; DuckDB catalog underneath) with its Pareto view."""
    from ..analysis import option_menu
    from ..store import ResultStore, query

    st = ResultStore.open(root)
    try:
        man = st.manifest
        # the metrics view of the store's DuckDB catalog (every finished chunk's Parquet file)
        t = query(st, "SELECT * FROM metrics ORDER BY option, sample, replication")
        menu = option_menu(t, st.options) if t.num_rows else {o: {} for o in st.options}

        def clean(x: Any) -> Any:
            return None if isinstance(x, float) and not math.isfinite(x) else x

        options = {o: {k: {"mean": clean(v["mean"]), "ci95": [clean(c) for c in v["ci95"]], "n": v["n"]}
                       for k, v in menu[o].items()} for o in st.options}
        return {
            "provenance": {"experiment": man["experiment"].get("id"), "scenario": man["scenario"]["id"],
                           "scenario_hash": man["scenario"]["hash"], "seed_entropy": man["seed_entropy"],
                           "samples": st.n_samples, "replications": st.replications, "done": st.done,
                           "total": st.total, "code_version": man.get("code_version")},
            "options": options,
            "pareto": pareto_view(options),
        }
    finally:
        st.close()
