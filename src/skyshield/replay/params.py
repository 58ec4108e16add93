"""The replay's calibrated parameters, their uncertainty, and the file that holds them.

A replay needs a few parameters that no public figure pins down (see ``docs/calibration.md``):

- ``aim_exponent_<class>``: inside a defended region, a class's aims are its towns weighted
  by population to this power (:func:`skyshield.replay.night.build_night`);
- ``decoy_share``: the share of decoys among Shahed-type launches on nights whose records do
  not give ``is_shahed`` (:func:`skyshield.replay.night.decoy_share`);
- ``posture_exponent``: how the share of the short- and medium-range shooters on duty grows
  with the night's size (:func:`skyshield.replay.night.duty_share`; 0: all of them every night),
  and ``posture_full_launches``, the night's size from which all of them are (not fitted).

They are fitted on a calibration period by ``skyshield replay --fit`` (:mod:`skyshield.replay.fit`)
and written, with their uncertainty, to a calibration file (the built-in one is
``calibration.yaml`` beside this module). Each parameter carries ``samples``: draws from its
fitted uncertainty (a bootstrap over the calibration nights) or from its public range. A
replay runs one *parameter draw* per engine sample index: draw ``s`` takes sample ``s`` of
every parameter, paired by a fixed permutation per parameter (:meth:`Calibration.draws`), so
the spread of the replayed fraction across draws is the parameter uncertainty. No random
numbers are used to choose draws: the same file and seed give the same replay.

The file also holds, per class, the **night-to-night spread** :math:`\\rho` that the model
does not explain (a beta-binomial intra-night correlation estimated on the calibration
residuals), used in the predictive interval (:mod:`skyshield.replay.predict`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "CALIBRATION_FILE",
    "Calibration",
    "Parameter",
    "ReplayParameters",
    "load_calibration",
    "write_calibration",
]

CALIBRATION_FILE = Path(__file__).with_name("calibration.yaml")
CLASSES = ("drone", "cruise", "ballistic")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Parameter(_Frozen):
    """A calibrated parameter: its value, draws from its uncertainty, its range and source."""

    value: float
    samples: tuple[float, ...] = Field(min_length=1, max_length=256)
    low: float
    high: float
    source: str
    how: str = Field("", description="how the value and samples were obtained")

    @model_validator(mode="after")
    def _inside(self) -> Parameter:
        if not self.low <= self.high:
            raise ValueError("low must not exceed high")
        for v in (self.value, *self.samples):
            if not self.low <= v <= self.high:
                raise ValueError(f"{v:g} is outside the range [{self.low:g}, {self.high:g}]")
        return self


class Calibration(_Frozen):
    """A calibration file: fitted parameters, the night-to-night spread, and provenance."""

    command: str = ""
    fitted_on: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Parameter]
    night_spread: dict[str, float] = Field(default_factory=dict, description="beta-binomial rho by class")
    paired: tuple[tuple[str, ...], ...] = Field(
        (), description="groups of parameters fitted jointly: draw s takes the same sample number of each "
        "(their samples are joint draws), instead of the fixed pairing")
    sources: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> Calibration:
        unknown = sorted(set(self.parameters) - set(KNOWN))
        if unknown:
            raise ValueError(f"unknown parameters {unknown}; known: {sorted(KNOWN)}")
        for c, rho in self.night_spread.items():
            if c not in CLASSES or not 0.0 <= rho < 1.0:
                raise ValueError(f"night_spread.{c}: expected a class of {CLASSES} and 0 <= rho < 1")
        seen: set[str] = set()
        for group in self.paired:
            missing = [k for k in group if k not in self.parameters]
            if missing or len(group) < 2:
                raise ValueError(f"paired {list(group)}: expected two or more parameters of the file")
            if len({len(self.parameters[k].samples) for k in group}) != 1:
                raise ValueError(f"paired {list(group)}: joint samples must be equally many")
            if seen.intersection(group):
                raise ValueError(f"paired {list(group)}: a parameter is in two groups")
            seen.update(group)
        return self

    @property
    def n_draws(self) -> int:
        return max((len(p.samples) for p in self.parameters.values()), default=1)

    def central(self) -> ReplayParameters:
        """The fitted values (no uncertainty)."""
        return ReplayParameters.from_values({k: p.value for k, p in self.parameters.items()})

    def draws(self, n: int | None = None) -> tuple[ReplayParameters, ...]:
        """``n`` parameter draws (default: as many as the longest sample list).

        Draw ``s`` takes, for the ``j``-th parameter (sorted by name), its sample number
        ``(s * (2 j + 1) + j) mod S``: every sample of a parameter is used once per ``S``
        draws, and parameters are paired differently (a fixed Latin-square-like pairing).
        The parameters of a :attr:`paired` group take the sample number of the group's first
        parameter (by name), so a draw keeps a jointly fitted pair together.
        """
        n = n or self.n_draws
        names = sorted(self.parameters)
        lead = {k: min(g) for g in self.paired for k in g}
        out = []
        for s in range(n):
            vals = {}
            for k in names:
                j = names.index(lead.get(k, k))
                m = len(self.parameters[k].samples)
                vals[k] = self.parameters[k].samples[(s * (2 * j + 1) + j) % m]
            out.append(ReplayParameters.from_values(vals))
        return tuple(out)


KNOWN = {
    "aim_exponent_drone": "population exponent of drone aims inside a region",
    "aim_exponent_cruise": "population exponent of cruise-missile aims inside a region",
    "aim_exponent_ballistic": "population exponent of ballistic-missile aims inside a region",
    "decoy_share": "decoy share of Shahed-type launches where the records do not give is_shahed",
    "posture_exponent": "exponent of the night's size in the share of short- and medium-range shooters on duty",
    "posture_full_launches": "launches of a night from which every short- and medium-range shooter is on duty",
}


@dataclass(frozen=True)
class ReplayParameters:
    """One draw of the replay's parameters (what one engine sample of a night uses)."""

    aim_exponent: dict[str, float] = field(default_factory=lambda: {c: 1.0 for c in CLASSES})
    decoy_share: float = 0.4
    posture_exponent: float = 0.0
    posture_full_launches: float = 400.0

    @classmethod
    def from_values(cls, v: dict[str, float]) -> ReplayParameters:
        base = cls()
        aims = {c: float(v.get(f"aim_exponent_{c}", base.aim_exponent[c])) for c in CLASSES}
        return cls(aim_exponent=aims, decoy_share=float(v.get("decoy_share", base.decoy_share)),
                   posture_exponent=float(v.get("posture_exponent", base.posture_exponent)),
                   posture_full_launches=float(v.get("posture_full_launches", base.posture_full_launches)))

    def as_dict(self) -> dict[str, float]:
        out = {f"aim_exponent_{c}": e for c, e in self.aim_exponent.items()}
        out["decoy_share"] = self.decoy_share
        out["posture_exponent"] = self.posture_exponent
        out["posture_full_launches"] = self.posture_full_launches
        return out


def load_calibration(path: str | Path | None = None) -> Calibration:
    """A calibration file, validated (the built-in ``calibration.yaml`` if ``path`` is None)."""
    f = Path(path) if path is not None else CALIBRATION_FILE
    try:
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
    except OSError:
        digest = ""  # missing or unreadable: _load reports it
    return _load(str(f), digest)


@cache
def _load(path: str, digest: str = "") -> Calibration:
    """The file at ``path`` with content ``digest`` (SHA-256): a file rewritten in place, by a
    refit or by hand, is read again, however soon and whatever its size."""
    from ..documents.validate import validate_document
    from ..documents.yamlio import load_yaml

    data, lines = load_yaml(path)
    return validate_document(Calibration, data, lines, path)


def write_calibration(cal: Calibration, path: str | Path, header: str = "") -> None:
    """Write ``cal`` as YAML (plain types; samples rounded to 4 decimals)."""
    import yaml

    doc = cal.model_dump(mode="json")
    for p in doc["parameters"].values():
        p["value"] = round(p["value"], 4)
        p["samples"] = [round(x, 4) for x in p["samples"]]
    doc["night_spread"] = {k: round(v, 5) for k, v in doc["night_spread"].items()}
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None)
    Path(path).write_text((header + "\n" if header else "") + text, encoding="utf-8")
