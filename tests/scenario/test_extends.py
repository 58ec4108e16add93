"""Scenario inheritance: a variant extends a base with add/replace/remove by id; every error
points at the file and line its field came from (the patch's, or the base's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skyshield.catalog import load_catalog
from skyshield.documents import ScenarioError
from skyshield.engine import compile_scenario, simulate
from skyshield.options import resolve_option
from skyshield.scenario import load_scenario, load_scenario_inputs

BASE = "eastern-flank-night-raid-v1"
BUILTIN = Path(__file__).resolve().parents[2] / "src" / "skyshield" / "scenario" / "builtin"

# content hash of the full copy of western-raid-v1 as it stood before `extends` (main at 089d51b),
# loaded with the current scenario model, with the base's later additions (the sky-shield
# package, the NPP towns, the Caslav base, CZE as an ally, the movable SAM units; branch `purpose`) put at their
# places in it: recomputed from that file, not from the `extends` version
WESTERN_BEFORE_EXTENDS = "dff5dd88b17dfdf23360a2ce6ab06499f9bfd76adfb712213ede630d2e6ecd61"
"""Content hash of western-raid-v1 as a full 348-line copy (commit 0f4f28d), before it became a
patch on the reference scenario."""

VARIANT = """\
extends: eastern-flank-night-raid-v1
id: two-more-batteries-v1
title: Two more Patriot batteries in the west, no Gepards in Kyiv
sources:
  my-note: "analyst's assumption"
remove:
  forces: [ua-gepard-kyiv]
replace:
  raid_groups:
    - id: iskander-m
      type: iskander-m
      count: 8
      launch_areas: [crimea-north]
      launch_window: [11 h, 11.5 h]
      targets: {odesa: 1}
add:
  forces:
    - {id: ua-patriot-lviv, type: patriot-pac3, side: defended, lonlat: [24.03, 49.84]}
    - {id: ua-patriot-rivne, type: patriot-pac3, side: defended, lonlat: [26.25, 50.62], count: 2}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), start=1) if needle in ln)


def _problems(path: Path) -> list:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return exc.value.problems


def test_western_raid_is_a_short_patch_with_the_numbers_of_the_full_copy() -> None:
    text = (BUILTIN / "western-raid-v1.yaml").read_text()
    assert text.splitlines()[12].startswith("extends: eastern-flank-night-raid-v1")
    assert len(text.splitlines()) < 0.4 * len((BUILTIN / f"{BASE}.yaml").read_text().splitlines())
    sc = load_scenario("western-raid-v1")
    base = load_scenario(BASE)
    assert sc.forces == base.forces and sc.assets == base.assets and sc.theatre == base.theatre
    assert set(base.sources) < set(sc.sources)
    # The same document as the full copy but for where the three new launch areas stand in their list ...
    la = sc.launch_areas
    assert [a.id for a in la[-3:]] == ["saratov-oblast", "black-sea-east", "voronezh-oblast"]
    assert sc.model_copy(update={"launch_areas": la[-3:] + la[:-3]}).content_hash == WESTERN_BEFORE_EXTENDS
    # ... and that order changes no number: launch areas are looked up by id.
    cat = load_catalog()
    reordered = sc.model_copy(update={"launch_areas": la[-3:] + la[:-3]})
    for option in ("none", "umbrella"):
        a = compile_scenario(sc, cat, resolve_option(option, sc))
        b = compile_scenario(reordered, cat, resolve_option(option, reordered))
        for r in range(2):
            assert simulate(a, 7, r).metrics == simulate(b, 7, r).metrics


def test_a_variant_removes_replaces_in_place_and_adds_by_id(tmp_path) -> None:
    sc, inputs = load_scenario_inputs(_write(tmp_path, "v.yaml", VARIANT))
    base = load_scenario(BASE)
    ids = [f.id for f in sc.forces]
    assert "ua-gepard-kyiv" not in ids and len(ids) == len(base.forces) - 1 + 2
    assert ids[-2:] == ["ua-patriot-lviv", "ua-patriot-rivne"]
    assert sc.forces[-1].count == 2
    groups = [g.id for g in sc.raid.groups]
    assert groups == [g.id for g in base.raid.groups]  # replaced in place
    iskander = sc.raid.groups[groups.index("iskander-m")]
    assert iskander.count == 8 and dict(iskander.targets) == {"odesa": 1.0}
    assert sc.title.startswith("Two more") and sc.description == base.description  # inherited where not given
    assert sc.sources["my-note"] == "analyst's assumption" and set(base.sources) < set(sc.sources)
    # provenance: the patch file and its base, each with a hash; the base's validated content hash
    assert [r["role"] for r in inputs] == ["scenario", "extends"]
    assert inputs[1]["content_hash"] == base.content_hash and len(inputs[0]["sha256"]) == 64


def test_errors_in_what_the_patch_adds_or_replaces_point_at_the_patch_lines(tmp_path) -> None:
    text = (VARIANT.replace("count: 8", "count: eight")
            .replace("lonlat: [26.25, 50.62], count: 2", "lonlat: [50.62, 26.25], cuont: 2"))
    path = _write(tmp_path, "v.yaml", text)
    probs = {(p.file, p.line, ".".join(map(str, p.path))): p.message for p in _problems(path)}
    f = str(path)
    assert (f, _line(text, "count: eight"), "replace.raid_groups.0.count") in probs
    key = (f, _line(text, "ua-patriot-rivne"), "add.forces.1.cuont")
    assert "did you mean 'count'" in probs[key]


def test_a_swapped_position_gets_a_hint(tmp_path) -> None:
    text = VARIANT.replace("lonlat: [26.25, 50.62]", "lonlat: [50.62, 26.25]")
    path = _write(tmp_path, "v.yaml", text)
    (p,) = _problems(path)
    assert (p.file, p.line) == (str(path), _line(text, "ua-patriot-rivne"))
    assert "looks swapped" in p.message and "[26.25, 50.62]" in p.message


def test_unknown_ids_and_sections_are_located_in_the_patch_with_suggestions(tmp_path) -> None:
    text = (VARIANT.replace("forces: [ua-gepard-kyiv]", "forces: [ua-gepard-kiev]")
            .replace("  raid_groups:\n    - id: iskander-m", "  raid_group:\n    - id: iskander-m"))
    path = _write(tmp_path, "v.yaml", text)
    msgs = {(p.line, ".".join(map(str, p.path))): p.message for p in _problems(path)}
    assert "did you mean 'ua-gepard-kyiv'" in msgs[(_line(text, "ua-gepard-kiev"), "remove.forces.0")]
    assert "did you mean 'raid_groups'" in msgs[(_line(text, "raid_group:"), "replace.raid_group")]


def test_adding_an_existing_id_or_replacing_a_missing_one_is_an_error(tmp_path) -> None:
    text = VARIANT.replace("id: ua-patriot-lviv", "id: ua-gepard-odesa").replace("- id: iskander-m", "- id: iskander-x")
    path = _write(tmp_path, "v.yaml", text)
    msgs = {".".join(map(str, p.path)): p.message for p in _problems(path)}
    assert "already has" in msgs["add.forces.0.id"] and "use `replace`" in msgs["add.forces.0.id"]
    assert "no raid group with this id in the base" in msgs["replace.raid_groups.0.id"]


def test_an_error_the_patch_causes_in_inherited_parts_points_into_the_base(tmp_path) -> None:
    """Removing an asset that inherited raid groups aim at: the error is at the base's line."""
    text = VARIANT.replace("remove:\n  forces: [ua-gepard-kyiv]", "remove:\n  assets: [sumy]")
    probs = _problems(_write(tmp_path, "v.yaml", text))
    base_text = (BUILTIN / f"{BASE}.yaml").read_text()
    assert probs and all(p.file == f"<built-in>/{BASE}.yaml" and "unknown asset id" in p.message for p in probs)
    assert {p.line for p in probs} <= {i for i, ln in enumerate(base_text.splitlines(), 1) if "sumy: 1" in ln}


def test_a_chain_of_files_resolves_relative_paths_and_records_every_input(tmp_path) -> None:
    _write(tmp_path, "v.yaml", VARIANT)
    sub = tmp_path / "more"
    sub.mkdir()
    leaf = _write(sub, "w.yaml", "extends: ../v.yaml\nid: w-v1\nremove:\n  forces: [ua-patriot-lviv]\n")
    sc, inputs = load_scenario_inputs(leaf)
    assert sc.id == "w-v1" and "ua-patriot-lviv" not in [f.id for f in sc.forces]
    assert "ua-patriot-rivne" in [f.id for f in sc.forces]
    assert [r["role"] for r in inputs] == ["scenario", "extends", "extends"]
    assert inputs[1]["ref"] == str(sub / ".." / "v.yaml") and inputs[2]["ref"] == f"<built-in>/{BASE}.yaml"


def test_cycles_and_missing_ids_are_refused(tmp_path) -> None:
    _write(tmp_path, "a.yaml", "extends: b.yaml\nid: a-v1\n")
    _write(tmp_path, "b.yaml", "extends: a.yaml\nid: b-v1\n")
    assert "a cycle of extends" in str(_problems(tmp_path / "a.yaml")[0])
    (p,) = _problems(_write(tmp_path, "c.yaml", f"extends: {BASE}\ntitle: no id\n"))
    assert "needs an `id` of its own" in p.message
    (p,) = _problems(_write(tmp_path, "d.yaml", "extends: eastern-flank-nigth-raid-v1\nid: d-v1\n"))
    assert p.line == 1 and "did you mean 'eastern-flank-night-raid-v1'" in p.message


def test_the_readme_variant_validates(tmp_path) -> None:
    import re

    readme = (BUILTIN.parents[3] / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "extends:" in b]
    sc = load_scenario(_write(tmp_path, "readme.yaml", block))
    assert sc.id == "two-more-batteries-v1" and "ua-patriot-lviv" in [f.id for f in sc.forces]
