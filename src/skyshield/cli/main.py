"""The `skyshield` command line."""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
import threading
from typing import NoReturn

import click

from .. import __version__
from .common import EXIT_INPUT, expand_options, fail, stdout_console

__all__ = ["main", "expand_options"]

# OS errors that say something about the user's paths or disk (exit 2 with the path), not a bug.
_USER_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT, errno.ENOTDIR,
                errno.EISDIR, errno.EDQUOT, errno.EFBIG, errno.ENAMETOOLONG, errno.ELOOP, errno.EEXIST,
                errno.ENXIO, errno.ENODEV, errno.EIO}


class Interrupted(KeyboardInterrupt):
    """SIGTERM (or another stop signal) turned into an interrupt, so that every ``finally``
    and ``except KeyboardInterrupt`` runs: worker pools are terminated, run records say
    ``interrupted``."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _on_stop_signal(signum: int, frame: object) -> None:
    signal.signal(signum, signal.SIG_DFL)  # a second signal stops at once
    raise Interrupted(signum)


def _stop_children() -> None:
    """SIGKILL any worker process still alive (one an interrupt caught while it was starting)."""
    import multiprocessing

    for p in multiprocessing.active_children():
        p.kill()
    for p in multiprocessing.active_children():
        p.join(2.0)


class _Main(click.Group):
    """The command group: stop signals become interrupts; an interrupt or an OS error about
    a user's path ends with a one-line message and an exit status, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, _on_stop_signal)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            signum = getattr(exc, "signum", signal.SIGINT)
            _stop_children()
            click.echo(f"skyshield: interrupted ({signal.Signals(signum).name}); worker processes stopped. "
                       "A sweep resumes where it stopped when run again.", err=True)
            # Leave now: the pools' clean-up already ran (its `finally` blocks, the run record);
            # interpreter shutdown would join helper threads an interrupted pool may have left
            # waiting on a killed worker.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(128 + int(signum))
        except OSError as exc:
            if exc.errno not in _USER_ERRNOS:
                raise
            where = f"{exc.filename}: " if exc.filename else ""
            click.echo(f"skyshield: error: {where}{exc.strerror or exc}", err=True)
            sys.exit(EXIT_INPUT)


def _fail(exc: object) -> NoReturn:
    fail(exc)


def _execute(scenario: str, options: list[str], replications: int, seed: int, workers: int | None,
             fmt: str, catalogs: tuple[str, ...], events: str | None, fidelity: str = "statistical",
             pareto: str | None = None, by: str | None = None, adversary: str = "fixed") -> None:
    """``run`` and ``compare``: :func:`skyshield.compare`, then its document printed."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from ..api import compare
    from ..documents import ScenarioError
    from ..store.files import StoreError, check_output_file
    from .render import (
        asset_table,
        cause_table,
        difference_table,
        escalation_table,
        menu_table,
        result_table,
    )

    try:  # before the run, not after it: a missing folder should not cost the whole run
        for path, what in ((events, "--events"), (pareto, "--pareto")):
            if path:
                check_output_file(path, what)
    except StoreError as exc:
        _fail(exc)
    err = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as bar:
        modes = 2 if adversary == "both" else 1
        task = bar.add_task(str(scenario), total=replications * max(len(options), 1) * modes)
        scheduler = click.get_current_context().meta.get("skyshield.scheduler")
        try:
            cmp = compare(scenario, options, replications, seed, catalog=catalogs, workers=workers,
                          fidelity=fidelity, events=events is not None, scheduler=scheduler,
                          progress=lambda k: bar.advance(task, k), adversary=adversary)
        except ScenarioError as exc:  # every input problem: a file, a line, a field, or an argument
            _fail(exc)
    doc = cmp.document()
    if events:
        import pyarrow.parquet as pq

        if cmp.result.events is not None:
            pq.write_table(cmp.result.events, events)
    if pareto:  # the option-menu Pareto plot
        from .render import pareto_plot

        pareto_plot(doc, pareto, title=f"{cmp.scenario.id}: protection against escalation risk"
                    + ("" if adversary == "fixed" else f" ({_ADV_TITLE[adversary]})"))
    if fmt == "json":
        click.echo(cmp.to_json())
        return
    out = stdout_console()
    w = out.width
    adv = "" if adversary == "fixed" else f", {_ADV_TITLE[adversary]}"  # today's output unchanged under fixed
    if adv:
        out.print(f"Adversary: {adversary}. {_ADV_NOTE[adversary]}")
    tables = []
    if len(cmp.options) > 1:  # the answer first: the option menu and the paired differences
        tables += menu_table(doc, f"Option menu, {cmp.scenario.id}{adv}", w) + difference_table(doc, w)
    tables += result_table(doc, w) + cause_table(doc, w) + escalation_table(doc, w)
    if by == "asset":
        for q in ("leaked", "hits", "expected_damage_usd"):
            tables += asset_table(doc, q, w)
    for t in tables:
        out.print(t)
    err.print(f"{replications * len(cmp.options)} replications in {cmp.result.wall_s:.1f} s")


_ADV_TITLE = {"fixed": "fixed adversary", "adaptive": "adaptive adversary", "both": "fixed and adaptive adversary"}
_ADV_NOTE = {
    "fixed": "Every option flies the scenario's raid (pure defensive value).",
    "adaptive": "The raid adapts to each option's published posture: reroutes round allied envelopes, retargets, "
                "changes its mix and shrinks with deterrence (docs/options.md, \"Fixed and adaptive adversary\").",
    "both": "Each option under each adversary: <option>@fixed flies the scenario's raid, <option>@adaptive the raid "
            "adapted to its posture (docs/options.md, \"Fixed and adaptive adversary\").",
}


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="skyshield")
def main() -> None:
    """Compare air-support security-guarantee options on the same raids.

    Start with `skyshield list`, then `skyshield compare eastern-flank-night-raid-v1`.
    """


@main.command("list")
def list_cmd() -> None:
    """Built-in scenarios and option presets, with their versions."""
    from rich.table import Table

    from ..catalog import load_catalog
    from ..options import builtin_options
    from ..scenario import builtin_scenarios

    c = stdout_console()
    t = Table(title="Built-in scenarios")
    t.add_column("id (versioned)", no_wrap=True)
    t.add_column("title")
    for k, v in builtin_scenarios().items():
        t.add_row(k, v)
    c.print(t)
    t = Table(title="Option presets (compose with +, e.g. umbrella+air-policing)")
    t.add_column("id", no_wrap=True)
    t.add_column("packages")
    t.add_column("data sharing")
    t.add_column("allied ROE")
    t.add_column("title")
    for k, o in builtin_options().items():
        t.add_row(k, ", ".join(o.packages) or "-", o.data_sharing, o.roe if o.packages else "-", o.title)
    c.print(t)
    cat = load_catalog()
    c.print(f"Catalog: {len(cat.threats)} threat, {len(cat.sensors)} sensor and {len(cat.shooters)} shooter types "
            f"({len(cat.sources)} sources). skyshield {__version__}")


@main.command()
def schema() -> None:
    """JSON Schema of scenario files, for editors."""
    from ..scenario import Scenario

    s = Scenario.model_json_schema()
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    s["title"] = "skyshield scenario"
    click.echo(json.dumps(s, indent=1))


_common = [
    click.option("--replications", "-n", default=50, show_default=True, help="Monte Carlo replications per option."),
    click.option("--seed", default=0, show_default=True, help="Experiment seed (results are reproducible bit for bit)."),
    click.option("--workers", "-j", type=int, default=None, help="Worker processes (default: all cores)."),
    click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True),
    click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False),
                 help="Catalog overlay file(s), merged over the built-in catalog."),
    click.option("--events", type=click.Path(dir_okay=False), default=None,
                 help="Write every event of every replication to this Parquet file."),
    click.option("--scheduler", default=None, expose_value=False,
                 callback=lambda ctx, _p, v: ctx.meta.__setitem__("skyshield.scheduler", v),
                 help="processes (default), serial, dask (a local Dask cluster) or tcp://HOST:PORT."),
    click.option("--fidelity", default="statistical", show_default=True,
                 help="statistical (detection drawn from coverage models) or full (measurement-level tracking)."),
    click.option("--adversary", type=click.Choice(["fixed", "adaptive", "both"]), default="fixed", show_default=True,
                 help="fixed: every option flies the scenario's raid; adaptive: the raid adapts to each option's "
                      "posture; both: each option under each (labelled option@fixed, option@adaptive)."),
]


def _with_common(f):
    for opt in reversed(_common):
        f = opt(f)
    return f


@main.command()
@click.argument("scenario")
@click.option("--option", "option", default="none", show_default=True, help="Option preset (or a+b composition).")
@_with_common
def run(scenario: str, option: str, replications: int, seed: int, workers: int | None, fmt: str,
        catalogs: tuple[str, ...], events: str | None, fidelity: str, adversary: str = "fixed") -> None:
    """Run SCENARIO (a built-in id or a YAML file) under one option."""
    _execute(scenario, [option], replications, seed, workers, fmt, catalogs, events, fidelity, adversary=adversary)


@main.command()
@click.argument("scenario")
@click.option("--options", "options", default="none,air-policing,umbrella", show_default=True,
              help="Comma-separated options, or `all` for every preset; the first is the baseline for differences.")
@click.option("--pareto", type=click.Path(dir_okay=False), default=None,
              help="Save the Pareto plot (protection against escalation risk, marker size for cost) to this PNG.")
@click.option("--by", type=click.Choice(["asset"]), default=None,
              help="Also print results broken down by asset (leakers, hits, expected damage).")
@_with_common
def compare(scenario: str, options: str, replications: int, seed: int, workers: int | None, fmt: str,
            catalogs: tuple[str, ...], events: str | None, fidelity: str, pareto: str | None = None,
            by: str | None = None, adversary: str = "fixed") -> None:
    """Compare options on the same raids (common random numbers)."""
    names = expand_options(options)
    _execute(scenario, names, replications, seed, workers, fmt, catalogs, events, fidelity, pareto, by, adversary)


@main.command()
@click.argument("scenario")
@click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False))
def validate(scenario: str, catalogs: tuple[str, ...]) -> None:
    """Check a scenario file; print its hash, or every problem found (exit status 2)."""
    from ..api import load_inputs
    from ..documents import ScenarioError

    try:
        sc, _, inputs = load_inputs(scenario, catalogs)
    except ScenarioError as exc:
        _fail(exc)
    bases = [r for r in inputs if r["role"] == "extends"]
    extends = f" (extends {', '.join(str(r.get('id', r['ref'])) for r in bases)})" if bases else ""
    click.echo(f"{sc.id}: valid{extends}, sha256 {sc.content_hash}")


# Commands defined in their own modules register here, one line each.
from .sweep_cmd import report as _report_cmd  # noqa: E402
from .sweep_cmd import results as _results_cmd
from .sweep_cmd import sweep as _sweep_cmd

main.add_command(_sweep_cmd)
main.add_command(_results_cmd)
main.add_command(_report_cmd)
from .replay_cmd import replay as _replay_cmd  # noqa: E402

main.add_command(_replay_cmd)
from .campaign_cmd import campaign as _campaign_cmd  # noqa: E402

main.add_command(_campaign_cmd)
from .cases_cmd import cases as _cases_cmd  # noqa: E402

main.add_command(_cases_cmd)
from .export_cmd import export as _export_cmd  # noqa: E402

main.add_command(_export_cmd)
from .serve_cmd import serve as _serve_cmd  # noqa: E402

main.add_command(_serve_cmd)


if __name__ == "__main__":  # pragma: no cover
    main()
