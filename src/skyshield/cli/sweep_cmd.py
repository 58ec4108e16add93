"""`skyshield sweep`, `skyshield results` and `skyshield report`: experiments at scale."""

from __future__ import annotations

import json
import math
import sys

import click

from .common import EXIT_INPUT, stdout_console

__all__ = ["report", "results", "sweep"]


def _fail(msg: object) -> None:
    click.echo(f"skyshield: error:\n{msg}", err=True)
    sys.exit(EXIT_INPUT)


def _clean(x: object) -> object:
    return None if isinstance(x, float) and not math.isfinite(x) else x


@click.command()
@click.argument("experiment", type=click.Path(dir_okay=False))
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False),
              help="Results directory (created; an existing one for this experiment is completed).")
@click.option("--workers", "-j", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--scheduler", default=None,
              help="processes (default), serial, dask (a local Dask cluster) or tcp://HOST:PORT (a Dask scheduler).")
@click.option("--chunk-size", type=int, default=None, help="Replications per task and per Parquet file.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "none"]), default="table", show_default=True)
def sweep(experiment: str, out: str, workers: int | None, scheduler: str | None, chunk_size: int | None,
          fmt: str) -> None:
    """Run EXPERIMENT (a YAML experiment file) into the results store OUT.

    Resumable: if a sweep is interrupted (even killed), the same command runs only the
    missing replications; the final results are those of an uninterrupted run.
    """
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from ..documents import ScenarioError
    from ..engine import FIDELITIES
    from ..experiments import load_experiment, resolve_experiment
    from ..runner import make_executor, run_sweep
    from ..store import ResultStore, StoreError

    if workers is not None and workers < 1:
        _fail("--workers must be at least 1")
    if chunk_size is not None and chunk_size < 1:
        _fail("--chunk-size must be at least 1")
    try:
        spec, lines = load_experiment(experiment)
        if spec.fidelity not in FIDELITIES:
            _fail(f"{experiment}: fidelity: unknown fidelity {spec.fidelity!r}; known: {', '.join(FIDELITIES)}")
        entropy = ResultStore.recorded_entropy(out) if spec.seed is None else None
        exp = resolve_experiment(spec, experiment, lines, seed_entropy=entropy)
        from ..options import resolve_option

        for i, o in enumerate(spec.options):
            try:
                resolve_option(o, exp.base_scenario)
            except ScenarioError as exc:  # name the experiment file's line, not a command-line flag
                from ..documents import Problem
                from ..documents.errors import line_for

                loc = ("options", i)
                raise ScenarioError([Problem(experiment, line_for(lines, loc), loc, p.message, p.given)
                                     for p in exc.problems]) from None
        from ..documents.yamlio import MAX_DOCUMENT_BYTES, read_bounded

        text = read_bounded(experiment, MAX_DOCUMENT_BYTES, "experiment file").decode("utf-8")
        ex = make_executor(scheduler, workers)
        store = ResultStore.open_for(out, exp, text)
    except (ScenarioError, StoreError, ValueError) as exc:
        _fail(exc)
        raise AssertionError  # unreachable
    err = Console(stderr=True)
    try:
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=err, transient=True, disable=not err.is_terminal,
        ) as bar:
            task = bar.add_task(f"{spec.id} ({ex.name})", total=store.total)
            summary = run_sweep(
                exp, store, executor=ex, chunk_size=chunk_size,
                on_start=lambda done, total: bar.update(task, completed=done, total=total),
                progress=lambda k: bar.advance(task, k),
            )
    except (StoreError, RuntimeError) as exc:  # RuntimeError: ExecutorError, a broken pool
        _fail(exc)
        raise AssertionError
    finally:
        ex.close()
        store.close()
    resumed = f" (resumed: {summary.before} already there)" if summary.before else ""
    err.print(f"{summary.ran} replications in {summary.wall_s:.1f} s on {summary.executor} x{summary.workers}"
              f"{resumed}; {store.done}/{store.total} in {out}")
    if fmt != "none":
        _print_summary(store, fmt)


def _print_summary(store, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from ..analysis import option_menu
    from ..analysis.fmt import mean_ci_text
    from ..analysis.metricdocs import metric_doc
    from .render import KEY_METRICS, fit_tables

    man = store.manifest
    t = store.metrics()
    menu = option_menu(t, store.options) if t.num_rows else {o: {} for o in store.options}
    prov = {
        "experiment": man["experiment"].get("id"),
        "scenario": man["scenario"]["id"],
        "scenario_hash": man["scenario"]["hash"],
        "seed_entropy": man["seed_entropy"],
        "fidelity": man.get("fidelity"),
        "design": man.get("design"),
        "samples": store.n_samples,
        "replications": store.replications,
        "done": store.done,
        "total": store.total,
        "code_version": man.get("code_version"),
        "created_utc": man.get("created_utc"),
        "identity_hash": man["identity_hash"],
        "runs": len(store.runs()),
    }
    if fmt == "json":
        doc = {"provenance": prov, "options": {
            o: {"metrics": {k: {"mean": _clean(v["mean"]), "ci95": [_clean(c) for c in v["ci95"]], "n": v["n"]}
                            for k, v in menu[o].items()}} for o in store.options}}
        click.echo(json.dumps(doc, indent=1, allow_nan=False))
        return
    c = stdout_console()
    status = "complete" if store.complete else "[yellow]incomplete[/yellow]"
    c.print(f"[bold]{prov['experiment']}[/bold] on {prov['scenario']} (sha256 {prov['scenario_hash'][:12]}), "
            f"seed entropy {prov['seed_entropy']}, {prov['design']} design x {prov['samples']} point(s), "
            f"{prov['done']}/{prov['total']} replications {status}; skyshield {prov['code_version']}, "
            f"{prov['runs']} run(s)")
    present = [k for k in KEY_METRICS if any(k in menu[o] for o in store.options)]
    units = [d.unit if d else "" for d in (metric_doc(k) for k in present)]
    cells = [[mean_ci_text(menu[o][k]["mean"], *menu[o][k]["ci95"]) if k in menu[o] else "-" for o in store.options]
             for k in present]
    for tab in fit_tables("Option menu (mean ± 95 % CI half-width, over all design points)", ["metric", "unit"],
                          [[k, u] for k, u in zip(present, units)], store.options, cells, c.width):
        c.print(tab)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--sql", default=None,
              help="A query over the views metrics, events, results and the tables experiment, options, "
                   "parameters, samples, chunks, runs.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--limit", type=int, default=200, show_default=True, help="Rows shown by a table (json/csv: all).")
def results(directory: str, sql: str | None, fmt: str, limit: int) -> None:
    """List a results store (provenance, completeness, option menu), or query it with SQL."""
    from ..store import ResultStore, StoreError

    try:
        store = ResultStore.open(directory)
        if sql is None:
            from ..store.catalog import connect

            connect(store).close()  # refresh the DuckDB catalog if stale
            _print_summary(store, "json" if fmt == "json" else "table")
            return
        from ..store import query

        t = query(store, sql)
    except StoreError as exc:
        _fail(exc)
        raise AssertionError
    if fmt == "json":
        click.echo(json.dumps(t.to_pylist(), indent=1, default=str))
    elif fmt == "csv":
        import io

        import pyarrow.csv as pcsv

        buf = io.BytesIO()
        pcsv.write_csv(t, buf)
        click.echo(buf.getvalue().decode(), nl=False)
    else:
        from rich.table import Table

        tab = Table()
        for name in t.column_names:
            tab.add_column(name)
        for row in t.slice(0, limit).to_pylist():
            tab.add_row(*[f"{v:.6g}" if isinstance(v, float) else str(v) for v in row.values()])
        stdout_console().print(tab)
        if t.num_rows > limit:
            click.echo(f"({t.num_rows} rows; {limit} shown)", err=True)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False), default=None,
              help="HTML file to write (default: DIR/report.html).")
def report(directory: str, out: str | None) -> None:
    """Write one self-contained offline HTML report of a results store."""
    from ..store import StoreError

    try:
        from ..report import write_report

        path = write_report(directory, out)
    except (StoreError, RuntimeError) as exc:
        _fail(exc)
        raise AssertionError
    click.echo(str(path))
