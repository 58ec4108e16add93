"""Scenario inheritance: a variant names its base and says only what differs.

A scenario file with ``extends:`` is a *patch* on another scenario (a built-in id, or a path
relative to the patch file)::

    extends: eastern-flank-night-raid-v1
    id: my-variant-v1                      # required: a variant is a scenario of its own
    title: Two more Patriot batteries in the west
    remove:
      forces: [ua-gepard-lviv]
    replace:
      forces:
        - {id: ua-patriot-kyiv, type: patriot-pac3, side: defended, lonlat: [30.52, 50.45], count: 3}
    add:
      forces:
        - {id: ua-patriot-lviv, type: patriot-pac3, side: defended, lonlat: [24.03, 49.84]}

``add``, ``replace`` and ``remove`` act by ``id`` on the lists ``assets``, ``launch_areas``,
``forces``, ``air_bases`` and ``raid_groups`` (the raid's groups): ``remove`` takes ids,
``replace`` whole items (each keeps its place in the list), ``add`` new items (appended, in
the order given). They apply in that order: remove, replace, add. Any other field of the
patch replaces the base's, except ``sources`` and ``options``, which merge name by name
(the patch's entry wins). ``title`` and everything else not given come from the base; a base
may itself extend another (at most :data:`MAX_DEPTH` levels, no cycles).

Every problem names the file and line its field came from: an item the patch adds or
replaces points into the patch file, an inherited one into the base.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from ..documents import ScenarioError, loads_yaml
from ..documents.errors import Loc, Problem, Where, did_you_mean
from ..documents.yamlio import MAX_DOCUMENT_BYTES, _decode, read_bounded

__all__ = ["LIST_SECTIONS", "MAX_DEPTH", "ScenarioDocument", "read_scenario_document"]

MAX_DEPTH = 8
"""Longest chain of ``extends`` accepted."""

LIST_SECTIONS: dict[str, Loc] = {
    "assets": ("assets",),
    "launch_areas": ("launch_areas",),
    "forces": ("forces",),
    "air_bases": ("air_bases",),
    "raid_groups": ("raid", "groups"),
}
"""Lists a patch edits by id, and where each lives in a scenario document."""

_OPS = ("remove", "replace", "add")
_MERGED = ("sources", "options")


@dataclass(frozen=True)
class ScenarioDocument:
    """A scenario document as read, its ``extends`` chain resolved.

    ``data`` is the merged document; ``where`` gives the file and line of every field;
    ``inputs`` the files read (the scenario first, then each base) with their SHA-256 and, for
    a base, the id it names.
    """

    data: Any
    where: dict[Loc, tuple[str, int]]
    source: str
    inputs: tuple[dict[str, Any], ...] = field(default=())
    renames: dict[Loc, Loc] = field(default_factory=dict)  # merged item location -> where the patch wrote it

    @property
    def lines(self) -> dict[Loc, int]:
        """Lines of the fields that come from the scenario file itself (not from a base)."""
        return {k: ln for k, (f, ln) in self.where.items() if f == self.source}


def _builtin_path(ref: str) -> Any | None:
    if ref.endswith((".yaml", ".yml")):
        return None
    p = files("skyshield.scenario").joinpath("builtin", f"{ref}.yaml")
    return p if p.is_file() else None


def _read(ref: str, relative_to: Path | None) -> tuple[Any, dict[Loc, int], str, bytes]:
    """Parse a built-in scenario by id or a file by path (relative to ``relative_to``)."""
    builtin = _builtin_path(ref)
    if builtin is not None:
        raw = builtin.read_bytes()
        src = f"<built-in>/{ref}.yaml"
        data, lines = loads_yaml(raw.decode("utf-8"), src)
        return data, lines, src, raw
    path = Path(ref)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if not path.exists():
        from . import builtin_scenarios

        known = list(builtin_scenarios())
        raise ScenarioError([Problem(str(path), None, (), "no such file, and not a built-in scenario id "
                                     f"(built-in: {', '.join(known)}){did_you_mean(ref, known)}")])
    raw = read_bounded(path, MAX_DOCUMENT_BYTES, "scenario file")
    data, lines = loads_yaml(_decode(raw, str(path)), str(path))
    return data, lines, str(path), raw


def read_scenario_document(ref: str | Path, relative_to: Path | None = None) -> ScenarioDocument:
    """Read a scenario (built-in id or path) and resolve its ``extends`` chain.

    Raises
    ------
    ScenarioError
        For an unreadable file, a missing or cyclic base, or a patch that names ids the base
        does not have (or adds ids it already has); each problem names the file and line.
    """
    return _resolve(str(ref), relative_to, ())


def _resolve(ref: str, relative_to: Path | None, chain: tuple[str, ...]) -> ScenarioDocument:
    data, lines, src, raw = _read(ref, relative_to)
    from ..provenance import input_record

    record = input_record(src, raw, "scenario" if not chain else "extends")
    if not isinstance(data, dict) or "extends" not in data:
        where = {k: (src, v) for k, v in lines.items()}
        return ScenarioDocument(data, where, src, (record,))
    base_ref = data["extends"]
    if not isinstance(base_ref, str) or not base_ref.strip():
        raise ScenarioError([Problem(src, lines.get(("extends",)), ("extends",),
                                     "expected a built-in scenario id or a path to a scenario file", base_ref)])
    if src in chain or len(chain) >= MAX_DEPTH:
        why = "a cycle of extends" if src in chain else f"more than {MAX_DEPTH} levels of extends"
        raise ScenarioError([Problem(src, lines.get(("extends",)), ("extends",),
                                     f"{why}: {' -> '.join((*chain, src))}", base_ref)])
    here = None if src.startswith("<") else Path(src).parent
    try:
        base = _resolve(base_ref.strip(), here, (*chain, src))
    except ScenarioError as exc:  # name the line that asked for the base, then the base's problems
        head = Problem(src, lines.get(("extends",)), ("extends",), f"in the base scenario: {exc.problems[0]}", None)
        raise ScenarioError([head, *exc.problems[1:]]) from None
    if not isinstance(base.data, dict):
        raise ScenarioError([Problem(base.source, 1, (), "a scenario file must be a mapping of fields")])
    renames: dict[Loc, Loc] = {}
    merged, where = apply_patch(base.data, base.where, data, lines, src, renames)
    inputs = (record, *({**r, "role": "extends"} for r in base.inputs))
    return ScenarioDocument(merged, where, src, inputs, renames)


def _moved(where: dict[Loc, tuple[str, int]], old: Loc, new: Loc) -> dict[Loc, tuple[str, int]]:
    """Entries under ``old``, re-rooted at ``new``."""
    n = len(old)
    return {(*new, *k[n:]): v for k, v in where.items() if k[:n] == old}


def _drop(where: dict[Loc, tuple[str, int]], prefix: Loc) -> None:
    n = len(prefix)
    for k in [k for k in where if k[:n] == prefix]:
        del where[k]


def _get(doc: dict[str, Any], path: Loc) -> Any:
    node: Any = doc
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _set(doc: dict[Any, Any], path: Loc, value: Any) -> None:
    node = doc
    for part in path[:-1]:
        nxt = node.get(part)
        if not isinstance(nxt, dict):
            nxt = node[part] = {}
        node = nxt
    node[path[-1]] = value


def apply_patch(base: dict[str, Any], base_where: Where, patch: dict[str, Any], lines: dict[Loc, int],
                src: str, renames: dict[Loc, Loc] | None = None) -> tuple[dict[str, Any], dict[Loc, tuple[str, int]]]:
    """The base document with the patch applied, and the file and line of every field.

    ``renames`` (if given) receives, for every item the patch adds or replaces, its location in
    the merged document and the one the patch wrote it at.
    """
    renames = {} if renames is None else renames
    problems: list[Problem] = []

    def fail(loc: Loc, msg: str, given: object = None) -> None:
        from ..documents.errors import line_for

        problems.append(Problem(src, line_for(lines, loc), loc, msg, given))

    doc = copy.deepcopy(base)
    where: dict[Loc, tuple[str, int]] = dict(base_where)
    where[()] = (src, lines.get((), 1))
    patched = {k: (src, v) for k, v in lines.items()}
    if "id" not in patch:
        fail((), "a scenario that extends another needs an `id` of its own (a variant is a scenario)")
    elif patch.get("id") == base.get("id"):
        fail(("id",), "the variant's id is its base's id; give it its own, e.g. with a version suffix",
             patch.get("id"))

    # Plain fields replace the base's; sources and options merge name by name.
    for key, value in patch.items():
        if key in ("extends", *_OPS):
            continue
        if key in _MERGED and isinstance(value, dict) and isinstance(doc.get(key), dict):
            for name, v in value.items():
                doc[key][name] = copy.deepcopy(v)
                _drop(where, (key, name))
                where.update(_moved(patched, (key, name), (key, name)))
            continue
        doc[key] = copy.deepcopy(value)
        _drop(where, (key,))
        where.update(_moved(patched, (key,), (key,)))

    ops: dict[str, Any] = {}
    for op in _OPS:
        spec = patch.get(op)
        if spec is None:
            continue
        if not isinstance(spec, dict):
            fail((op,), f"`{op}` takes a mapping of lists by name: {', '.join(LIST_SECTIONS)}", spec)
            continue
        for section, items in spec.items():
            if section not in LIST_SECTIONS:
                fail((op, section), f"`{op}` acts on {', '.join(LIST_SECTIONS)}{did_you_mean(section, LIST_SECTIONS)}",
                     section)
            elif not isinstance(items, list):
                fail((op, section), "expected a list" + (" of ids" if op == "remove" else " of items with an `id`"))
            else:
                ops.setdefault(section, {})[op] = items
    for section, by_op in ops.items():
        _patch_list(doc, where, patched, section, by_op, fail, renames)
    if problems:
        raise ScenarioError(problems)
    return doc, where


def _patch_list(doc: dict[str, Any], where: dict[Loc, tuple[str, int]], patched: dict[Loc, tuple[str, int]],
                section: str, by_op: dict[str, list[Any]], fail: Any, renames: dict[Loc, Loc]) -> None:
    path = LIST_SECTIONS[section]
    current = _get(doc, path)
    items: list[Any] = list(current) if isinstance(current, list) else []
    # Each item's origin: where its fields' lines are known (the base's map or the patch's) and at what location.
    base_where = dict(where)
    origin: list[tuple[dict[Loc, tuple[str, int]], Loc]] = [(base_where, (*path, i)) for i in range(len(items))]

    def ids() -> list[str]:
        return [str(it.get("id")) if isinstance(it, dict) else "" for it in items]

    what = section.replace("_", " ").rstrip("s")
    removed: set[str] = set()
    for k, rid in enumerate(by_op.get("remove", [])):
        loc: Loc = ("remove", section, k)
        have = ids()
        if not isinstance(rid, str):
            fail(loc, "expected an id", rid)
        elif rid not in have:
            fail(loc, f"no {what} with this id in the base{did_you_mean(rid, have)}", rid)
        else:
            j = have.index(rid)
            del items[j], origin[j]
            removed.add(rid)
    for k, item in enumerate(by_op.get("replace", [])):
        loc = ("replace", section, k)
        have = ids()
        rid = item.get("id") if isinstance(item, dict) else None
        if rid is None:
            fail(loc, "expected an item with an `id` (the id of the base's item it replaces)", item)
        elif rid in removed:
            fail((*loc, "id"), "this id is also removed; replace it or remove it, not both", rid)
        elif rid not in have:
            fail((*loc, "id"), f"no {what} with this id in the base to replace (to add one, use `add`)"
                 f"{did_you_mean(rid, have)}", rid)
        else:
            j = have.index(rid)
            items[j] = copy.deepcopy(item)
            origin[j] = (patched, loc)
    for k, item in enumerate(by_op.get("add", [])):
        loc = ("add", section, k)
        rid = item.get("id") if isinstance(item, dict) else None
        if rid is None:
            fail(loc, "expected an item with an `id`", item)
        elif rid in ids():
            fail((*loc, "id"), f"the base already has a {what} with this id (to change it, use `replace`)", rid)
        else:
            items.append(copy.deepcopy(item))
            origin.append((patched, loc))
    _set(doc, path, items)
    _drop(where, path)
    parent = base_where.get(path)
    if parent is not None:
        where[path] = parent
    for j, (src_where, loc) in enumerate(origin):
        where.update(_moved(src_where, loc, (*path, j)))
        if src_where is patched:
            renames[(*path, j)] = loc
