"""A synthetic corridor for oracle tests: n missiles fly one by one straight over a single
SAM whose envelope is so short that each missile can receive exactly one salvo."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from skyshield.catalog import Catalog, load_catalog
from skyshield.documents.validate import validate_document
from skyshield.engine import EngineParams, compile_scenario
from skyshield.geo import great_circle_waypoints
from skyshield.options import resolve_option
from skyshield.scenario import parse_scenario

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml"

LAUNCH = (30.0, 50.0)
AIM = (31.5, 50.0)


def corridor_catalog(tmp_path: Path, pk: float, salvo: int) -> Catalog:
    overlay = {
        "sources": {"test-oracle": "synthetic values for oracle tests"},
        "threats": {
            "test-missile": {
                "name": "test missile", "class": "cruise", "profile": "cruise",
                "speed": {"value": "1000 m/s", "source": "test-oracle"},
                "altitude": {"value": "5 km", "source": "test-oracle"},
                "range": {"value": "1000 km", "source": "test-oracle"},
                "rcs": {"value": "1 m2", "source": "test-oracle"},
                "cost": {"value": "1 MUSD", "source": "test-oracle"},
                "warhead": True,
                "damage_probability": {"value": 1.0, "source": "test-oracle"},
                "damage_fraction": {"value": 0.01, "source": "test-oracle"},
            }
        },
        "sensors": {
            "test-radar": {
                "name": "test radar", "kind": "fire-control",
                "reference_range": {"value": "500 km", "source": "test-oracle"},
                "height": {"value": "10 m", "source": "test-oracle"},
                "revisit": {"value": "1 s", "source": "test-oracle"},
                "pd_scan": {"value": 1.0, "source": "test-oracle"},
            }
        },
        "shooters": {
            "test-sam": {
                "name": "test SAM", "kind": "sam", "radar": "test-radar", "interceptor": "test",
                "interceptor_cost": {"value": "1 MUSD", "source": "test-oracle"},
                "interceptor_speed": {"value": "3000 m/s", "source": "test-oracle"},
                "inventory": {"value": 100000, "source": "test-oracle"},
                "reaction_time": {"value": "0 s", "source": "test-oracle"},
                "fire_channels": 100,
                "envelopes": {
                    "cruise": {"max_range": "2 km", "max_altitude": "20 km", "pk": pk, "salvo": salvo,
                               "source": "test-oracle"}
                },
            }
        },
    }
    f = tmp_path / f"oracle-catalog-{pk}-{salvo}.yaml"
    f.write_text(yaml.safe_dump(overlay))
    return load_catalog([f])


def corridor_params(tmp_path: Path, pk: float, salvo: int, n: int = 10) -> EngineParams:
    cat = corridor_catalog(tmp_path, pk, salvo)
    lon, lat = great_circle_waypoints(*LAUNCH, *AIM, 3)
    mid = [float(lon[1]), float(lat[1])]
    doc: dict[str, Any] = yaml.safe_load(MINI.read_text())
    doc = copy.deepcopy(doc)
    doc["assets"] = [{"id": "aim", "kind": "city", "lonlat": list(AIM), "radius": "1 m"}]
    doc["launch_areas"] = [{"id": "pad", "lonlat": list(LAUNCH), "radius": "0 km"}]
    doc["forces"] = [{"id": "sam", "type": "test-sam", "side": "defended", "lonlat": mid}]
    doc["raid"] = {"groups": [{
        "id": "salvo", "type": "test-missile", "count": n, "launch_areas": ["pad"],
        "launch_window": ["0 h", "1 h"], "targets": {"aim": 1}, "dispersion": "0 km",
    }]}
    sc = parse_scenario(doc, {}, "<oracle>", cat)
    return compile_scenario(sc, cat, resolve_option("none", sc))
