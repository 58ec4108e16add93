"""`skyshield cases`: the built-in validation cases (or case files), simulated and checked
against their public ranges."""

from __future__ import annotations

import json
import math

import click

from .console import stdout_console

__all__ = ["cases"]


def _num(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _fmt(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    a = abs(x)
    if a >= 1e9:
        return f"{x / 1e9:.2f}B"
    if a >= 1e6:
        return f"{x / 1e6:.1f}M"
    if a >= 100:
        return f"{x:.0f}"
    if a >= 1:
        return f"{x:.1f}"
    return f"{x:.2f}"


def case_document(results) -> dict:
    """The JSON document: ``cases.<id>.checks[]`` with quantity, observed range, grade, the
    simulated mean and 95 % interval, and whether the mean is inside the range."""
    doc: dict = {"cases": {}}
    for r in results:
        doc["cases"][r.case.id] = {
            "title": r.case.title,
            "scenario": r.scenario_id,
            "scenario_hash": r.scenario_hash,
            "as_flown": r.case.as_flown,
            "options": list(r.case.run_options),
            "replications": r.replications,
            "seed": r.seed,
            "checks": [
                {
                    "quantity": c.check.quantity,
                    "option": c.option,
                    "metrics": list(c.check.metrics),
                    "per": list(c.check.per),
                    "observed_low": c.check.observed_low,
                    "observed_high": c.check.observed_high,
                    "grade": c.check.grade,
                    "source": r.case.sources[c.check.source],
                    "use": c.check.use,
                    "simulated": {"mean": _num(c.mean), "ci95": [_num(c.ci95[0]), _num(c.ci95[1])]},
                    "within": c.within,
                    "note": c.check.note,
                }
                for c in r.checks
            ],
            "within": sum(c.within for c in r.checks if c.check.use == "check"),
            "checked": sum(c.check.use == "check" for c in r.checks),
        }
    return doc


@click.command()
@click.argument("case_ids", nargs=-1)
@click.option("--replications", "-n", type=int, default=None, help="Replications per option (default: each case's own).")
@click.option("--seed", type=int, default=None, help="Experiment seed (default: each case's own).")
@click.option("--workers", "-j", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False),
              help="Catalog overlay file(s), merged over the built-in catalog.")
def cases(case_ids: tuple[str, ...], replications: int | None, seed: int | None, workers: int | None, fmt: str,
          catalogs: tuple[str, ...]) -> None:
    """Run validation cases (built-in ids or case files; default: every built-in case) and
    print, per observed quantity, the public range with its grade, the simulated mean with its
    95 % interval and whether it falls inside."""
    from rich.console import Console
    from rich.table import Table

    from ..cases import builtin_cases, load_case, run_case
    from ..catalog import load_catalog
    from ..documents import ScenarioError
    from .common import fail as _fail

    if replications is not None and replications < 2:
        _fail(ValueError("--replications must be at least 2 (a confidence interval needs two)"))
    try:
        cat = load_catalog(catalogs)
        loaded = [load_case(c) for c in (case_ids or tuple(builtin_cases()))]
    except ScenarioError as exc:
        _fail(exc)
    err = Console(stderr=True)
    results = []
    for case, scen in loaded:
        try:
            with err.status(f"{case.id}: {len(case.run_options)} options", spinner="dots") if err.is_terminal else _null():
                results.append(run_case(case, scen, replications, seed, workers, catalog=cat))
        except (ScenarioError, ValueError) as exc:
            _fail(exc)
    if fmt == "json":
        click.echo(json.dumps(case_document(results), indent=1, allow_nan=False))
        return
    out = stdout_console()
    for r in results:
        t = Table(title=f"{r.case.id}: {r.case.title}\n(option {r.case.as_flown} unless named; "
                        f"{r.replications} replications, seed {r.seed})")
        for col in ("quantity", "public range", "grade", "simulated (95 % CI)", "within"):
            t.add_column(col, justify="right" if col in ("public range", "simulated (95 % CI)") else "left")
        for c in r.checks:
            q = c.check.quantity + ("" if c.option == r.case.as_flown else f" [{c.option}]")
            lo, hi = c.check.observed_low, c.check.observed_high
            rng = _fmt(lo) if lo == hi else f"{_fmt(lo)} - {_fmt(hi)}"
            sim = f"{_fmt(c.mean)} ({_fmt(c.ci95[0])} - {_fmt(c.ci95[1])})"
            within = ("yes" if c.within else "NO") + (" (calibrated)" if c.check.use == "calibrated" else "")
            t.add_row(q, rng, c.check.grade, sim, within)
        out.print(t)
        checked = [c for c in r.checks if c.check.use == "check"]
        out.print(f"{sum(c.within for c in checked)} of {len(checked)} checks within their public range "
                  f"({len(r.checks) - len(checked)} calibrated quantities apart); scenario {r.scenario_id}, "
                  f"hash {r.scenario_hash[:12]}")


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False
