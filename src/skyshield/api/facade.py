"""The Python API: the one code path behind the command line and notebooks.

>>> import skyshield as sk
>>> sc = sk.load_scenario("eastern-flank-night-raid-v1")
>>> sc.id, len(sc.raid.groups)
('eastern-flank-night-raid-v1', 11)
>>> cmp = sk.run(sc, option="none", replications=2, seed=7, workers=1)
>>> cmp.document()["provenance"]["replications"]
2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..catalog import Catalog, load_catalog
from ..documents import Problem, ScenarioError
from ..scenario import Scenario
from .comparison import Comparison

__all__ = [
    "ADVERSARIES",
    "adversary_label",
    "both_adversaries",
    "compare",
    "load_inputs",
    "load_scenario",
    "resolve_options",
    "run",
]

Progress = Callable[[int], None]


def _input_error(flag: str, message: str, given: object = None) -> ScenarioError:
    return ScenarioError([Problem(flag, None, (), message, given)])


def load_inputs(scenario: str | Path | Scenario, catalog: Sequence[str | Path] | Catalog = ()
                ) -> tuple[Scenario, Catalog, tuple[dict[str, Any], ...]]:
    """The validated scenario and catalog, and a record of every input file read (with its
    SHA-256): the scenario, the bases it extends, the catalog overlays.

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, the line and the field.
    """
    from ..provenance import input_record
    from ..scenario import load_scenario_inputs

    inputs: list[dict[str, Any]] = []
    if isinstance(catalog, Catalog):
        cat = catalog
    else:
        from ..documents.yamlio import MAX_DOCUMENT_BYTES, read_bounded

        overlays = tuple(catalog)
        cat = load_catalog(overlays)
        for p in overlays:
            inputs.append(input_record(str(p), read_bounded(p, MAX_DOCUMENT_BYTES, "catalog overlay"),
                                       "catalog-overlay"))
    if isinstance(scenario, Scenario):
        return scenario, cat, tuple(inputs)
    sc, sc_inputs = load_scenario_inputs(scenario, cat)
    return sc, cat, (*sc_inputs, *inputs)


def load_scenario(scenario: str | Path, catalog: Sequence[str | Path] | Catalog = ()) -> Scenario:
    """A built-in scenario by id, or a scenario file by path (``extends:`` resolved), validated
    against the catalog (the built-in one with ``catalog`` overlays merged in order).

    >>> import skyshield as sk
    >>> sk.load_scenario("western-raid-v1").title[:13]
    'Western raid '
    """
    return load_inputs(scenario, catalog)[0]


def resolve_options(options: str | Sequence[str], scenario: Scenario) -> tuple[str, ...]:
    """Option names as given (``"none,umbrella"``, a list, ``"all"`` for every preset, ``a+b``
    compositions), checked against the presets and the scenario's own options."""
    from ..options import builtin_options, resolve_option

    given = [x.strip() for x in options.split(",")] if isinstance(options, str) else [str(x).strip() for x in options]
    names: list[str] = []
    for o in given:
        for name in (list(builtin_options()) if o == "all" else [o] if o else []):
            n = resolve_option(name, scenario).name
            if n not in names:
                names.append(n)
    if not names:
        raise _input_error("--options", "no option given")
    return tuple(names)


def compare(
    scenario: str | Path | Scenario,
    options: str | Sequence[str] = ("none", "air-policing", "umbrella"),
    replications: int = 50,
    seed: int = 0,
    *,
    catalog: Sequence[str | Path] | Catalog = (),
    workers: int | None = None,
    fidelity: str = "statistical",
    events: bool = False,
    scheduler: str | None = None,
    progress: Progress | None = None,
    adversary: str = "fixed",
) -> Comparison:
    """Compare options on the same raids (common random numbers).

    Parameters
    ----------
    scenario
        A built-in scenario id, a scenario file, or a validated :class:`~skyshield.scenario.Scenario`.
    options
        Option names (a list, or comma-separated); the first is the baseline of the paired
        differences. ``"all"`` stands for every built-in preset; ``a+b`` composes presets.
    replications
        Monte Carlo replications per option (each option sees the same ``replications`` raids).
    seed
        Experiment seed: the same seed gives the same numbers, bit for bit, whatever ``workers``.
    catalog
        Catalog overlay files merged over the built-in catalog (or a validated catalog).
    workers
        Worker processes (``None``: all cores; ``1``: this process).
    fidelity
        ``statistical`` (coverage models) or ``full`` (measurement-level tracking).
    events
        Keep every event of every replication (:attr:`Comparison.events`).
    scheduler
        ``processes`` (default), ``serial``, ``dask`` or a Dask scheduler address.
    progress
        Called with the number of replications just finished.
    adversary
        ``fixed`` (every option flies the scenario's raid: pure defensive value), ``adaptive``
        (the raid adapts to each option's published posture: :mod:`skyshield.engine.adversary`)
        or ``both``: every option under each, labelled ``<option>@fixed`` and
        ``<option>@adaptive`` (fixed first; differences against the first option under ``fixed``).

    Returns
    -------
    Comparison

    Raises
    ------
    ScenarioError
        For any problem with the inputs (file, line and field; or the argument at fault).

    Examples
    --------
    >>> import skyshield as sk
    >>> cmp = sk.compare("eastern-flank-night-raid-v1", options="none,umbrella", replications=2, seed=7, workers=1)
    >>> m = cmp.document()["options"]["none"]["metrics"]
    >>> m["launched"]["mean"] == m["destroyed"]["mean"] + m["suppressed_ew"]["mean"] + m["leaked"]["mean"] \\
    ...     + m["in_flight_at_end"]["mean"]
    True
    """
    from ..engine import FIDELITIES
    from ..runner import Experiment, run_experiment
    from ..runner.executors import ExecutorError, make_executor

    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise _input_error("--replications", "must be a whole number of at least 1", replications)
    if fidelity not in FIDELITIES:
        from ..documents.errors import did_you_mean

        raise _input_error("--fidelity", f"unknown fidelity{did_you_mean(fidelity, FIDELITIES)} "
                                         f"(known: {', '.join(FIDELITIES)})", fidelity)
    if adversary not in ADVERSARIES:
        from ..documents.errors import did_you_mean

        raise _input_error("--adversary", f"unknown adversary{did_you_mean(str(adversary), ADVERSARIES)} "
                                          f"(known: {', '.join(ADVERSARIES)})", adversary)
    sc, cat, inputs = load_inputs(scenario, catalog)
    names = resolve_options(options, sc)
    modes = ("fixed", "adaptive") if adversary == "both" else (adversary,)
    try:
        ex = make_executor(scheduler, workers)
    except ValueError as exc:  # an unknown scheduler
        raise _input_error("--scheduler", str(exc), scheduler) from None
    try:
        res = [run_experiment(Experiment(sc, names, replications, int(seed), cat, keep_events=events, fidelity=fidelity,
                                         inputs=inputs, adversary=m), progress=progress, executor=ex) for m in modes]
    except ExecutorError as exc:  # an unreachable scheduler, a missing extra
        raise _input_error("--scheduler", str(exc), scheduler) from None
    finally:
        ex.close()
    return Comparison(res[0] if len(res) == 1 else both_adversaries(res[0], res[1]))


ADVERSARIES = ("fixed", "adaptive", "both")
"""Values of ``adversary`` in :func:`compare` (``both``: each option under each adversary)."""


def adversary_label(option: str, adversary: str) -> str:
    """The name of ``option`` under ``adversary`` in a ``both`` comparison: ``umbrella@adaptive``."""
    return f"{option}@{adversary}"


def both_adversaries(fixed: Any, adaptive: Any) -> Any:
    """One :class:`~skyshield.runner.ExperimentResult` of two runs of the same experiment, under
    the fixed and the adaptive adversary, options labelled by :func:`adversary_label`.

    Replication ``r`` of every row draws from the same streams (the seed and the replication,
    never the option or the adversary), so the paired differences stay paired.
    """
    from dataclasses import replace

    import pyarrow as pa

    from ..runner import ExperimentResult

    exp = fixed.experiment
    tables, events, labels = [], [], []
    for res, mode in ((fixed, "fixed"), (adaptive, "adaptive")):
        lab = {o: adversary_label(o, mode) for o in exp.options}
        labels += list(lab.values())

        def relabel(t: pa.Table, lab: dict[str, str] = lab) -> pa.Table:
            col = pa.array([lab[o] for o in t["option"].to_pylist()], pa.string())
            return t.set_column(t.column_names.index("option"), "option", col)

        tables.append(relabel(res.metrics))
        if res.events is not None:
            events.append(relabel(res.events))
    metrics = pa.concat_tables(tables, promote_options="default")
    both = replace(exp, options=tuple(labels), adversary="both")
    return ExperimentResult(both, metrics, pa.concat_tables(events, promote_options="default") if events else None,
                            fixed.wall_s + adaptive.wall_s)


def run(scenario: str | Path | Scenario, option: str = "none", replications: int = 50, seed: int = 0,
        **kwargs: Any) -> Comparison:
    """One option on a scenario: :func:`compare` with a single option (same keywords).

    >>> import skyshield as sk
    >>> r = sk.run("eastern-flank-night-raid-v1", "umbrella", replications=2, seed=1, workers=1)
    >>> r.options
    ('umbrella',)
    """
    return compare(scenario, [option], replications, seed, **kwargs)
