"""Self-contained offline HTML reports of a results store (matplotlib, Agg backend)."""

from .html import build_report, write_report

__all__ = ["build_report", "write_report"]
