"""Daily launch counts by weapon class from the public attack-records format.

Reads ``missile_attacks_daily.csv`` (the format of Petro Ivaniuk's "Massive Missile Attacks
on Ukraine", from Ukrainian Air Force reports) from a path the user gives; the product never
bundles the data. National sources only, model strings mapped to classes as
:mod:`skyshield.replay.records` does. A day is the date of the morning report; days of the
span with no record are quiet days (zero launches).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ..replay.records import (
    NATIONAL_SOURCES,
    RecordsError,
    _split_model,
    available_nights,
    check_date,
    read_records,
)

__all__ = ["CLASSES", "DailyCounts", "read_daily_counts", "file_sha256"]

CLASSES = ("drone", "cruise", "ballistic")
"""Reported classes the generator models (drones include decoys; the decoy share is apart)."""


@dataclass(frozen=True)
class DailyCounts:
    days: tuple[str, ...]  # (D,) ISO dates, consecutive
    counts: np.ndarray  # (D, 3) launched per class in CLASSES order
    shahed_launched: np.ndarray  # (D,) Shahed-type launches on days that report is_shahed
    shahed_real: np.ndarray  # (D,) real Shaheds among them (0 where not reported)

    def select(self, start: str, end: str) -> "DailyCounts":
        d = np.array(self.days)
        sel = (d >= start) & (d <= end)
        return DailyCounts(tuple(d[sel]), self.counts[sel], self.shahed_launched[sel], self.shahed_real[sel])


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a records file (read within the records' size bound)."""
    from ..documents import ScenarioError
    from ..documents.yamlio import read_bounded
    from ..replay.records import MAX_RECORDS_BYTES

    try:
        return hashlib.sha256(read_bounded(path, MAX_RECORDS_BYTES, "attack-records file")).hexdigest()
    except ScenarioError as exc:
        raise RecordsError(str(exc)) from None


def read_daily_counts(path: str | Path, start: str | None = None, end: str | None = None) -> DailyCounts:
    """Launched per class and day over ``[start, end]`` (default: the file's whole span)."""
    if start is not None:
        check_date(start, "--fit-start")
    if end is not None:
        check_date(end, "--fit-end")
    rows = read_records(path)  # checked: counts finite, non-negative, dates real
    nights = available_nights(path)
    if not nights:
        raise RecordsError(f"{path}: no national-source records")
    first = min(nights)
    last = max(nights)
    lo = date.fromisoformat(start or first)
    hi = date.fromisoformat(end or last)
    if hi < lo:
        raise RecordsError(f"the fitting span ends ({hi}) before it starts ({lo})")
    days = [(lo + timedelta(d)).isoformat() for d in range((hi - lo).days + 1)]
    idx = {d: k for k, d in enumerate(days)}
    counts = np.zeros((len(days), len(CLASSES)))
    for d, by_cls in nights.items():
        if d in idx:
            for c, v in by_cls.items():
                if c in CLASSES:
                    counts[idx[d], CLASSES.index(c)] += v
    sh_l = np.zeros(len(days))
    sh_r = np.zeros(len(days))
    for r in rows:
        d = (r.get("time_end") or "")[:10]
        real = (r.get("is_shahed") or "").strip()
        if d not in idx or not real or not r.get("source", "").startswith(NATIONAL_SOURCES):
            continue
        if not any(c == "drone" for _, c, _ in _split_model(r.get("model", ""))):
            continue
        sh_l[idx[d]] += float(r.get("launched") or 0.0)
        sh_r[idx[d]] += float(real)
    return DailyCounts(tuple(days), np.round(counts), sh_l, sh_r)
