"""The result of :func:`skyshield.compare` (and :func:`skyshield.run`): every replication of every
option on the same raids, with views for notebooks.

Arrow tables always; pandas DataFrames and xarray Datasets when those libraries are installed
(``pip install 'skyshield[frames]'``), imported only when a view asks for them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ..analysis import mean_ci, paired_difference
from ..analysis.stats import is_probability
from ..analysis.metricdocs import metric_doc
from ..runner import ExperimentResult
from .document import result_document

__all__ = ["Comparison", "Explanation"]

_KEYS = ("option", "replication")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("this view needs pandas: pip install 'skyshield[frames]'") from exc
    return pd


class Comparison:
    """Options compared on the same raids: replication ``r`` of every option flies the same
    threats with the same dice (common random numbers), so paired differences are tight.

    Attributes
    ----------
    result
        The runner's result (Arrow tables, the experiment, wall time).

    Examples
    --------
    >>> import skyshield as sk
    >>> cmp = sk.compare("eastern-flank-night-raid-v1", options=["none", "umbrella"], replications=3, seed=7,
    ...                  workers=1)
    >>> cmp.options
    ('none', 'umbrella')
    >>> cmp.metrics.shape[0]  # one row per option and replication
    6
    >>> d = cmp.difference("umbrella")
    >>> bool(d.loc["leaked", "ci95_low"] <= d.loc["leaked", "mean"] <= d.loc["leaked", "ci95_high"])
    True
    >>> sorted(cmp.to_xarray().sizes.items())
    [('option', 2), ('replication', 3)]
    """

    def __init__(self, result: ExperimentResult):
        self.result = result
        self._doc: dict[str, Any] | None = None

    def __repr__(self) -> str:
        e = self.result.experiment
        return (f"<Comparison {e.scenario.id}: {', '.join(e.options)}; {e.replications} replications, "
                f"seed {e.seed}>")

    # -- what was run -----------------------------------------------------------------------

    @property
    def scenario(self) -> Any:
        """The validated scenario (:class:`skyshield.scenario.Scenario`)."""
        return self.result.experiment.scenario

    @property
    def options(self) -> tuple[str, ...]:
        """Option names, the baseline of the differences first."""
        return tuple(self.result.experiment.options)

    @property
    def replications(self) -> int:
        return self.result.experiment.replications

    @property
    def provenance(self) -> dict[str, Any]:
        """Scenario and catalog hashes, every input file's SHA-256, seed, replications, options,
        fidelity, package and code version."""
        return self.result.provenance

    # -- tables -------------------------------------------------------------------------------

    @property
    def table(self) -> pa.Table:
        """Arrow table: ``option, replication`` and one column per metric (no pandas needed)."""
        return self.result.metrics

    @cached_property
    def metrics(self) -> Any:
        """pandas DataFrame, one row per option x replication, one column per metric."""
        return self.table.to_pandas()

    def rows(self, option: str) -> list[dict[str, float]]:
        """One ``{metric: value}`` per replication of ``option``."""
        self._check(option)
        return self.result.rows(option)

    def _check(self, option: str) -> None:
        if option not in self.options:
            from ..documents.errors import did_you_mean

            raise KeyError(f"{option!r} is not an option of this comparison{did_you_mean(option, self.options)}; "
                           f"options: {', '.join(self.options)}")

    def _column(self, option: str, metric: str) -> Any:
        t = self.table.filter(pc.equal(self.table["option"], option))
        if metric not in t.column_names:
            from ..documents.errors import did_you_mean

            raise KeyError(f"no metric {metric!r}{did_you_mean(metric, t.column_names)}")
        return t[metric].to_numpy()

    def summary(self, level: float = 0.95) -> Any:
        """pandas DataFrame indexed by (option, metric): ``mean``, ``ci95_low``, ``ci95_high``
        (Student-t interval at ``level``) and the metric's ``unit``."""
        pd = _pandas()
        recs = []
        names = [c for c in self.table.column_names if c not in _KEYS]
        for o in self.options:
            for k in names:
                m, lo, hi = mean_ci(self._column(o, k), level, proportion=is_probability(k))
                d = metric_doc(k)
                recs.append((o, k, m, lo, hi, d.unit if d else ""))
        df = pd.DataFrame(recs, columns=["option", "metric", "mean", "ci95_low", "ci95_high", "unit"])
        return df.set_index(["option", "metric"])

    def difference(self, option: str, base: str | None = None, level: float = 0.95) -> Any:
        """pandas DataFrame indexed by metric: the paired difference ``option - base`` over
        replications (same raids, same dice), ``mean``, ``ci95_low``, ``ci95_high``, ``unit``.
        ``base`` defaults to the first option."""
        pd = _pandas()
        base = base or self.options[0]
        self._check(option)
        self._check(base)
        names = [c for c in self.table.column_names if c not in _KEYS]
        recs = []
        for k in names:
            m, lo, hi = paired_difference(self._column(option, k), self._column(base, k), level)
            d = metric_doc(k)
            recs.append((k, m, lo, hi, d.unit if d else ""))
        return pd.DataFrame(recs, columns=["metric", "mean", "ci95_low", "ci95_high", "unit"]).set_index("metric")

    def explain(self, option: str, base: str | None = None) -> Explanation:
        """Why the numbers of ``option`` are what they are: leakers by cause (and by threat
        class), their paired differences against ``base`` (default: the first option), and how
        far up the escalation ladder it went and what raised it."""
        self._check(option)
        base = base or self.options[0]
        self._check(base)
        doc = self.document()
        if base != self.options[0]:  # the document's differences are against the first option
            sub = Comparison(ExperimentResult(
                _with_options(self.result.experiment, (base, option)),
                self.table.filter(pc.is_in(self.table["option"], pa.array([base, option]))),
                None, 0.0))
            doc = sub.document()
        return Explanation(option, base, doc["options"][option], doc["options"].get(base, {}), self.replications)

    @property
    def events(self) -> Any:
        """pandas DataFrame of every event of every replication (``compare(..., events=True)``)."""
        if self.result.events is None:
            raise ValueError("events were not kept: run with sk.compare(..., events=True)")
        return self.result.events.to_pandas()

    def to_xarray(self) -> Any:
        """xarray Dataset with dims ``(option, replication)``, one variable per metric (its unit
        and definition as attributes); the provenance in the Dataset's attributes."""
        try:
            import xarray as xr
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_xarray needs xarray: pip install 'skyshield[frames]'") from exc
        import numpy as np

        names = [c for c in self.table.column_names if c not in _KEYS]
        data = {}
        for k in names:
            arr = np.stack([self._column(o, k) for o in self.options])
            d = metric_doc(k)
            data[k] = (("option", "replication"), arr, {"units": d.unit, "long_name": d.doc} if d else {})
        return xr.Dataset(data, coords={"option": list(self.options), "replication": np.arange(self.replications)},
                          attrs={"provenance": json.dumps(self.provenance, sort_keys=True)})

    def document(self) -> dict[str, Any]:
        """The CLI's JSON document (``skyshield compare --format json``) as a dict."""
        cached = self._doc
        if cached is None:
            rows = {o: self.result.rows(o) for o in self.options}
            cached = result_document(self.provenance, self.options, rows, [a.id for a in self.scenario.assets])
            self._doc = cached
        return cached

    def to_json(self, indent: int | None = 1) -> str:
        """The CLI's JSON document, as text (numbers that are not finite are ``null``)."""
        return json.dumps(self.document(), indent=indent, allow_nan=False)


def _with_options(exp: Any, options: tuple[str, ...]) -> Any:
    from dataclasses import replace

    return replace(exp, options=options)


@dataclass(frozen=True)
class Explanation:
    """Why an option's numbers are what they are (:meth:`Comparison.explain`).

    ``leakers``, ``leakers_by_class``, ``leakers_difference``, ``rung_distribution`` and
    ``rung_reasons`` are pandas DataFrames; ``text`` says it in sentences.
    """

    option: str
    base: str
    entry: dict[str, Any]
    base_entry: dict[str, Any]
    replications: int

    def _frame(self, view: dict[str, Any], index: str) -> Any:
        pd = _pandas()
        recs = [(k, v["mean"], v["ci95"][0], v["ci95"][1]) for k, v in view.items()]
        return pd.DataFrame(recs, columns=[index, "mean", "ci95_low", "ci95_high"]).set_index(index)

    @property
    def leakers(self) -> Any:
        """Leakers per night by cause (the causes sum to ``leaked``)."""
        return self._frame(self.entry["leakers_by_cause"], "cause")

    @property
    def leakers_by_class(self) -> Any:
        """Leakers per night by threat class and cause (rows: class, cause)."""
        pd = _pandas()
        parts = {cl: self._frame(v, "cause") for cl, v in self.entry["leakers_by_cause_by_class"].items()}
        return pd.concat(parts, names=["class"]) if parts else self._frame({}, "cause")

    @property
    def leakers_difference(self) -> Any:
        """Paired difference of each cause against the baseline (empty for the baseline itself)."""
        return self._frame(self.entry.get(f"leakers_by_cause_difference_vs_{self.base}", {}), "cause")

    @property
    def rung_distribution(self) -> Any:
        """P(highest rung of the night >= k), k = 1..9."""
        return self._frame(self.entry.get("escalation", {}).get("p_rung_ge", {}), "rung_at_least")

    @property
    def rung_reasons(self) -> Any:
        """Per kind of event: mean times it raised the rung per night, and the share of nights
        in which it set the highest rung."""
        pd = _pandas()
        esc = self.entry.get("escalation", {})
        raised = self._frame(esc.get("rung_raised_by", {}), "reason")
        top = self._frame(esc.get("max_rung_set_by", {}), "reason")
        return pd.concat({"raised_per_night": raised, "set_top_rung_share": top}, axis=1)

    @property
    def text(self) -> str:
        """The explanation in sentences."""
        from ..analysis.fmt import compact

        m = self.entry["metrics"]
        lk = m.get("leaked", {}).get("mean") or 0.0
        causes = {c: v["mean"] or 0.0 for c, v in self.entry["leakers_by_cause"].items()}
        order = sorted(causes, key=lambda c: -causes[c])
        out = [f"{self.option}: {compact(lk)} leakers a night on average over {self.replications} replications."]
        if lk > 0:
            out.append("Why: " + "; ".join(f"{c} {compact(causes[c])} ({100 * causes[c] / lk:.0f} %)"
                                           for c in order if causes[c] > 0) + ".")
        diff = self.entry.get(f"difference_vs_{self.base}")
        if diff is not None:
            d = diff["leaked"]
            dc = self.entry[f"leakers_by_cause_difference_vs_{self.base}"]
            moved = sorted(dc, key=lambda c: -abs(dc[c]["mean"] or 0.0))[:3]
            out.append(f"Against {self.base} (paired, same raids): leaked {compact(d['mean'])} "
                       f"[{compact(d['ci95'][0])}, {compact(d['ci95'][1])}]; the causes that moved most: "
                       + ", ".join(f"{c} {compact(dc[c]['mean'])}" for c in moved) + ".")
        esc = self.entry.get("escalation")
        if esc:
            ge = {int(k): v["mean"] or 0.0 for k, v in esc["p_rung_ge"].items()}
            reached = [k for k, p in ge.items() if p > 0]
            if reached:
                from ..policy.ladder import RUNGS

                top = max(reached)
                setby = {k: v["mean"] or 0.0 for k, v in esc["max_rung_set_by"].items() if (v["mean"] or 0.0) > 0}
                out.append(f"Escalation: highest rung {compact(esc['max_rung']['mean'])} on average; "
                           + ", ".join(f"P(rung >= {k}) = {ge[k]:.2f}" for k in sorted(reached))
                           + f" (rung {top}: {RUNGS[top].name}). The highest rung was set by "
                           + ", ".join(f"{k} in {100 * v:.0f} % of nights" for k, v in
                                       sorted(setby.items(), key=lambda kv: -kv[1])) + ".")
            else:
                out.append("Escalation: the ladder never left rung 0 (aid only).")
        return "\n".join(out)

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:  # notebooks
        return self.text.replace("\n", "\n\n")
