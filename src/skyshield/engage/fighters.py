r"""Fighters: alert states, scramble, transit, time on station, load-out.

A fighter force is either on a **combat air patrol** (CAP) station or on **quick reaction
alert** (QRA) at its base. Its timeline against one threat:

- QRA: the scramble order comes ``reaction`` after the first warning in its network; the pair
  is airborne ``alert`` later (QRA-5: 5 min, QRA-15: 15 min), then flies at dash speed
  :math:`s` to meet the threat;
- CAP: the pair is on station from ``on_station`` for ``time_on_station`` (plus the tanker
  extension when refuelled), for ``sorties`` pairs in turn (with or without a gap while a
  relief flies out), and commits from the station;
- CAP launched on warning (``launch: on-warning``), timed to the raid: for each threat in its
  network's picture the pair could be on station at
  :math:`\max(t_{track} + t_{alert} + d_{base,station}/s,\ t_{reach} - t_{lead})`, with
  :math:`t_{reach}` when the threat's predicted path enters the pair's commit radius and
  :data:`LEAD_S` the notional lead it takes up its station with; it is on station at the
  earliest of these, and endurance, tanker extension, reliefs and turnaround run from then
  (:func:`launch_on_warning`). A patrol is neither spent before the raid arrives nor late when
  it is warned in time.

The intercept time :math:`t` of a threat moving at constant velocity :math:`\mathbf v` from
:math:`\mathbf p_0` (at :math:`t = 0`), for a fighter leaving point :math:`\mathbf b` at
:math:`t_a`, solves :math:`|\mathbf p_0 + \mathbf v t - \mathbf b| = s (t - t_a)`, i.e. the
quadratic

.. math::

    (|\mathbf v|^2 - s^2)\,t^2 + 2(\mathbf d\cdot\mathbf v + s^2 t_a)\,t + |\mathbf d|^2 - s^2 t_a^2 = 0,
    \qquad \mathbf d = \mathbf p_0 - \mathbf b,

taking the smallest root :math:`t \ge t_a` (:func:`intercept_time`). The engine solves the
same equation on the sphere along each great-circle segment; tests check one against the
other on a hand-worked geometry. After each engagement a fighter flies back to its station
(its fire channel is busy for the transit); when its load-out is spent, or its fuel, it
returns to base and the next sortie is ready after the turnaround.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

__all__ = ["qra_airborne_s", "intercept_time", "CapSchedule", "cap_schedule", "launch_on_warning", "LEAD_S"]


def qra_airborne_s(t_warning_s: float, reaction_s: float, alert_s: float) -> float:
    """Time the QRA pair is airborne: warning, plus decision to scramble, plus alert state."""
    return t_warning_s + reaction_s + alert_s


def intercept_time(
    base_xy_m: tuple[float, float],
    speed_mps: float,
    t_airborne_s: float,
    p0_xy_m: tuple[float, float],
    v_xy_mps: tuple[float, float],
) -> float:
    """Earliest time a fighter leaving ``base`` at ``t_airborne_s`` meets a straight-flying threat.

    Flat local frame (metres). Returns ``inf`` when the fighter never catches it.

    >>> # threat 100 km east flying west at 50 m/s, fighter at 250 m/s airborne at t=0
    >>> round(intercept_time((0, 0), 250.0, 0.0, (100e3, 0), (-50.0, 0)), 3)
    333.333
    """
    dx, dy = p0_xy_m[0] - base_xy_m[0], p0_xy_m[1] - base_xy_m[1]
    vx, vy = v_xy_mps
    s, ta = speed_mps, t_airborne_s
    a = vx * vx + vy * vy - s * s
    b = 2.0 * (dx * vx + dy * vy + s * s * ta)
    c = dx * dx + dy * dy - s * s * ta * ta
    roots: list[float] = []
    if abs(a) < 1e-12:
        if b != 0:
            roots = [-c / b]
    else:
        disc = b * b - 4 * a * c
        if disc >= 0:
            r = math.sqrt(disc)
            roots = [(-b - r) / (2 * a), (-b + r) / (2 * a)]
    ok = [t for t in roots if t >= ta - 1e-9]
    return min(ok) if ok else math.inf


@dataclass(frozen=True)
class CapSchedule:
    """What the engine needs of a CAP or QRA force, in seconds."""

    available_from_s: float  # first moment it can engage
    available_to_s: float  # last moment (fuel of the last sortie)
    endurance_s: float  # one sortie's time airborne / on station
    reload_s: float  # gap between sorties (turnaround and transit), 0 with relief on station
    reloads: int  # further sorties after the first


def cap_schedule(
    posture: str,
    duration_s: float,
    on_station_s: float,
    time_on_station_s: float,
    tanker_extension_s: float,
    tanker: bool,
    sorties: int,
    relief_on_station: bool,
    turnaround_s: float,
    transit_s: float,
) -> CapSchedule:
    """Availability of a fighter force.

    CAP: on station from ``on_station_s``; each sortie lasts ``time_on_station`` (+ the
    tanker extension); between sorties a gap of ``turnaround + 2 * transit`` unless a relief
    takes over on station. QRA: available all along (it scrambles on warning); a sortie lasts
    the endurance, and the next is ready after the turnaround.
    """
    endurance = time_on_station_s + (tanker_extension_s if tanker else 0.0)
    if posture == "qra":
        return CapSchedule(0.0, duration_s, endurance, turnaround_s, sorties - 1)
    gap = 0.0 if relief_on_station else turnaround_s + 2.0 * transit_s
    end = on_station_s + sorties * endurance + (sorties - 1) * gap
    return CapSchedule(on_station_s, min(end, duration_s), endurance, gap, sorties - 1)


LEAD_S = 600.0
"""Notional: a CAP launched on warning means to be on station this long before the first
threat it is warned of enters its commit radius."""


def launch_on_warning(params, raid, seg, pic):
    """``params`` with the CAPs launched on warning timed to this replication's raid.

    A threat of ``raid`` counts once it is in the network picture of the CAP's side
    (``pic.network_t``) and its path (``seg``) enters the CAP's reach for its class around the
    station; a CAP
    warned of none stays on the ground. Returns ``params`` itself when no CAP is launched on
    warning.
    """
    from ..engine.trajectory import circle_windows

    sh = params.shooters
    w = getattr(sh, "warn_launch", None)
    if w is None or w.size == 0 or not w.any():
        return params
    rows = np.flatnonzero(w)
    cls = params.threat_types.cls[raid.type_index[seg.threat]]
    reach = sh.max_range_m[rows]
    m, k, t_in, _ = circle_windows(seg, sh.unit[rows], float(reach.max(initial=0.0)),
                                   lambda mm, kk: reach[kk, cls[mm]])
    i = seg.threat[m]
    t_track = pic.network_t[sh.side[rows[k]], i]
    t_station = np.maximum(t_track + sh.warn_delay_s[rows[k]], t_in - LEAD_S)
    first = np.full(rows.size, np.inf)
    np.minimum.at(first, k, np.where(np.isfinite(t_track), t_station, np.inf))
    start = sh.avail_from_s.copy()
    start[rows] = first
    avail_from = np.where(w, start, sh.avail_from_s)
    avail_to = np.where(w, np.minimum(start + sh.warn_span_s, params.duration_s), sh.avail_to_s)
    avail_to = np.where(w & ~np.isfinite(start), -np.inf, avail_to)
    return replace(params, shooters=replace(sh, avail_from_s=avail_from, avail_to_s=avail_to))
