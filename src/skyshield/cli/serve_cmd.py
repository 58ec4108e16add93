"""`skyshield serve`: the offline web app (map, playback, comparison) on this machine."""

from __future__ import annotations

import ipaddress
import secrets
import sys

import click

__all__ = ["is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Anything but loopback requires the token printed at start on every request.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option("--results", "results", default=None, type=click.Path(file_okay=False, exists=True),
              help="Folder of results stores (`skyshield sweep` outputs) the page may browse.")
@click.option("--workers", "-j", type=int, default=1, show_default=True,
              help="Worker processes of each comparison run from the page (0: all cores).")
@click.option("--max-jobs", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Comparisons running at once; the page is told to wait beyond.")
def serve(host: str, port: int, results: str | None, workers: int, max_jobs: int) -> None:
    """Serve the web app: the theatre map, the playback of one replication under each option,
    and the comparison of options. Everything the page loads comes from this server (no
    network needed)."""
    try:
        import uvicorn

        from ..web import create_app
    except ImportError as exc:
        click.echo(f"skyshield: error: the web app needs its extra: pip install 'skyshield[web]' ({exc})", err=True)
        sys.exit(2)
    local = is_loopback(host)
    token = None if local else secrets.token_urlsafe(32)
    hosts = {"127.0.0.1", "localhost", "[::1]", "::1"} if local else None
    app = create_app(results, token=token, allowed_hosts=hosts, workers=workers or None, max_running=max_jobs,
                     warm=("eastern-flank-night-raid-v1",))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if token is not None:
        click.echo(f"skyshield serve: bound to {host}: every request needs the token.\n"
                   f"  token: {token}\n  open:  {url}?token={token}", err=True)
    else:
        click.echo(f"skyshield serve: open {url}", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
