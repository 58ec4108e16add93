"""The experiment file: scenario x options x parameter samples x replications.

An experiment file is YAML, validated here once (errors name the file, the line and the field)::

    id: night-raid-drone-speed
    scenario: eastern-flank-night-raid-v1      # a built-in id, or a path relative to this file
    options: [none, air-policing, umbrella]
    replications: 200
    seed: 20240601                              # omit for fresh entropy (recorded in the store)
    design: {method: lhs, samples: 16}          # none | grid | lhs | sobol | saltelli
    parameters:
      - path: catalog.threats.shahed-136.speed  # sampled within its catalog low/high
      - path: scenario.raid.groups.shahed-south.count
        low: 200
        high: 400
    precision: {metrics: [leaked, assets_hit], relative: 0.05, level: 0.95}
    pareto: {leaked: min, interceptor_cost_usd: min}

Parameter paths are dotted (or a list of parts when an id itself has a dot): they start at
``catalog`` or ``scenario`` and pick list items by their ``id`` (or a 0-based index).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["DESIGN_METHODS", "LIMITS", "Design", "ExperimentSpec", "Parameter", "Precision", "design_size"]

DESIGN_METHODS: tuple[str, ...] = ("none", "grid", "lhs", "sobol", "saltelli")

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
Bound = Annotated[int, Field(strict=True)] | float | Annotated[str, Field(max_length=64)]
Count = Annotated[int, Field(strict=True)]

LIMITS: dict[str, int] = {
    "design_points": 4096,  # samples of the design (each a validated scenario and catalog in memory)
    "replications_total": 10_000_000,  # design points x options x replications
    "parameters": 64,
    "options": 64,
    "levels": 1000,  # explicit grid levels of one parameter
}
"""Size bounds of an experiment, checked before anything is drawn or validated."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Parameter(_Frozen):
    """One sampled input: a catalog or scenario field, and the range it is sampled in."""

    path: str | tuple[str | int, ...] = Field(
        description="dotted path from `catalog` or `scenario`, e.g. catalog.threats.shahed-136.speed; "
        "list items are picked by id or index"
    )
    name: str | None = Field(None, description="short name for tables and charts (default: the path)")
    low: Bound | None = Field(
        None, description="lower bound, with a unit where the field has one (default: the catalog's `low`)"
    )
    high: Bound | None = Field(None, description="upper bound (default: the catalog's `high`)")
    values: tuple[Bound, ...] | None = Field(None, min_length=1, max_length=LIMITS["levels"],
                                             description="explicit levels (grid design only)")

    @property
    def parts(self) -> tuple[str, ...]:
        if isinstance(self.path, str):
            return tuple(self.path.split("."))
        return tuple(str(p) for p in self.path)

    @property
    def label(self) -> str:
        return self.name or ".".join(self.parts[1:])

    @field_validator("path")
    @classmethod
    def _rooted(cls, v: str | tuple[str | int, ...]) -> str | tuple[str | int, ...]:
        parts = v.split(".") if isinstance(v, str) else [str(p) for p in v]
        if len(parts) > 32 or sum(map(len, parts)) > 512:
            raise ValueError("parameter path too long")
        if len(parts) < 2 or parts[0] not in ("catalog", "scenario"):
            raise ValueError("a parameter path starts with `catalog.` or `scenario.` and names a field")
        if any(p == "" for p in parts):
            raise ValueError("empty part in the parameter path")
        return v


class Design(_Frozen):
    """How parameter samples are drawn."""

    method: Literal["none", "grid", "lhs", "sobol", "saltelli"] = Field(
        "none",
        description="none: the catalog as is; grid: full factorial of `levels` (or each parameter's "
        "`values`); lhs: Latin hypercube; sobol: scrambled Sobol sequence (power-of-two `samples`); "
        "saltelli: Saltelli's design for Sobol sensitivity indices, `samples` x (D + 2) points",
    )
    samples: Count | None = Field(None, ge=1, le=LIMITS["design_points"],
                                  description="points (lhs, sobol) or base N (saltelli)")
    levels: Count = Field(3, ge=2, le=100, description="grid levels per parameter, spread evenly low..high")


class Precision(_Frozen):
    """The precision the analyst wants: the convergence check compares the CI with it."""

    metrics: tuple[str, ...] = ("leaked", "assets_hit", "interceptor_cost_usd")
    relative: float = Field(0.05, gt=0, le=1e3, description="target CI half-width as a fraction of |mean|")
    absolute: float | None = Field(None, gt=0, le=1e15, description="target CI half-width in the metric's unit")
    level: float = Field(0.95, gt=0, lt=1)


class ExperimentSpec(_Frozen):
    """A validated experiment file."""

    id: Id
    title: str = ""
    scenario: str = Field(description="built-in scenario id or a path relative to the experiment file")
    catalog: tuple[str, ...] = Field((), description="catalog overlay files, merged over the built-in catalog")
    options: tuple[Annotated[str, Field(max_length=256)], ...] = Field(min_length=1, max_length=LIMITS["options"])
    replications: Count = Field(ge=1, le=LIMITS["replications_total"])
    seed: Count | None = Field(None, ge=0, lt=2**128, description="experiment seed (0 <= seed < 2^128); "
                               "omitted: fresh entropy, recorded")
    fidelity: str = "statistical"
    events: bool = Field(True, description="keep every replication's event log (needed for report maps)")
    chunk_size: Count | None = Field(None, ge=1, le=100_000, description="replications per task and per Parquet file")
    design: Design = Design()
    parameters: tuple[Parameter, ...] = Field((), max_length=LIMITS["parameters"])
    precision: Precision = Precision()
    pareto: dict[str, Literal["min", "max"]] = Field(
        default_factory=lambda: {"leaked": "min", "interceptor_cost_usd": "min"},
        description="objectives of the Pareto front over (option, sample) means",
    )

    @model_validator(mode="after")
    def _design_fits(self) -> "ExperimentSpec":
        m, d = self.design.method, len(self.parameters)
        if m == "none" and d:
            raise ValueError("parameters are given but design.method is `none`; choose grid, lhs, sobol or saltelli")
        if m != "none" and not d:
            raise ValueError(f"design.method `{m}` needs at least one entry in `parameters`")
        if m in ("lhs", "sobol", "saltelli") and self.design.samples is None:
            raise ValueError(f"design.method `{m}` needs design.samples")
        n = self.design.samples
        if m in ("sobol", "saltelli") and n is not None and n & (n - 1):
            raise ValueError(f"design.method `{m}`: a Sobol sequence is balanced only for a power-of-two "
                             f"number of samples (e.g. {1 << max(n.bit_length() - 1, 0)} or {1 << n.bit_length()})")
        if m != "grid" and any(p.values is not None for p in self.parameters):
            raise ValueError("parameter `values` are for the grid design only")
        if len(set(p.label for p in self.parameters)) != d:
            raise ValueError("parameter names (or paths) must be distinct")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must be distinct")
        points = design_size(self.design, self.parameters)
        if points > LIMITS["design_points"]:
            raise ValueError(f"the design has {points:,} points; at most {LIMITS['design_points']:,} are accepted "
                             "(fewer levels, samples or parameters)")
        total = points * len(self.options) * self.replications
        if total > LIMITS["replications_total"]:
            raise ValueError(f"{points:,} design points x {len(self.options)} options x {self.replications:,} "
                             f"replications = {total:,} runs; at most {LIMITS['replications_total']:,} are accepted")
        return self


def design_size(design: Design, parameters: tuple[Parameter, ...]) -> int:
    """Number of design points, computed without drawing them."""
    d = len(parameters)
    if design.method == "none" or d == 0:
        return 1
    if design.method == "grid":
        n = 1
        for p in parameters:
            n *= len(p.values) if p.values is not None else design.levels
        return n
    samples = design.samples or 1
    if design.method == "sobol":
        return 1 << (samples.bit_length() - 1)
    if design.method == "saltelli":
        return samples * (d + 2)
    return samples
