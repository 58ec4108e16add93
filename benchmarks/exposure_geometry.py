"""Exposure geometry of the option menu on the reference night, and its sensitivity to every
notional value of the adversary laydown (the tables of docs/escalation.md, "Exposure geometry").

Run from the repository root::

    .venv/bin/python benchmarks/exposure_geometry.py
    .venv/bin/python benchmarks/exposure_geometry.py --options forward-cap,sky-shield

Closed forms, no Monte Carlo: for each option the stations' unit-hours on station, the
unit-hours inside SAM and fighter envelopes, the expected number of times allied aircraft are
fired upon in a night (``exposure_hazard`` :math:`H`, a sum over envelopes of rate x hours
inside), :math:`P(\\ge 1) = 1 - e^{-H}` and the expected allied losses (the same sum weighted by
each envelope's Pk), exactly what ``simulate`` reports as ``exposure_*`` metrics for a single
night (no tension). Every variant changes one notional value to the low or high end of its
range; the last line printed is one JSON object with every cell.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace

SCENARIO = "eastern-flank-night-raid-v1"
OPTIONS = ("air-policing", "umbrella", "integrated-ops", "forward-cap", "sky-shield")
KYIV = (30.52, 50.45)


def _scale_system(lay, system: str, **mult):
    """The laydown with the fields of every envelope of ``system`` multiplied (``pk`` capped at 1)."""
    out = []
    for e in lay.envelopes:
        if e.system == system:
            upd = {k: (min(1.0, getattr(e, k) * v) if k.startswith("pk") else getattr(e, k) * v) for k, v in mult.items()}
            e = replace(e, **upd)
        out.append(e)
    return lay.with_envelopes(out)


def _belarus(lay, factor: float):
    """Belarusian units' own rate factor set to ``factor`` (the laydown's is 0.5, times the system's)."""
    return lay.with_envelopes([replace(e, rate_factor=e.rate_factor * factor / 0.5) if e.country == "BLR" else e
                               for e in lay.envelopes])


def _toward_kyiv(lay, d_m: float):
    """Every unit moved ``d_m`` toward Kyiv (region centres are notional: units near the border)."""
    from skyshield.geo import destination_point, initial_bearing_deg

    out = []
    for e in lay.envelopes:
        b = float(initial_bearing_deg(e.lon_deg, e.lat_deg, *KYIV))
        lon, lat = destination_point(e.lon_deg, e.lat_deg, b, d_m)
        out.append(replace(e, lon_deg=float(lon), lat_deg=float(lat)))
    return lay.with_envelopes(out)


def variants():
    """(label, parameter, how) for the defaults and each notional value at its low and high end.

    ``how`` is ``("esc", field, value)`` for an :class:`~skyshield.policy.spec.Escalation` field or
    ``("lay", function)`` for a change of the laydown.
    """
    from skyshield.policy.escalation import SENSITIVITY_RANGES

    out = [("defaults", "", None)]
    for name in ("exposure_fire_rate_per_h", "envelope_scale", "allied_airspace_factor"):
        lo, hi = SENSITIVITY_RANGES[name]
        out += [(f"{name} = {lo:g}", name, ("esc", name, lo)), (f"{name} = {hi:g}", name, ("esc", name, hi))]
    lay = [
        ("S-400 reach vs fighters 100 km", "s-400 reach_m.fighter", lambda L: _scale_system(L, "s-400", reach_fighter_m=100 / 150)),
        ("S-400 reach vs fighters 250 km (48N6 claim)", "s-400 reach_m.fighter", lambda L: _scale_system(L, "s-400", reach_fighter_m=250 / 150)),
        ("S-400 reach vs AEW 250 km", "s-400 reach_m.aew", lambda L: _scale_system(L, "s-400", reach_aew_m=250 / 380)),
        ("S-300 reach vs fighters 60 km", "s-300 reach_m.fighter", lambda L: _scale_system(L, "s-300", reach_fighter_m=0.6)),
        ("S-300 reach vs fighters 150 km", "s-300 reach_m.fighter", lambda L: _scale_system(L, "s-300", reach_fighter_m=1.5)),
        ("fighter patrol reach vs fighters 80 km", "fighter-cap reach_m.fighter", lambda L: _scale_system(L, "fighter-cap", reach_fighter_m=80 / 110)),
        ("fighter patrol reach vs fighters 200 km (R-37M)", "fighter-cap reach_m.fighter", lambda L: _scale_system(L, "fighter-cap", reach_fighter_m=200 / 110)),
        ("fighter patrol rate factor 0.2", "fighter-cap rate_factor", lambda L: _scale_system(L, "fighter-cap", rate_factor=0.4)),
        ("fighter patrol rate factor 1.0", "fighter-cap rate_factor", lambda L: _scale_system(L, "fighter-cap", rate_factor=2.0)),
        ("every Pk x 0.5", "pk", lambda L: L.with_envelopes([replace(e, pk_fighter=e.pk_fighter * 0.5, pk_aew=e.pk_aew * 0.5) for e in L.envelopes])),
        ("every Pk x 1.5", "pk", lambda L: L.with_envelopes([replace(e, pk_fighter=min(1, e.pk_fighter * 1.5), pk_aew=min(1, e.pk_aew * 1.5)) for e in L.envelopes])),
        ("pk_edge_ratio = 0.2", "pk_edge_ratio", lambda L: replace(L, pk_edge_ratio=0.2)),
        ("pk_edge_ratio = 1", "pk_edge_ratio", lambda L: replace(L, pk_edge_ratio=1.0)),
        ("Belarusian units' rate factor 0.1", "BLR rate_factor", lambda L: _belarus(L, 0.1)),
        ("Belarusian units' rate factor 1", "BLR rate_factor", lambda L: _belarus(L, 1.0)),
        ("orbit radius 10 km", "orbit_radius_m", lambda L: replace(L, orbit_radius_m=10e3)),
        ("orbit radius 50 km", "orbit_radius_m", lambda L: replace(L, orbit_radius_m=50e3)),
        ("allied fighters at 1 km", "altitude_m.fighter", lambda L: replace(L, altitude_fighter_m=1000.0)),
        ("allied fighters at 9 km", "altitude_m.fighter", lambda L: replace(L, altitude_fighter_m=9000.0)),
        ("every unit 50 km toward Kyiv", "positions", lambda L: _toward_kyiv(L, 50e3)),
        ("every unit 100 km toward Kyiv", "positions", lambda L: _toward_kyiv(L, 100e3)),
    ]
    out += [(label, name, ("lay", f)) for label, name, f in lay]
    return out


def option_exposure(params, pol) -> dict:
    """Closed-form exposure metrics of one option's stations for one night (no tension)."""
    from skyshield.policy.exposure import envelope_rates_per_h, station_exposure, station_intervals

    esc = pol.escalation
    m = {"unit_h": 0.0, "sam_h": 0.0, "fighter_h": 0.0, "hazard": 0.0, "losses": 0.0, "russian_h": 0.0}
    for s in pol.stations:
        u = sum(b - a for a, b in station_intervals(params, s)) / 3600.0
        m["unit_h"] += u
        if pol.laydown is None or u <= 0:
            continue
        sx = station_exposure(s, pol.laydown, float(esc.envelope_scale), float(esc.allied_airspace_factor))
        if not sx.envelope:
            continue
        r = envelope_rates_per_h(sx, esc)
        envs = [pol.laydown.envelopes[k] for k in sx.envelope]
        for e, q in zip(envs, sx.share_inside):
            m["sam_h" if e.kind == "sam" else "fighter_h"] += float(q) * u
            if e.country == "RUS":
                m["russian_h"] += float(q) * u
        m["hazard"] += float(r.sum()) * u
        m["losses"] += float((r * sx.pk).sum()) * u
    m["p_fired_upon"] = -math.expm1(-m["hazard"])
    return m


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=SCENARIO)
    ap.add_argument("--options", default=",".join(OPTIONS))
    a = ap.parse_args()
    from skyshield.catalog import load_catalog
    from skyshield.engine import compile_scenario
    from skyshield.options import resolve_option
    from skyshield.scenario import load_scenario

    cat = load_catalog()
    sc = load_scenario(a.scenario, cat)
    opts = a.options.split(",")
    params = {o: compile_scenario(sc, cat, resolve_option(o, sc)) for o in opts}
    cells: dict = {}
    for label, _name, how in variants():
        for o, p in params.items():
            pol = p.policy
            if how is not None and how[0] == "esc":
                pol = replace(pol, escalation=pol.escalation.model_copy(update={how[1]: how[2]}))
            elif how is not None and pol.laydown is not None:
                pol = replace(pol, laydown=how[1](pol.laydown))
            cells[f"{label} | {o}"] = option_exposure(p, pol)

    print(f"## Exposure on {a.scenario} (defaults)\n")
    print("| option | unit-h on station | unit-h in SAM envelopes | unit-h in fighter envelopes | "
          "unit-h in Russian envelopes | expected times fired upon | P(fired upon) | expected losses |")
    print("|---|---|---|---|---|---|---|---|")
    for o in opts:
        c = cells[f"defaults | {o}"]
        print(f"| `{o}` | {c['unit_h']:.0f} | {c['sam_h']:.1f} | {c['fighter_h']:.1f} | {c['russian_h']:.1f} | "
              f"{c['hazard']:.2g} | {c['p_fired_upon']:.3f} | {c['losses']:.2g} |")
    print("\n## Sensitivity: expected times fired upon / expected losses per night\n")
    print("| variant | " + " | ".join(f"`{o}`" for o in opts) + " |")
    print("|---|" + "---|" * len(opts))
    for label, _name, _how in variants():
        row = " | ".join(f"{cells[f'{label} | {o}']['hazard']:.2g} / {cells[f'{label} | {o}']['losses']:.2g}" for o in opts)
        print(f"| {label} | {row} |")
    print(json.dumps({"scenario": a.scenario, "cells": cells}, sort_keys=True))


if __name__ == "__main__":
    main()
