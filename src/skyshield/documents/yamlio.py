"""Read YAML while remembering the line of every field, within bounds.

PyYAML's composer keeps a source mark on each node; we build plain Python objects from the
node tree and a map from field path to line, so that a validation error deep in a document
can name the line it comes from. Duplicate keys, which PyYAML would silently overwrite, are
reported as problems.

A document is a user's file, so it is read as a hostile one would be written:

* only a regular file is read (a FIFO would block, a device never ends), and at most
  :data:`MAX_DOCUMENT_BYTES` of it;
* the event stream is checked before any tree is built: nesting depth
  (:data:`MAX_DEPTH`), the number of nodes (:data:`MAX_NODES`) and explicit tags (only the
  plain JSON-like ones: ``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``,
  ``!!seq``, ``!!map``; no ``!!python/...``, ``!!binary``, ``!!set`` or local tags);
* aliases are expanded against the same node budget, so a "billion laughs" document stops
  at :data:`MAX_NODES`, and a recursive alias is an error;
* the standard merge key ``<<: *anchor`` is supported (explicit keys win);
* a scalar that cannot be constructed (``!!int six``, a 5,000-digit integer) is a located
  problem, never a traceback. Dates written plainly (``2025-07-09``) stay strings.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from .errors import Loc, Problem, ScenarioError

__all__ = [
    "builtin_titles",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_NODES",
    "load_yaml",
    "loads_yaml",
    "read_bounded",
]

MAX_DOCUMENT_BYTES = 4 << 20
"""Largest scenario, catalog or experiment file read (4 MiB; the reference scenario is ~20 kB)."""
MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences (the schema needs fewer than 10 levels)."""
MAX_NODES = 250_000
"""Most values in one document after alias expansion (the built-in catalog has ~5,000)."""

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}
_MERGE = f"{_CORE}merge"
_TIMESTAMP = f"{_CORE}timestamp"


def read_bounded(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Raises
    ------
    ScenarioError
        Naming the file, if it is missing, not a regular file (directory, FIFO, device,
        socket), larger than ``limit`` or unreadable.
    """
    p = Path(path)
    src = str(p)
    try:
        st = os.stat(p)  # follows symlinks: a link to a device is a device
    except FileNotFoundError:
        raise ScenarioError([Problem(src, None, (), "file not found")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(src, None, (), f"cannot read file: {exc.strerror or exc}")]) from None
    if stat.S_ISDIR(st.st_mode):
        raise ScenarioError([Problem(src, None, (), f"is a directory, not a {what}")])
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode)
                or stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise ScenarioError([Problem(src, None, (), f"is {kind}; a {what} must be a regular file")])
    if st.st_size > limit:
        raise ScenarioError([Problem(src, None, (), f"file is {st.st_size:,} bytes; a {what} may have at most "
                                                    f"{limit:,} bytes")])
    try:
        with open(p, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ScenarioError([Problem(src, None, (), f"cannot read file: {exc.strerror or exc}")]) from None
    if len(data) > limit:  # grew while we read it
        raise ScenarioError([Problem(src, None, (), f"file is larger than {limit:,} bytes, the limit for a {what}")])
    return data


def _decode(data: bytes, source: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError([Problem(source, None, (), "the file is UTF-16; save it as UTF-8")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            [Problem(source, line, (), f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                                       "save the file as UTF-8")]
        ) from None


def _malformed(exc: yaml.YAMLError, source: str) -> ScenarioError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc)
    return ScenarioError([Problem(source, line, (), f"malformed YAML: {problem}")])


def _check_events(text: str, source: str) -> None:
    """Depth, size and tags, from the event stream (no tree built, no recursion)."""
    depth = 0
    nodes = 0
    for ev in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(ev, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError([Problem(source, ev.start_mark.line + 1, (),
                                             f"nesting deeper than {MAX_DEPTH} levels")])
        elif isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if isinstance(ev, (yaml.NodeEvent)):
            nodes += 1
            if nodes > MAX_NODES:
                raise ScenarioError([Problem(source, ev.start_mark.line + 1, (),
                                             f"more than {MAX_NODES:,} values in one document")])
            tag = getattr(ev, "tag", None)
            if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
                raise ScenarioError([Problem(
                    source, ev.start_mark.line + 1, (),
                    f"YAML tag {tag.replace(_CORE, '!!')} is not allowed: write plain values "
                    "(strings, numbers, true/false, lists and mappings)")])


def loads_yaml(text: str, source: str = "<string>") -> tuple[Any, dict[Loc, int]]:
    """Parse YAML text into Python objects and a ``{path: line}`` map (1-based lines)."""
    try:
        _check_events(text, source)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _malformed(exc, source) from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise ScenarioError([Problem(source, None, (), f"nesting deeper than {MAX_DEPTH} levels")]) from None
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    if node is None:
        return None, {(): 1}
    builder = _Builder(source, lines, problems)
    data = builder.build(node, ())
    if problems:
        raise ScenarioError(problems)
    return data, lines


def load_yaml(path: str | Path, limit: int = MAX_DOCUMENT_BYTES) -> tuple[Any, dict[Loc, int]]:
    """Read a YAML file (a regular file of at most ``limit`` bytes); see :func:`loads_yaml`."""
    src = str(path)
    return loads_yaml(_decode(read_bounded(path, limit, "YAML document"), src), src)


class _Budget(Exception):
    pass


class _Builder:
    """Plain objects from a node tree, with lines, a node budget and merge keys."""

    def __init__(self, source: str, lines: dict[Loc, int], problems: list[Problem]):
        self.source = source
        self.lines = lines
        self.problems = problems
        self.nodes = 0
        self.active: set[int] = set()  # nodes being built (a recursive alias comes back to one)
        self._ctor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        try:
            return self._build(node, loc)
        except _Budget:
            self.problems.append(Problem(self.source, node.start_mark.line + 1, (),
                                         f"more than {MAX_NODES:,} values once aliases are expanded "
                                         "(an alias bomb?)"))
            return None

    def _scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        if node.tag == _TIMESTAMP:
            return node.value  # dates stay text; fields that want dates parse them
        if node.tag not in _ALLOWED_TAGS:
            self.problems.append(Problem(self.source, node.start_mark.line + 1, loc,
                                         f"YAML tag {node.tag} is not allowed", node.value[:80]))
            return None
        try:
            return self._ctor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
            kind = node.tag.replace(_CORE, "")
            msg = str(exc).split("\n")[0]
            if "digits" in msg:
                msg = "too many digits"
            self.problems.append(Problem(self.source, node.start_mark.line + 1, loc,
                                         f"cannot read this as {kind}: {msg}", node.value[:80]))
            return None

    def _build(self, node: yaml.Node, loc: Loc) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Budget
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, loc)
        if id(node) in self.active:
            self.problems.append(Problem(self.source, node.start_mark.line + 1, loc,
                                         "recursive alias (a value that contains itself)"))
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self._build(item, (*loc, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, loc)
            return None  # pragma: no cover - no other node kinds
        finally:
            self.active.discard(id(node))

    def _key(self, key_node: yaml.Node, loc: Loc) -> tuple[bool, Any]:
        if not isinstance(key_node, yaml.ScalarNode):
            self.problems.append(Problem(self.source, key_node.start_mark.line + 1, loc, "keys must be plain names"))
            return False, None
        n = len(self.problems)
        key = self._scalar(key_node, loc)
        return len(self.problems) == n, key

    def _merged_pairs(self, value: yaml.Node, loc: Loc) -> list[tuple[yaml.Node, yaml.Node]]:
        """The pairs a ``<<`` brings, first source first (earlier sources win)."""
        sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
        out: list[tuple[yaml.Node, yaml.Node]] = []
        for src in sources:
            if not isinstance(src, yaml.MappingNode):
                self.problems.append(Problem(self.source, src.start_mark.line + 1, loc,
                                             "a merge key `<<` takes a mapping (or a list of mappings)"))
                continue
            if id(src) in self.active:
                self.problems.append(Problem(self.source, src.start_mark.line + 1, loc,
                                             "recursive alias (a value that contains itself)"))
                continue
            for k, v in src.value:
                if isinstance(k, yaml.ScalarNode) and k.tag == _MERGE:
                    self.active.add(id(src))
                    try:
                        out.extend(self._merged_pairs(v, loc))
                    finally:
                        self.active.discard(id(src))
                else:
                    out.append((k, v))
        return out

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag == _MERGE:
                merged.extend(self._merged_pairs(value_node, loc))
                continue
            ok, key = self._key(key_node, loc)
            if not ok:
                continue
            if key in out:
                self.problems.append(Problem(self.source, key_node.start_mark.line + 1, (*loc, key), "duplicate key"))
                continue
            child = (*loc, key)
            self.lines[child] = key_node.start_mark.line + 1
            out[key] = self._build(value_node, child)
        for key_node, value_node in merged:  # explicit keys, then earlier merge sources, win
            ok, key = self._key(key_node, loc)
            if not ok or key in out:
                continue
            child = (*loc, key)
            self.lines[child] = key_node.start_mark.line + 1
            out[key] = self._build(value_node, child)
        return out


def builtin_titles(package: str) -> dict[str, str]:
    """Ids and titles of the YAML documents a package ships in its ``builtin`` folder
    (built-in scenarios, validation cases), sorted by id."""
    from importlib.resources import files

    out = {}
    for entry in sorted(files(package).joinpath("builtin").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            data, _ = loads_yaml(entry.read_text(encoding="utf-8"), entry.name)
            out[entry.name[: -len(".yaml")]] = str(data.get("title", ""))
    return out
