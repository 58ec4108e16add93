r"""The data link, modelled abstractly (never bit layouts): participants, reporting cycles,
latency, outages, jamming, track numbers and track quality.

Each sensor that shares is a **participant**. It reports its tracks once per reporting cycle
of length :math:`U` (``link_update_s``; tier ``fire-control`` reports every scan instead),
at cycle times :math:`t_c = (c + \phi)U` with a participant phase :math:`\phi \in [0, 1)`. A
report reaches the receiving network :math:`L` seconds later (``sharing_latency_s``) unless

* the participant is in an **outage**: time is cut into blocks of length ``link_outage_s`` and
  each block is out with probability ``link_outage_fraction``, or
* the report is lost to **jamming**, independently with probability ``link_jamming_loss``.

So a local track first held at :math:`t` enters the receiving picture at

.. math:: t_{net} = \min\{t_c \ge t : \text{report } c \text{ delivered}\} + L,

which never decreases when :math:`L` grows, when :math:`U` grows on a common grid, or when
more reports are lost (the properties the tests check). The delivery pattern is a pure
function of the replication key, the participant's name and the cycle number.

**Track quality** follows the spirit of Link 16's 0-15 scale: 15 for a 95 % position error
radius under 50 m, one step lower for every doubling, 0 at worst. **Track numbers** are
given to fused tracks by the network (:mod:`skyshield.picture.fusion`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..rng import keyed_uniform

__all__ = ["Link", "track_quality", "MAX_CYCLES"]

F = NDArray[np.float64]
I = NDArray[np.int64]

MAX_CYCLES = 4096
"""Cycles searched for a delivered report before a track is given up as never shared."""


@dataclass(frozen=True)
class Link:
    """One direction of sharing into a side's network."""

    update_s: float
    latency_s: float
    outage_fraction: float = 0.0
    outage_s: float = 300.0
    jamming_loss: float = 0.0
    key: int = 0  # replication key of the link's draws

    def phase(self, participant: I) -> F:
        """Reporting phase of each participant, a fraction of a cycle."""
        return keyed_uniform(self.key, np.asarray(participant, np.int64) + np.int64(3 << 33), 0)

    def delivered(self, participant: I, t_cycle_s: F) -> NDArray[np.bool_]:
        """Whether the report sent at ``t_cycle_s`` by ``participant`` got through."""
        p = np.asarray(participant, np.int64)
        ok = np.ones(np.broadcast(p, t_cycle_s).shape, bool)
        if self.outage_fraction > 0:
            block = np.floor(np.asarray(t_cycle_s) / self.outage_s).astype(np.int64)
            ok &= keyed_uniform(self.key, p + np.int64(4 << 33), block) >= self.outage_fraction
        if self.jamming_loss > 0:
            cyc = np.floor(np.asarray(t_cycle_s) / max(self.update_s, 1e-9) + 0.5).astype(np.int64)
            ok &= keyed_uniform(self.key, p + np.int64(5 << 33), cyc) >= self.jamming_loss
        return ok

    def arrival_s(self, participant: I, t_s: F, update_s: F | None = None) -> F:
        """When tracks held by ``participant`` from ``t_s`` on reach the network (``inf``: never)."""
        t = np.asarray(t_s, float)
        p = np.broadcast_to(np.asarray(participant, np.int64), t.shape)
        U = np.broadcast_to(np.asarray(self.update_s if update_s is None else update_s, float), t.shape)
        ph = self.phase(p) * U
        out = np.full(t.shape, np.inf)
        fin = np.isfinite(t)
        c = np.where(fin, np.ceil((np.where(fin, t, 0.0) - ph) / U - 1e-12), 0.0)
        todo = np.flatnonzero(fin)
        for _ in range(MAX_CYCLES):
            if todo.size == 0:
                break
            tc = c[todo] * U[todo] + ph[todo]
            ok = self.delivered(p[todo], tc)
            out[todo[ok]] = tc[ok] + self.latency_s
            todo = todo[~ok]
            c[todo] += 1.0
        return out

    def last_delivered(self, participant: I, t_s: float, update_s: F) -> F:
        """Time of the latest delivered report that has arrived by ``t_s`` (``-inf`` if none
        within the last two cycles: remote tracks not refreshed are dropped)."""
        p = np.asarray(participant, np.int64)
        U = np.asarray(update_s, float)
        ph = self.phase(p) * U
        out = np.full(p.shape, -np.inf)
        c = np.floor((t_s - self.latency_s - ph) / U)
        for back in range(2):
            tc = (c - back) * U + ph
            ok = self.delivered(p, tc) & ~np.isfinite(out)
            out[ok] = tc[ok]
        return out


def track_quality(P: F) -> I:
    """Link-16-style track quality 0..15 from position covariances ``(K, 4, 4)`` ([x, vx, y, vy])."""
    var = np.maximum(P[:, 0, 0] + P[:, 2, 2], 1e-6)
    r95 = np.sqrt(5.991 / 2.0 * var)  # circular approximation of the 95 % ellipse
    return np.clip(15 - np.ceil(np.log2(np.maximum(r95 / 50.0, 1.0))), 0, 15).astype(np.int64)


def link_into(params, streams) -> Link:
    """The link of the option in ``params`` (one replication's draws)."""
    return Link(
        update_s=params.link_update_s,
        latency_s=params.sharing_latency_s,
        outage_fraction=params.link_outage_fraction,
        outage_s=params.link_outage_s,
        jamming_loss=params.link_jamming_loss,
        key=streams.key("picture/link"),
    )


def report_interval_s(params, rows: I) -> F:
    """Reporting interval of sensors ``rows``: the link's, or every scan at fire-control tier."""
    U = np.full(np.shape(rows), params.link_update_s, dtype=float)
    if params.sharing_level >= 3:
        U = np.minimum(U, params.sensors.revisit_s[rows])
    return U


def side_pictures(params, by_key: I, by_t: F, n: int, link: Link,
                  tiers: tuple[tuple[int, int, int], ...] | None = None) -> tuple[F, F]:
    """First times in each side's picture: own sensors only, and after sharing over ``link``.

    Returns ``own`` and ``network``, both ``(2, N)``. Allied tracks reach the defended network
    from the early-warning tier up; from the surveillance tier up the exchange is two-way.
    ``tiers`` overrides those rules as ``(receiver, sender, lowest tier)`` triples.
    """
    from ..engine.params import ALLIED, DEFENDED

    sen = params.sensors
    own = np.full((2, n), np.inf)
    sk = by_key // max(n, 1)
    st = by_key % max(n, 1)
    np.minimum.at(own, (sen.side[sk], st), by_t)
    net = own.copy()
    for receiver, sender, tier in tiers or ((DEFENDED, ALLIED, 1), (ALLIED, DEFENDED, 2)):
        if params.sharing_level < tier:
            continue
        sel = sen.side[sk] == sender
        if not sel.any():
            continue
        arr = link.arrival_s(sen.key[sk[sel]], by_t[sel], report_interval_s(params, sk[sel]))
        np.minimum.at(net[receiver], st[sel], arr)
    return own, net
