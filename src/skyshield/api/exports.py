"""One replication with positions over time, and its export to the field's tools.

>>> from skyshield.api import trace
>>> tr = trace("eastern-flank-night-raid-v1", "umbrella", seed=7, replication=0)
>>> tr.counts()["threats"] == tr.metrics["launched"]
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..documents import Problem, ScenarioError
from ..scenario import Scenario

__all__ = ["export", "trace"]


def _error(flag: str, message: str, given: object = None) -> ScenarioError:
    return ScenarioError([Problem(flag, None, (), message, given)])


def trace(scenario: str | Path | Scenario, option: str = "none", seed: int = 0, replication: int = 0, *,
          catalog: Sequence[str | Path] | Catalog = (), fidelity: str = "statistical",
          start: str = "2000-01-01T00:00:00Z", step_s: float = 60.0) -> Any:
    """Replication ``replication`` of ``option`` with seed ``seed``, with positions over time.

    The same ``(scenario, option, seed, replication)`` gives the events that
    ``compare(scenario, [option, ...], replications > replication, seed, events=True)`` keeps
    for that replication (common random numbers: every option flies the same raid).

    Parameters
    ----------
    scenario
        A built-in scenario id, a scenario file, or a validated scenario.
    option
        One option preset (or an ``a+b`` composition, or one of the scenario's own options).
    seed, replication
        Experiment seed and replication index (from 0).
    catalog
        Catalog overlay files (or a validated catalog).
    fidelity
        ``statistical`` or ``full``.
    start
        UTC moment (ISO 8601) the exports put at the scenario's time zero; notional by default.
    step_s
        Seconds between track samples.

    Returns
    -------
    skyshield.export.Trace

    Raises
    ------
    ScenarioError
        For any problem with the inputs (file, line and field; or the argument at fault).
    """
    from ..engine import FIDELITIES, compile_scenario
    from ..export import trace_params
    from ..export.trace import parse_start
    from ..options import resolve_option
    from .facade import load_inputs, resolve_options

    for flag, v in (("--seed", seed), ("--replication", replication)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise _error(flag, "must be a whole number of at least 0", v)
    if isinstance(step_s, bool) or not isinstance(step_s, (int, float)) or not 0 < step_s <= 3600:
        raise _error("--step", "must be a number of seconds in (0, 3600]", step_s)
    if fidelity not in FIDELITIES:
        raise _error("--fidelity", f"unknown fidelity (known: {', '.join(FIDELITIES)})", fidelity)
    try:
        t0 = parse_start(start)
    except (TypeError, ValueError):
        raise _error("--start", "must be an ISO 8601 UTC time such as 2025-09-10T00:00:00Z", start) from None
    sc, cat, _ = load_inputs(scenario, catalog)
    try:
        names = resolve_options(option, sc)
    except ScenarioError as exc:  # name the flag of this command
        from dataclasses import replace

        raise ScenarioError([replace(p, file="--option") if p.file == "--options" else p for p in exc.problems]) from None
    if len(names) != 1:
        raise _error("--option", "give one option (an export shows one replication of one option)", option)
    params = compile_scenario(sc, cat, resolve_option(names[0], sc))
    return trace_params(params, seed, replication, fidelity=fidelity, start=t0, step_s=float(step_s),
                        meta={"scenario_id": sc.id, "scenario_hash": sc.content_hash})


def export(scenario: str | Path | Scenario, fmt: str, out: str | Path | None = None, option: str = "none",
           seed: int = 0, replication: int = 0, *, udp_port: int | None = None, speed: float = 0.0,
           **kwargs: Any) -> dict[str, Any]:
    """Write one replication in format ``fmt`` (``kml``, ``czml``, ``acmi``, ``geojson``, ``dis``)
    to ``out``, or (``dis`` only) send it over UDP to ``127.0.0.1:udp_port``.

    Other keywords are those of :func:`trace`. Returns a summary: the file (or port), its size
    (or the PDUs sent) and the replication's counts (threats by fate, salvoes).

    Raises
    ------
    ScenarioError
        For a bad format, output, run or argument (the flag at fault is named).
    """
    from ..export import FORMATS, format_module

    if fmt not in FORMATS:
        from ..documents.errors import did_you_mean

        raise _error("--format", f"unknown format{did_you_mean(fmt, tuple(FORMATS))} (known: {', '.join(FORMATS)})",
                     fmt)
    if udp_port is not None and fmt != "dis":
        raise _error("--udp", "only the dis format can be sent over UDP", udp_port)
    if udp_port is None and out is None:
        raise _error("--out", "give an output file (or, for dis, --udp PORT)")
    if udp_port is not None and not (isinstance(udp_port, int) and 0 < udp_port < 65536):
        raise _error("--udp", "must be a port number 1-65535", udp_port)
    try:
        mod = format_module(fmt)
    except ImportError as exc:
        raise _error("--format", str(exc), fmt) from None
    if out is not None:
        from ..store.files import StoreError, check_output_file

        try:
            check_output_file(str(out), "--out")
        except StoreError as exc:
            raise _error("--out", str(exc), str(out)) from None
    tr = trace(scenario, option, seed, replication, **kwargs)
    summary: dict[str, Any] = {"format": fmt, **tr.provenance(), "counts": tr.counts()}
    if udp_port is not None:
        summary["udp"] = f"127.0.0.1:{udp_port}"
        summary["pdus"] = mod.send(tr, udp_port, speed=speed)
    else:
        p = mod.write(tr, out)
        summary["file"] = str(p)
        summary["bytes"] = p.stat().st_size
    return summary
