"""Read the public attack-records format (``missile_attacks_daily.csv``).

One row per (report window x weapon model) with ``launched``, ``destroyed`` and
``not_reach_goal`` (lost to electronic warfare, or decoys that never meant to arrive), the
model string and a free-text launch place. A *night* is every row of the national sources
(``kpszsu``, ``GeneralStaff``, ``CinCAFU``; regional commands mostly report small tactical
drones) whose report window ends on the given date (the morning report).

Model strings are mapped to a reported weapon class (``drone``, ``cruise``, ``ballistic``)
and to catalog threat types; a string naming several models ("X-101/X-555 and Kalibr")
splits its counts by ``launched_details`` where the row gives it, else evenly.

Besides the counts, a night's rows say where: the launch place (per model in
``launch_place_details``), the target and main target, the regions where something fell
(``affected region``), the regional split of the destroyed count (``destroyed_details``: a
region or direction with a count, or with NaN where the report names it without one), and the
numbers of hit and debris locations. The detail columns are Python-literal lists and dicts in
the public file; they are checked like the counts (a located error when malformed).
"""

from __future__ import annotations

import ast
import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date as _date
from pathlib import Path

__all__ = [
    "MAX_COUNT",
    "MAX_RECORDS_BYTES",
    "MODEL_TYPES",
    "NATIONAL_SOURCES",
    "NightRow",
    "RecordsError",
    "available_nights",
    "check_date",
    "parse_detail",
    "read_night",
    "read_nights",
    "read_records",
]

MAX_RECORDS_BYTES = 64 << 20
"""Largest attack-records file read (64 MiB; the public file is ~0.7 MB for three years)."""
MAX_COUNT = 100_000
"""Largest count in one row (the largest night on record had ~800 launches)."""
COUNT_COLUMNS = ("launched", "destroyed", "not_reach_goal", "is_shahed", "num_hit_location",
                 "num_fall_fragment_location")
DETAIL_COLUMNS = {
    # column: (kind, what a good value looks like)
    "affected region": ("list", "a list of region names, e.g. ['Sumy oblast', 'Kyiv']"),
    "destroyed_details": ("counts", "a mapping of region or direction to a count or NaN, e.g. {'south': 12, 'east': NaN}"),
    "launched_details": ("counts", "a mapping of model to a count, e.g. {'X-101/X-555': 50, 'Kalibr': 12}"),
    "launch_place_details": ("texts", "a mapping of model to a launch place, e.g. {'Kalibr': 'Black Sea'}"),
}
"""Free-text detail columns read as Python literals (NaN for a count the report does not give)."""
MAX_DETAIL_CHARS = 4000
"""Longest detail field read (the public file's longest is ~300 characters)."""

NATIONAL_SOURCES = ("kpszsu", "GeneralStaff", "CinCAFU")

# Model token -> (reported class, catalog threat type). Order matters: first match wins.
MODEL_TYPES: tuple[tuple[str, str, str], ...] = (
    (r"shahed", "drone", "shahed-136"),
    (r"x-101|x-555|kh-101", "cruise", "kh-101"),
    (r"kalibr", "cruise", "kalibr"),
    (r"iskander-k", "cruise", "iskander-k"),
    (r"x-59|x-69|kh-59|kh-69", "cruise", "iskander-k"),  # subsonic, low level, ~300-400 km
    (r"x-22|x-32|kh-22|kh-32", "cruise", "kh-22"),  # the records class them as cruise missiles
    (r"x-35|p-800|oniks", "cruise", "kalibr"),
    (r"kinzhal|x-47", "ballistic", "kh-47m2"),
    (r"iskander-m|kn-23|ballistic missile", "ballistic", "iskander-m"),
)


class RecordsError(ValueError):
    """The records file is missing, unreadable, malformed, or has no night for the date.

    Its message names the file, and for a bad row the line and the column.
    """


@dataclass(frozen=True)
class NightRow:
    """One weapon model's counts on one night (a share of a multi-model row)."""

    model: str
    weapon_class: str  # drone | cruise | ballistic
    threat_type: str  # catalog threat type id
    launched: float
    destroyed: float
    not_reach_goal: float
    is_shahed: float | None  # real Shaheds among Shahed-type launches, where reported
    launch_place: str
    time_start: str
    time_end: str
    target: str = ""
    target_main: str = ""
    affected_regions: tuple[str, ...] = ()
    destroyed_details: tuple[tuple[str, float | None], ...] = ()  # (region or direction, count or None)
    hit_locations: float | None = None  # locations with hits (whole row), where reported
    debris_locations: float | None = None  # locations where debris fell (whole row), where reported
    share: float = 1.0  # this model's share of its row (the row's details are the row's)
    line: int = 0  # line of the row in the records file


def _num(x: str | None) -> float:
    """A count already checked by :func:`read_records` (blank is 0)."""
    x = (x or "").strip()
    return float(x) if x else 0.0


def check_date(text: str, what: str = "--date") -> str:
    """``text`` if it is a real calendar date ``YYYY-MM-DD``; :class:`RecordsError` otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text or ""):
        raise RecordsError(f"{what} {text!r}: expected a date YYYY-MM-DD")
    try:
        _date.fromisoformat(text)
    except ValueError:
        raise RecordsError(f"{what} {text!r}: no such date") from None
    return text


def parse_detail(raw: str | None, kind: str):
    """A detail field as a Python value (``None`` if blank); ``ValueError`` if malformed.

    ``kind`` is ``list`` (of strings), ``counts`` (a mapping of string to a finite count in
    ``[0, MAX_COUNT]`` or ``None`` for NaN) or ``texts`` (a mapping of string to string).
    """
    raw = (raw or "").strip()
    if not raw:
        return None
    if len(raw) > MAX_DETAIL_CHARS:
        raise ValueError(f"longer than {MAX_DETAIL_CHARS} characters")
    try:
        val = ast.literal_eval(re.sub(r"\bNaN\b", "None", raw))
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        raise ValueError("not a Python literal") from None
    if kind == "list":
        if not (isinstance(val, list) and all(isinstance(x, str) for x in val)):
            raise ValueError("not a list of strings")
        return tuple(val)
    if not isinstance(val, dict) or not all(isinstance(k, str) for k in val):
        raise ValueError("not a mapping with text keys")
    if kind == "texts":
        if not all(isinstance(v, str) for v in val.values()):
            raise ValueError("a value is not text")
        return dict(val)
    out: dict[str, float | None] = {}
    for k, v in val.items():
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
                              or not 0 <= v <= MAX_COUNT):
            raise ValueError(f"{k!r}: expected a count between 0 and {MAX_COUNT:,} or NaN")
        out[k] = None if v is None else float(v)
    return out


def _split_model(model: str) -> list[tuple[str, str, str]]:
    parts = [p.strip() for p in re.split(r"\band\b", model) if p.strip()]
    out = []
    for p in parts:
        low = p.lower()
        for pat, cls, typ in MODEL_TYPES:
            if re.search(pat, low):
                out.append((p, cls, typ))
                break
    return out


_NEED = ("time_start", "time_end", "model", "launched", "destroyed", "source")


def _text(path: Path) -> str:
    from ..documents import ScenarioError
    from ..documents.yamlio import read_bounded

    try:
        data = read_bounded(path, MAX_RECORDS_BYTES, "attack-records file")
    except ScenarioError as exc:
        raise RecordsError(str(exc)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RecordsError(f"{path}: the file is UTF-16; save it as UTF-8")
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark is allowed
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RecordsError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})") from None
    if "\x00" in text:
        raise RecordsError(f"{path}:{text[: text.index(chr(0))].count(chr(10)) + 1}: NUL byte in a text file")
    return text


def read_records(path: str | Path) -> list[dict[str, str]]:
    """Every row of an attack-records file, checked; :class:`RecordsError` naming file:line: column.

    Checks: the needed columns; every row has as many fields as the header; counts
    (``launched``, ``destroyed``, ``not_reach_goal``, ``is_shahed``, the hit and debris
    location counts) are blank or finite numbers in ``[0, MAX_COUNT]``; ``destroyed``,
    ``not_reach_goal`` and ``is_shahed`` are at most ``launched``; ``time_start`` and
    ``time_end`` begin with a real date; the detail columns (:data:`DETAIL_COLUMNS`) are blank
    or literals of their kind. Each row also carries its line number as ``_line``.
    """
    path = Path(path)
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    problems: list[str] = []

    def bad(line: int, column: str, msg: str, given: str | None = None) -> None:
        g = f" (given: {given[:40]!r})" if given is not None else ""
        problems.append(f"{path}:{line}: {column}: {msg}{g}")

    try:
        header = next(reader, None)
        if header is None or not set(_NEED) <= set(header):
            raise RecordsError(f"{path}: not the attack-records format (needs columns {sorted(_NEED)})")
        out: list[dict[str, str]] = []
        for row in reader:
            line = reader.line_num
            if len(problems) >= 20:
                problems.append(f"{path}: (more problems not shown)")
                break
            if not row:
                continue
            if len(row) != len(header):
                bad(line, "(row)", f"{len(row)} fields where the header has {len(header)} (a truncated or "
                                   "broken row)")
                continue
            r = dict(zip(header, row))
            vals: dict[str, float] = {}
            for col in COUNT_COLUMNS:
                raw = (r.get(col) or "").strip()
                if not raw:
                    continue
                try:
                    v = float(raw)
                except ValueError:
                    bad(line, col, "expected a count (a number, or blank)", raw)
                    continue
                if not math.isfinite(v) or v < 0 or v > MAX_COUNT:
                    bad(line, col, f"expected a count between 0 and {MAX_COUNT:,}", raw)
                    continue
                vals[col] = v
            launched = vals.get("launched")
            for col in ("destroyed", "not_reach_goal", "is_shahed"):
                if launched is not None and vals.get(col, 0.0) > launched:
                    bad(line, col, f"more than launched ({launched:g})", r[col])
            for col in ("time_start", "time_end"):
                try:
                    _date.fromisoformat(r[col][:10])
                except ValueError:
                    bad(line, col, "expected a date YYYY-MM-DD (and time)", r[col])
            for col, (kind, like) in DETAIL_COLUMNS.items():
                try:
                    parse_detail(r.get(col), kind)
                except ValueError as exc:
                    bad(line, col, f"{exc}; expected {like}", r[col])
            r["_line"] = str(line)
            out.append(r)
    except csv.Error as exc:
        raise RecordsError(f"{path}:{reader.line_num}: malformed CSV: {exc}") from None
    if problems:
        raise RecordsError("\n".join(problems))
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    return read_records(path)


def _national(r: dict[str, str]) -> bool:
    return r.get("source", "").startswith(NATIONAL_SOURCES)


def _night_rows(records: list[dict[str, str]], date: str) -> list[NightRow]:
    out: list[NightRow] = []
    for r in records:
        if not _national(r) or not r["time_end"].startswith(date):
            continue
        out.extend(_rows_of(r))
    return out


def _opt(x: str | None) -> float | None:
    x = (x or "").strip()
    return float(x) if x else None


def _rows_of(r: dict[str, str]) -> list[NightRow]:
    """The :class:`NightRow` of each model named in one checked record row."""
    models = _split_model(r["model"])
    if not models:
        return []
    launched_by = parse_detail(r.get("launched_details"), "counts") or {}
    place_by = parse_detail(r.get("launch_place_details"), "texts") or {}
    dd = parse_detail(r.get("destroyed_details"), "counts") or {}
    affected = parse_detail(r.get("affected region"), "list") or ()
    total = _num(r["launched"])
    given = {name: launched_by.get(name) for name, _, _ in models}
    if all(v is not None for v in given.values()) and sum(v or 0.0 for v in given.values()) > 0:
        norm = sum(v or 0.0 for v in given.values())
        shares = {name: (v or 0.0) / norm for name, v in given.items()}
    else:
        shares = {name: 1.0 / len(models) for name, _, _ in models}
    shahed = (r.get("is_shahed") or "").strip()
    out = []
    for name, cls, typ in models:
        k = shares[name]
        out.append(NightRow(
            model=name, weapon_class=cls, threat_type=typ,
            launched=total * k, destroyed=_num(r["destroyed"]) * k,
            not_reach_goal=_num(r.get("not_reach_goal", "")) * k,
            is_shahed=(_num(shahed) * k) if shahed and cls == "drone" else None,
            launch_place=place_by.get(name) or r.get("launch_place", "") or "",
            time_start=r["time_start"], time_end=r["time_end"],
            target=r.get("target", "") or "", target_main=r.get("target_main", "") or "",
            affected_regions=tuple(affected), destroyed_details=tuple(dd.items()),
            hit_locations=_opt(r.get("num_hit_location")), debris_locations=_opt(r.get("num_fall_fragment_location")),
            share=k, line=int(r.get("_line", "0") or 0),
        ))
    return out


def read_night(path: str | Path, date: str) -> list[NightRow]:
    """Rows of the night whose morning report is dated ``date`` (``YYYY-MM-DD``)."""
    check_date(date)
    out = _night_rows(_rows(Path(path)), date)
    if not out:
        raise RecordsError(f"{path}: no national-source missile or drone records for the night ending {date}")
    return out


def read_nights(path: str | Path, start: str, end: str) -> dict[str, list[NightRow]]:
    """Every night with national-source missile or drone rows whose morning report falls in
    ``[start, end]``, by date (the file is read once)."""
    check_date(start, "--from")
    check_date(end, "--to")
    if end < start:
        raise RecordsError(f"--to {end} is before --from {start}")
    out: dict[str, list[NightRow]] = {}
    for r in _rows(Path(path)):
        d = r["time_end"][:10]
        if start <= d <= end and _national(r):
            got = _rows_of(r)
            if got:
                out.setdefault(d, []).extend(got)
    return dict(sorted(out.items()))


def available_nights(path: str | Path) -> dict[str, dict[str, float]]:
    """Launched count by reported class for every night in the file (for choosing nights)."""
    nights: dict[str, dict[str, float]] = {}
    for r in _rows(Path(path)):
        if not _national(r):
            continue
        models = _split_model(r["model"])
        for _, cls, _ in models:
            d = nights.setdefault(r["time_end"][:10], {})
            d[cls] = d.get(cls, 0.0) + _num(r["launched"]) / len(models)
    return nights
