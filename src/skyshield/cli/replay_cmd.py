"""`skyshield replay`: real nights from the public attack records, simulated and compared.

One night (``--date``), every night of a period (``--from``/``--to``: the validation figures
by class, a chart with ``--plot``), or a calibration on a period (``--fit FILE``).
"""

from __future__ import annotations

import json
import math
import shlex
import sys
from pathlib import Path

import click

from .console import stdout_console


def _progress():
    """A progress bar on stderr for a long replay (hidden when stderr is not a terminal)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    err = Console(stderr=True)
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=err, transient=True, disable=not err.is_terminal)

__all__ = ["replay"]


def _fail(msg: str, code: int = 2) -> None:
    click.echo(f"skyshield: error in input:\n{msg}", err=True)
    sys.exit(code)


@click.command()
@click.option("--attacks", "attacks", required=True, type=click.Path(dir_okay=False),
              help="Attack-records CSV (the public missile_attacks_daily.csv format).")
@click.option("--date", "date", default=None, help="One night to replay: the date of its morning report, YYYY-MM-DD.")
@click.option("--from", "start", default=None, help="First night of a period (YYYY-MM-DD): replay every night to --to.")
@click.option("--to", "end", default=None, help="Last night of the period (YYYY-MM-DD).")
@click.option("--replications", "-n", type=int, default=None,
              help="Monte Carlo replications per night [default: 100 for one night, 16 for a period, 4 per "
                   "grid value for --fit].")
@click.option("--seed", default=0, show_default=True, help="Experiment seed.")
@click.option("--workers", "-j", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False),
              help="Catalog overlay file(s), merged over the built-in catalog.")
@click.option("--calibration", "calibration", default=None, type=click.Path(dir_okay=False),
              help="Calibration file (fitted parameters and their uncertainty) [default: the built-in one].")
@click.option("--min-launched", type=int, default=20, show_default=True,
              help="A period's figures count a class on nights with at least this many launches of it.")
@click.option("--plot", "plot", default=None, type=click.Path(dir_okay=False),
              help="With a period: write the chart (simulated against reported, one point per night) as PNG.")
@click.option("--fit", "fit_out", default=None, type=click.Path(dir_okay=False),
              help="With a period: calibrate on it and write the calibration file here.")
def replay(attacks: str, date: str | None, start: str | None, end: str | None, replications: int | None, seed: int,
           workers: int | None, fmt: str, catalogs: tuple[str, ...], calibration: str | None, min_launched: int,
           plot: str | None, fit_out: str | None) -> None:
    """Replay real nights with the defended country's own defences and compare with the records.

    With --date, one night: the raid rebuilt from the records (counts by weapon type, launch
    areas, the regions the weapons went to, decoy share, timing), simulated on the reference
    scenario's defences; simulated against reported destroyed fractions ("shot down or
    suppressed") by weapon class, with tolerance and predictive interval.

    With --from and --to, every night of the period with a class of at least --min-launched
    launches, and per class: nights, within tolerance, mean error, mean absolute error,
    correlation and coverage of the predictive interval (JSON adds every night).

    With --fit FILE as well, the period is a calibration period: the parameters are fitted on
    it and written to FILE (use it with --calibration; report on a later period).
    """
    from ..catalog import load_catalog
    from ..documents import ScenarioError
    from ..replay import RecordsError
    from ..replay.params import load_calibration
    from ..replay.records import check_date

    if date is not None and (start is not None or end is not None):
        _fail("give either --date (one night) or --from and --to (a period), not both")
    if date is None and (start is None or end is None):
        _fail("give --date (one night), or --from and --to (a period)")
    if replications is not None and replications < 1:
        _fail("--replications must be at least 1")
    if min_launched < 1:
        _fail("--min-launched must be at least 1")
    if date is not None and (plot or fit_out):
        _fail("--plot and --fit need a period (--from and --to)")
    try:
        for d, what in ((date, "--date"), (start, "--from"), (end, "--to")):
            if d is not None:
                check_date(d, what)
        cat = load_catalog(catalogs)
        cal = load_calibration(calibration)
    except (RecordsError, ScenarioError) as exc:
        _fail(str(exc))
    if date is not None:
        _one_night(attacks, date, replications or 100, seed, fmt, cat, cal, catalogs, calibration)
    elif fit_out is not None:
        _fit(attacks, start, end, replications or 4, seed, workers, cat, cal, min_launched, fit_out, fmt)
    else:
        _period(attacks, start, end, replications or 16, seed, workers, fmt, cat, cal, calibration, min_launched, plot)


def _one_night(attacks, date, replications, seed, fmt, cat, cal, catalogs=(), cal_path=None) -> None:
    from ..api import replay as replay_api
    from ..documents import ScenarioError
    from ..provenance import sha256_bytes
    from ..replay import RecordsError

    try:
        # the API path (provenance with input hashes); catalog and calibration already loaded and checked
        res = replay_api(attacks, date, replications=replications, seed=seed, catalog=cat, calibration=cal)
    except (RecordsError, ScenarioError) as exc:
        _fail(str(exc))
    if fmt == "json":
        doc = res.document()
        for p in catalogs:
            doc["provenance"]["inputs"].append({"role": "catalog-overlay", "ref": str(p),
                                                "sha256": sha256_bytes(Path(p).read_bytes())})
        if cal_path:
            doc["provenance"]["inputs"].append({"role": "calibration", "ref": str(cal_path),
                                                "sha256": sha256_bytes(Path(cal_path).read_bytes())})
        click.echo(json.dumps(doc, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Night ending {res.date}: reported vs simulated destroyed (or suppressed) fraction")
    for col in ("class", "launched", "reported", "simulated (95 % CI)", "hard kills", "tolerance", "ok",
                f"predictive {res.classes[0].predictive_level:.0%}" if res.classes else "predictive", "covered",
                "hits rep. / sim. leakers"):
        t.add_column(col)
    for c in res.classes:
        lo, hi = c.simulated_ci95
        plo, phi = c.predictive_interval
        hits = "-" if c.reported_hit_locations is None else f"{c.reported_hit_locations:g}"
        t.add_row(c.weapon_class, str(c.reported_launched), f"{c.reported_destroyed_fraction:.3f}",
                  f"{c.simulated_mean:.3f} ({lo:.3f}-{hi:.3f})", f"{c.simulated_hard_kill_mean:.3f}",
                  f"±{c.tolerance:.3f}", "yes" if c.within_tolerance else "NO", f"{plo:.2f}-{phi:.2f}",
                  "yes" if c.covered else "NO", f"{hits} / {c.simulated_leakers_mean:.1f}")
    stdout_console().print(t)
    err = Console(stderr=True)
    for c in res.classes:
        top = sorted(c.aim_regions.items(), key=lambda kv: -kv[1])[:6]
        err.print(f"{c.weapon_class} aims ({c.aim_basis}): " + ", ".join(f"{k} {v:.0%}" for k, v in top))
    if res.unmatched_places:
        err.print("place texts not in the mapping: " + "; ".join(res.unmatched_places))
    err.print(f"decoy share {res.decoy_share:.2f}; short- and medium-range shooters on duty {res.duty_share:.0%} "
              f"(duty posture); {res.replications} replications over {len(res.draws)} parameter "
              f"draws, seed {res.seed}")


def _period(attacks, start, end, replications, seed, workers, fmt, cat, cal, cal_path, min_launched, plot) -> None:
    from ..documents import ScenarioError
    from ..replay import RecordsError
    from ..replay.records import read_nights
    from ..replay.validate import night_tasks, validate

    try:
        n_nights = len(night_tasks(read_nights(attacks, start, end), min_launched))
        with _progress() as bar:
            task = bar.add_task(f"replaying {start} to {end} (nights)", total=n_nights)
            v = validate(attacks, start, end, replications=replications, seed=seed, workers=workers, catalog=cat,
                         calibration=cal, calibration_file=cal_path, min_launched=min_launched,
                         progress=lambda k: bar.advance(task, k))
    except (RecordsError, ScenarioError) as exc:
        _fail(str(exc))
    if plot:
        from ..replay.plot import validation_chart

        with open(plot, "wb") as fh:
            fh.write(validation_chart(v))
    if fmt == "json":
        click.echo(json.dumps(v.as_dict(), indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    fo = v.fitted_on
    cal_note = (f"calibration fitted on {fo.get('from')} to {fo.get('to')}" if fo.get("from")
                else "calibration not fitted (built-in values)")
    t = Table(title=f"Replay of {start} to {end}: nights with at least {min_launched} launches of the class "
                    f"({cal_note})")
    for col in ("class", "nights", "within tol.", "mean error", "mean abs. error", "correlation",
                "coverage", "width", "cov. binom.+param.", "goal", "met"):
        t.add_column(col)
    for c, s in v.summaries.items():
        f = (lambda x, p=3: "-" if math.isnan(x) else f"{x:.{p}f}")
        met = {True: "yes", False: "NO", None: "-"}[s.goal_met]
        t.add_row(c, str(s.nights), f"{s.within_tolerance}", f(s.mean_error), f(s.mean_abs_error),
                  f(s.correlation, 2), f(s.coverage, 2), f(s.interval_width, 2), f(s.coverage_binomial, 2), s.goal, met)
    stdout_console().print(t)
    err = Console(stderr=True)
    a = v.summaries_all
    err.print("every replayed night with a launch of the class: " + "; ".join(
        f"{c} {s.nights} nights, MAE {s.mean_abs_error:.3f}, coverage {s.coverage:.2f}" for c, s in a.items() if s.nights))
    if v.unmatched_places:
        err.print("place texts not in the mapping: " + "; ".join(v.unmatched_places))
    err.print(f"{len(v.nights)} nights, {replications} replications each, seed {seed}; predictive interval "
              f"{int(100 * (v.nights[0].classes[0].predictive_level if v.nights and v.nights[0].classes else 0.9))} %")


def _fit(attacks, start, end, replications, seed, workers, cat, cal, min_launched, out, fmt) -> None:
    from ..documents import ScenarioError
    from ..replay import RecordsError
    from ..replay.fit import fit
    from ..replay.params import write_calibration

    cmd = "skyshield replay " + " ".join(shlex.quote(a) for a in sys.argv[2:]) if len(sys.argv) > 2 else ""
    from ..replay.fit import GRID, POSTURE_GRID
    from ..replay.records import read_nights
    from ..replay.validate import night_tasks

    try:
        n_runs = len(night_tasks(read_nights(attacks, start, end), 1)) * len(GRID) * len(POSTURE_GRID)
        with _progress() as bar:
            task = bar.add_task(f"fitting on {start} to {end} (nights x grid points)", total=n_runs)
            new, _ = fit(attacks, start, end, replications=replications, seed=seed, workers=workers, catalog=cat,
                         base=cal, min_launched=min_launched, command=cmd, progress=lambda k: bar.advance(task, k))
    except (RecordsError, ScenarioError) as exc:
        _fail(str(exc))
    write_calibration(new, out, header=f"# Replay calibration written by `skyshield replay --fit`; fitted on {start} "
                                       f"to {end}. Re-run the command to refit; do not edit by hand.")
    if fmt == "json":
        click.echo(json.dumps(new.model_dump(mode="json"), indent=1))
        return
    from rich.table import Table

    t = Table(title=f"Calibration on {start} to {end} (written to {out})")
    for col in ("parameter", "value", "samples (uncertainty)", "how"):
        t.add_column(col)
    for k, p in new.parameters.items():
        t.add_row(k, f"{p.value:.3f}", " ".join(f"{x:.2f}" for x in p.samples), p.how)
    stdout_console().print(t)
    click.echo("night-to-night spread (rho): " + ", ".join(f"{c} {r:.4f}" for c, r in new.night_spread.items()),
               err=True)
