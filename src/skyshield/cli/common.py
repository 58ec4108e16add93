"""What every command shares: input errors (exit status 2), consoles, the option list."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from .console import stdout_console

__all__ = ["EXIT_INPUT", "fail", "expand_options", "stdout_console"]

EXIT_INPUT = 2


def fail(exc: object) -> NoReturn:
    """Print an input error (a file, a line, a field, or the argument at fault) and exit 2."""
    click.echo(f"skyshield: error in input:\n{exc}", err=True)
    sys.exit(EXIT_INPUT)


def expand_options(options: str) -> list[str]:
    """Comma-separated option names; `all` stands for every built-in preset, in menu order."""
    from ..options import builtin_options

    out: list[str] = []
    for o in (x.strip() for x in options.split(",")):
        for name in (list(builtin_options()) if o == "all" else [o] if o else []):
            if name not in out:
                out.append(name)
    return out
