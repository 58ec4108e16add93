"""`skyshield campaign`: many nights with magazines, resupply and launch-capacity attrition."""

from __future__ import annotations

import sys

import click

from .common import expand_options, fail, stdout_console

__all__ = ["campaign"]


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

    from ..api import campaign as run_campaigns
    from ..documents import ScenarioError
    from .render import menu_table, pareto_plot

    for path, what in ((save_generator, "--save-generator"), (pareto, "--pareto")):
        if path:
            from ..store.files import StoreError, check_output_file

            try:
                check_output_file(path, what)
            except StoreError as exc:
                fail(exc)
    try:
        res = run_campaigns(scenario, expand_options(options), days, replications, seed, generator=generator_file,
                            records=records, fit_start=fit_start, fit_end=fit_end, period=period,
                            stock_nights=stock_nights, resupply_fraction=resupply_fraction,
                            resupply=_parse_rates(resupply), workers=workers, catalog=catalogs)
    except ScenarioError as exc:
        fail(exc)
    prov = res.provenance
    if save_generator:
        res.generator.save(save_generator)
    doc = res.document()
    if pareto:
        pareto_plot(doc, pareto, title=f"{prov['scenario']}, {days}-day campaign: protection against escalation risk")
    if fmt == "json":
        click.echo(res.to_json())
    else:
        out = stdout_console()
        for t in menu_table(doc, f"Option menu, {prov['scenario']}, {days}-day campaign ({replications} replications, "
                                 f"seed {seed})", out.width):
            out.print(t)
        Console(stderr=True).print(f"{replications * len(res.options)} campaigns in {res.wall_s:.1f} s; raids from the "
                                   f"generator {prov['generator_from']}, period {prov['period']}")
    sys.stdout.flush()
