"""Replays of real nights and multi-night campaigns, behind :func:`skyshield.replay` and
:func:`skyshield.campaign` (and the ``replay`` and ``campaign`` commands)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..documents import Problem, ScenarioError
from ..scenario import Scenario
from .comparison import _pandas
from .document import summary_entry

__all__ = ["CampaignResult", "ReplayResult", "campaign", "replay"]


# --- replay ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReplayResult:
    """A real night replayed (:func:`skyshield.replay.replay_night`) and compared with its record.

    Its fields are the night result's (``date``, ``classes``, ...); :meth:`document` is the
    ``replay --format json`` document and :attr:`classes_frame` the table by weapon class.
    """

    night: Any  # skyshield.replay.NightResult
    attacks: str
    inputs: tuple[dict[str, Any], ...] = ()  # the records file and catalog overlays, with their SHA-256
    catalog_hash: str = ""

    def __getattr__(self, name: str) -> Any:
        if name == "night":  # not yet set (while unpickling)
            raise AttributeError(name)
        return getattr(self.night, name)

    def document(self) -> dict[str, Any]:
        """The ``skyshield replay --format json`` document."""
        from ..replay.validate import _night_doc

        res = self.night
        doc = _night_doc(res)
        doc["provenance"] = {"scenario_hash": res.scenario_hash, "seed": res.seed, "replications": res.replications,
                             "attacks": self.attacks, "decoy_share": res.decoy_share,
                             "parameter_draws": list(res.draws), "catalog_hash": self.catalog_hash,
                             "inputs": [dict(r) for r in self.inputs], "version": _version(),
                             "code_version": _code_version()}
        return doc

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.document(), indent=indent)

    @property
    def classes_frame(self) -> Any:
        """pandas DataFrame, one row per weapon class: reported and simulated fractions."""
        pd = _pandas()
        recs = [{"class": c.weapon_class, "reported_launched": c.reported_launched,
                 "reported_destroyed_fraction": c.reported_destroyed_fraction, "simulated_mean": c.simulated_mean,
                 "simulated_ci95_low": c.simulated_ci95[0], "simulated_ci95_high": c.simulated_ci95[1],
                 "simulated_hard_kill_mean": c.simulated_hard_kill_mean, "tolerance": c.tolerance,
                 "within_tolerance": c.within_tolerance} for c in self.night.classes]
        return pd.DataFrame(recs).set_index("class")


def replay(attacks: str | Path, date: str, replications: int = 100, seed: int = 0, *, workers: int | None = None,
           catalog: Sequence[str | Path] | Catalog = (), calibration: str | Path | Any = None) -> ReplayResult:
    """Replay the night of ``date`` (its morning report) from public attack records with the
    defended country's own defences, and compare with what was reported.

    Raises
    ------
    ScenarioError
        For bad arguments or an unusable catalog; :class:`skyshield.replay.RecordsError` for
        records that cannot be read or have no such night.

    ``calibration`` is a calibration file (or a loaded
    :class:`skyshield.replay.params.Calibration`); default: the built-in one.

    Examples
    --------
    With the public records (``missile_attacks_daily.csv``, not shipped with the package):

    >>> import skyshield as sk
    >>> r = sk.replay("missile_attacks_daily.csv", "2025-09-07", replications=20)  # doctest: +SKIP
    >>> r.classes_frame[["reported_destroyed_fraction", "simulated_mean", "within_tolerance"]]  # doctest: +SKIP
    """
    from ..catalog import load_catalog
    from ..replay import replay_night

    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ScenarioError([Problem("--replications", None, (), "must be a whole number of at least 1", replications)])
    from ..catalog import catalog_hash
    from ..provenance import sha256_bytes

    from ..replay.params import Calibration, load_calibration
    from ..replay.records import check_date

    check_date(date, "--date")
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(tuple(catalog))
    cal = calibration if isinstance(calibration, Calibration) else load_calibration(calibration)
    res = replay_night(attacks, date, replications=replications, seed=seed, workers=workers, catalog=cat,
                       calibration=cal)
    inputs = [{"role": "attack-records", "ref": str(attacks), "sha256": sha256_bytes(Path(attacks).read_bytes())}]
    if calibration is not None and not isinstance(calibration, Calibration):
        inputs.append({"role": "calibration", "ref": str(calibration),
                       "sha256": sha256_bytes(Path(calibration).read_bytes())})
    for p in () if isinstance(catalog, Catalog) else tuple(catalog):
        inputs.append({"role": "catalog-overlay", "ref": str(p), "sha256": sha256_bytes(Path(p).read_bytes())})
    return ReplayResult(res, str(attacks), tuple(inputs), catalog_hash(cat))


def _version() -> str:
    from .. import __version__

    return __version__


def _code_version() -> str:
    from ..provenance import code_version

    return code_version()


# --- campaign -------------------------------------------------------------------------------

_WORLD: dict[str, Any] = {}


def _init(scenario: Any, catalogs: tuple[str, ...]) -> None:
    """Worker start: load the scenario and catalog once (catalog models do not pickle)."""
    from .facade import load_inputs

    sc, cat, _ = load_inputs(scenario, catalogs)
    _WORLD["sc"], _WORLD["cat"], _WORLD["key"] = sc, cat, (scenario, catalogs)


def _task(args: tuple[Any, ...]) -> dict[str, float]:
    from ..campaign import run_campaign

    option, gen, settings, seed, r = args
    return run_campaign(_WORLD["sc"], _WORLD["cat"], option, gen, settings, seed, r)


def _pool_task(ctx: tuple[Any, tuple[str, ...]], args: tuple[Any, ...]) -> dict[str, float]:
    """A task on the runner's process pool (which stops its workers on any interrupt)."""
    if _WORLD.get("key") != ctx:
        _init(*ctx)
    return _task(args)


@dataclass
class CampaignResult:
    """Campaign replications of every option (:func:`skyshield.campaign`)."""

    provenance: dict[str, Any]
    options: tuple[str, ...]
    rows: dict[str, list[dict[str, float]]]
    wall_s: float = 0.0
    generator: Any = None  # the RaidGenerator the nights were drawn from
    _doc: dict[str, Any] | None = field(default=None, repr=False)

    def document(self) -> dict[str, Any]:
        """The ``skyshield campaign --format json`` document."""
        if self._doc is None:
            from ..analysis import summarise
            from ..analysis.metricdocs import metric_docs

            doc: dict[str, Any] = {"provenance": self.provenance, "options": {}}
            names: list[str] = []
            for o in self.options:
                metrics = {k: summary_entry(v["mean"], *v["ci95"])  # type: ignore[arg-type,misc]
                           for k, v in summarise(self.rows[o]).items()}
                names += [k for k in metrics if k not in names]
                doc["options"][o] = {"metrics": metrics}
            docs = metric_docs(names, scope="campaign")
            doc["metric_docs"] = {k: d.doc for k, d in docs.items()}
            doc["metric_units"] = {k: d.unit for k, d in docs.items()}
            self._doc = doc
        return self._doc

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.document(), indent=indent, allow_nan=False)

    @property
    def metrics(self) -> Any:
        """pandas DataFrame, one row per option x campaign replication."""
        pd = _pandas()
        recs = [{"option": o, "replication": r, **row} for o in self.options for r, row in enumerate(self.rows[o])]
        return pd.DataFrame(recs)

    def summary(self) -> Any:
        """pandas DataFrame indexed by (option, metric): mean and 95 % CI."""
        pd = _pandas()
        doc = self.document()
        recs = [(o, k, v["mean"], v["ci95"][0], v["ci95"][1]) for o, e in doc["options"].items()
                for k, v in e["metrics"].items()]
        return pd.DataFrame(recs, columns=["option", "metric", "mean", "ci95_low", "ci95_high"]).set_index(
            ["option", "metric"])


def campaign(
    scenario: str | Path | Scenario,
    options: str | Sequence[str] = ("none", "air-policing", "umbrella"),
    days: int = 90,
    replications: int = 10,
    seed: int = 0,
    *,
    generator: Any = None,
    records: str | Path | None = None,
    fit_start: str | None = None,
    fit_end: str | None = None,
    period: str | None = None,
    stock_nights: float = 5.0,
    resupply_fraction: float = 0.002,
    resupply: dict[str, float] | None = None,
    workers: int | None = None,
    catalog: Sequence[str | Path] = (),
) -> CampaignResult:
    """Run options over ``days`` nights drawn from a raid generator fitted to public records.

    Parameters
    ----------
    generator
        A :class:`~skyshield.campaign.RaidGenerator`, or the path of one saved with
        ``--save-generator``; default: the packaged generator (or one fitted to ``records``).
    records
        Public attack records (``missile_attacks_daily.csv`` format) to fit the generator to,
        over ``fit_start`` .. ``fit_end``.
    period
        Fitted period whose statistics drive the raids (default: the latest full quarter).

    Examples
    --------
    >>> import skyshield as sk
    >>> c = sk.campaign("eastern-flank-night-raid-v1", ["none"], days=2, replications=1, seed=1, workers=1)
    >>> c.document()["options"]["none"]["metrics"]["days"]["mean"]
    2.0
    """
    from .. import __version__
    from ..campaign import CampaignSettings, RaidGenerator
    from ..campaign.generator import DEFAULT_GENERATOR, default_generator, fit_records
    from ..campaign.loop import default_period
    from ..provenance import code_version
    from ..replay.records import RecordsError
    from .facade import load_inputs, resolve_options

    def bad(flag: str, msg: str, given: object = None) -> ScenarioError:
        return ScenarioError([Problem(flag, None, (), msg, given)])

    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        raise bad("--days", "must be a whole number of nights in 1..3650", days)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise bad("--replications", "must be a whole number of at least 1", replications)
    if records is not None and generator is not None:
        raise bad("--records", "give at most one of --records CSV (public attack records) or --generator FILE.yaml")
    if (fit_start or fit_end) and records is None:
        raise bad("--fit-start", "--fit-start and --fit-end apply to --records")
    catalogs = tuple(str(c) for c in catalog)
    sc, cat, inputs = load_inputs(scenario, catalogs)
    names = resolve_options(options, sc)
    try:
        if records is not None:
            gen = fit_records(records, fit_start, fit_end)
            gen_from = f"fitted to --records {gen.provenance['source_file']}"
        elif isinstance(generator, (str, Path)):
            gen = RaidGenerator.load(generator)
            gen_from = f"--generator {generator}"
        elif generator is not None:
            gen = generator
            gen_from = "a generator given by the caller"
        else:
            gen = default_generator()
            gen_from = f"packaged default (skyshield/campaign/{DEFAULT_GENERATOR})"
        if period is not None:
            gen.period(period)
    except (RecordsError, KeyError, ValueError, OSError) as exc:
        raise bad("--records" if records is not None else "--generator" if generator is not None else "--period",
                  str(exc).strip("'\"")) from None
    settings = CampaignSettings(days=days, period=period, stock_nights=stock_nights,
                                resupply_fraction=resupply_fraction, resupply=dict(resupply or {}))
    t0 = time.perf_counter()
    tasks = [(o, gen, settings, seed, r) for o in names for r in range(replications)]
    if workers == 1:
        _WORLD["sc"], _WORLD["cat"], _WORLD["key"] = sc, cat, None
        flat = [_task(t) for t in tasks]
    else:
        from ..runner.executors import ProcessPoolExecutor

        ref = scenario if not isinstance(scenario, Scenario) else sc
        flat_opt: list[dict[str, float] | None] = [None] * len(tasks)
        for i, row in ProcessPoolExecutor(workers).map(_pool_task, (ref, catalogs), tasks):
            flat_opt[i] = row
        flat = [r for r in flat_opt if r is not None]
    rows = {o: flat[i * replications:(i + 1) * replications] for i, o in enumerate(names)}
    prov = {"scenario": sc.id, "scenario_hash": sc.content_hash, "inputs": list(inputs), "seed": seed,
            "replications": replications, "days": days, "options": list(names), "generator_from": gen_from,
            "generator": gen.provenance, "period": period or default_period(gen),
            "settings": {"stock_nights": stock_nights, "resupply_fraction": resupply_fraction,
                         "resupply": dict(resupply or {})},
            "version": __version__, "code_version": code_version()}
    return CampaignResult(prov, names, rows, time.perf_counter() - t0, gen)
