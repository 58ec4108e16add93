"""Tiny synthetic scenarios built in code for engagement tests: threats flying one by one
straight over shooters whose envelopes, pk, salvo and doctrine the test chooses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from skyshield.catalog import Catalog, load_catalog
from skyshield.engine import EngineParams, compile_scenario
from skyshield.geo import great_circle_waypoints
from skyshield.options import resolve_option
from skyshield.scenario import parse_scenario

LAUNCH = (30.0, 50.0)
AIM = (31.5, 50.0)


def catalog(tmp_path: Path, pk: float, salvo: int, max_range: str = "2 km", inventory: int = 100000,
            reloads: int | None = None, channels: int = 100, speed: str = "1000 m/s",
            reaction: str = "0 s", radar_range: str = "500 km", ew_pk: float = 0.5,
            ew_range: str = "5 km") -> Catalog:
    """A catalog overlay with ``test-sam`` (the parameters given), ``test-missile`` (a cruise
    missile at 5 km altitude), ``test-radar`` and ``test-ew`` (a GNSS jammer whose soft-kill
    probability for cruise threats is ``ew_pk`` within ``ew_range``)."""
    sam: dict[str, Any] = {
        "name": "test SAM", "kind": "sam", "radar": "test-radar", "interceptor": "test-interceptor",
        "interceptor_cost": {"value": "1 MUSD", "source": "t"},
        "interceptor_speed": {"value": "3000 m/s", "source": "t"},
        "inventory": {"value": inventory, "source": "t"},
        "reaction_time": {"value": reaction, "source": "t"},
        "fire_channels": channels,
        "envelopes": {"cruise": {"max_range": max_range, "max_altitude": "20 km", "pk": pk, "salvo": salvo, "source": "t"}},
    }
    if reloads is not None:
        sam["reload_time"] = {"value": "60 s", "source": "t"}
        sam["reloads"] = {"value": reloads, "source": "t"}
    overlay = {
        "sources": {"t": "synthetic values for engagement tests"},
        "threats": {"test-missile": {
            "name": "test missile", "class": "cruise", "profile": "cruise",
            "speed": {"value": speed, "source": "t"}, "altitude": {"value": "5 km", "source": "t"},
            "range": {"value": "1000 km", "source": "t"}, "rcs": {"value": "1 m2", "source": "t"},
            "cost": {"value": "1 MUSD", "source": "t"}, "warhead": True,
            "damage_probability": {"value": 1.0, "source": "t"},
            "damage_fraction": {"value": 0.01, "source": "t"},
        }},
        "sensors": {"test-radar": {
            "name": "test radar", "kind": "fire-control",
            "reference_range": {"value": radar_range, "source": "t"}, "height": {"value": "10 m", "source": "t"},
            "revisit": {"value": "1 s", "source": "t"}, "pd_scan": {"value": 1.0, "source": "t"},
        }},
        "shooters": {"test-sam": sam, "test-ew": {
            "name": "test jammer", "kind": "ew", "radar": "test-radar", "interceptor": "none",
            "interceptor_cost": {"value": "0 USD", "source": "t"},
            "interceptor_speed": {"value": "1 m/s", "source": "t"},
            "inventory": {"value": 0, "source": "t"}, "reaction_time": {"value": "0 s", "source": "t"},
            "fire_channels": 1,
            "envelopes": {"cruise": {"max_range": ew_range, "max_altitude": "20 km", "pk": ew_pk, "salvo": 1,
                                     "source": "t"}},
        }},
    }
    f = tmp_path / ("cat-" + "-".join(str(x) for x in (pk, salvo, max_range, inventory, reloads, channels, speed,
                                                       reaction, radar_range, ew_pk, ew_range)).replace(" ", "").replace("/", "") + ".yaml")
    f.write_text(yaml.safe_dump(overlay))
    return load_catalog([f])


def scenario_doc(forces: list[dict], n: int, window: str = "1 h", doctrine: dict | None = None,
                 threat: str = "test-missile", launch=LAUNCH, aim=AIM, extra: dict | None = None) -> dict:
    doc: dict[str, Any] = {
        "id": "engagement-test-v1", "title": "engagement test",
        "theatre": {"defended": "UKR", "allied": ["POL", "ROU"], "adversary": ["RUS", "BLR"]},
        "duration": "6 h", "decision_interval": "20 s",
        "assets": [{"id": "aim", "kind": "city", "lonlat": list(aim), "radius": "1 m"}],
        "launch_areas": [{"id": "pad", "lonlat": list(launch), "radius": "0 km"}],
        "forces": forces,
        "raid": {"groups": [{"id": "raid", "type": threat, "count": n, "launch_areas": ["pad"],
                             "launch_window": ["0 h", window], "targets": {"aim": 1}, "dispersion": "0 km"}]},
    }
    if doctrine:
        doc["doctrine"] = doctrine
    if extra:
        doc.update(extra)
    return doc


def mid_point() -> list[float]:
    lon, lat = great_circle_waypoints(*LAUNCH, *AIM, 3)
    return [float(lon[1]), float(lat[1])]


def compile_doc(doc: dict, cat: Catalog, option: str = "none") -> EngineParams:
    sc = parse_scenario(doc, {}, "<test>", cat)
    return compile_scenario(sc, cat, resolve_option(option, sc))


def corridor(tmp_path: Path, pk: float, salvo: int, n: int = 10, max_range: str = "2 km",
             doctrine: dict | None = None, **cat_kw) -> EngineParams:
    cat = catalog(tmp_path, pk, salvo, max_range=max_range, **cat_kw)
    forces = [{"id": "sam", "type": "test-sam", "side": "defended", "lonlat": mid_point()}]
    return compile_doc(scenario_doc(forces, n, doctrine=doctrine), cat)
