"""What the report's maps show, computed from a results store: per option the sensors' coverage,
the defended assets (with their names), the launch areas, the tracks of one replication's
threats and where intercepts, leakers and hits happened.

The physics comes from where it lives (:func:`skyshield.sensors.radar.detection_range_m`, the
raid sampler and trajectories of :mod:`skyshield.engine`); the report only draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow.compute as pc

__all__ = ["MapLayers", "map_layers"]


@dataclass
class MapLayers:
    """One option's map: each list holds plain tuples, ready to draw."""

    title: str
    sensors: list[tuple[float, float, float, str]]  # lon, lat, detection range (m), side
    assets: list[tuple[str, float, float, str]]  # id, lon, lat, kind
    launch_areas: list[tuple[str, float, float, float]]  # id, lon, lat, radius (m)
    tracks: list[tuple[np.ndarray, np.ndarray, str]] = field(default_factory=list)  # lon, lat, threat class
    points: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)  # kills, leaks, hits


def map_layers(store: Any, options: Sequence[str], n_reps: int, track_replication: int = 0,
               max_tracks: int = 400) -> tuple[list[MapLayers], Any]:
    """Map layers of every option of ``store`` (design point 0), and its scenario.

    Coverage is each sensor's detection range against the raid's most numerous threat type at
    its cruise altitude (radar equation capped by the 4/3-earth horizon); tracks are the paths
    of the threats of replication ``track_replication`` (the same raid for every option: common
    random numbers), at most ``max_tracks`` of them; points are the events of replications
    ``0 .. n_reps - 1``.
    """
    from ..catalog import THREAT_CLASSES
    from ..engine import compile_scenario
    from ..engine.raid import sample_raid
    from ..geo import unit_to_lonlat
    from ..options import resolve_option
    from ..rng import Streams
    from ..sensors.radar import detection_range_m

    sc, cat = store.inputs()
    assets = [(a.id, a.lonlat[0], a.lonlat[1], a.kind) for a in sc.assets]
    areas = [(a.id, a.lonlat[0], a.lonlat[1], float(a.radius)) for a in sc.launch_areas]
    out = []
    for o in options:
        p = compile_scenario(sc, cat, resolve_option(o, sc))
        sen, tt = p.sensors, p.threat_types
        counts = np.zeros(len(tt.names))
        for g in p.raid:
            counts[g.type_index] += g.count
        k = int(np.argmax(counts)) if counts.size else 0
        lon, lat = unit_to_lonlat(sen.unit)
        r = (detection_range_m(sen.ref_range_m, tt.rcs_m2[k], sen.height_m, tt.alt_m[k]) if counts.size
             else np.zeros(len(sen.ids)))
        sensors = [(float(a), float(b), float(c), "defended" if s == 0 else "allied")
                   for a, b, c, s in zip(np.atleast_1d(lon), np.atleast_1d(lat), np.atleast_1d(r), sen.side)]
        layer = MapLayers(f"{o}: coverage vs {tt.names[k] if counts.size else '-'}", sensors, assets, areas)
        raid = sample_raid(p, Streams(seed=store.seed_entropy, replication=track_replication, sample=0))
        for i in range(min(raid.size, max_tracks)):
            w = raid.waypoints[i, : raid.n_points[i]]
            layer.tracks.append((w[:, 0], w[:, 1], THREAT_CLASSES[int(tt.cls[raid.type_index[i]])]))
        ev = store.events(option=o, sample=0, replications=n_reps)
        if ev is not None:
            for key, kind in (("kills", "kill"), ("leaks", "leak"), ("hits", "hit")):
                sub = ev.filter(pc.equal(ev["kind"], kind))
                layer.points[key] = (sub["lon_deg"].to_numpy(zero_copy_only=False),
                                     sub["lat_deg"].to_numpy(zero_copy_only=False))
            layer.title += f"; events of replications 0-{n_reps - 1}"
        layer.title += f"; tracks of replication {track_replication}"
        out.append(layer)
    return out, sc
