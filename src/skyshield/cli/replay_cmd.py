"""`skyshield replay`: a real night from the public attack records, simulated and compared."""

from __future__ import annotations

import sys

import click

from .console import stdout_console

__all__ = ["replay"]


@click.command()
@click.option("--attacks", "attacks", required=True, type=click.Path(dir_okay=False),
              help="Attack-records CSV (the public missile_attacks_daily.csv format).")
@click.option("--date", "date", required=True, help="Night to replay: the date of its morning report, YYYY-MM-DD.")
@click.option("--replications", "-n", default=100, show_default=True, help="Monte Carlo replications.")
@click.option("--seed", default=0, show_default=True, help="Experiment seed.")
@click.option("--workers", "-j", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False),
              help="Catalog overlay file(s), merged over the built-in catalog.")
def replay(attacks: str, date: str, replications: int, seed: int, workers: int | None, fmt: str,
           catalogs: tuple[str, ...]) -> None:
    """Replay the night of DATE with the defended country's own defences.

    Builds the raid from the records (counts by weapon type, launch areas, decoy share),
    simulates it on the reference scenario's defences and prints simulated against reported
    destroyed fractions ("shot down or suppressed") by weapon class.
    """
    from ..api import replay as replay_night
    from ..documents import ScenarioError
    from ..replay import RecordsError

    if replications < 1:
        click.echo("skyshield: error in input:\n--replications must be at least 1", err=True)
        sys.exit(2)
    try:
        res = replay_night(attacks, date, replications=replications, seed=seed, workers=workers, catalog=catalogs)
    except (RecordsError, ScenarioError) as exc:
        click.echo(f"skyshield: error in input:\n{exc}", err=True)
        sys.exit(2)
    if fmt == "json":
        click.echo(res.to_json())
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Night ending {res.date}: reported vs simulated destroyed (or suppressed) fraction")
    for col in ("class", "launched", "reported", "simulated (95 % CI)", "of which hard kills", "tolerance", "ok"):
        t.add_column(col)
    for c in res.classes:
        lo, hi = c.simulated_ci95
        t.add_row(c.weapon_class, str(c.reported_launched), f"{c.reported_destroyed_fraction:.3f}",
                  f"{c.simulated_mean:.3f} ({lo:.3f}-{hi:.3f})", f"{c.simulated_hard_kill_mean:.3f}",
                  f"±{c.tolerance:.3f}", "yes" if c.within_tolerance else "NO")
    stdout_console().print(t)
    Console(stderr=True).print(f"decoy share {res.decoy_share:.2f}; {res.replications} replications, seed {res.seed}")
