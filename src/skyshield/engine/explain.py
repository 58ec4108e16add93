"""Why each threat got through: one cause per leaker, in a fixed order.

A leaker (a threat that reached its aim area) is given the first of these that holds:

1. ``never-detected``: no network (the defended country's, nor the allies') held a track on
   it before it arrived;
2. ``detected-too-late``: some shooter could lawfully have engaged it (its envelope crossed
   the track where the rules of engagement allow an intercept), but none was ready there in
   time (warning and reaction, its own or a remote track, on station);
3. ``out-of-reach``: it crossed no shooter's envelope (for shooters without engage-on-remote
   the envelope stops at their radar's horizon);
4. ``denied-roe``: it crossed envelopes, but only where the rules of engagement forbid an
   intercept (the rule, most often met: :data:`skyshield.engage.roe.REASONS`);
5. ``no-interceptor-or-channel``: a shooter was ready where it could lawfully fire, but had no
   round for its class or no free fire channel (magazines, reloads, sorties, doctrine reserve);
6. ``engaged-missed``: it was fired at and survived.

Threats lost to electronic warfare are not leakers: they are counted apart
(``suppressed_ew``). The causes of a replication sum to ``leaked``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..catalog import THREAT_CLASSES
from ..engage.roe import REASONS
from .battle import Engagements
from .opportunities import Opportunities, lawful_windows
from .sense import Picture

__all__ = ["CAUSES", "leaker_causes", "cause_metrics", "CAUSE_DOCS"]

CAUSES = ("never-detected", "detected-too-late", "out-of-reach", "denied-roe", "no-interceptor-or-channel",
          "engaged-missed")
"""Leaker causes, in the order they are tested."""

CAUSE_DOCS = {
    "never-detected": "no network held a track on it before it arrived",
    "detected-too-late": "a shooter could lawfully have engaged it, but none was ready there in time",
    "out-of-reach": "it crossed no shooter's envelope",
    "denied-roe": "it crossed envelopes only where the rules of engagement forbid an intercept",
    "no-interceptor-or-channel": "a shooter could lawfully fire in time, but had no round or free channel",
    "engaged-missed": "it was fired at and survived",
}


def _key(name: str) -> str:
    return name.replace("-", "_")


def leaker_causes(params, raid, seg, pic: Picture, opp: Opportunities, eng: Engagements,
                  leaked: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Cause code (index into :data:`CAUSES`, -1 for threats that did not leak) and, for
    ``denied-roe``, the ROE reason code of each threat (0 otherwise)."""
    n = raid.size
    net = pic.network_t
    seen = (net.min(axis=0) <= seg.arrival_s) if n else np.zeros(0, bool)
    reached = np.zeros(n, bool)
    reached[opp.win_threat] = True
    engageable = np.zeros(n, bool)  # lawful, in time
    engageable[opp.threat] = True
    engaged = np.zeros(n, bool)
    engaged[eng.threat] = True
    # Only the leakers that crossed an envelope but had no lawful, timely opportunity need
    # the rules of engagement judged over their whole envelope crossings.
    lawful = np.zeros(n, bool)
    rule = np.zeros(n, np.int64)
    need = leaked & seen & reached & ~engageable
    rows = np.flatnonzero(need[opp.win_threat])
    if rows.size:
        row, _, _, reason = lawful_windows(params, raid, seg, opp.win_segment[rows], opp.win_shooter[rows],
                                           opp.win_threat[rows], opp.win_t_in_s[rows], opp.win_t_out_s[rows])
        lawful[opp.win_threat[rows[row]]] = True
        votes = np.zeros((n, len(REASONS)), np.int64)
        np.add.at(votes, (opp.win_threat[rows], reason), 1)
        rule = np.argmax(votes[:, 1:], axis=1) + 1
    cause = np.select(
        [~seen, lawful & ~engageable, ~reached, reached & ~engageable, engageable & ~engaged, engaged],
        np.arange(len(CAUSES)), -1,
    )
    cause = np.where(leaked, cause, -1).astype(np.int64)
    rule = np.where(cause == CAUSES.index("denied-roe"), rule, 0)
    return cause, rule


def cause_metrics(cause: NDArray[np.int64], rule: NDArray[np.int64], cls: NDArray[np.int64]) -> dict[str, float]:
    """``leaked_by_cause_<cause>`` (summing to ``leaked``), the ROE rule of ``denied-roe``
    leakers, and the same by threat class for the classes in the raid."""
    m: dict[str, float] = {}
    present = np.unique(cls)
    for k, c in enumerate(CAUSES):
        sel = cause == k
        m[f"leaked_by_cause_{_key(c)}"] = float(sel.sum())
        for cl in present:
            m[f"leaked_by_cause_{_key(c)}_{THREAT_CLASSES[cl]}"] = float((sel & (cls == cl)).sum())
    for r, why in enumerate(REASONS[1:], start=1):
        m[f"leaked_by_cause_denied_roe_{_key(why)}"] = float(((cause == CAUSES.index("denied-roe")) & (rule == r)).sum())
    return m
