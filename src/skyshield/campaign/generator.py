r"""A raid generator fitted to the public attack records.

For every period (calendar quarter by default) and weapon class :math:`c` (drone, cruise,
ballistic), a day's launches are zero with probability :math:`1 - \pi_c` (a quiet day for
that class) and otherwise :math:`1 + X`, :math:`X` negative binomial with mean
:math:`\mu_c - 1` and variance :math:`\sigma_c^2` (Poisson where the active days are not
over-dispersed). :math:`\pi, \mu, \sigma^2` are the sample share of active days and the
sample mean and variance of active days' counts (method of moments), so the generator
reproduces each period's mean and variance of daily launches in expectation. The decoy share
of drone launches is the period's reported ``1 - is_shahed / launched`` where the records
give it, else the documented assumption (none before September 2024, 40 % after; source
``decoy-share``). Classes are drawn independently given the period (a limitation: missile
nights and big drone nights co-occur in the records more than independence gives).

The fitted parameters save to a small YAML file with their provenance (file hash, span). The
package ships one (:func:`default_generator`): fitted by :func:`fit_records` to the public
records over complete quarters 2022-Q4 .. 2025-Q3; only the fitted parameters are bundled,
never the records.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from importlib.resources import files
from pathlib import Path

import numpy as np
import yaml

from .records import CLASSES, DailyCounts, file_sha256, read_daily_counts

__all__ = ["ATTRIBUTION", "DEFAULT_GENERATOR", "ClassFit", "PeriodFit", "RaidGenerator", "default_generator",
           "fit_generator", "fit_records", "period_of", "period_stats"]

DEFAULT_GENERATOR = "default_generator.yaml"
"""Package file (in :mod:`skyshield.campaign`) of the shipped fitted generator."""
DEFAULT_FIT_SPAN = ("2022-10-01", "2025-09-30")
"""Span of the shipped fit: complete quarters 2022-Q4 .. 2025-Q3 of the public records."""
ATTRIBUTION = ('"Massive Missile Attacks on Ukraine" by Petro Ivaniuk (Kaggle), '
               "from Ukrainian Air Force reports")

DECOYS_FROM = "2024-09-01"
DECOY_SHARE_AFTER = 0.4


def period_of(day: str, kind: str = "quarter") -> str:
    d = date.fromisoformat(day)
    if kind == "month":
        return f"{d.year}-{d.month:02d}"
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


@dataclass(frozen=True)
class ClassFit:
    p_active: float  # share of days with at least one launch
    mean_active: float  # mean launches on active days
    var_active: float  # variance of launches on active days

    @property
    def mean(self) -> float:
        """Expected launches per day, quiet days included."""
        return self.p_active * self.mean_active

    @property
    def var(self) -> float:
        """Variance of daily launches, quiet days included."""
        p, m, v = self.p_active, self.mean_active, self.var_active
        return p * (v + m * m) - (p * m) ** 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        active = rng.random(n) < self.p_active
        mu = max(self.mean_active - 1.0, 0.0)
        if self.var_active > mu and mu > 0:
            r = mu * mu / (self.var_active - mu)
            x = rng.negative_binomial(r, r / (r + mu), n)
        else:
            x = rng.poisson(mu, n)
        return np.where(active, 1 + x, 0).astype(np.int64)


@dataclass(frozen=True)
class PeriodFit:
    period: str
    days: int
    classes: dict[str, ClassFit]
    decoy_share: float


@dataclass(frozen=True)
class RaidGenerator:
    periods: tuple[PeriodFit, ...]
    provenance: dict = field(default_factory=dict)

    def period(self, name: str | None = None) -> PeriodFit:
        """A fitted period by name; the latest if ``None``."""
        if name is None:
            return self.periods[-1]
        for p in self.periods:
            if p.period == name:
                return p
        raise KeyError(f"no fitted period {name!r}; fitted: {', '.join(p.period for p in self.periods)}")

    def sample_days(self, rng: np.random.Generator, n_days: int, period: str | None = None) -> np.ndarray:
        """``(n_days, 3)`` launches per class (CLASSES order) from one period's fit."""
        pf = self.period(period)
        return np.stack([pf.classes[c].sample(rng, n_days) for c in CLASSES], axis=1)

    def save(self, path: str | Path) -> None:
        doc = {"provenance": self.provenance,
               "periods": [{"period": p.period, "days": p.days, "decoy_share": p.decoy_share,
                            "classes": {c: asdict(f) for c, f in p.classes.items()}} for p in self.periods]}
        Path(path).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "RaidGenerator":
        return cls.from_yaml(Path(path).read_text(encoding="utf-8"))

    @classmethod
    def from_yaml(cls, text: str) -> "RaidGenerator":
        doc = yaml.safe_load(text)
        periods = tuple(PeriodFit(p["period"], int(p["days"]), {c: ClassFit(**f) for c, f in p["classes"].items()},
                                  float(p["decoy_share"])) for p in doc["periods"])
        return cls(periods, doc.get("provenance", {}))


def _class_fit(x: np.ndarray) -> ClassFit:
    act = x[x > 0]
    if act.size == 0:
        return ClassFit(0.0, 0.0, 0.0)
    return ClassFit(float(act.size / x.size), float(act.mean()), float(act.var(ddof=1)) if act.size > 1 else 0.0)


def fit_generator(data: DailyCounts, period_kind: str = "quarter", provenance: dict | None = None) -> RaidGenerator:
    """Fit one :class:`PeriodFit` per period of ``data`` (method of moments)."""
    per = np.array([period_of(d, period_kind) for d in data.days])
    out = []
    for p in dict.fromkeys(per):
        sel = per == p
        x = data.counts[sel]
        sl, sr = data.shahed_launched[sel].sum(), data.shahed_real[sel].sum()
        first_day = np.array(data.days)[sel][0]
        if sl > 0:
            decoy = float(np.clip(1.0 - sr / sl, 0.0, 1.0))
        else:
            decoy = DECOY_SHARE_AFTER if first_day >= DECOYS_FROM else 0.0
        out.append(PeriodFit(str(p), int(sel.sum()), {c: _class_fit(x[:, k]) for k, c in enumerate(CLASSES)}, decoy))
    prov = {"span": [data.days[0], data.days[-1]], "period": period_kind, "method": "zero-inflated shifted negative binomial, method of moments",
            "source": "Ukrainian Air Force reports digitised by Petro Ivaniuk (Kaggle 'Massive Missile Attacks on Ukraine')"}
    prov.update(provenance or {})
    return RaidGenerator(tuple(out), prov)


def fit_records(path: str | Path, start: str | None = None, end: str | None = None,
                period_kind: str = "quarter") -> RaidGenerator:
    """Fit a generator to a public records file over ``[start, end]``, with its provenance:
    the file's name and SHA-256, the fit period, the fit date, the package version and the
    dataset's attribution."""
    from .. import __version__

    data = read_daily_counts(path, start, end)
    prov = {"source_file": Path(path).name, "sha256": file_sha256(path), "fit_period": [data.days[0], data.days[-1]],
            "fit_date": date.today().isoformat(), "package_version": __version__, "attribution": ATTRIBUTION,
            "fitted_by": f"skyshield.campaign.generator.fit_records(period_kind={period_kind!r})"}
    return fit_generator(data, period_kind, prov)


def default_generator() -> RaidGenerator:
    """The generator shipped with the package (see :data:`DEFAULT_FIT_SPAN`)."""
    return RaidGenerator.from_yaml(files(__package__).joinpath(DEFAULT_GENERATOR).read_text(encoding="utf-8"))


def period_stats(days: tuple[str, ...] | list[str], counts: np.ndarray, period_kind: str = "quarter") -> dict[str, dict[str, np.ndarray]]:
    """Per period: mean daily launches, dispersion index (variance / mean) and mix share by class."""
    per = np.array([period_of(d, period_kind) for d in days])
    out = {}
    for p in dict.fromkeys(per):
        x = counts[per == p]
        mean = x.mean(axis=0)
        var = x.var(axis=0, ddof=1) if x.shape[0] > 1 else np.zeros(x.shape[1])
        tot = x.sum()
        out[str(p)] = {"mean": mean, "dispersion": np.where(mean > 0, var / np.where(mean > 0, mean, 1), 0.0),
                       "mix": x.sum(axis=0) / tot if tot > 0 else np.zeros(x.shape[1])}
    return out
