"""`skyshield export`: one replication written for the field's tools (Google Earth, Cesium,
Tacview, Wireshark and DIS viewers)."""

from __future__ import annotations

import json
import re

import click

from .common import fail

__all__ = ["export"]

FORMAT_NAMES = ("kml", "czml", "acmi", "geojson", "dis")


def _default_name(run: str, option: str, seed: int, replication: int, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._+-]+", "_", run.rsplit("/", 1)[-1].removesuffix(".yaml").removesuffix(".yml"))
    return f"{stem}-{re.sub(r'[^A-Za-z0-9._+-]+', '_', option)}-seed{seed}-rep{replication}{suffix}"


@click.command()
@click.argument("run")
@click.option("--format", "fmt", required=True, type=click.Choice(FORMAT_NAMES),
              help="kml (Google Earth), czml (Cesium), acmi (Tacview 2.2 text), geojson (RFC 7946) or dis "
                   "(DIS 7 PDUs in a pcap file, or over UDP with --udp).")
@click.option("--option", "option", default="none", show_default=True, help="The option (preset or a+b composition).")
@click.option("--seed", default=0, show_default=True, type=int, help="Experiment seed, as given to run/compare.")
@click.option("--replication", "-r", default=0, show_default=True, type=int,
              help="Replication index (from 0): the same raid and dice as that replication of run/compare.")
@click.option("--out", "-o", default=None, type=click.Path(dir_okay=False),
              help="Output file [default: RUN-OPTION-seedS-repR with the format's suffix, in this folder].")
@click.option("--udp", "udp_port", default=None, type=int,
              help="dis only: send the PDUs to 127.0.0.1:PORT instead of writing a file.")
@click.option("--speed", default=0.0, show_default=True, type=float,
              help="With --udp: pace the PDUs at this many times simulated time (0: send at once).")
@click.option("--step", "step_s", default=60.0, show_default=True, type=float,
              help="Seconds between track samples (segment ends are always samples).")
@click.option("--start", default="2000-01-01T00:00:00Z", show_default=True,
              help="UTC time (ISO 8601) put at the scenario's time zero (scenarios carry no date).")
@click.option("--fidelity", default="statistical", show_default=True, help="statistical or full.")
@click.option("--catalog", "catalogs", multiple=True, type=click.Path(dir_okay=False),
              help="Catalog overlay file(s), merged over the built-in catalog.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def export(run: str, fmt: str, option: str, seed: int, replication: int, out: str | None, udp_port: int | None,
           speed: float, step_s: float, start: str, fidelity: str, catalogs: tuple[str, ...], as_json: bool) -> None:
    """Export one replication of RUN (a built-in scenario id or a scenario file) under one option.

    Threat tracks, detections, salvoes, intercept points, debris, leakers and hits, with times:
    the same events as replication --replication of `skyshield run RUN --option OPTION --seed
    SEED --events FILE`. Interceptor flights are drawn as straight lines (the engine models
    fly-out as a time). See docs/exports.md for what each format holds and how to open it.
    """
    from ..api import export as api_export
    from ..documents import ScenarioError
    from ..export import suffix

    if out is None and udp_port is None:
        out = _default_name(run, option, seed, replication, suffix(fmt))
    try:
        doc = api_export(run, fmt, out, option, seed, replication, udp_port=udp_port, speed=speed, step_s=step_s,
                         start=start, fidelity=fidelity, catalog=catalogs)
    except ScenarioError as exc:
        fail(exc)
    except ValueError as exc:  # e.g. more entities than DIS numbers them
        fail(exc)
    if as_json:
        click.echo(json.dumps(doc, indent=1))
        return
    c = doc["counts"]
    where = f"sent {doc['pdus']} PDUs to {doc['udp']}" if "udp" in doc else f"wrote {doc['file']} ({doc['bytes']} bytes)"
    click.echo(f"{where}: {doc['scenario']} under {doc['option']}, seed {doc['seed']}, replication {doc['replication']}: "
               f"{c['threats']} threats ({c['destroyed']} destroyed, {c['suppressed']} suppressed, {c['failed']} failed, "
               f"{c['leaked']} leaked, {c['in-flight']} in flight), {c['shots']} salvoes")
