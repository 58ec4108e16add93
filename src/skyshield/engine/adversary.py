r"""An adversary that adapts its raid to the option's published posture (``--adversary adaptive``).

Under ``fixed`` (the default) every option flies the scenario's raid: the comparison measures
pure defensive value. Under ``adaptive`` the raid planner knows what the option publishes, read
from the compiled parameters and never from the night's draws: which allied shooters it brings,
where they are, how far they reach against each threat class, where their rules of
engagement let them fire, their stand-off keep-outs, its tripwires and clauses. It answers in
four documented ways, each a deterministic function of the compiled option:

**Reroute.** An *allied envelope* is a disc around an allied shooter (SAM, ship, CAP station
or QRA base) of radius its reach against the threat's class (plus a mobile unit's relocation
reach), for every allied shooter whose rules of engagement let it fire over the defended
country. A threat that does not fly a ballistic profile, is not a decoy (see *Decoys* below)
and whose track (the great-circle chain of its launch point, via points and aim point, as
sampled) enters an envelope of radius :math:`R` is sent around it: in the gnomonic projection centred on the shooter, where
great circles are straight lines and the disc a disc, the track leaves from the tangent
point of the last point before the disc, follows the circumscribed polygon of the disc of
radius :math:`R (1 + \mu)` on the shorter side (steps of at most 45 degrees) and rejoins at
the tangent point of the next point. Where the launch point, a via point or the aim point
lies inside an envelope, the geometry does not allow a way round and the track is kept.
Envelopes are handled one at a time, first crossed first, at most :attr:`AdaptiveRules.max_detours`
per threat.

**Retarget.** For each raid group but the decoy groups, the allied cover depth of its aim
areas (the group's own targets, cities and regions: the adversary never gains aim points) is
:math:`D_a = \sum_j -\ln(1 - p_{j,c})` over the allied shooters whose envelope against the
group's class :math:`c` contains the area's centre, whose rules of engagement allow an
intercept there and whose stand-off keep-out does not (as :func:`skyshield.engine.redeploy.cover_layers`).
A share :math:`s` of the group's aim moves to the least-covered of its aim areas, in
proportion to their weights:

.. math::

    w'_a = (1 - s)\, w_a + s\, \frac{w_a [a \in L]}{\sum_{b \in L} w_b},
    \qquad L = \arg\min_a D_a.

When every aim area has the same cover (no allied cover at all, under ``none``) nothing moves.

**Size (deterrence).** The deterrence the adversary perceives is a score in :math:`[0, 1]`,

.. math::

    \delta = \min\bigl(1,\; w_T\,[\text{tripwires}] + w_C\, c_0 \max_k p_k
    + w_P\,[\text{allied aircraft over the defended country}]\bigr),

with :math:`c_0` the option's initial credibility and :math:`p_k` the execution probability
of clause :math:`k`. Every group's count, decoy groups included, is multiplied by
:math:`m = 1 - a\,\delta` (rounded to the nearest whole threat): a deterred adversary sends a
smaller raid package and keeps its ratio of decoys to warheads, the ratio that saturates.

**Mix.** Where allied fighters that may fire over the defended country reach a drone group's
aim areas, the adversary moves a share :math:`x` of that group's drones, weighted by the
share :math:`f_g` of its aim on areas they reach, into ballistic missiles of the same cost
(catalog unit costs): drone group :math:`g` loses :math:`\mathrm{round}(x f_g n_g)` threats,
and the freed budget :math:`B`, shared between the ballistic groups in proportion to their
counts, buys whole missiles of each (what a group's share cannot buy passes to the next group in
the scenario's order). A raid without ballistic groups keeps its drones. Decoy groups (class
``decoy``) are not drones here and are never traded.

**Decoys.** Decoys (class ``decoy``, Gerbera-type) are launched to saturate and draw fire where
the defences are, not to reach the least-defended asset, and the adversary spends no planning
on them: a decoy group keeps the fixed raid's aim weights and every decoy keeps its sampled
route (no retarget, no reroute). Size applies to them as above; the mix trade does not.

Every weight and share here is notional (:class:`AdaptiveRules`; docs/options.md has the
sensitivity table). The defended country's redeployment (:mod:`skyshield.engine.redeploy`) is
planned against the scenario's aim pattern, not the adapted one (no second move).

**Common random numbers.** The raid is first sampled exactly as under ``fixed`` (the same
streams, so the launch point, time, target draw, aim point, route scatter and failure of every
threat are those of the fixed raid, with the retargeted weights read from the same uniform
draws). A smaller group keeps its first threats; threats added to a group are drawn from
their own streams ``raid/<group id>/extra`` (and ``.../failure``) and appended after all others.
Rerouting draws nothing. Dice drawn later per threat (detection, kills, damage) follow the
threat's row in the raid: rows before the first dropped threat keep theirs, rows after it
shift when a group is made smaller.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..catalog import THREAT_CLASSES
from ..engage.roe import roe_allows
from ..engage.standoff import inside_keepout
from ..geo import EARTH_RADIUS_M, Zone, great_circle_distance_m, lonlat_to_unit, unit_to_lonlat
from ..rng import Streams
from .params import ALLIED, SHOOTER_KINDS, EngineParams

__all__ = [
    "ADVERSARY_MODES",
    "AdaptiveRules",
    "AdversaryPlan",
    "adapt_params",
    "aim_cover_depth",
    "allied_reach",
    "crosses",
    "deterrence",
    "detour",
    "plan_adversary",
    "retarget_weights",
]

ADVERSARY_MODES = ("fixed", "adaptive")
"""Adversary models: ``fixed`` flies the scenario's raid under every option; ``adaptive`` adapts it
to the option's published posture (this module)."""

_DRONE = THREAT_CLASSES.index("drone")
_DECOY = THREAT_CLASSES.index("decoy")
_FIGHTER = SHOOTER_KINDS.index("fighter")
_MAX_STEP_RAD = np.pi / 4


@dataclass(frozen=True)
class AdaptiveRules:
    """The notional parameters of the adaptive adversary (each in the sensitivity table of
    docs/options.md, "Fixed and adaptive adversary")."""

    size_response: float = 0.3
    """notional-size-response :math:`a`: the raid shrinks by this share at full deterrence."""
    w_tripwire: float = 0.4
    """notional-deterrence-weight of tripwires (allied units whose loss escalates automatically)."""
    w_clauses: float = 0.3
    """notional-deterrence-weight of contingency clauses (times credibility and execution probability)."""
    w_presence: float = 0.3
    """notional-deterrence-weight of allied aircraft stationed over the defended country."""
    retarget_share: float = 0.5
    """notional-retarget-share :math:`s` of each group's aim moved to its least-covered aim areas."""
    mix_shift: float = 0.25
    """notional-mix-shift :math:`x`: share of drones, where allied fighters reach, traded for ballistic missiles."""
    envelope_margin: float = 0.05
    """notional-margin :math:`\\mu` kept outside an allied envelope, as a share of its radius."""
    max_detours: int = 4
    """Envelopes a threat is routed around at most (first crossed first)."""


@dataclass(frozen=True)
class AdversaryPlan:
    """The adaptive adversary's answer to one compiled option."""

    rules: AdaptiveRules
    deterrence: dict[str, float]  # score and its ingredients
    size_multiplier: float
    counts: NDArray[np.int64]  # (G,) threats per raid group after size and mix
    env_lonlat: NDArray[np.float64]  # (E, 2) allied envelope centres
    env_radius_m: NDArray[np.float64]  # (E, C) radius per threat class (0: no envelope)
    reroutable: NDArray[np.bool_]  # (K,) threat types that may be rerouted (neither ballistic nor decoy)
    weights: tuple[NDArray[np.float64], ...] = field(default_factory=tuple)  # (G,) adapted aim weights

    def adapt(self, raid, params: EngineParams, streams: Streams):
        """The adapted raid: the fixed raid resized per group, extras appended, tracks rerouted.

        Parameters
        ----------
        raid : skyshield.engine.raid.Raid
            The raid sampled from ``params`` (retargeted weights) as under ``fixed``.
        """
        from .raid import Raid, _sample_plans

        keep = np.zeros(raid.size, bool)
        extra_plans = []
        for gi, g in enumerate(params.raid):
            rows = np.flatnonzero(raid.group == gi)
            keep[rows[: int(self.counts[gi])]] = True
            extra_plans.append(replace(g, id=f"{g.id}/extra", count=max(int(self.counts[gi]) - g.count, 0)))
        extra = _sample_plans(replace(params, raid=tuple(extra_plans)), streams)
        fail = raid.fail_frac if raid.fail_frac.size == raid.size else np.full(raid.size, np.nan)
        efail = extra.fail_frac if extra.fail_frac.size == extra.size else np.full(extra.size, np.nan)
        w = max(raid.waypoints.shape[1], extra.waypoints.shape[1])

        def pad(a):
            out = np.full((a.shape[0], w, 2), np.nan)
            out[:, : a.shape[1]] = a
            return out

        pts = np.concatenate([pad(raid.waypoints[keep]), pad(extra.waypoints)])
        npts = np.concatenate([raid.n_points[keep], extra.n_points])
        ti = np.concatenate([raid.type_index[keep], extra.type_index])
        pts, npts = self.reroute(pts, npts, ti, params)
        return Raid(
            type_index=ti,
            group=np.concatenate([raid.group[keep], extra.group]),
            launch_s=np.concatenate([raid.launch_s[keep], extra.launch_s]),
            target=np.concatenate([raid.target[keep], extra.target]),
            waypoints=pts,
            n_points=npts,
            fail_frac=np.concatenate([fail[keep], efail]),
        )

    def reroute(self, pts: NDArray[np.float64], npts: NDArray[np.int64], type_index: NDArray[np.int64],
                params: EngineParams) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Waypoints ``(N, W', 2)`` and counts with every reroutable track sent round the envelopes."""
        if self.env_lonlat.shape[0] == 0 or pts.shape[0] == 0:
            return pts, npts
        cls = params.threat_types.cls[type_index]
        paths = {}
        for c in np.unique(cls):
            radius = self.env_radius_m[:, c] * (1.0 + self.rules.envelope_margin)
            on = radius > 0
            rows = np.flatnonzero((cls == c) & self.reroutable[type_index])
            if not on.any() or rows.size == 0:
                continue
            centres, radius = self.env_lonlat[on], radius[on]
            hit = crosses(pts[rows], npts[rows], centres, radius)
            for i in rows[hit]:
                new = detour(pts[i, : npts[i]], centres, radius, self.rules.max_detours)
                if new.shape[0] != npts[i]:
                    paths[int(i)] = new
        if not paths:
            return pts, npts
        w = max(pts.shape[1], max(p.shape[0] for p in paths.values()))
        out = np.full((pts.shape[0], w, 2), np.nan)
        out[:, : pts.shape[1]] = pts
        npts = npts.copy()
        for i, p in paths.items():
            out[i] = np.nan
            out[i, : p.shape[0]] = p
            npts[i] = p.shape[0]
        return out, npts


# -- the posture the adversary reads --------------------------------------------------------------

def allied_reach(params: EngineParams) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """``(rows, reach (J_a, C))``: allied shooter rows whose rules of engagement let them fire over
    the defended country, and their reach per threat class (0 where they never engage it)."""
    sh = params.shooters
    allied = np.flatnonzero(sh.side == ALLIED)
    if allied.size == 0:
        return allied, np.zeros((0, sh.max_range_m.shape[1] if sh.max_range_m.ndim == 2 else len(THREAT_CLASSES)))
    ok, _ = roe_allows(sh.roe[allied], sh.zone[allied], int(Zone.DEFENDED), int(Zone.DEFENDED), False)
    rows = allied[np.asarray(ok, bool)]
    reach = sh.max_range_m[rows] + sh.mobile_reach_m[rows, None]
    reach = np.where(sh.pk[rows] > 0, reach, 0.0)
    return rows, reach


def aim_cover_depth(params: EngineParams, rows: NDArray[np.int64], reach: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(A, C)`` allied cover depth :math:`D_a` of every asset's centre against every threat class."""
    sh, a_ll = params.shooters, params.assets.lonlat
    C = reach.shape[1]
    if rows.size == 0:
        return np.zeros((a_ll.shape[0], C))
    d = np.asarray(great_circle_distance_m(sh.lonlat[rows, None, 0], sh.lonlat[rows, None, 1],
                                           a_ll[None, :, 0], a_ll[None, :, 1]))
    cov = d[:, :, None] <= reach[:, None, :]  # (J, A, C)
    a_zone = params.theatre.classify(a_ll[:, 0], a_ll[:, 1]).astype(np.int64)
    ok, _ = roe_allows(sh.roe[rows][:, None], sh.zone[rows][:, None], a_zone[None, :], a_zone[None, :], False)
    cov &= np.asarray(ok, bool)[:, :, None]
    rule_of = sh.standoff if sh.standoff.size else np.full(len(sh.ids), -1)
    for k, rule in enumerate(params.standoffs):
        sel = rule_of[rows] == k
        if sel.any():
            cov[sel] &= ~inside_keepout(params.theatre, rule, a_ll[:, 0], a_ll[:, 1])[None, :, None]
    depth = -np.log1p(-np.clip(sh.pk[rows], 0.0, 0.99))  # (J, C)
    return (cov * depth[:, None, :]).sum(axis=0)


def retarget_weights(weight: NDArray[np.float64], depth: NDArray[np.float64], share: float) -> NDArray[np.float64]:
    """:math:`w'` of the module docstring: ``share`` of the aim moved to the least-covered areas."""
    if depth.size < 2 or depth.max() - depth.min() <= 1e-12:
        return weight
    low = depth <= depth.min() + 1e-12
    wl = np.where(low, weight, 0.0)
    wl = wl / wl.sum() if wl.sum() > 0 else low / low.sum()
    return (1.0 - share) * weight + share * wl


def deterrence(params: EngineParams, rules: AdaptiveRules) -> dict[str, float]:
    """The deterrence score :math:`\\delta` and its ingredients (see the module docstring)."""
    pol: Any = params.policy
    trip = float(pol is not None and len(getattr(pol, "tripwire_ids", ())) > 0)
    clauses = getattr(pol, "clauses", ()) if pol is not None else ()
    clause = float(pol.credibility0) * max((float(c.probability) for c in clauses), default=0.0) if clauses else 0.0
    presence = float(pol is not None and len(getattr(pol, "exposed_ids", ())) > 0)
    score = min(1.0, rules.w_tripwire * trip + rules.w_clauses * clause + rules.w_presence * presence)
    return {"score": score, "tripwires": trip, "clauses": clause, "presence": presence}


def _counts(params: EngineParams, rules: AdaptiveRules, m: float, rows, reach,
            weights: tuple[NDArray[np.float64], ...]) -> NDArray[np.int64]:
    tt = params.threat_types
    n = np.array([int(np.floor(g.count * m + 0.5)) for g in params.raid], dtype=np.int64)
    fighters = params.shooters.kind[rows] == _FIGHTER if rows.size else np.zeros(0, bool)
    bal = [gi for gi, g in enumerate(params.raid) if tt.ballistic[g.type_index] and n[gi] > 0]
    if not fighters.any() or not bal or rules.mix_shift <= 0:
        return n
    sh, a_ll = params.shooters, params.assets.lonlat
    fr = rows[fighters]
    d = np.asarray(great_circle_distance_m(sh.lonlat[fr, None, 0], sh.lonlat[fr, None, 1],
                                           a_ll[None, :, 0], a_ll[None, :, 1]))
    reached = (d <= reach[fighters, _DRONE][:, None]).any(axis=0)  # (A,) aim areas allied fighters reach
    budget = 0.0
    for gi, g in enumerate(params.raid):
        if tt.cls[g.type_index] != _DRONE or n[gi] == 0:
            continue
        f = float(weights[gi][reached[g.target_index]].sum())
        cut = int(np.floor(rules.mix_shift * f * n[gi] + 0.5))
        n[gi] -= cut
        budget += cut * float(tt.cost_usd[g.type_index])
    nb = float(sum(n[b] for b in bal))
    carry = 0.0  # what a group's share could not buy passes to the next group (scenario order)
    for b in bal:
        cost = float(tt.cost_usd[params.raid[b].type_index])
        money = budget * n[b] / nb + carry
        k = int(np.floor(money / cost)) if cost > 0 else 0
        carry = money - k * cost
        n[b] += k
    return n


def plan_adversary(params: EngineParams, rules: AdaptiveRules | None = None) -> AdversaryPlan:
    """The adaptive adversary's plan against the compiled option ``params``."""
    rules = rules or AdaptiveRules()
    rows, reach = allied_reach(params)
    depth = aim_cover_depth(params, rows, reach)
    tt = params.threat_types
    weights = tuple(g.target_weight if tt.cls[g.type_index] == _DECOY else
                    retarget_weights(g.target_weight, depth[g.target_index, tt.cls[g.type_index]],
                                     rules.retarget_share) for g in params.raid)
    det = deterrence(params, rules)
    m = 1.0 - rules.size_response * det["score"]
    counts = _counts(params, rules, m, rows, reach, weights)
    keep = reach.max(axis=1) > 0 if rows.size else np.zeros(0, bool)
    return AdversaryPlan(rules=rules, deterrence=det, size_multiplier=m, counts=counts,
                         env_lonlat=params.shooters.lonlat[rows[keep]], env_radius_m=reach[keep],
                         reroutable=~tt.ballistic.astype(bool) & (tt.cls != _DECOY), weights=weights)


def adapt_params(params: EngineParams, adversary: str = "fixed", rules: AdaptiveRules | None = None) -> EngineParams:
    """``params`` as flown against ``adversary`` (``fixed``: unchanged, the same object)."""
    if adversary not in ADVERSARY_MODES:
        raise ValueError(f"unknown adversary {adversary!r}; known: {', '.join(ADVERSARY_MODES)}")
    if adversary == "fixed":
        return params
    plan = plan_adversary(params, rules)
    raid = tuple(replace(g, target_weight=w) for g, w in zip(params.raid, plan.weights))
    red: Any = params.redeployment
    if red is not None and getattr(red, "reference", None) is not None:
        red = replace(red, reference=replace(red.reference, raid=raid, adversary=plan))
    return replace(params, raid=raid, adversary=plan, redeployment=red)


# -- geometry ----------------------------------------------------------------------------------------

def _frame(lonlat: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Centre, east and north unit vectors at ``lonlat`` ((E, 2) -> three (E, 3))."""
    c = lonlat_to_unit(lonlat[:, 0], lonlat[:, 1])
    lam = np.radians(lonlat[:, 0])
    east = np.stack([-np.sin(lam), np.cos(lam), np.zeros_like(lam)], axis=-1)
    north = np.cross(c, east)
    return c, east, north


def _gnomonic(u: NDArray[np.float64], c, e, n) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Plane coordinates (tangent-plane units) of unit vectors ``u`` (..., 3), and ``u . c``."""
    dot = u @ c
    return np.stack([u @ e, u @ n], axis=-1) / np.maximum(dot, 1e-9)[..., None], dot


def _seg_dist2(p: NDArray[np.float64], q: NDArray[np.float64]) -> NDArray[np.float64]:
    """Squared distance from the origin to planar segments ``p -> q`` (..., 2)."""
    d = q - p
    dd = (d * d).sum(-1)
    t = np.clip(-(p * d).sum(-1) / np.where(dd > 0, dd, 1.0), 0.0, 1.0)
    x = p + t[..., None] * d
    return (x * x).sum(-1)


def crosses(pts: NDArray[np.float64], npts: NDArray[np.int64], centres: NDArray[np.float64],
            radius_m: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Whether each track (``(N, W, 2)`` waypoints, ``npts`` valid) enters some disc of
    ``radius_m`` around ``centres`` ((E, 2)) on the sphere."""
    if pts.shape[0] == 0:
        return np.zeros(0, bool)
    u = lonlat_to_unit(pts[..., 0], pts[..., 1])  # (N, W, 3); NaN padded
    hit = np.zeros(pts.shape[0], bool)
    seg_ok = np.arange(pts.shape[1] - 1)[None, :] < (npts[:, None] - 1)
    for k in range(centres.shape[0]):
        c, e, n = (v[0] for v in _frame(centres[k : k + 1]))
        xy, dot = _gnomonic(u, c, e, n)
        r2 = np.tan(radius_m[k] / EARTH_RADIUS_M) ** 2
        d2 = _seg_dist2(xy[:, :-1], xy[:, 1:])
        front = (dot[:, :-1] > 0) & (dot[:, 1:] > 0)
        hit |= (seg_ok & front & (d2 < r2)).any(axis=1)
    return hit


def _around(a: NDArray[np.float64], b: NDArray[np.float64], r: float) -> NDArray[np.float64]:
    """Planar vertices leading from ``a`` round the disc of radius ``r`` at the origin to ``b``
    (both outside it), on the shorter side: the circumscribed polygon between the tangent points."""
    ra, rb = float(np.hypot(*a)), float(np.hypot(*b))
    pa, pb = float(np.arctan2(a[1], a[0])), float(np.arctan2(b[1], b[0]))
    ba, bb = float(np.arccos(min(1.0, r / ra))), float(np.arccos(min(1.0, r / rb)))
    ccw = ((pb - bb) - (pa + ba)) % (2 * np.pi)  # counter-clockwise: leave a at pa + ba, reach b at pb - bb
    cw = ((pa - ba) - (pb + bb)) % (2 * np.pi)
    start, arc, sign = (pa + ba, ccw, 1.0) if ccw <= cw else (pa - ba, cw, -1.0)
    m = max(1, int(np.ceil(arc / _MAX_STEP_RAD)))
    step = arc / m
    rho = r / np.cos(step / 2)
    ang = start + sign * step * np.arange(m + 1)
    return rho * np.stack([np.cos(ang), np.sin(ang)], axis=-1)


def detour(path: NDArray[np.float64], centres: NDArray[np.float64], radius_m: NDArray[np.float64],
           max_detours: int = 4) -> NDArray[np.float64]:
    """``path`` ((P, 2) lon/lat) routed round the discs (centres (E, 2), radii (E,)) it enters,
    first entered first, where the geometry allows (see the module docstring)."""
    frames = _frame(centres)
    r_plane = np.tan(radius_m / EARTH_RADIUS_M)
    blocked: set[int] = set()
    for _ in range(max_detours):
        u = lonlat_to_unit(path[:, 0], path[:, 1])
        first = None
        for k in range(centres.shape[0]):
            if k in blocked:
                continue
            xy, dot = _gnomonic(u, frames[0][k], frames[1][k], frames[2][k])
            d2 = _seg_dist2(xy[:-1], xy[1:])
            r2 = r_plane[k] ** 2
            inside = (xy * xy).sum(-1) <= r2 * (1 + 1e-9)  # on the circle counts as inside: no tangent from there
            bad = (d2 < r2 * (1 - 1e-9)) & (dot[:-1] > 0) & (dot[1:] > 0)
            for j in np.flatnonzero(bad):
                if inside[j] or inside[j + 1]:
                    continue  # a point of the path lies inside: no way round this one
                if first is None or int(j) < first[0]:
                    first = (int(j), k, xy[j], xy[j + 1])
                break
        if first is None:
            return path
        s, k, a, b = first
        v = _around(a, b, float(r_plane[k]))
        c, e, n = frames[0][k], frames[1][k], frames[2][k]
        if not np.isfinite(v).all():
            blocked.add(k)
            continue
        w = c[None, :] + v[:, :1] * e[None, :] + v[:, 1:] * n[None, :]
        lon, lat = unit_to_lonlat(w)
        path = np.concatenate([path[: s + 1], np.stack([np.atleast_1d(lon), np.atleast_1d(lat)], axis=-1),
                               path[s + 1 :]])
        if _still(path, s, v.shape[0], c, e, n, r_plane[k]):
            blocked.add(k)
    return path


def _still(path, s, m, c, e, n, r) -> bool:
    """Whether the detour just made round a disc still enters it (numerical corner cases):
    then that disc is given up on rather than detoured again."""
    u = lonlat_to_unit(path[s : s + m + 2, 0], path[s : s + m + 2, 1])
    xy, _ = _gnomonic(u, c, e, n)
    return bool((_seg_dist2(xy[:-1], xy[1:]) < r * r * (1 - 1e-9)).any())
