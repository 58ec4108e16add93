"""Where the CLI's tables go."""

from __future__ import annotations

from rich.console import Console

__all__ = ["stdout_console"]

PIPED_WIDTH = 100
"""Columns for tables written to a file or a pipe: readable on a 100-column page or terminal."""


def stdout_console() -> Console:
    """A console on stdout: the terminal's width there, a wide page when piped."""
    c = Console()
    return c if c.is_terminal else Console(width=PIPED_WIDTH)
