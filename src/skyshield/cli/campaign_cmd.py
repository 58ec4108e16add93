"""`skyshield campaign`: many nights with magazines, resupply and launch-capacity attrition."""

from __future__ import annotations

import json
import sys
import time

import click

from .console import stdout_console

__all__ = ["campaign"]


_WORLD: dict[str, object] = {}


def _init(scenario: str, catalogs: tuple[str, ...]) -> None:
    """Worker start: load the scenario and catalog once (catalog models do not pickle)."""
    from ..catalog import load_catalog
    from ..scenario import load_scenario

    cat = load_catalog(catalogs)
    _WORLD["sc"], _WORLD["cat"] = load_scenario(scenario, cat), cat
    _WORLD["key"] = (scenario, catalogs)


def _task(args):
    from ..campaign import run_campaign

    option, gen, settings, seed, r = args
    return run_campaign(_WORLD["sc"], _WORLD["cat"], option, gen, settings, seed, r)


def _pool_task(ctx: tuple[str, tuple[str, ...]], args):  # type: ignore[no-untyped-def]
    """A task on the runner's process pool (which stops its workers on any interrupt)."""
    if _WORLD.get("key") != ctx:
        _init(*ctx)
    return _task(args)


def _parse_rates(items: tuple[str, ...]) -> dict[str, float]:
    out = {}
    for it in items:
        name, _, val = it.rpartition("=")
        try:
            out[name] = float(val)
        except ValueError:
            raise click.BadParameter(f"{it!r}: expected WEAPON=ROUNDS_PER_DAY, e.g. 'PAC-3 MSE=1.5'") from None
    return out


@click.command()
@click.argument("scenario")
@click.option("--options", "options", default="none,air-policing,umbrella", show_default=True,
              help="Comma-separated options, or `all` for every preset.")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650), help="Nights to simulate.")
@click.option("--records", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Public attack records (missile_attacks_daily.csv format) to fit the raid generator to "
                   "(default: the packaged generator fitted to those records, 2022-Q4 .. 2025-Q3).")
@click.option("--generator", "generator_file", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A fitted generator saved with --save-generator (instead of the packaged one or --records).")
@click.option("--fit-start", default=None, help="First day (YYYY-MM-DD) of the records to fit on.")
@click.option("--fit-end", default=None, help="Last day (YYYY-MM-DD) of the records to fit on.")
@click.option("--period", default=None, help="Fitted period whose statistics drive the raids (default: latest full quarter).")
@click.option("--save-generator", type=click.Path(dir_okay=False), default=None,
              help="Save the fitted generator's parameters and provenance to this YAML file.")
@click.option("--stock-nights", default=5.0, show_default=True, help="Initial stock of each weapon, in nights of full loads.")
@click.option("--resupply-fraction", default=0.002, show_default=True,
              help="Default resupply per day as a fraction of the initial stock.")
@click.option("--resupply", multiple=True, help="WEAPON=ROUNDS_PER_DAY production allotted to the defended side (repeat).")
@click.option("--replications", "-n", default=10, show_default=True, help="Campaign replications per option.")
@click.option("--seed", default=0, show_default=True)
@click.option("--workers", "-j", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False))
@click.option("--pareto", type=click.Path(dir_okay=False), default=None,
              help="Save the Pareto plot (protection against escalation risk, marker size for cost).")
def campaign(scenario, options, days, records, generator_file, fit_start, fit_end, period, save_generator,
             stock_nights, resupply_fraction, resupply, replications, seed, workers, fmt, catalogs, pareto) -> None:
    """Run SCENARIO's options over many nights drawn from a generator fitted to public records
    (the packaged fit unless --records or --generator say otherwise)."""
    from rich.console import Console

    from .. import __version__
    from ..analysis import summarise
    from ..campaign import CampaignSettings, RaidGenerator
    from ..campaign.generator import DEFAULT_GENERATOR, default_generator, fit_records
    from ..campaign.loop import CAMPAIGN_METRIC_DOCS, default_period
    from ..documents import ScenarioError
    from ..options import resolve_option
    from ..replay.records import RecordsError
    from .main import _fail, _load, expand_options
    from .render import _clean, menu_table, pareto_plot

    sc, cat = _load(scenario, catalogs)
    names = expand_options(options)
    try:
        names = [resolve_option(o, sc).name for o in names]
    except ScenarioError as exc:
        _fail(exc)
    if records is not None and generator_file is not None:
        _fail(ValueError("give at most one of --records CSV (public attack records) or --generator FILE.yaml"))
    if (fit_start or fit_end) and records is None:
        _fail(ValueError("--fit-start and --fit-end apply to --records"))
    try:
        if records is not None:
            gen = fit_records(records, fit_start, fit_end)
            gen_from = f"fitted to --records {gen.provenance['source_file']}"
        elif generator_file is not None:
            gen = RaidGenerator.load(generator_file)
            gen_from = f"--generator {generator_file}"
        else:
            gen = default_generator()
            gen_from = f"packaged default (skyshield/campaign/{DEFAULT_GENERATOR})"
        if period is not None:
            gen.period(period)
    except (RecordsError, KeyError, ValueError, OSError) as exc:
        _fail(exc)
    if save_generator:
        from ..store.files import StoreError, check_output_file

        try:
            check_output_file(save_generator, "--save-generator")
        except StoreError as exc:
            _fail(exc)
        gen.save(save_generator)
    if pareto:
        from ..store.files import StoreError, check_output_file

        try:
            check_output_file(pareto, "--pareto")
        except StoreError as exc:
            _fail(exc)
    settings = CampaignSettings(days=days, period=period, stock_nights=stock_nights,
                                resupply_fraction=resupply_fraction, resupply=_parse_rates(resupply))
    t0 = time.perf_counter()
    tasks = [(o, gen, settings, seed, r) for o in names for r in range(replications)]
    if workers == 1:
        _WORLD["sc"], _WORLD["cat"] = sc, cat
        rows = [_task(t) for t in tasks]
    else:
        from ..runner.executors import ProcessPoolExecutor

        rows = [None] * len(tasks)
        for i, row in ProcessPoolExecutor(workers).map(_pool_task, (scenario, catalogs), tasks):
            rows[i] = row
    doc = {"provenance": {"scenario": sc.id, "scenario_hash": sc.content_hash, "seed": seed,
                          "replications": replications, "days": days, "options": names,
                          "generator_from": gen_from, "generator": gen.provenance,
                          "period": period or default_period(gen),
                          "version": __version__},
           "options": {}, "metric_docs": CAMPAIGN_METRIC_DOCS}
    for i, o in enumerate(names):
        rs = rows[i * replications:(i + 1) * replications]
        doc["options"][o] = {"metrics": {k: {"mean": _clean(v["mean"]), "ci95": [_clean(c) for c in v["ci95"]]}
                                         for k, v in summarise(rs).items()}}
    if pareto:
        pareto_plot(doc, pareto, title=f"{sc.id}, {days}-day campaign: protection against escalation risk")
    if fmt == "json":
        click.echo(json.dumps(doc, indent=1, allow_nan=False))
    else:
        stdout_console().print(menu_table(doc, f"Option menu, {sc.id}, {days}-day campaign ({replications} replications, seed {seed})"))
        Console(stderr=True).print(f"{len(tasks)} campaigns in {time.perf_counter() - t0:.1f} s; raids from the "
                                   f"generator {gen_from}, period {period or default_period(gen)}")
    sys.stdout.flush()
