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
3. units carry what the magazines allow (:mod:`skyshield.campaign.magazines`); the night runs
   through the full engine (every random stream keyed by ``(seed, day + 1, r)``, so options
   see the same nights), escalate phase included, with the clauses' credibility and the escalation
   ladder (rung and tension, :mod:`skyshield.policy.persistence`) carried over;
4. capacity evolves: :math:`\kappa_{d+1} = \max(f, (1-a)^{d+1}) \prod (1 - s_k)` with the
   over-the-horizon attrition :math:`a` and floor :math:`f`, and :math:`s_k` the reductions of
   executed stand-off strikes and suppression of air defences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ..catalog import THREAT_CLASSES
from ..engine import compile_scenario, engine_for
from ..options import ResolvedOption, builtin_options, resolve_option
from ..policy.persistence import LADDER_CAMPAIGN_METRIC_DOCS, LadderState
from ..rng import Streams
from .generator import RaidGenerator
from .magazines import Magazines
from .records import CLASSES

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
    "days_of_defence_min": "days of defence remaining of the scarcest weapon that was used",
}
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
    mags = Magazines.start(p0.shooters, settings.stock_nights, settings.resupply, settings.resupply_fraction)
    st0 = Streams(seed=seed, replication=replication, sample=0)
    daily = gen.sample_days(st0.generator("campaign/raid"), settings.days, period)
    cut_u = st0.generator("campaign/supplier").random(settings.days)
    kappa, strike_factor = 1.0, 1.0
    cred = None
    ladder = LadderState()  # rung and tension carried night to night (skyshield.policy.persistence)
    extras: dict[str, int] = {}  # added package (preset name) -> last day
    supplier_cut = False
    tot = dict(launched=0.0, destroyed=0.0, leaked=0.0, assets_hit=0.0, population_exposed=0.0,
               interceptor_cost_usd=0.0, allied_losses=0.0, clauses_fired=0.0, clauses_not_honoured=0.0,
               incursions=0.0, debris_on_allied_territory=0.0)
    max_rung, direct, trip = 0.0, 0.0, 0.0
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
        aid = 0.0
        if groups.sum() > 0:
            pol = params.policy if cred is None else replace(params.policy, initial_credibility=cred)
            pol = replace(pol, ladder=ladder)
            night = replace(params, raid=tuple(replace(g, count=int(n)) for g, n in zip(params.raid, groups)),
                            shooters=mags.scale_shooters(params.shooters), policy=pol)
            out = eng.run(night, Streams(seed=seed, replication=replication, sample=d + 1))
            m = out.metrics
            for k in tot:
                tot[k] += m.get(k, 0.0)
            max_rung = max(max_rung, m.get("max_rung", 0.0))
            direct = max(direct, m.get("p_direct_engagement", 0.0))
            trip = max(trip, m.get("p_tripwire", 0.0))
            cred = m.get("clause_credibility", cred)
            ladder = ladder.after(m, pol.escalation)
            strike_factor *= 1.0 - m.get("launch_capacity_reduction", 0.0)
            aid = m.get("aid_interceptors", 0.0)
            ev = out.events
            used: dict[str, float] = {}
            kinds = ev.column("kind").to_pylist()
            weapons = ev.column("weapon").to_pylist() if "weapon" in ev.column_names else [None] * len(kinds)
            n_int = ev.column("interceptors").to_pylist()
            for k, w, n in zip(kinds, weapons, n_int):
                if k == "engage" and w is not None:
                    used[w] = used.get(w, 0.0) + float(n or 0)
            details = ev.column("detail").to_pylist() if "detail" in ev.column_names else []
            for k, det in zip(kinds, details):
                if k == "clause-fired" and det:
                    cid, kind = det.split(":", 1)[0], det.split(":", 1)[1].split("(", 1)[0].strip()
                    c = next((c for c in base.clauses if c.id == cid), None)
                    if c is not None and kind == "add-assets":
                        for p in c.response.packages:
                            extras[p] = max(extras.get(p, -1), d + math.ceil(c.response.duration / 86400))
            mags.night(used, aid)
        else:
            mags.night({}, 0.0)
            ladder = ladder.after(None, params.policy.escalation)  # a night without raid: quiet
        oth = base.over_the_horizon
        attrition = max(oth.floor, (1.0 - oth.reduction_per_day) ** (d + 1)) if oth is not None else 1.0
        kappa = attrition * strike_factor
    rem = mags.days_remaining()
    used_w = [w for w, h in mags.history.items() if sum(h) > 0]
    res = {"days": float(settings.days), **tot,
           "protection": 1.0 - tot["leaked"] / tot["launched"] if tot["launched"] else 1.0,
           "max_rung": max_rung, "p_direct_engagement": direct, "p_tripwire": trip,
           "launch_capacity_final": kappa, "days_of_defence_min": min((rem[w] for w in used_w), default=3650.0)}
    res.update(ladder.summary())
    for w, v in rem.items():
        res["days_of_defence_" + re.sub(r"[^a-z0-9]+", "_", w.lower()).strip("_")] = v
    return res
