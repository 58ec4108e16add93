r"""Rules of engagement: may this shooter fire at this threat, intercepting there?

A decision is keyed to

- the shooter's nationality (the defended country's own, or allied) and its ROE variant;
- where the shooter is (allied soil, at sea, elsewhere);
- where the threat is going (whether its predicted path crosses allied soil);
- where the intercept happens, and where its debris lands.

ROE variants (codes as in :data:`skyshield.engine.params.ROE_CODES`):

``0`` the defended country's own shooters
    engage over their own country (occupied parts included), the adversary's territory and
    the sea, never inside an allied or neutral country's airspace.
``1`` over-allied-territory ("soft shield")
    intercept point over allied soil; a shooter at sea may also intercept over the sea a
    threat whose predicted path crosses allied soil (defence of the allied coast).
``2`` path-crosses-allied
    threats whose predicted path crosses allied soil, intercepted over allied, defended or
    occupied territory or the sea (not over the adversary).
``3`` in-reach
    anything in reach, wherever the intercept happens: the most permissive variant, kept so
    that its cost can be measured; it lets an allied patrol over the defended country fire
    into the adversary's airspace.
``4`` defended-airspace
    for allied forces operating over the defended country (forward CAP): the intercept point
    and its debris footprint must both lie over the defended country or the sea (international
    waters). Occupied territory is adversary-held airspace and is excluded, as are the
    adversary's, allied and neutral countries.

Common to the allied variants: no intercept over a neutral country, and no intercept whose
debris footprint lands in one. Every rule is vectorised; :class:`RoeCase` and
:func:`decide` give the scalar view used by the table-driven tests.

**Third countries.** A *host nation* (:attr:`~skyshield.geo.Zone.HOST`, Jordan in April 2024)
lets the nationalities the scenario names intercept over it (``host_ok``; a host always
permits its own forces). With that permission its airspace counts, for every variant but
``defended-airspace``, like allied airspace (``path-crosses-allied`` then needs no path
crossing allied soil there); without it an intercept there is denied (reason
``host``), whatever the variant. Other third countries (:attr:`~skyshield.geo.Zone.OTHER`)
are open only to ``in-reach``; disputed land whose control the scenario leaves open
(:attr:`~skyshield.geo.Zone.DISPUTED`) is open to the defended country's own shooters and to
``in-reach``.

**Space.** Airspace sovereignty ends where outer space begins; an intercept above
:data:`SPACE_ALT_M` (exo-atmospheric: Arrow 3, SM-3) is judged as over international airspace
(the zone code of the sea) by :func:`skyshield.engine.opportunities.lawful_windows`, while its
debris is judged where it falls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..geo import Zone

__all__ = ["ROE_DEFENDED", "REASONS", "SPACE_ALT_M", "roe_allows", "RoeCase", "decide"]

ROE_DEFENDED = 0
"""ROE code of the defended country's own shooters."""

REASONS = ("allowed", "airspace", "path", "neutral-debris", "debris", "host", "standoff")
"""Why an engagement is denied (index = reason code; 0 = allowed): the intercept point's
airspace, the threat's path, debris in a neutral country, debris outside the allowed zones,
no permission of the host nation whose airspace the intercept is in, the intercept point
inside the keep-out of the option's stand-off rule (set by
:func:`skyshield.engine.opportunities.lawful_windows`, never by :func:`roe_allows`;
:mod:`skyshield.engage.standoff`)."""

SPACE_ALT_M = 100e3
"""Where airspace ends for the rules of engagement: the Karman line of the FAI (100 km), the
boundary most often used for outer space, where no state's sovereignty applies (Chicago
Convention art. 1 covers airspace only; Outer Space Treaty art. II)."""

_NONE, _OVER_ALLIED, _PATH, _REACH, _DEFENDED_AIRSPACE = 0, 1, 2, 3, 4
_DEFENDED_SKY = (Zone.DEFENDED, Zone.SEA)


def roe_allows(
    roe: ArrayLike,
    shooter_zone: ArrayLike,
    intercept_zone: ArrayLike,
    debris_zone: ArrayLike,
    crosses_allied: ArrayLike,
    host_ok: ArrayLike = True,
) -> tuple[NDArray[np.bool_], NDArray[np.int8]]:
    """Whether each engagement is allowed, and the reason code (:data:`REASONS`) if not.

    Parameters
    ----------
    roe
        ROE code per engagement (0 for the defended country's own shooters).
    shooter_zone, intercept_zone, debris_zone
        :class:`~skyshield.geo.Zone` codes of the shooter's position, the intercept point and
        the debris landing point.
    crosses_allied
        Whether the threat's predicted path crosses allied soil.
    host_ok
        Where the intercept point is over a host nation: whether that host permits the
        shooter's nationality to intercept there (ignored elsewhere).
    """
    roe, sz, iz, dz, cr, hk = np.broadcast_arrays(
        np.asarray(roe), np.asarray(shooter_zone), np.asarray(intercept_zone),
        np.asarray(debris_zone), np.asarray(crosses_allied, dtype=bool), np.asarray(host_ok, dtype=bool),
    )
    host = (iz == Zone.HOST) & hk  # a permitting host's airspace
    own_sky = np.isin(iz, (Zone.DEFENDED, Zone.OCCUPIED, Zone.SEA, Zone.ADVERSARY, Zone.DISPUTED)) | host
    zone_ok = np.select(
        [roe == _NONE, roe == _OVER_ALLIED, roe == _PATH, roe == _REACH, roe == _DEFENDED_AIRSPACE],
        [
            own_sky,
            (iz == Zone.ALLIED) | ((sz == Zone.SEA) & (iz == Zone.SEA) & cr) | host,
            np.isin(iz, (Zone.ALLIED, Zone.DEFENDED, Zone.OCCUPIED, Zone.SEA)) | host,
            (iz != Zone.NEUTRAL) & ((iz != Zone.HOST) | hk),
            np.isin(iz, _DEFENDED_SKY),
        ],
        default=False,
    )
    no_permit = (iz == Zone.HOST) & ~hk & (roe != _DEFENDED_AIRSPACE)
    path_ok = (roe != _PATH) | cr | host  # a permitting host's airspace is open as allied soil is
    neutral_ok = (roe == _NONE) | (dz != Zone.NEUTRAL)
    debris_ok = (roe != _DEFENDED_AIRSPACE) | np.isin(dz, _DEFENDED_SKY)
    reason = np.select([~zone_ok & no_permit, ~zone_ok, ~path_ok, ~neutral_ok, ~debris_ok],
                       [5, 1, 2, 3, 4], 0).astype(np.int8)
    return reason == 0, reason


@dataclass(frozen=True)
class RoeCase:
    """One engagement question, in words, for tables of expected decisions."""

    roe: int
    shooter_zone: Zone
    intercept_zone: Zone
    crosses_allied: bool
    debris_zone: Zone | None = None  # default: where the intercept happens
    host_ok: bool = True  # over a host nation: it permits the shooter's nationality


def decide(case: RoeCase) -> tuple[bool, str]:
    """Scalar decision and its reason name."""
    dz = case.intercept_zone if case.debris_zone is None else case.debris_zone
    ok, why = roe_allows(case.roe, case.shooter_zone, case.intercept_zone, dz, case.crosses_allied, case.host_ok)
    return bool(ok), REASONS[int(why)]
