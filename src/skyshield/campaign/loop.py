r"""Campaign mode: many nights with magazines, resupply, attrition of launch capacity.

Night :math:`d` of replication :math:`r`:

1. launches per class come from the fitted generator (stream ``campaign/raid`` of
   replication :math:`r`, common to every option), times the adversary's launch capacity
   :math:`\kappa_d`; drones split into Shahed-type drones and decoys by the period's decoy
   share and spread over the scenario's raid groups in proportion to their reference sizes;
2. the packages present that night follow the option's variants: rotation (on for ``duty``
   of every ``period``), transfer (from the lead time on, until the supplier cuts
   sustainment: a daily chance, stream ``campaign/supplier``) and clauses' ``add-assets``
   responses (for their duration);
3. units carry what their holders' stocks allow (:mod:`skyshield.campaign.magazines`: the
   defended country's national stock per weapon type, each allied unit's own magazine); the
   night runs through the full engine (every random stream keyed by ``(seed, day + 1, r)``, so
   options see the same nights), escalate phase included, with the clauses' credibility and
   the escalation ladder (rung and tension, :mod:`skyshield.policy.persistence`) carried over;
   over-the-horizon support is on the ladder on nights with at least one strike;
4. rounds fired, resupply and the aid of executed ``more-aid`` responses (by interceptor type)
   are booked; launch capacity evolves by the over-the-horizon model
   (:mod:`skyshield.campaign.capacity`: strikes on launch sites and stocks, stream
   ``campaign/oth``, and regeneration), the launch sites losing the reductions of executed
   stand-off strikes and suppression of air defences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..catalog import THREAT_CLASSES
from ..engine import compile_scenario, engine_for
from ..engine.params import ALLIED, DEFENDED
from ..options import ResolvedOption, builtin_options, resolve_option
from ..policy.persistence import LADDER_CAMPAIGN_METRIC_DOCS, LadderState
from ..rng import Streams
from .capacity import LaunchCapacityModel
from .generator import RaidGenerator
from .magazines import Magazines, rounds_fired, weapon_slug

__all__ = ["CampaignSettings", "run_campaign", "split_counts", "default_period", "CAMPAIGN_METRIC_DOCS"]

CAMPAIGN_METRIC_DOCS = {
    "days": "nights simulated",
    "launched": "threats launched over the campaign",
    "destroyed": "threats destroyed",
    "leaked": "threats that reached their aim area",
    "assets_hit": "warhead leakers that damaged their asset",
    "population_exposed": "population of assets damaged, summed over nights",
    "interceptor_cost_usd": "cost of interceptors fired",
    "protection": "1 - leaked / launched over the campaign (share that never reached its aim area)",
    "launch_capacity_final": "adversary launch capacity at the end (1 = undiminished)",
    "launch_capacity_mean": "adversary launch capacity averaged over the nights",
    "oth_strikes": "over-the-horizon strikes on launch capacity over the campaign",
    "aid_interceptors": "interceptors delivered to the defended country by executed more-aid responses",
    "days_of_defence_min": "days of defence remaining of the defended country's scarcest own weapon that was used",
    "allied_days_of_defence_min": "days of defence remaining of the allies' scarcest weapon that was used",
    "days_of_defence_<weapon>": "the defended country's own stock of the weapon over its net daily drawdown "
                                "(last 14 nights in use; 3650 where not falling; NaN if no unit of it was ever present)",
    "allied_days_of_defence_<weapon>": "the same over the magazines of the allied units carrying the weapon",
}
CAMPAIGN_METRIC_DOCS.update({  # exposure of allied aircraft by geometry (skyshield.policy.exposure), over the nights
    "allied_fired_upon": "count: times allied aircraft or units were fired upon (exposure and adversary responses), summed over the nights",
    "nights_fired_upon": "nights: nights on which allied aircraft or units were fired upon at least once",
    "exposure_hazard": "expected number of times allied aircraft are fired upon in adversary envelopes, summed over the "
                       "nights (each night's rate x weighted hours x that night's tension multiplier)",
    "exposure_expected_losses": "expected allied aircraft lost to exposure, summed over the nights",
})
CAMPAIGN_METRIC_DOCS.update(LADDER_CAMPAIGN_METRIC_DOCS)  # the escalation ladder carried night to night


@dataclass(frozen=True)
class CampaignSettings:
    days: int = 90
    period: str | None = None  # generator period (default: the latest one with >= 60 days)
    stock_nights: float = 5.0  # initial stock of each weapon, in nights of full loads (notional)
    resupply_fraction: float = 0.002  # default resupply a day, as a fraction of the initial stock (notional)
    resupply: dict[str, float] = field(default_factory=dict)  # weapon -> rounds a day (overrides)
    fidelity: str = "statistical"


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(weights.size, np.int64)
    x = weights / weights.sum() * total
    n = np.floor(x).astype(np.int64)
    rest = total - int(n.sum())
    order = np.lexsort((np.arange(x.size), -(x - n)))
    n[order[:rest]] += 1
    return n


def split_counts(params, counts: np.ndarray, decoy_share: float, ref_counts: np.ndarray) -> np.ndarray:
    """Per raid group launches for one night's per-class ``counts`` (CLASSES order)."""
    tcls = [THREAT_CLASSES[c] for c in params.threat_types.cls]
    gcls = np.array([tcls[g.type_index] for g in params.raid])
    out = np.zeros(len(params.raid), np.int64)
    n_drone = int(counts[0])
    has_decoy = (gcls == "decoy").any()
    n_decoy = int(round(n_drone * decoy_share)) if has_decoy else 0
    wanted = {"drone": n_drone - n_decoy, "decoy": n_decoy, "cruise": int(counts[1]), "ballistic": int(counts[2])}
    for c, n in wanted.items():
        sel = np.flatnonzero(gcls == c)
        if sel.size:
            out[sel] = _largest_remainder(ref_counts[sel].astype(float), n)
    return out


def default_period(gen: RaidGenerator) -> str:
    full = [p for p in gen.periods if p.days >= 60]
    return (full or list(gen.periods))[-1].period


def _variant(resolved: ResolvedOption, present: frozenset[str]) -> ResolvedOption:
    return replace(resolved, roe_by_package=tuple((p, r) for p, r in resolved.roe_by_package if p in present))


def run_campaign(scenario, catalog, option: str, gen: RaidGenerator, settings: CampaignSettings,
                 seed: int, replication: int) -> dict[str, float]:
    """One replication of a campaign under ``option``; summary metrics."""
    base = resolve_option(option, scenario)
    presets = builtin_options() | dict(scenario.options)
    period = settings.period or default_period(gen)
    pf = gen.period(period)
    eng = engine_for(settings.fidelity)
    cache: dict[tuple, object] = {}

    def params_for(present: frozenset[str], extra: tuple[str, ...]):
        key = (present, extra)
        if key not in cache:
            opt = _variant(base, present)
            if extra:
                added = resolve_option("+".join((option,) + extra), scenario)
                merged = {**dict(added.roe_by_package), **dict(opt.roe_by_package)}
                opt = replace(opt, roe_by_package=tuple(sorted(merged.items())))
            cache[key] = compile_scenario(scenario, catalog, opt)
        return cache[key]

    all_pk = frozenset(base.packages)
    p0 = params_for(all_pk, ())
    ref_counts = np.array([g.count for g in p0.raid])
    mags = Magazines(settings.stock_nights, settings.resupply, settings.resupply_fraction)
    st0 = Streams(seed=seed, replication=replication, sample=0)
    daily = gen.sample_days(st0.generator("campaign/raid"), settings.days, period)
    cut_u = st0.generator("campaign/supplier").random(settings.days)
    capacity = LaunchCapacityModel.from_spec(base.over_the_horizon)  # type: ignore[arg-type]
    strikes = capacity.strikes(st0.generator("campaign/oth").random((settings.days, 2)))
    if base.over_the_horizon is None:
        strikes[:] = 0
    comp, kappa, kappa_sum, aid_total = np.ones(2), 1.0, 0.0, 0.0
    cred = None
    ladder = LadderState()  # rung and tension carried night to night (skyshield.policy.persistence)
    extras: dict[str, int] = {}  # added package (preset name) -> last day
    supplier_cut = False
    tot = dict(launched=0.0, destroyed=0.0, leaked=0.0, assets_hit=0.0, population_exposed=0.0,
               interceptor_cost_usd=0.0, allied_losses=0.0, clauses_fired=0.0, clauses_not_honoured=0.0,
               incursions=0.0, debris_on_allied_territory=0.0, allied_fired_upon=0.0, exposure_hazard=0.0,
               exposure_expected_losses=0.0)
    max_rung, direct, trip, nights_fired = 0.0, 0.0, 0.0, 0.0
    for d in range(settings.days):
        present = set(all_pk)
        for rot in base.rotation:
            period_d = max(1, round(rot.period / 86400))
            if (d % period_d) >= rot.duty * period_d:
                present -= set(rot.packages or all_pk)
        for tr in base.transfer:
            if d < tr.lead_time / 86400 or supplier_cut:
                present -= set(tr.packages)
            if cut_u[d] < tr.supplier_cut_per_day:
                supplier_cut = True
        extra = tuple(sorted(p for p, last in extras.items() if d <= last and p in presets))
        params = params_for(frozenset(present), extra)
        counts = np.floor(daily[d] * kappa).astype(np.int64)
        groups = split_counts(params, counts, pf.decoy_share, ref_counts)
        mags.arrive(params.shooters)
        cut = 0.0
        if groups.sum() > 0:
            pol = params.policy if cred is None else replace(params.policy, initial_credibility=cred)
            pol = replace(_oth_posture(pol, int(strikes[d].sum())), ladder=ladder)
            night = replace(params, raid=tuple(replace(g, count=int(n)) for g, n in zip(params.raid, groups)),
                            shooters=mags.scale_shooters(params.shooters), policy=pol)
            out = eng.run(night, Streams(seed=seed, replication=replication, sample=d + 1))
            m = out.metrics
            for k in tot:
                tot[k] += m.get(k, 0.0)
            max_rung = max(max_rung, m.get("max_rung", 0.0))
            nights_fired += m.get("allied_fired_upon", 0.0) > 0.0
            direct = max(direct, m.get("p_direct_engagement", 0.0))
            trip = max(trip, m.get("p_tripwire", 0.0))
            cred = m.get("clause_credibility", cred)
            cut = m.get("launch_capacity_reduction", 0.0)
            ladder = ladder.after(m, pol.escalation)
            ev = out.events
            kinds = ev.column("kind").to_pylist()
            details = ev.column("detail").to_pylist() if "detail" in ev.column_names else []
            for k, det in zip(kinds, details):
                if k == "clause-fired" and det:
                    cid, kind = det.split(":", 1)[0], det.split(":", 1)[1].split("(", 1)[0].strip()
                    c = next((c for c in base.clauses if c.id == cid), None)
                    if c is not None and kind == "add-assets":
                        for p in c.response.packages:
                            extras[p] = max(extras.get(p, -1), d + math.ceil(c.response.duration / 86400))
            aid = aid_delivered(ev, base.clauses)
            aid_total += sum(aid.values())
            mags.night(params.shooters, rounds_fired(ev), aid)
        else:
            mags.night(params.shooters, {}, {})
            ladder = ladder.after(None, params.policy.escalation)  # a night without raid: quiet
        kappa_sum += kappa
        comp = capacity.step(comp, strikes[d], cut)
        kappa = float(np.prod(comp))
    every = params_for(all_pk, tuple(sorted(p for c in base.clauses if c.response.kind == "add-assets"
                                            for p in c.response.packages if p in presets)))
    res = {"days": float(settings.days), **tot,
           "protection": 1.0 - tot["leaked"] / tot["launched"] if tot["launched"] else 1.0,
           "max_rung": max_rung, "p_direct_engagement": direct, "p_tripwire": trip, "nights_fired_upon": nights_fired,
           "launch_capacity_final": kappa, "launch_capacity_mean": kappa_sum / settings.days,
           "oth_strikes": float(strikes.sum()), "aid_interceptors": aid_total,
           **magazine_metrics(mags, every.shooters)}
    res.update(ladder.summary())
    return res


def magazine_metrics(mags: Magazines, shooters) -> dict[str, float]:
    """Days of defence by weapon, the defended country's own and the allies'.

    ``NaN`` for a weapon of ``shooters`` (every unit the option may bring) whose units were
    never present. ``days_of_defence_min`` (``allied_...``) is the scarcest weapon fired, or
    of those held if none was fired (3650: no stock falling), ``NaN`` if none was ever held;
    the allied one only for options that may bring allied shooters.
    """
    own, allied = mags.days_remaining()
    used_own, used_allied = mags.used()
    may = {(int(s), w) for _, _, s, w, _ in Magazines.unit_loads(shooters)}
    out: dict[str, float] = {}
    for side, prefix, rem, used in ((DEFENDED, "days_of_defence_", own, used_own),
                                    (ALLIED, "allied_days_of_defence_", allied, used_allied)):
        weapons = {w for s, w in may if s == side} | set(rem)
        if not weapons:
            continue
        pick = [rem[w] for w in used if w in rem] or list(rem.values())
        out[prefix + "min"] = min(pick) if pick else math.nan
        for w in sorted(weapons):
            out[prefix + weapon_slug(w)] = rem.get(w, math.nan)
    return out


def aid_delivered(events, clauses) -> dict[str, float]:
    """Interceptors by type delivered tonight: the ``aid_interceptors`` of every clause whose
    response was executed as ``more-aid`` (``clause-fired`` rows, ``"id: kind (...)"``)."""
    out: dict[str, float] = {}
    if "detail" not in events.column_names:
        return out
    by_id = {c.id: c for c in clauses}
    for k, det in zip(events.column("kind").to_pylist(), events.column("detail").to_pylist()):
        if k != "clause-fired" or not det or ":" not in det:
            continue
        cid, rest = det.split(":", 1)
        c = by_id.get(cid)
        if c is not None and rest.split("(", 1)[0].strip() == "more-aid":
            for w, n in c.response.aid_interceptors.items():
                out[w] = out.get(w, 0.0) + float(n)
    return out


def _oth_posture(pol, strikes_tonight: int):
    """Tonight's policy: over-the-horizon support is on the ladder (at its mode's rung) only on
    nights with at least one strike on launch capacity."""
    if pol is None or pol.over_the_horizon is None or strikes_tonight > 0:
        return pol
    return replace(pol, over_the_horizon=None)
