"""Hostile-input corpus for the command line: bad scenarios, catalog overlays, experiment
files, attack records and special files, run through the real CLI and classified.

Every input is run in a forked child of this process (the package imported once, caches
warm), with its own process group, an address-space limit (``--mem-gb``) and a wall-clock
limit (``--timeout``). Each input carries what a careful reader would expect of it:

* ``reject``: physically meaningless or malformed; the right answer is exit 2 with a message
  that names the file (and, for documents, the line and the field);
* ``accept``: valid (standard YAML features, a UTF-8 BOM, sane values); the right answer is
  a run that finishes (exit 0) with valid JSON.

Outcomes, per input (the worst over the commands it is put through):

* ``clean``: exit 2, no traceback, the message names the input file;
* ``unlocated``: exit 2 without naming the file;
* ``traceback``: a Python traceback, or an exit status other than 0 and 2;
* ``hang``: still running at the time limit (killed);
* ``exhausted``: MemoryError, or killed by a signal (the address-space limit);
* ``silent``: a ``reject`` input accepted (exit 0), or a scenario that ``validate`` accepts
  and ``run`` then refuses;
* ``ok``: an ``accept`` input that ran; ``refused``: an ``accept`` input refused (exit 2).

Run from the repository root::

    .venv/bin/python benchmarks/fuzz_inputs.py                 # whole corpus (30 s, 4 GB a command)
    .venv/bin/python benchmarks/fuzz_inputs.py --json out.json # and every input's outcome
    .venv/bin/python benchmarks/fuzz_inputs.py --kinds records --show silent,traceback
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

# ---------------------------------------------------------------------------------------------
# The base documents
# ---------------------------------------------------------------------------------------------

BASE_SCENARIO = """\
id: fuzz-base-v1
title: Fuzzing base scenario
theatre:
  defended: UKR
  allied: [POL, ROU]
  adversary: [RUS, BLR]
  occupied: [[33.0, 46.0], [38.0, 46.0], [38.0, 48.5], [33.0, 48.5]]
  bbox: [12.0, 40.0, 52.0, 60.0]
duration: 4 h
decision_interval: 20 s
assets:
  - {id: kyiv, kind: city, lonlat: [30.52, 50.45], radius: 15 km, population: 2950000, value: 1.0e9}
  - {id: rzeszow, kind: logistics, lonlat: [22.0, 50.04], radius: 5 km, population: 190000, value: 5.0e8}
launch_areas:
  - {id: north, lonlat: [33.80, 52.80], radius: 20 km}
air_bases:
  - {id: vasylkiv, lonlat: [30.25, 50.23]}
forces:
  - {id: radar-kyiv, type: ground-surveillance-radar, side: defended, lonlat: [30.30, 50.55]}
  - {id: sam-kyiv, type: iris-t-slm, side: defended, lonlat: [30.45, 50.55], count: 2, inventory: 20}
  - id: f16
    type: f-16-cap
    side: defended
    lonlat: [30.25, 50.23]
    fighter: {posture: qra, base: vasylkiv, alert: 5 min, sorties: 2}
  - {id: patriot-pl, type: patriot-pac3, side: allied, package: umbrella-pl, lonlat: [22.0, 50.1]}
doctrine:
  firing: shoot-look-shoot
  look_time: 5 s
  assignment: greedy
  priority_threat_value: 1.0
  priority_time_to_go: 1.0
  priority_asset_value: 1.0
raid:
  groups:
    - id: drones
      type: shahed-136
      count: 8
      launch_areas: [north]
      launch_window: [0 h, 1 h]
      targets: {kyiv: 2, rzeszow: 1}
      via: [[[31.5, 51.5]]]
      dispersion: 10 km
    - id: cruise
      type: kh-101
      count: 2
      launch_areas: [north]
      launch_window: [0.5 h, 1 h]
      targets: {kyiv: 1}
options:
  shield:
    title: Allied umbrella over Poland
    packages: [umbrella-pl]
    data_sharing: surveillance
    roe: path-crosses-allied
    sharing_latency: 20 s
    link_update: 12 s
    link_outage_fraction: 0.1
    link_outage_duration: 5 min
    clauses:
      - id: energy-major
        trigger: {event: strike, at_least: 3, within: 6 h}
        delay: 1 h
        probability: 0.5
        response: {kind: more-aid, duration: 24 h, aid_interceptors: {PAC-3 MSE: 10}}
"""

BASE_EXPERIMENT = """\
id: fuzz-exp
scenario: scenario.yaml
options: [none, shield]
replications: 2
seed: 7
chunk_size: 1
design: {method: lhs, samples: 2}
parameters:
  - path: catalog.threats.shahed-136.speed
  - path: scenario.raid.groups.drones.count
    low: 4
    high: 8
precision: {metrics: [leaked], relative: 0.1, level: 0.9}
"""

RECORDS_HEADER = (
    "time_start,time_end,model,launch_place,target,target_main,launched,destroyed,not_reach_goal,"
    "still_attacking,border_crossing,is_shahed,num_hit_location,num_fall_fragment_location,carrier,"
    "turbojet,turbojet_destroyed,affected region,destroyed_details,launched_details,"
    "launch_place_details,source"
)
RECORDS_ROWS = [
    '2025-07-08 18:00,2025-07-09 09:00,Shahed-136/131,"Kursk oblast and Chauda, Crimea",Ukraine,,40,30,5,,{},30,,,,,,,,,,kpszsu/posts/x',
    "2025-07-08 18:00,2025-07-09 09:00,X-101/X-555 and Kalibr,,Ukraine,,4,3,0,,{},,,,,,,,,,,kpszsu/posts/x",
    "2025-07-08 18:00,2025-07-09 09:00,Iskander-M/KN-23,Belgorod oblast,Ukraine,,2,1,0,,{},,,,,,,,,,,kpszsu/posts/x",
    "2025-07-09,2025-07-09,Unknown UAV,,south,,40,40,,,{},,,,,,,,,,,PvKPivden/posts/y",
]
RECORDS_DATE = "2025-07-09"


def _records(rows: list[str] | None = None, header: str = RECORDS_HEADER) -> str:
    return header + "\n" + "\n".join(RECORDS_ROWS if rows is None else rows) + "\n"


# ---------------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    kind: str  # scenario | catalog | experiment | records | special
    name: str
    expect: str  # reject | accept
    files: dict[str, bytes | str]  # written into the case's folder ("fifo:" makes a FIFO)
    commands: list[list[str]]  # argv lists; "{dir}" is the case's folder
    json_out: bool = False  # the last command prints JSON that must parse
    notes: str = ""


def _dump(doc: object) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _scenario_case(name: str, text: str, expect: str, extra: dict[str, bytes | str] | None = None,
                   catalog: str | None = None, option: str = "shield") -> Case:
    cat = ["--catalog", "{dir}/catalog.yaml"] if catalog is not None else []
    files: dict[str, bytes | str] = {"scenario.yaml": text, **(extra or {})}
    if catalog is not None:
        files["catalog.yaml"] = catalog
    return Case(
        "scenario" if catalog is None else "catalog", name, expect, files,
        [["validate", "{dir}/scenario.yaml", *cat],
         ["run", "{dir}/scenario.yaml", "--option", option, "-n", "2", "-j", "1", "--seed", "1",
          "--format", "json", *cat]],
        json_out=True,
    )


# Physical domains of scenario fields, by field name (the oracle of this corpus, written from
# the physics and the design, not from the schema): kind -> sample of invalid values.
NEG_LEN, NEG_TIME = "-5 km", "-10 s"
BAD_QTY = {
    "length+": ["-5 km", "0 km", "1e400 km", "1e300 km"],  # positive lengths
    "length0+": ["-5 km", "1e400 km", "1e300 km"],  # non-negative lengths
    "time+": ["-10 s", "0 s", "1e400 s", "1e300 h"],
    "time0+": ["-10 s", "1e400 s", "1e300 h"],
    "speed+": ["-10 m/s", "0 m/s", "1e400 m/s", "1e300 m/s"],
    "area+": ["-0.1 m2", "0 m2", "1e400 m2"],
    "money0+": ["-1 USD", "1e400 USD", "1e300 BUSD"],
    "num0+": [-1.0, float("inf"), float("nan"), 1e300],
    "int0+": [-1, True, 10**30, 1.5],
    "int1+": [0, -1, True, 10**30, 1.5],
    "prob": [-0.1, 1.5, float("nan"), True],
}

SCENARIO_FIELDS: list[tuple[tuple[object, ...], str]] = [
    (("duration",), "time+"),
    (("decision_interval",), "time+"),
    (("assets", 0, "radius"), "length+"),
    (("assets", 0, "population"), "int0+"),
    (("assets", 0, "value"), "num0+"),
    (("launch_areas", 0, "radius"), "length0+"),  # 0: launched from an exact point
    (("forces", 1, "count"), "int1+"),
    (("forces", 1, "inventory"), "int0+"),
    (("forces", 2, "fighter", "alert"), "time0+"),
    (("forces", 2, "fighter", "sorties"), "int1+"),
    (("doctrine", "look_time"), "time0+"),
    (("doctrine", "kill_assessment"), "prob"),
    (("doctrine", "priority_threat_value"), "num0+"),
    (("doctrine", "priority_time_to_go"), "num0+"),
    (("doctrine", "priority_asset_value"), "num0+"),
    (("raid", "groups", 0, "count"), "int0+"),
    (("raid", "groups", 0, "dispersion"), "length0+"),
    (("raid", "groups", 0, "targets", "kyiv"), "num0+"),
    (("options", "shield", "sharing_latency"), "time0+"),
    (("options", "shield", "link_update"), "time+"),
    (("options", "shield", "link_outage_duration"), "time+"),
    (("options", "shield", "link_outage_fraction"), "prob"),
    (("options", "shield", "clauses", 0, "delay"), "time0+"),
    (("options", "shield", "clauses", 0, "probability"), "prob"),
    (("options", "shield", "clauses", 0, "trigger", "within"), "time+"),
    (("options", "shield", "clauses", 0, "trigger", "at_least"), "int1+"),
    (("options", "shield", "clauses", 0, "response", "duration"), "time0+"),
    (("options", "shield", "clauses", 0, "response", "aid_interceptors", "PAC-3 MSE"), "int0+"),
]


def _set(doc: object, path: tuple[object, ...], value: object) -> None:
    node = doc
    for p in path[:-1]:
        node = node[p]  # type: ignore[index]
    node[path[-1]] = value  # type: ignore[index]


def _del(doc: object, path: tuple[object, ...]) -> None:
    node = doc
    for p in path[:-1]:
        node = node[p]  # type: ignore[index]
    del node[path[-1]]  # type: ignore[index,attr-defined]


def _yaml_value(v: object) -> str:
    """A value as YAML source (floats such as inf and nan in YAML's own spelling)."""
    if isinstance(v, float):
        if v != v:
            return ".nan"
        if v in (float("inf"), float("-inf")):
            return ".inf" if v > 0 else "-.inf"
        return repr(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v)


def _doc_with(base: str, path: tuple[object, ...], raw: str) -> str:
    doc = yaml.safe_load(base)
    marker = "__FUZZ_MARKER__"
    _set(doc, path, marker)
    return _dump(doc).replace(f"'{marker}'", raw).replace(marker, raw)


def scenario_cases() -> Iterator[Case]:
    base = BASE_SCENARIO
    yield _scenario_case("control: the base scenario", base, "accept")
    # 1. Every numeric field out of its physical domain.
    for path, kind in SCENARIO_FIELDS:
        for v in BAD_QTY[kind]:
            raw = _yaml_value(v) if not isinstance(v, str) else v
            yield _scenario_case(f"{'.'.join(map(str, path))} = {raw[:20]}", _doc_with(base, path, raw), "reject")
    # 2. Orderings, duplicates, polygons, roles, bounds.
    doc = yaml.safe_load(base)

    def variant(name: str, fn: Callable[[dict], None], expect: str = "reject") -> Case:
        d = copy.deepcopy(doc)
        fn(d)
        return _scenario_case(name, _dump(d), expect)

    yield variant("launch window reversed", lambda d: _set(d, ("raid", "groups", 0, "launch_window"), ["1 h", "0 h"]))
    yield variant("launch window negative start", lambda d: _set(d, ("raid", "groups", 0, "launch_window"), ["-1 h", "1 h"]))
    yield variant("launch window infinite", lambda d: _set(d, ("raid", "groups", 0, "launch_window"), ["0 h", "1e400 h"]))
    yield variant("duplicate raid-group id", lambda d: _set(d, ("raid", "groups", 1, "id"), "drones"))
    yield variant("duplicate air-base id", lambda d: d["air_bases"].append({"id": "vasylkiv", "lonlat": [30.0, 50.0]}))
    yield variant("duplicate asset id", lambda d: _set(d, ("assets", 1, "id"), "kyiv"))
    yield variant("duplicate force id", lambda d: _set(d, ("forces", 1, "id"), "radar-kyiv"))
    yield variant("duplicate clause id", lambda d: d["options"]["shield"]["clauses"].append(
        copy.deepcopy(d["options"]["shield"]["clauses"][0])))
    yield variant("empty occupied polygon", lambda d: _set(d, ("theatre", "occupied"), []))
    yield variant("two-point occupied polygon", lambda d: _set(d, ("theatre", "occupied"), [[33, 46], [38, 46]]))
    yield variant("self-intersecting occupied polygon",
                  lambda d: _set(d, ("theatre", "occupied"), [[33, 46], [38, 48.5], [38, 46], [33, 48.5]]))
    yield variant("bbox reversed", lambda d: _set(d, ("theatre", "bbox"), [52.0, 60.0, 12.0, 40.0]))
    yield variant("bbox out of the globe", lambda d: _set(d, ("theatre", "bbox"), [-500.0, 40.0, 52.0, 60.0]))
    yield variant("bbox infinite", lambda d: _set(d, ("theatre", "bbox"), [12.0, 40.0, float("inf"), 60.0]))
    yield variant("unknown country code", lambda d: _set(d, ("theatre", "allied"), ["POL", "XYZ"]))
    yield variant("country in two roles", lambda d: _set(d, ("theatre", "allied"), ["POL", "RUS"]))
    yield variant("defended also allied", lambda d: _set(d, ("theatre", "allied"), ["POL", "UKR"]))
    yield variant("population 1e40", lambda d: _set(d, ("assets", 0, "population"), 10**40))
    yield variant("radius 1e308 km", lambda d: _set(d, ("assets", 0, "radius"), "1e308 km"))
    yield variant("all target weights zero", lambda d: _set(d, ("raid", "groups", 0, "targets"), {"kyiv": 0, "rzeszow": 0}))
    yield variant("priority weights all zero (greedy)", lambda d: d["doctrine"].update(
        priority_threat_value=0, priority_time_to_go=0, priority_asset_value=0))
    yield variant("priority weight 1e300", lambda d: d["doctrine"].update(priority_threat_value=1e300))
    yield variant("count: true", lambda d: _set(d, ("raid", "groups", 0, "count"), True))
    yield variant("count as a string", lambda d: _set(d, ("raid", "groups", 0, "count"), "8"))
    yield variant("lon out of range", lambda d: _set(d, ("assets", 0, "lonlat"), [190.0, 50.0]))
    yield variant("lat NaN", lambda d: _set(d, ("assets", 0, "lonlat"), [30.0, float("nan")]))
    yield variant("waypoint NaN", lambda d: _set(d, ("raid", "groups", 0, "via"), [[[float("nan"), 51.0]]]))
    yield variant("empty via route", lambda d: _set(d, ("raid", "groups", 0, "via"), [[]]))
    yield variant("total threats over the limit", lambda d: d["raid"]["groups"].extend(
        [dict(copy.deepcopy(d["raid"]["groups"][0]), id=f"g{k}", count=100_000) for k in range(3)]))
    yield variant("no options at all", lambda d: d.pop("options"), "reject")  # run --option shield then fails
    yield variant("fighter base unknown", lambda d: _set(d, ("forces", 2, "fighter", "base"), "nowhere"))
    yield variant("unknown data sharing tier", lambda d: _set(d, ("options", "shield", "data_sharing"), "all"))
    yield variant("tripwire lethal radius negative", lambda d: _set(d, ("options", "shield", "tripwire"),
                                                                      {"packages": ["umbrella-pl"], "lethal_radius": "-2 km"}))
    yield variant("escalation rate inf", lambda d: _set(d, ("options", "shield", "escalation"),
                                                          {"response_rate_deliberate": float("inf")}))
    yield variant("escalation response cost negative", lambda d: _set(d, ("options", "shield", "escalation"),
                                                                        {"response_cost": {"more-aid": -1.0}}))
    yield variant("rotation period negative", lambda d: _set(d, ("options", "shield", "rotation"), {"period": "-3 d"}))
    yield variant("transfer lead time negative", lambda d: _set(d, ("options", "shield", "transfer"),
                                                                  {"packages": ["umbrella-pl"], "lead_time": "-30 d"}))
    yield variant("response duration infinite", lambda d: _set(d, ("options", "shield", "clauses", 0, "response", "duration"),
                                                                 "1e400 h"))
    yield variant("response rung 99", lambda d: _set(d, ("options", "shield", "clauses", 0, "response", "rung"), 99))
    # Valid variations (controls): the reader must not refuse what is right.
    yield variant("control: zero population and value", lambda d: d["assets"][0].update(population=0, value=0), "accept")
    yield variant("control: count 0 group", lambda d: _set(d, ("raid", "groups", 1, "count"), 0), "accept")
    yield variant("control: occupied none", lambda d: _set(d, ("theatre", "occupied"), "none"), "accept")
    yield variant("control: launch area of radius 0 (a point)",
                  lambda d: _set(d, ("launch_areas", 0, "radius"), "0 km"), "accept")
    yield variant("control: earliest assignment with zero weights",
                  lambda d: d["doctrine"].update(assignment="earliest", priority_threat_value=0,
                                                 priority_time_to_go=0, priority_asset_value=0), "accept")
    # 3. YAML hazards.
    yaml_cases = [
        ("tag !!int six", base.replace("count: 8", "count: !!int six"), "reject"),
        ("tag !!float abc", base.replace("count: 8", "count: !!float abc"), "reject"),
        ("tag !!timestamp 2020-13-45", base.replace("title: Fuzzing base scenario", "title: !!timestamp 2020-13-45"), "reject"),
        ("tag !!python/object", base.replace("title: Fuzzing base scenario",
                                             "title: !!python/object/apply:os.system ['echo pwned']"), "reject"),
        ("tag !!python/name", base.replace("title: Fuzzing base scenario", "title: !!python/name:os.system ''"), "reject"),
        ("tag !!binary", base.replace("title: Fuzzing base scenario", "title: !!binary aGVsbG8="), "reject"),
        ("tag !!set", base.replace("title: Fuzzing base scenario", "title: !!set {a, b}"), "reject"),
        ("local tag !custom", base.replace("count: 8", "count: !custom 8"), "reject"),
        ("5,000-digit integer", base.replace("count: 8", "count: " + "9" * 5000), "reject"),
        ("5,000-digit float", base.replace("count: 8", "count: 1" + "0" * 5000 + ".5"), "reject"),
        ("complex key", base.replace("duration: 4 h", "? [a, b]\n: 1\nduration: 4 h"), "reject"),
        ("null key", base.replace("duration: 4 h", "~: 1\nduration: 4 h"), "reject"),
        ("integer key", base.replace("duration: 4 h", "7: 1\nduration: 4 h"), "reject"),
        ("a list at the top", "- 1\n- 2\n", "reject"),
        ("a scalar at the top", "hello\n", "reject"),
        ("empty file", "", "reject"),
        ("only a comment", "# nothing\n", "reject"),
        ("two documents", base + "---\nid: second\n", "reject"),
        ("recursive alias", "a: &x [*x]\n" + base, "reject"),
        ("unclosed quote", base.replace("title: Fuzzing base scenario", "title: 'Fuzzing"), "reject"),
        ("tab indentation", base.replace("  defended: UKR", "\tdefended: UKR"), "reject"),
        ("merge key, anchor in an unknown top-level field", base.replace(
            "assets:\n  - {id: kyiv, kind: city, lonlat: [30.52, 50.45], radius: 15 km, population: 2950000, value: 1.0e9}",
            "city: &city {kind: city, radius: 15 km}\nassets:\n  - <<: *city\n    id: kyiv\n    lonlat: [30.52, 50.45]\n"
            "    population: 2950000\n    value: 1.0e9",
        ), "reject"),
        ("control: merge key in an asset", base.replace(
            "  - {id: kyiv, kind: city, lonlat: [30.52, 50.45], radius: 15 km, population: 2950000, value: 1.0e9}",
            "  - &kyiv {id: kyiv, kind: city, lonlat: [30.52, 50.45], radius: 15 km, population: 2950000, value: 1.0e9}",
        ).replace(
            "  - {id: rzeszow, kind: logistics, lonlat: [22.0, 50.04], radius: 5 km, population: 190000, value: 5.0e8}",
            "  - <<: *kyiv\n    id: rzeszow\n    kind: logistics\n    lonlat: [22.0, 50.04]\n    radius: 5 km\n"
            "    population: 190000\n    value: 5.0e8",
        ), "accept"),
        ("control: anchors and aliases", base.replace(
            "      launch_areas: [north]\n      launch_window: [0 h, 1 h]\n      targets: {kyiv: 2, rzeszow: 1}",
            "      launch_areas: &areas [north]\n      launch_window: [0 h, 1 h]\n      targets: {kyiv: 2, rzeszow: 1}",
        ).replace("      launch_areas: [north]\n      launch_window: [0.5 h, 1 h]",
                  "      launch_areas: *areas\n      launch_window: [0.5 h, 1 h]"), "accept"),
        ("control: UTF-8 BOM", "\ufeff" + base, "accept"),
        ("control: CRLF line ends", base.replace("\n", "\r\n"), "accept"),
    ]
    for name, text, expect in yaml_cases:
        yield _scenario_case(name, text, expect)
    # Nesting, bombs, sizes, encodings.
    deep = "id: x\ntitle: " + "[" * 500 + "]" * 500 + "\n"
    yield _scenario_case("500 levels of nesting (flow)", deep, "reject")
    yield _scenario_case("5,000 levels of nesting (flow)", "title: " + "[" * 5000 + "]" * 5000 + "\n", "reject")
    block = "title:\n" + "".join("  " * k + "- \n" for k in range(1, 400)) + "\n"
    yield _scenario_case("400 levels of nesting (block)", block, "reject")
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + k)}: &{chr(98 + k)} [*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},"
        f"*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)},*{chr(97 + k)}]\n" for k in range(8))
    yield _scenario_case("alias bomb (9^9 nodes in 400 bytes)", bomb + base, "reject")
    yield _scenario_case("16 MB comment", base + "# " + "x" * (16 << 20) + "\n", "reject")
    yield _scenario_case("100,000 assets", base.replace("assets:\n", "assets:\n" + "".join(
        f"  - {{id: a{k}, kind: city, lonlat: [30.0, 50.0], radius: 1 km}}\n" for k in range(100_000))), "reject")
    yield _scenario_case("Latin-1 bytes", base.replace("Fuzzing", "Fuzz\u00e9").encode("latin-1"), "reject")
    yield _scenario_case("UTF-16 file", base.encode("utf-16"), "reject")
    yield _scenario_case("NUL bytes", base.replace("title: Fuzzing", "title: Fu\x00zzing"), "reject")
    yield _scenario_case("random bytes", os.urandom(4096), "reject")
    yield _scenario_case("truncated in the middle", base[: len(base) // 2], "reject")


def special_cases() -> Iterator[Case]:
    for target in ("/dev/zero", "/dev/urandom", "/dev/null"):
        yield Case("special", f"scenario is {target}", "reject", {},
                   [["validate", target]])
        yield Case("special", f"catalog is {target}", "reject", {"scenario.yaml": BASE_SCENARIO},
                   [["validate", "{dir}/scenario.yaml", "--catalog", target]])
    yield Case("special", "scenario is a FIFO", "reject", {"fifo.yaml": "fifo:"}, [["validate", "{dir}/fifo.yaml"]])
    yield Case("special", "catalog is a FIFO", "reject", {"scenario.yaml": BASE_SCENARIO, "fifo.yaml": "fifo:"},
               [["validate", "{dir}/scenario.yaml", "--catalog", "{dir}/fifo.yaml"]])
    yield Case("special", "scenario is a directory", "reject", {"d.yaml/x": "x"}, [["validate", "{dir}/d.yaml"]])
    yield Case("special", "experiment is /dev/zero", "reject", {}, [["sweep", "/dev/zero", "--out", "{dir}/out",
                                                                   "-j", "1", "--format", "none"]])
    yield Case("special", "experiment is a FIFO", "reject", {"fifo.yaml": "fifo:"},
               [["sweep", "{dir}/fifo.yaml", "--out", "{dir}/out", "-j", "1", "--format", "none"]])
    yield Case("special", "records are /dev/urandom", "reject", {},
               [["replay", "--attacks", "/dev/urandom", "--date", RECORDS_DATE, "-n", "2", "-j", "1"]])
    yield Case("special", "records are a FIFO", "reject", {"fifo.csv": "fifo:"},
               [["replay", "--attacks", "{dir}/fifo.csv", "--date", RECORDS_DATE, "-n", "2", "-j", "1"]])
    yield Case("special", "events output into a missing folder", "reject", {"scenario.yaml": BASE_SCENARIO},
               [["run", "{dir}/scenario.yaml", "-n", "1", "-j", "1", "--events", "{dir}/no/such/dir/e.parquet"]])
    yield Case("special", "pareto plot into a missing folder", "reject", {"scenario.yaml": BASE_SCENARIO},
               [["compare", "{dir}/scenario.yaml", "--options", "none,shield", "-n", "1", "-j", "1",
                 "--pareto", "{dir}/no/such/dir/p.png"]])
    yield Case("special", "unreachable --scheduler", "reject", {"scenario.yaml": BASE_SCENARIO},
               [["run", "{dir}/scenario.yaml", "-n", "1", "--scheduler", "tcp://127.0.0.1:9"]])


# Catalog overlays: fields of a threat, a sensor and shooters, with their physical domains.
CATALOG_FIELDS: list[tuple[tuple[object, ...], str, bool]] = [
    # (path, domain kind, sourced: written as {value: ..., source: ...})
    (("threats", "shahed-136", "speed"), "speed+", True),
    (("threats", "shahed-136", "altitude"), "length0+", True),
    (("threats", "shahed-136", "range"), "length+", True),
    (("threats", "shahed-136", "rcs"), "area+", True),
    (("threats", "shahed-136", "cost"), "money0+", True),
    (("sensors", "ground-surveillance-radar", "reference_range"), "length+", True),
    (("sensors", "ground-surveillance-radar", "height"), "length0+", True),
    (("sensors", "ground-surveillance-radar", "revisit"), "time+", True),
    (("shooters", "iris-t-slm", "interceptor_cost"), "money0+", True),
    (("shooters", "iris-t-slm", "interceptor_speed"), "speed+", True),
    (("shooters", "iris-t-slm", "reaction_time"), "time0+", True),
    (("shooters", "iris-t-slm", "reload_time"), "time0+", True),
    (("shooters", "iris-t-slm", "inventory"), "int0+", True),
    (("shooters", "iris-t-slm", "fire_channels"), "int1+", False),
    (("shooters", "iris-t-slm", "envelopes", "drone", "max_range"), "length+", False),
    (("shooters", "iris-t-slm", "envelopes", "drone", "min_range"), "length0+", False),
    (("shooters", "iris-t-slm", "envelopes", "drone", "max_altitude"), "length+", False),
    (("shooters", "f-16-cap", "aircraft", "dash_speed"), "speed+", True),
    (("shooters", "f-16-cap", "aircraft", "combat_radius"), "length+", True),
    (("shooters", "f-16-cap", "aircraft", "time_on_station"), "time+", True),
    (("shooters", "f-16-cap", "aircraft", "turnaround"), "time0+", True),
]


def _overlay(path: tuple[object, ...], value: object, sourced: bool) -> str:
    leaf = {"value": "__V__", "source": "params-threats"} if sourced else "__V__"
    doc: dict = {}
    node = doc
    for p in path[:-1]:
        node = node.setdefault(p, {})
    node[path[-1]] = leaf
    raw = value if isinstance(value, str) else _yaml_value(value)
    text = _dump(doc)
    return text.replace("'__V__'", raw).replace("__V__", raw)


def catalog_cases() -> Iterator[Case]:
    yield _scenario_case("control: an empty overlay", BASE_SCENARIO, "accept", catalog="{}\n")
    yield _scenario_case("control: a faster Shahed", BASE_SCENARIO, "accept", catalog=_overlay(
        ("threats", "shahed-136", "speed"), "185 km/h", True))
    for path, kind, sourced in CATALOG_FIELDS:
        for v in BAD_QTY[kind][:3]:
            yield _scenario_case(f"{'.'.join(map(str, path))} = {v}", BASE_SCENARIO, "reject",
                                 catalog=_overlay(path, v, sourced))
    env = ("shooters", "iris-t-slm", "envelopes", "drone")
    yield _scenario_case("min_range > max_range", BASE_SCENARIO, "reject",
                         catalog=_dump({"shooters": {"iris-t-slm": {"envelopes": {"drone": {
                             "max_range": "5 km", "min_range": "10 km", "max_altitude": "20 km", "pk": 0.9,
                             "salvo": 1, "source": "notional-pk"}}}}}))
    yield _scenario_case("min_altitude > max_altitude", BASE_SCENARIO, "reject",
                         catalog=_dump({"shooters": {"iris-t-slm": {"envelopes": {"drone": {
                             "max_range": "40 km", "max_altitude": "1 km", "min_altitude": "5 km", "pk": 0.9,
                             "salvo": 1, "source": "notional-pk"}}}}}))
    yield _scenario_case("value .inf in a Sourced", BASE_SCENARIO, "reject",
                         catalog="threats:\n  shahed-136:\n    cost: {value: .inf, source: forbes-ua-costs}\n")
    yield _scenario_case("low above high", BASE_SCENARIO, "reject",
                         catalog="threats:\n  shahed-136:\n    speed: {value: 180 km/h, low: 200 km/h, high: 100 km/h, source: evz-shahed}\n")
    yield _scenario_case("unknown radar type", BASE_SCENARIO, "reject",
                         catalog="shooters:\n  iris-t-slm:\n    radar: no-such-radar\n")
    yield _scenario_case("unknown source key", BASE_SCENARIO, "reject",
                         catalog="threats:\n  shahed-136:\n    speed: {value: 180 km/h, source: nowhere}\n")
    yield _scenario_case("overlay is a list", BASE_SCENARIO, "reject", catalog="- 1\n")
    yield _scenario_case("overlay replaces threats with a list", BASE_SCENARIO, "reject", catalog="threats: [1, 2]\n")
    yield _scenario_case("overlay deletes the threats table", BASE_SCENARIO, "reject", catalog="threats: null\n")
    yield _scenario_case("a new type with missing fields", BASE_SCENARIO, "reject",
                         catalog="threats:\n  my-drone: {name: X}\n")
    yield _scenario_case("envelope of an unknown class", BASE_SCENARIO, "reject",
                         catalog=_dump({"shooters": {"iris-t-slm": {"envelopes": {"ufo": {
                             "max_range": "40 km", "max_altitude": "20 km", "pk": 0.9, "salvo": 1, "source": "notional-pk"}}}}}))
    yield _scenario_case("loadout rounds negative", BASE_SCENARIO, "reject",
                         catalog=_dump({"shooters": {"f-16-cap": {"loadout": [
                             {"interceptor": "x", "rounds": -4, "cost": {"value": "1 kUSD", "source": "wiki-f16"},
                              "pk": {"drone": 0.5}, "source": "notional-pk"}]}}}))
    yield _scenario_case("orbit period zero", BASE_SCENARIO, "reject",
                         catalog=_dump({"sensors": {"ground-surveillance-radar": {"orbit_period": {
                             "value": "0 s", "source": "notional-radar"}}}}))
    yield _scenario_case("false alarms per scan inf", BASE_SCENARIO, "reject",
                         catalog="sensors:\n  ground-surveillance-radar:\n    false_alarms_per_scan: {value: .inf, source: notional-radar}\n")
    yield _scenario_case("sigma negative", BASE_SCENARIO, "reject",
                         catalog=_dump({"sensors": {"ground-surveillance-radar": {"range_sigma": {
                             "value": "-100 m", "source": "notional-radar"}}}}))
    del env


def _experiment_case(name: str, text: str | bytes, expect: str, extra: dict[str, str] | None = None) -> Case:
    files: dict[str, bytes | str] = {"experiment.yaml": text, "scenario.yaml": BASE_SCENARIO, **(extra or {})}
    return Case("experiment", name, expect, files,
                [["sweep", "{dir}/experiment.yaml", "--out", "{dir}/out", "-j", "1", "--format", "json"]],
                json_out=True)


def experiment_cases() -> Iterator[Case]:
    yield _experiment_case("control: the base experiment", BASE_EXPERIMENT, "accept")
    doc = yaml.safe_load(BASE_EXPERIMENT)

    def variant(name: str, fn: Callable[[dict], None], expect: str = "reject") -> Case:
        d = copy.deepcopy(doc)
        fn(d)
        return _experiment_case(name, _dump(d), expect)

    yield variant("replications 0", lambda d: d.update(replications=0))
    yield variant("replications true", lambda d: d.update(replications=True))
    yield variant("replications 1e12", lambda d: d.update(replications=10**12))
    yield variant("seed negative", lambda d: d.update(seed=-1))
    yield variant("seed 5,000 digits", lambda d: d.update(seed=int("9" * 4000)))
    yield variant("chunk_size 0", lambda d: d.update(chunk_size=0))
    yield variant("lhs with 100,000 samples", lambda d: d.update(design={"method": "lhs", "samples": 100_000}))
    yield variant("saltelli 65,536 x (d+2)", lambda d: d.update(design={"method": "saltelli", "samples": 65536}))
    yield variant("grid 100 levels ^ 6 parameters", lambda d: d.update(
        design={"method": "grid", "levels": 100},
        parameters=[{"path": f"catalog.threats.{t}.speed"} for t in
                    ("shahed-136", "gerbera", "kh-101", "kalibr", "iskander-k", "iskander-m")]))
    yield variant("sobol not a power of two", lambda d: d.update(design={"method": "sobol", "samples": 3}))
    yield variant("parameter low above high", lambda d: d["parameters"][1].update(low=8, high=4))
    yield variant("parameter low inf", lambda d: d["parameters"][1].update(low=float("inf")))
    yield variant("parameter high nan", lambda d: d["parameters"][1].update(high=float("nan")))
    yield variant("parameter count negative", lambda d: d["parameters"][1].update(low=-100, high=-1))
    yield variant("speed sampled negative", lambda d: d["parameters"][0].update(low="-10 m/s", high="10 m/s"))
    yield variant("speed unit mismatch", lambda d: d["parameters"][0].update(low="3 km", high="5 km"))
    yield variant("parameter path unknown", lambda d: d["parameters"][0].update(path="catalog.threats.ufo.speed"))
    yield variant("parameter path below a value", lambda d: d["parameters"][0].update(path="catalog.threats.shahed-136.speed.value.x"))
    yield variant("parameter path to a string", lambda d: d["parameters"][0].update(path="catalog.threats.shahed-136.name"))
    yield variant("parameter path index out of range", lambda d: d["parameters"][1].update(path="scenario.raid.groups.99.count"))
    yield variant("parameter path is a list of ints", lambda d: d["parameters"][1].update(path=["scenario", "raid", 3]))
    yield variant("precision relative inf", lambda d: d.update(precision={"relative": float("inf")}))
    yield variant("precision level 1", lambda d: d.update(precision={"level": 1.0}))
    yield variant("precision absolute nan", lambda d: d.update(precision={"absolute": float("nan")}))
    yield variant("pareto objective unknown", lambda d: d.update(pareto={"leaked": "sideways"}))
    yield variant("options empty", lambda d: d.update(options=[]))
    yield variant("options duplicate", lambda d: d.update(options=["none", "none"]))
    yield variant("option unknown", lambda d: d.update(options=["none", "no-fly-zone"]))
    yield variant("fidelity unknown", lambda d: d.update(fidelity="maximal"))
    yield variant("scenario missing", lambda d: d.update(scenario="missing.yaml"))
    yield variant("scenario is /dev/zero", lambda d: d.update(scenario="/dev/zero"))
    yield variant("catalog overlay is /dev/urandom", lambda d: d.update(catalog=["/dev/urandom"]))
    yield variant("scenario is the experiment itself", lambda d: d.update(scenario="experiment.yaml"))
    yield _experiment_case("experiment is a list", "- 1\n", "reject")
    yield _experiment_case("experiment is non-UTF-8", BASE_EXPERIMENT.replace("fuzz-exp", "fuzz-\u00e9xp").encode("latin-1"), "reject")
    yield _experiment_case("experiment has a 5,000-digit int", BASE_EXPERIMENT.replace("replications: 2", "replications: " + "9" * 5000), "reject")
    yield _experiment_case("experiment with !!python/object", BASE_EXPERIMENT.replace("id: fuzz-exp", "id: !!python/object:os.system {}"), "reject")
    bad_sc = BASE_SCENARIO.replace("count: 8", "count: -8")
    yield _experiment_case("its scenario is invalid", BASE_EXPERIMENT, "reject", {"scenario.yaml": bad_sc})
    yield _experiment_case("a sample makes the scenario invalid", BASE_EXPERIMENT.replace("low: 4", "low: -4"), "reject")
    yield _experiment_case("control: grid design", BASE_EXPERIMENT.replace(
        "design: {method: lhs, samples: 2}", "design: {method: grid, levels: 2}"), "accept")


def _records_case(name: str, text: str | bytes, expect: str, date: str = RECORDS_DATE) -> Case:
    return Case("records", name, expect, {"attacks.csv": text},
                [["replay", "--attacks", "{dir}/attacks.csv", "--date", date, "-n", "2", "-j", "1", "--format", "json"]],
                json_out=True)


def records_cases() -> Iterator[Case]:
    yield _records_case("control: the base records", _records(), "accept")
    yield _records_case("control: UTF-8 BOM", "\ufeff" + _records(), "accept")
    yield _records_case("control: CRLF line ends", _records().replace("\n", "\r\n"), "accept")
    r0 = RECORDS_ROWS[0]
    r1 = RECORDS_ROWS[1]

    def sub(row: str, old: str, new: str) -> list[str]:
        assert old in row, (old, row)
        return [row.replace(old, new, 1) if r == row else r for r in RECORDS_ROWS]

    yield _records_case("launched negative", _records(sub(r0, ",40,30,5,", ",-40,30,5,")), "reject")
    yield _records_case("launched NaN", _records(sub(r0, ",40,30,5,", ",nan,30,5,")), "reject")
    yield _records_case("launched inf", _records(sub(r0, ",40,30,5,", ",inf,30,5,")), "reject")
    yield _records_case("launched 1e30", _records(sub(r0, ",40,30,5,", ",1e30,30,5,")), "reject")
    yield _records_case("launched not a number", _records(sub(r0, ",40,30,5,", ",forty,30,5,")), "reject")
    yield _records_case("destroyed > launched", _records(sub(r1, ",4,3,0,", ",4,9,0,")), "reject")
    yield _records_case("destroyed negative", _records(sub(r1, ",4,3,0,", ",4,-3,0,")), "reject")
    yield _records_case("not_reach_goal negative", _records(sub(r0, ",40,30,5,", ",40,30,-5,")), "reject")
    yield _records_case("is_shahed NaN", _records(sub(r0, "{},30,", "{},nan,")), "reject")
    yield _records_case("is_shahed > launched", _records(sub(r0, "{},30,", "{},90,")), "reject")
    yield _records_case("is_shahed negative", _records(sub(r0, "{},30,", "{},-30,")), "reject")
    yield _records_case("truncated row", _records([r0[:40], *RECORDS_ROWS[1:]]), "reject")
    yield _records_case("extra fields in a row", _records([r0 + ",a,b,c", *RECORDS_ROWS[1:]]), "reject")
    yield _records_case("truncated file (half a row)", (_records())[: len(RECORDS_HEADER) + 60], "reject")
    yield _records_case("a 200 kB field", _records(sub(r0, '"Kursk oblast and Chauda, Crimea"',
                                                       '"' + "Kursk " * 40_000 + '"')), "reject")
    yield _records_case("unterminated quote", _records(sub(r0, '"Kursk oblast and Chauda, Crimea"',
                                                         '"Kursk oblast and Chauda, Crimea')), "reject")
    yield _records_case("non-UTF-8 bytes", _records().replace("Kursk", "K\u00fcrsk").encode("latin-1"), "reject")
    yield _records_case("UTF-16 file", _records().encode("utf-16"), "reject")
    yield _records_case("NUL bytes", _records().replace("Kursk", "Ku\x00rsk"), "reject")
    yield _records_case("random bytes", os.urandom(2048), "reject")
    yield _records_case("empty file", "", "reject")
    yield _records_case("header only", RECORDS_HEADER + "\n", "reject")
    yield _records_case("missing columns", "a,b,c\n1,2,3\n", "reject")
    yield _records_case("impossible date 2025-02-30", _records(), "reject", date="2025-02-30")
    yield _records_case("date 2025-13-01", _records(), "reject", date="2025-13-01")
    yield _records_case("date not a date", _records(), "reject", date="yesterday")
    yield _records_case("time_end impossible", _records(sub(r0, "2025-07-09 09:00", "2025-07-39 09:00")), "reject")
    yield _records_case("16 MB file", _records() + ("x" * 1000 + "\n") * 16_500, "reject")
    # campaign reads the same format
    yield Case("records", "campaign: launched negative", "reject",
               {"attacks.csv": _records(sub(r0, ",40,30,5,", ",-40,30,5,")), "scenario.yaml": BASE_SCENARIO},
               [["campaign", "{dir}/scenario.yaml", "--records", "{dir}/attacks.csv", "--days", "2", "-n", "1",
                 "-j", "1", "--options", "none", "--format", "json"]], json_out=True)
    yield Case("records", "campaign: is_shahed NaN", "reject",
               {"attacks.csv": _records(sub(r0, "{},30,", "{},nan,")), "scenario.yaml": BASE_SCENARIO},
               [["campaign", "{dir}/scenario.yaml", "--records", "{dir}/attacks.csv", "--days", "2", "-n", "1",
                 "-j", "1", "--options", "none", "--format", "json"]], json_out=True)
    yield Case("records", "campaign: non-UTF-8", "reject",
               {"attacks.csv": _records().replace("Kursk", "K\u00fcrsk").encode("latin-1"), "scenario.yaml": BASE_SCENARIO},
               [["campaign", "{dir}/scenario.yaml", "--records", "{dir}/attacks.csv", "--days", "2", "-n", "1",
                 "-j", "1", "--options", "none", "--format", "json"]], json_out=True)
    yield Case("records", "campaign: --fit-start impossible", "reject",
               {"attacks.csv": _records(), "scenario.yaml": BASE_SCENARIO},
               [["campaign", "{dir}/scenario.yaml", "--records", "{dir}/attacks.csv", "--fit-start", "2025-02-30",
                 "--days", "2", "-n", "1", "-j", "1", "--options", "none", "--format", "json"]], json_out=True)


KINDS: dict[str, Callable[[], Iterator[Case]]] = {
    "scenario": scenario_cases,
    "catalog": catalog_cases,
    "experiment": experiment_cases,
    "records": records_cases,
    "special": special_cases,
}


# ---------------------------------------------------------------------------------------------
# Running one command in a forked child
# ---------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    code: int | None  # exit status; None on a hang; -signal if killed
    stdout: str
    stderr: str
    wall_s: float


def _run_forked(argv: list[str], cwd: Path, timeout_s: float, mem_bytes: int) -> Outcome:
    out_p, err_p = cwd / ".stdout", cwd / ".stderr"
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.setpgid(0, 0)
            resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
            fo = os.open(out_p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            fe = os.open(err_p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fo, 1)
            os.dup2(fe, 2)
            os.chdir(cwd)
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
            from skyshield.cli.main import main

            try:
                main(args=argv, prog_name="skyshield")
                code = 0
            except SystemExit as exc:
                c = exc.code
                code = c if isinstance(c, int) else (0 if c is None else 1)
                if not isinstance(c, int) and c is not None:
                    print(c, file=sys.stderr)
            except BaseException:  # what Python itself would do: print it, exit 1
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        except BaseException:
            try:
                traceback.print_exc()
                sys.stderr.flush()
            finally:
                os._exit(1)
    deadline = t0 + timeout_s
    status = None
    while time.monotonic() < deadline:
        got, st = os.waitpid(pid, os.WNOHANG)
        if got:
            status = st
            break
        time.sleep(0.02)
    if status is None:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        code = None
    else:
        code = os.waitstatus_to_exitcode(status)
    try:  # anything the command left in its process group
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass

    def read(p: Path) -> str:
        try:
            return p.read_bytes()[-200_000:].decode("utf-8", "replace")
        except OSError:
            return ""

    return Outcome(code, read(out_p), read(err_p), time.monotonic() - t0)


def _classify_one(case: Case, argv: list[str], o: Outcome, last: bool) -> str:
    if o.code is None:
        return "hang"
    if "MemoryError" in o.stderr or o.code < 0:
        return "exhausted"
    if "Traceback (most recent call last)" in o.stderr or o.code not in (0, 2):
        return "traceback"
    if o.code == 2:
        # Located: the message names the input file at fault (one given on the command line,
        # or, for an experiment, a file in its folder), or the command-line option at fault.
        named = [a for a in argv if "/" in a]
        located = any(a in o.stderr for a in named) or any(Path(a).name in o.stderr for a in named)
        if not located and case.kind == "experiment":
            located = "scenario.yaml" in o.stderr or "experiment.yaml" in o.stderr
        if not located:
            flags = [a for a in argv if a.startswith("--")]
            located = any(f"{f} " in o.stderr or f"{f}:" in o.stderr for f in flags)
        return "clean" if located else "unlocated"
    if last and case.json_out:
        try:
            json.loads(o.stdout)
        except ValueError:
            return "traceback"  # exit 0 with output that is not JSON (NaN, Infinity, half a document)
    return "accepted"


def run_case(case: Case, root: Path, timeout_s: float, mem_bytes: int) -> tuple[str, list[dict[str, object]]]:
    d = Path(tempfile.mkdtemp(prefix="case-", dir=root))
    for name, content in case.files.items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if content == "fifo:":
            os.mkfifo(p)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_bytes(content.encode("utf-8"))
    details = []
    verdicts = []
    for k, cmd in enumerate(case.commands):
        argv = [a.replace("{dir}", str(d)) for a in cmd]
        o = _run_forked(argv, d, timeout_s, mem_bytes)
        v = _classify_one(case, argv, o, k == len(case.commands) - 1)
        verdicts.append(v)
        details.append({"argv": argv[:2], "code": o.code, "verdict": v, "wall_s": round(o.wall_s, 2),
                        "stderr": o.stderr[-600:]})
        if v != "accepted":
            break
    worst = verdicts[-1]
    if worst == "accepted":
        final = "silent" if case.expect == "reject" else "ok"
    elif worst in ("clean", "unlocated") and case.expect == "accept":
        final = "refused"
    elif worst in ("clean", "unlocated") and len(verdicts) > 1 and case.kind in ("scenario", "catalog"):
        # validate accepted it, run refused it: validate let something wrong through
        final = "silent" if case.expect == "reject" else "refused"
    else:
        final = worst
    return final, details


# ---------------------------------------------------------------------------------------------


def _warm() -> None:
    """Import and warm the caches once in the parent, so each forked child starts fast."""
    from skyshield.catalog import load_catalog
    from skyshield.cli.main import main  # noqa: F401
    from skyshield.documents import loads_yaml
    from skyshield.engine import compile_scenario
    from skyshield.options import resolve_option
    from skyshield.scenario import parse_scenario

    cat = load_catalog()
    data, lines = loads_yaml(BASE_SCENARIO, "base.yaml")
    sc = parse_scenario(data, lines, "base.yaml", cat)
    compile_scenario(sc, cat, resolve_option("shield", sc))


ORDER = ("ok", "clean", "unlocated", "refused", "silent", "traceback", "hang", "exhausted")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated: " + ", ".join(KINDS))
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per command")
    ap.add_argument("--mem-gb", type=float, default=4.0, help="address-space limit per command")
    ap.add_argument("--json", default=None, help="write every input's outcome here")
    ap.add_argument("--show", default="", help="print details of these outcomes (e.g. silent,traceback)")
    ap.add_argument("--match", default="", help="only inputs whose name contains this")
    args = ap.parse_args()
    _warm()
    cases = [c for k in args.kinds.split(",") for c in KINDS[k.strip()]() if args.match in c.name]
    show = set(filter(None, args.show.split(",")))
    results = []
    by_kind: dict[str, Counter[str]] = {}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="skyshield-fuzz-") as tmp:
        for i, c in enumerate(cases):
            final, details = run_case(c, Path(tmp), args.timeout, int(args.mem_gb * (1 << 30)))
            by_kind.setdefault(c.kind, Counter())[final] += 1
            results.append({"kind": c.kind, "name": c.name, "expect": c.expect, "outcome": final, "commands": details})
            if final in show:
                print(f"--- [{c.kind}] {c.name}: {final}")
                for dd in details:
                    print(f"    {' '.join(map(str, dd['argv']))} -> {dd['code']} ({dd['verdict']}, {dd['wall_s']} s)")
                    tail = str(dd["stderr"]).strip().splitlines()[-3:]
                    for line in tail:
                        print(f"      {line[:200]}")
            print(f"\r{i + 1}/{len(cases)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    total: Counter[str] = Counter()
    for cnt in by_kind.values():
        total.update(cnt)
    head = f"{'kind':<11}{'inputs':>7}" + "".join(f"{o:>10}" for o in ORDER)
    print(head)
    for k, cnt in [*by_kind.items(), ("total", total)]:
        print(f"{k:<11}{sum(cnt.values()):>7}" + "".join(f"{cnt.get(o, 0):>10}" for o in ORDER))
    print(f"({time.monotonic() - t0:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps({"summary": {k: dict(v) for k, v in by_kind.items()},
                                               "total": dict(total), "inputs": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
