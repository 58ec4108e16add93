"""From an experiment file to concrete samples: validated scenario and catalog per sample.

Parameter overrides are applied to the *documents* (the parsed YAML of the catalog and the
scenario, units still written out) and the results validated again, so an override meets the
same checks as a hand-edited file. Sampled values are written in SI units (``"47.2 m/s"``).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..catalog import Catalog, catalog_hash
from ..documents import Problem, ScenarioError, load_yaml, validate_document
from ..documents.errors import Loc, line_for
from ..scenario import Scenario, ScenarioDocument, parse_scenario, read_scenario_document
from ..units import UNITS, UnitError, parse_quantity
from .design import design_points
from .model import ExperimentSpec, Parameter

__all__ = ["ResolvedExperiment", "Sample", "catalog_hash", "load_experiment", "resolve_experiment"]

_SI_UNIT = {"length": "m", "speed": "m/s", "time": "s", "angle": "rad", "area": "m2", "money": "USD"}


@dataclass(frozen=True)
class Sample:
    """One point of the design: its parameter values (SI) and the inputs they give."""

    index: int
    values: tuple[float, ...]
    scenario: Scenario
    catalog: Catalog
    catalog_doc: Any = None  # the catalog document (units written out) it was validated from
    scenario_doc: Any = None  # the scenario document likewise

    @property
    def catalog_hash(self) -> str:
        return catalog_hash(self.catalog)


@dataclass(frozen=True)
class ResolvedExperiment:
    """An experiment ready to run: every sample validated, the seed entropy fixed."""

    spec: ExperimentSpec
    source: str
    seed_entropy: int
    parameter_names: tuple[str, ...]
    parameter_paths: tuple[str, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]
    samples: tuple[Sample, ...]

    @property
    def options(self) -> tuple[str, ...]:
        return self.spec.options

    @property
    def base_scenario(self) -> Scenario:
        return self.samples[0].scenario

    def identity(self) -> dict[str, Any]:
        """What makes two runs the same experiment (replications may grow; titles may change)."""
        spec = self.spec.model_dump(mode="json", exclude={"replications", "chunk_size", "title", "precision", "pareto"})
        return {
            "spec": spec,
            "seed_entropy": str(self.seed_entropy),
            "samples": [[s.scenario.content_hash, s.catalog_hash, list(s.values)] for s in self.samples],
        }

    @property
    def identity_hash(self) -> str:
        doc = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(doc.encode()).hexdigest()


def load_experiment(path: str | Path) -> tuple[ExperimentSpec, dict[Loc, int]]:
    """Read and validate an experiment file (errors name the file, line and field)."""
    data, lines = load_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError([Problem(str(path), 1, (), "an experiment file must be a mapping of fields")])
    return validate_document(ExperimentSpec, data, lines, str(path)), lines


# ----------------------------------------------------------------------------------------------
# Documents and paths
# ----------------------------------------------------------------------------------------------


def _catalog_doc(overlays: tuple[str, ...], base: Path) -> Any:
    from ..catalog import _builtin_raw, _merge  # the raw document, units still written out

    data = copy.deepcopy(_builtin_raw()[0])
    for ov in overlays:
        p = Path(ov) if Path(ov).is_absolute() else base / ov
        over, _ = load_yaml(p)
        if over is not None:
            if not isinstance(over, dict):
                raise ScenarioError([Problem(str(p), 1, (), "a catalog overlay must be a mapping")])
            data = _merge(data, over)
    return data


def _scenario_doc(ref: str, base: Path) -> ScenarioDocument:
    """The scenario's document (``extends`` resolved), the line of every field in its file."""
    return read_scenario_document(ref, base)


def _child(node: Any, part: str, where: str) -> tuple[Any, str | int]:
    if isinstance(node, dict):
        if part not in node:
            raise KeyError(f"{where}: no field {part!r} (fields here: {', '.join(map(str, node))})")
        return node[part], part
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node[int(part)], int(part)
        for i, item in enumerate(node):
            if isinstance(item, dict) and str(item.get("id")) == part:
                return item, i
        ids = [str(it.get("id")) for it in node if isinstance(it, dict) and "id" in it]
        raise KeyError(f"{where}: no item with id {part!r} (ids here: {', '.join(ids) or 'none'})")
    raise KeyError(f"{where}: {part!r} is below a single value")


def _locate(doc: Any, parts: tuple[str, ...]) -> tuple[Any, str | int]:
    """The container of the addressed field and its key in it."""
    node = doc
    for i, part in enumerate(parts[:-1]):
        node, _ = _child(node, part, ".".join(parts[: i + 1]) or parts[0])
    _, key = _child(node, parts[-1], ".".join(parts))
    return node, key


_QTY = re.compile(r"^\s*[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*([A-Za-z/^0-9]*)\s*$")


def _split(v: object) -> tuple[float, str | None]:
    """A bound as (SI value, quantity kind, or None for a plain number)."""
    if isinstance(v, bool):
        raise UnitError(f"expected a number, got {v!r}")
    if isinstance(v, (int, float)):
        return float(v), None
    if isinstance(v, str):
        m = _QTY.match(v)
        unit = m.group(1).lower() if m else None
        if unit == "":
            return float(v.replace("_", "")), None
        for kind, table in UNITS.items():
            if unit in table:
                return parse_quantity(v, kind), kind
        raise UnitError(f"cannot read {v!r} as a number with a known unit")
    raise UnitError(f"expected a number or a quantity with its unit, got {v!r}")


@dataclass(frozen=True)
class _Target:
    param: Parameter
    root: str  # catalog | scenario
    parts: tuple[str, ...]
    sourced: bool
    kind: str | None  # quantity kind, None for plain numbers
    integer: bool
    low: float
    high: float
    levels: tuple[float, ...] | None


def _target(p: Parameter, idx: int, docs: dict[str, Any], spec: ExperimentSpec, src: str,
            lines: dict[Loc, int]) -> _Target:
    loc: Loc = ("parameters", idx)

    def fail(msg: str, field: str = "path", given: object = None) -> ScenarioError:
        return ScenarioError([Problem(src, line_for(lines, (*loc, field)), (*loc, field), msg, given)])

    parts = p.parts
    try:
        node, key = _locate(docs[parts[0]], parts[1:])
    except KeyError as exc:
        raise fail(str(exc.args[0]), given=".".join(parts)) from None
    leaf = node[key]
    sourced = isinstance(leaf, dict) and "value" in leaf
    value = leaf["value"] if sourced else leaf
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise fail("the path does not name a number or a quantity", given=".".join(parts))
    try:
        _, kind = _split(value)
    except UnitError as exc:
        raise fail(str(exc)) from None
    integer = isinstance(value, int)

    def bound(name: str) -> float:
        given = getattr(p, name)
        if given is None:
            if sourced and leaf.get(name) is not None:
                given = leaf[name]
            else:
                raise fail(f"no `{name}` given, and the field has no public range to take it from", name)
        try:
            x, k = _split(given)
        except UnitError as exc:
            raise fail(str(exc), name, given) from None
        if k != kind:
            want = f"a {kind} with its unit" if kind else "a plain number"
            raise fail(f"expected {want}, like the field it overrides", name, given)
        return x

    if p.values is not None:
        lv = []
        for v in p.values:
            try:
                x, k = _split(v)
            except UnitError as exc:
                raise fail(str(exc), "values", v) from None
            if k != kind:
                raise fail("a level's unit does not fit the field", "values", v)
            lv.append(x)
        levels: tuple[float, ...] | None = tuple(lv)
        lo = min(lv) if p.low is None else min(bound("low"), *lv)
        hi = max(lv) if p.high is None else max(bound("high"), *lv)
    else:
        levels = None
        lo, hi = bound("low"), bound("high")
    if lo > hi:
        raise fail(f"low ({lo}) is above high ({hi}) in SI units", "low")
    return _Target(p, parts[0], parts[1:], sourced, kind, integer, lo, hi, levels)


def _render(t: _Target, x: float) -> object:
    if t.integer:
        return int(round(x))
    if t.kind is None:
        return float(x)
    return f"{float(x)!r} {_SI_UNIT[t.kind]}"


def _apply(doc: Any, t: _Target, x: float) -> None:
    node, key = _locate(doc, t.parts)
    if t.sourced:
        leaf = dict(node[key])
        leaf["value"] = _render(t, x)
        # keep the public range holding the value when the experiment samples beyond it
        if t.param.low is not None or t.param.values is not None:
            leaf["low"] = _render(t, t.low)
        if t.param.high is not None or t.param.values is not None:
            leaf["high"] = _render(t, t.high)
        node[key] = leaf
    else:
        node[key] = _render(t, x)


def resolve_experiment(
    spec: ExperimentSpec,
    source: str | Path = "<experiment>",
    lines: dict[Loc, int] | None = None,
    seed_entropy: int | None = None,
) -> ResolvedExperiment:
    """Draw the design and validate every sample's catalog and scenario.

    Parameters
    ----------
    seed_entropy
        Used when the spec has no seed (a resumed sweep passes the recorded entropy);
        fresh entropy if neither gives one.
    """
    lines = lines or {}
    src = str(source)
    base = Path(src).parent if src and not src.startswith("<") else Path.cwd()
    if spec.seed is not None:
        entropy = int(np.random.SeedSequence(spec.seed).entropy)  # type: ignore[arg-type]
    elif seed_entropy is not None:
        entropy = int(seed_entropy)
    else:
        entropy = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]

    def named_here(field: str, exc: ScenarioError) -> ScenarioError:
        """A problem in a file the experiment names, located at the line that names it too."""
        first = exc.problems[0]
        head = Problem(src, line_for(lines, (field,)), (field,), f"in the file named here: {first}")
        return ScenarioError([head, *exc.problems[1:]])

    try:
        cat_doc = _catalog_doc(spec.catalog, base)
    except ScenarioError as exc:
        raise named_here("catalog", exc) from None
    try:
        sc_read = _scenario_doc(spec.scenario, base)
        sc_doc, sc_lines, sc_src = sc_read.data, sc_read.lines, sc_read.source
    except ScenarioError as exc:
        raise named_here("scenario", exc) from None
    docs = {"catalog": cat_doc, "scenario": sc_doc}
    targets = [_target(p, i, docs, spec, src, lines) for i, p in enumerate(spec.parameters)]
    d = spec.design
    levels = [t.levels if t.levels is not None else tuple(np.linspace(t.low, t.high, d.levels)) for t in targets]
    pts = design_points(
        d.method, [t.low for t in targets], [t.high for t in targets], samples=d.samples, levels=levels,
        seed_entropy=entropy, names=[t.param.label for t in targets],
    )
    vary_cat = any(t.root == "catalog" for t in targets)
    vary_sc = any(t.root == "scenario" for t in targets)
    base_cat = _validate_catalog(cat_doc, src, None)
    parse = functools.partial(parse_scenario, where=sc_read.where, renames=sc_read.renames)
    base_sc = parse(sc_doc, sc_lines, sc_src, base_cat)
    for i, t in enumerate(targets):  # both ends of every range must be valid values of the field
        _check_range(t, i, cat_doc, sc_doc, sc_lines, sc_src, base_cat, src, lines, parse)
    samples = []
    for i, row in enumerate(pts):
        vals = tuple(float(_render(t, x)) if t.integer else float(x) for t, x in zip(targets, row))
        cat, sc, cdoc, sdoc = base_cat, base_sc, cat_doc, sc_doc
        if vary_cat:
            cdoc = copy.deepcopy(cat_doc)
            for t, x in zip(targets, vals):
                if t.root == "catalog":
                    _apply(cdoc, t, x)
            cat = _validate_catalog(cdoc, src, i)
        if vary_sc:
            sdoc = copy.deepcopy(sc_doc)
            for t, x in zip(targets, vals):
                if t.root == "scenario":
                    _apply(sdoc, t, x)
            sc = parse(sdoc, sc_lines, f"{sc_src} (sample {i})", cat)
        samples.append(Sample(i, vals, sc, cat, cdoc, sdoc))
    return ResolvedExperiment(
        spec=spec,
        source=src,
        seed_entropy=entropy,
        parameter_names=tuple(t.param.label for t in targets),
        parameter_paths=tuple(".".join(t.param.parts) for t in targets),
        lows=tuple(t.low for t in targets),
        highs=tuple(t.high for t in targets),
        samples=tuple(samples),
    )


def _check_range(t: _Target, i: int, cat_doc: Any, sc_doc: Any, sc_lines: dict[Loc, int], sc_src: str,
                 base_cat: Catalog, src: str, lines: dict[Loc, int], parse: Any = parse_scenario) -> None:
    """Validate the documents with the parameter at its low and at its high end.

    Every domain in the schema is an interval, so a range whose two ends are valid holds only
    valid values: no design point can then fail validation after the design is drawn.
    """
    for end, x in (("low", t.low), ("high", t.high)):
        doc = copy.deepcopy(cat_doc if t.root == "catalog" else sc_doc)
        _apply(doc, t, x)
        try:
            if t.root == "catalog":
                _validate_catalog(doc, src, None)
            else:
                parse(doc, sc_lines, sc_src, base_cat)
        except ScenarioError as exc:
            field = end if getattr(t.param, end) is not None else "path"
            loc: Loc = ("parameters", i, field)
            why = "; ".join(p.message for p in exc.problems[:2])
            raise ScenarioError([Problem(src, line_for(lines, loc), loc,
                                         f"the {end} end of the range ({_render(t, x)}) is not a valid value of "
                                         f"{'.'.join(t.param.parts)}: {why}")]) from None


def _validate_catalog(doc: Any, src: str, sample: int | None) -> Catalog:
    from pydantic import ValidationError

    try:
        return Catalog.model_validate(doc)
    except ValidationError as exc:
        from ..documents.validate import problems_from_validation

        where = "the catalog" if sample is None else f"the catalog of sample {sample}"
        probs = problems_from_validation(exc, {}, f"{src} ({where})", ("catalog",))
        raise ScenarioError(probs) from None
