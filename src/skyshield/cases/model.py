"""The case language: a public event, the scenario that models it, and what was observed.

A case file names a scenario (a built-in id or a path) and lists observed quantities, each a
graded public range and the engine metrics that measure it in the simulation (their sum, or
the ratio of two sums). The scenario file says what happened to whom; the case file only what
was seen, so a case for another public event is a scenario plus a short case file.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Check", "Case", "GRADES"]

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
Metric = Annotated[str, Field(pattern=r"^[a-z0-9_]+$", max_length=120)]

GRADES = ("A", "B", "C", "I")
"""Reliability grades of ../shared/data/cases/README.md: A official or two independent outlets,
B anonymous officials or one outlet's own analysis, C second-hand, disputed or an estimate,
I arithmetic from sourced figures. A check may carry two (``A/B``)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Check(_Frozen):
    """One observed quantity: its public range, grade and source, and how the simulation
    measures it (per replication: the sum of ``metrics``, divided by the sum of ``per`` if
    given; the mean over replications with its 95 % interval is compared with the range)."""

    quantity: str = Field(min_length=1, max_length=200, description="what was observed, in words")
    metrics: tuple[Metric, ...] = Field(min_length=1, description="engine metrics summed per replication")
    per: tuple[Metric, ...] = Field((), description="metrics summed as the denominator (a fraction); none: a count")
    option: Id | None = Field(None, description="option the observation is of (default: the case's `as_flown`)")
    observed_low: float = Field(description="low end of the public range")
    observed_high: float = Field(description="high end of the public range")
    grade: Annotated[str, Field(pattern=r"^[ABCI](/[ABCI])?$")] = Field(description="reliability grade(s): A, B, C, I")
    source: str = Field(min_length=1, description="where the figure comes from (a key of the case's `sources`)")
    use: Literal["check", "calibrated"] = Field(
        "check", description="`calibrated`: a parameter of the scenario or catalog was set from this figure, so "
        "its agreement is not evidence"
    )
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> "Check":
        if self.observed_high < self.observed_low:
            raise ValueError("observed_high is below observed_low")
        return self


class Case(_Frozen):
    """A public event as a validation case."""

    id: Id
    title: str
    description: str = ""
    scenario: str = Field(min_length=1, description="built-in scenario id or a scenario file's path (relative to the case file)")
    as_flown: Id = Field(description="the option that reproduces what the allies did")
    options: tuple[Id, ...] = Field(("none",), description="options run besides `as_flown` (for the allied contribution)")
    replications: int = Field(200, ge=2, le=100_000, description="default replications of `skyshield cases`")
    seed: int = Field(0, ge=0)
    sources: dict[str, str] = Field(default_factory=dict)
    checks: tuple[Check, ...] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _sources_resolve(self) -> "Case":
        missing = sorted({c.source for c in self.checks if c.source not in self.sources})
        if missing:
            raise ValueError(f"check sources not in `sources`: {', '.join(missing)}")
        return self

    @property
    def run_options(self) -> tuple[str, ...]:
        """Options to run: ``none`` first when listed (the baseline of differences), then the
        rest, ``as_flown`` included."""
        out = [o for o in self.options if o != self.as_flown]
        return (*out, self.as_flown)
