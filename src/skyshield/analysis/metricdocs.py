"""What every metric means, and its unit: one registry for the JSON, the tables, the report
and ``docs/metrics.md``.

Definitions come from the modules that compute the metrics (``engine.assess.METRIC_DOCS``,
``policy.phase.ESCALATION_METRIC_DOCS``, ``campaign.loop.CAMPAIGN_METRIC_DOCS``) plus the air
picture metrics defined here; the unit of each is declared here. A name may be a pattern with
placeholders (``launched_<class>``, ``asset_<id>_hits``) standing for families of metrics.
A metric with no entry is a defect: the test suite runs every option and fails on one.

>>> metric_doc("leaked_cruise").unit, metric_doc("leaked_cruise").pattern
('threats', 'leaked_<class>')
>>> metric_doc("interceptor_cost_usd_pac_3_mse").unit
'USD'
>>> metric_doc("no_such_metric") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["MetricDoc", "metric_doc", "metric_docs", "metrics_markdown", "registry", "READING_GUIDE"]

READING_GUIDE = "destroyed + suppressed_ew + leaked + failed + in_flight_at_end = launched"
"""How the main counts add up: every launched threat ends in exactly one of four states."""

PICTURE_DOCS = {
    "gospa_m": "mean GOSPA of the defended network picture against truth (p = 1, alpha = 2, cut-off 10 km): "
    "localisation error plus 5 km per missed threat and per false track",
    "siap_completeness": "share of threat-times held by at least one track within 10 km",
    "siap_ambiguity": "tracks on held threats per held threat (1 is ideal)",
    "siap_spuriousness": "share of tracks within 10 km of no threat",
    "siap_accuracy_m": "mean distance of tracks to the threat they are on",
    "siap_latency_s": "mean time from a threat's first entry into a feeding sensor's coverage to its first "
    "appearance in the picture",
    "track_quality_mean": "full fidelity: mean track quality of the defended network's tracks (0..1)",
    "network_track_numbers": "full fidelity: network track numbers issued in the defended network",
}

CLASS_DOCS = {
    "launched_<class>": "threats of the class launched",
    "destroyed_<class>": "threats of the class destroyed by interceptors",
    "leaked_<class>": "threats of the class that reached their aim area",
    "suppressed_ew_<class>": "threats of the class that lost their way to electronic warfare",
    "failed_<class>": "threats of the class that failed at launch or in flight and fell short",
    "leaked_by_cause_<cause>_<class>": "leakers of the class given this cause (the causes of a class sum to "
    "leaked_<class>)",
    "assets_hit_<kind>": "damaging hits on assets of this kind (city, energy, logistics, corridor, military)",
    "engagements_denied_roe_<rule>": "engagement opportunities ruled out by this rule of engagement",
    "interceptors_<weapon>": "interceptors of this weapon fired",
    "interceptor_cost_usd_<weapon>": "cost of the interceptors of this weapon fired",
}

# Units by exact name or pattern. Counts of threats are "threats"; of interceptors, "rounds".
UNITS: dict[str, str] = {
    "launched": "threats", "destroyed": "threats", "leaked": "threats", "in_flight_at_end": "threats",
    "suppressed_ew": "threats", "destroyed_or_suppressed": "threats", "assets_hit": "hits",
    "assets_hit_distinct": "assets", "population_at_damaged_assets": "people", "population_exposed": "people",
    "expected_damage_usd": "USD", "engagements_on_remote": "salvoes", "interceptors_used": "rounds",
    "interceptor_cost_usd": "USD", "threat_cost_destroyed_usd": "USD", "cost_exchange_ratio": "USD/USD",
    "engagements": "salvoes", "allied_engagements": "salvoes", "engagements_denied_roe": "opportunities",
    "debris_on_allied_territory": "intercepts", "debris_on_defended_assets": "intercepts",
    "wasted_interceptors": "rounds", "double_engagements": "salvoes", "fighter_engagements": "salvoes",
    "value_protected_usd": "USD", "cost_per_value_protected": "USD/USD", "magazine_used_fraction": "fraction",
    "magazine_max_unit_used_fraction": "fraction", "detected_fraction": "fraction", "early_warning_s": "s",
    "early_warning_gain_s": "s",
    "protection_gain_from_redeployment": "USD", "protection_gain_from_redeployment_allied_covered": "USD",
    "protection_gain_from_redeployment_elsewhere": "USD", "units_redeployed": "units",
    "leaked_by_cause_<cause>": "threats", "leaked_by_cause_denied_roe_<rule>": "threats",
    "asset_<id>_aimed": "threats", "asset_<id>_leaked": "threats", "asset_<id>_hits": "hits",
    "asset_<id>_expected_damage_usd": "USD", "asset_<id>_population_exposed": "people",
    "launched_<class>": "threats", "destroyed_<class>": "threats", "leaked_<class>": "threats",
    "suppressed_ew_<class>": "threats", "failed_<class>": "threats", "failed": "threats",
    "destroyed_by_<nat>": "threats", "destroyed_<class>_by_<nat>": "threats",
    "destroyed_<class>_by_<nat>_<shooter>": "threats", "interceptors_by_<nat>": "rounds",
    "interceptor_cost_usd_by_<nat>": "USD", "leaked_by_cause_<cause>_<class>": "threats", "assets_hit_<kind>": "hits",
    "engagements_denied_roe_<rule>": "opportunities", "interceptors_<weapon>": "rounds",
    "interceptor_cost_usd_<weapon>": "USD",
    "gospa_m": "m", "siap_completeness": "fraction", "siap_ambiguity": "tracks/threat",
    "siap_spuriousness": "fraction", "siap_accuracy_m": "m", "siap_latency_s": "s", "track_quality_mean": "fraction",
    "network_track_numbers": "count",
    # escalation
    "max_rung": "rung", "p_direct_engagement": "probability", "p_tripwire": "probability", "allied_losses": "count",
    "allied_fired_upon": "count", "clauses_fired": "count", "clauses_triggered": "count",
    "clauses_not_honoured": "count", "clause_credibility": "fraction", "p_adversary_response": "probability",
    "adversary_responses": "count", "adversary_actions": "count", "strikes_on_allied": "threats",
    "strays_on_allied": "threats", "allied_actions": "count", "allied_action_kinds": "count",
    "escalation_hazard_deliberate": "expected responses", "escalation_hazard_inadvertent": "expected responses",
    "escalation_hazard_accidental": "expected responses", "allied_aircraft_h": "h", "exposure_weighted_h": "h",
    "exposure_hazard": "expected events", "adversary_perceived_cost": "fraction",
    "launch_capacity_reduction": "fraction", "aid_interceptors": "rounds", "incursions": "threats",
    "ladder_rung_start": "rung", "ladder_tension": "dimensionless", "ladder_rung_next": "rung",
    "ladder_tension_next": "dimensionless", "p_max_rung_<k>": "probability", "p_rung_ge_<k>": "probability",
    "rung_raised_by_<rise>": "count", "max_rung_by_<rise>": "probability",
    # adversary aviation (engine.aviation.AVIATION_METRIC_DOCS)
    "launch_platforms": "aircraft", "launch_platforms_aborted": "aircraft", "launch_platforms_destroyed": "aircraft",
    "launch_platforms_destroyed_by_allied": "aircraft", "launch_platform_engagements": "salvoes",
    "launch_platform_interceptors": "rounds", "munitions_withheld": "threats", "glide_bombs_launched": "threats",
    "glide_bombs_leaked": "threats", "air_launched_missiles_launched": "threats",
    # exposure geometry (policy.exposure, policy.laydown)
    "exposure_h_in_sam_envelopes": "h", "exposure_h_in_fighter_envelopes": "h",
    "exposure_expected_losses": "expected losses",
}

CAMPAIGN_UNITS: dict[str, str] = {
    "days": "nights", "launched": "threats", "destroyed": "threats", "leaked": "threats", "assets_hit": "hits",
    "population_exposed": "people", "interceptor_cost_usd": "USD", "protection": "fraction",
    "launch_capacity_final": "fraction", "launch_capacity_mean": "fraction", "oth_strikes": "count",
    "aid_interceptors": "rounds", "days_of_defence_min": "days", "allied_days_of_defence_min": "days",
    "days_of_defence_<weapon>": "days", "allied_days_of_defence_<weapon>": "days",
    "nights_direct_engagement": "nights", "adversary_actions": "count", "rung_final": "rung",
    "tension_final": "dimensionless", "tension_max": "dimensionless", "max_rung": "rung",
    "p_direct_engagement": "probability", "p_tripwire": "probability", "allied_losses": "count",
    "clauses_fired": "count", "clauses_not_honoured": "count", "incursions": "threats",
    "debris_on_allied_territory": "intercepts",
    "allied_fired_upon": "count", "nights_fired_upon": "nights", "exposure_hazard": "expected events",
    "exposure_expected_losses": "expected losses",
}

CAMPAIGN_EXTRA_DOCS = {
    "max_rung": "rung (0 aid ... 9 general war): highest rung of any night of the campaign",
    "p_direct_engagement": "probability (0/1 per campaign): some night reached direct allied-adversary "
    "engagement (rung >= 6)",
    "p_tripwire": "probability (0/1 per campaign): a tripwire unit was hit on some night",
    "allied_losses": "count: allied aircraft lost plus tripwire units hit, summed over the nights",
    "clauses_fired": "count: contingency clauses whose response was executed, summed over the nights",
    "clauses_not_honoured": "count: triggered clauses whose response was not executed, summed over the nights",
    "incursions": "threats whose path crossed into allied territory, summed over the nights",
    "debris_on_allied_territory": "intercepts whose debris fell on allied territory, summed over the nights",
}

GROUPS = (
    ("why", re.compile(r"^(leaked_by_cause|engagements_denied)")),
    ("assets", re.compile(r"^asset_")),
    ("picture", re.compile(r"^(gospa|siap|track_quality|network_track)")),
    ("protection", re.compile(r"^(launched|destroyed|leaked|in_flight|suppressed|destroyed_or|assets_hit|population|"
                              r"expected_damage|detected|early_warning|debris)")),
    ("cost", re.compile(r"^(interceptor|threat_cost|cost_|engagements|allied_engagements|wasted|double|fighter|"
                        r"value_protected|magazine)")),
)


@dataclass(frozen=True)
class MetricDoc:
    """A metric (or a family of metrics, with ``<placeholders>``): unit, definition, group."""

    pattern: str
    unit: str
    doc: str
    group: str

    def line(self) -> str:
        """``doc [unit]``, as the JSON's ``metric_docs`` carries it."""
        return f"{self.doc} [{self.unit}]"


@lru_cache(maxsize=1)
def _placeholders() -> dict[str, str]:
    from ..catalog import THREAT_CLASSES
    from ..engage.roe import REASONS
    from ..engine.explain import CAUSES
    from ..policy.ladder import RUNGS
    from ..engine.params import SHOOTER_KINDS
    from ..policy.phase import RISE_REASONS
    from ..scenario.model import Asset

    def alt(words: Iterable[str]) -> str:
        return "(?:" + "|".join(re.escape(w.replace("-", "_")) for w in sorted(words, key=len, reverse=True)) + ")"

    kinds = Asset.model_fields["kind"].annotation.__args__  # type: ignore[union-attr]
    return {
        "<class>": alt(THREAT_CLASSES), "<cause>": alt(CAUSES), "<rule>": alt(REASONS[1:]), "<kind>": alt(kinds),
        "<k>": alt(str(r.level) for r in RUNGS), "<rise>": alt(RISE_REASONS), "<weapon>": "[a-z0-9_]+",
        "<id>": "[a-z0-9_]+", "<nat>": "[a-z]{2,3}",
        "<shooter>": alt(SHOOTER_KINDS),
    }


def _group(name: str) -> str:
    if name.startswith(("p_", "max_rung", "rung_", "ladder_", "escalation_", "exposure", "allied_", "adversary_",
                        "clause", "strikes_on", "strays_on", "incursions", "launch_capacity_reduction",
                        "aid_interceptors")) and not name.startswith("allied_engagements"):
        return "risk"
    for group, rx in GROUPS:
        if rx.match(name):
            return group
    return "other"


@lru_cache(maxsize=2)
def registry(scope: str = "night") -> tuple[MetricDoc, ...]:
    """Every documented metric of a night (``scope="night"``: ``run``, ``compare``, ``sweep``)
    or of a campaign (``scope="campaign"``), exact names first."""
    if scope == "campaign":
        from ..campaign.loop import CAMPAIGN_METRIC_DOCS

        docs = {**CAMPAIGN_METRIC_DOCS, **CAMPAIGN_EXTRA_DOCS}
        units = CAMPAIGN_UNITS
    else:
        from ..engine import METRIC_DOCS
        from ..policy.phase import ESCALATION_METRIC_DOCS

        from ..engine.aviation import AVIATION_METRIC_DOCS

        docs = {**METRIC_DOCS, **ESCALATION_METRIC_DOCS, **CLASS_DOCS, **PICTURE_DOCS, **AVIATION_METRIC_DOCS}
        units = UNITS
    unit_rx = [(_regex(u), u) for u in units]
    out = []
    for name, text in docs.items():
        # a metric's unit is declared for it, or for the family its name belongs to
        unit = units.get(name) or next((units[u] for rx, u in unit_rx if rx.match(name)), None)
        if unit is None:
            raise KeyError(f"metric {name!r} has a definition but no unit (skyshield.analysis.metricdocs)")
        out.append(MetricDoc(name, unit, text, _group(name)))
    for name in units:
        if not any(d.pattern == name or (_regex(name).match(d.pattern)) for d in out):
            raise KeyError(f"metric {name!r} has a unit but no definition")
    return tuple(sorted(out, key=lambda d: ("<" in d.pattern, d.pattern)))


def _regex(pattern: str) -> re.Pattern[str]:
    rx = re.escape(pattern)
    for k, v in _placeholders().items():
        rx = rx.replace(re.escape(k), v)
    return re.compile(f"^{rx}$")


@lru_cache(maxsize=2)
def _compiled(scope: str) -> tuple[tuple[re.Pattern[str], MetricDoc], ...]:
    return tuple((_regex(d.pattern), d) for d in registry(scope))


def metric_doc(name: str, scope: str = "night") -> MetricDoc | None:
    """The entry documenting metric ``name`` (an exact entry before a pattern), or ``None``."""
    for rx, d in _compiled(scope):
        if rx.match(name):
            return d
    return None


def metric_docs(names: Iterable[str], scope: str = "night") -> dict[str, MetricDoc]:
    """The entries of the documented ones among ``names``."""
    out = {}
    for n in names:
        d = metric_doc(n, scope)
        if d is not None:
            out[n] = d
    return out


def metrics_markdown() -> str:
    """``docs/metrics.md``: every metric, by group, with its unit and definition."""
    lines = ["# Metrics", "",
             "Every metric `run`, `compare`, `sweep` and `campaign` emit, with its unit (generated from",
             "`skyshield.analysis.metricdocs`; `python -m skyshield.analysis.metricdocs > docs/metrics.md`).",
             "Each is a value per replication; tables and JSON give its mean over replications with a 95 %",
             "Student-t confidence interval. `<placeholders>` stand for families: `<class>` a threat class,",
             "`<cause>` a leaker cause, `<rule>` a rule of engagement, `<kind>` an asset kind, `<weapon>` an",
             "interceptor (lower case, `_` for other characters), `<id>` an asset id (`.` and `-` as `_`),",
             "`<k>` a rung 0..9, `<rise>` a kind of event that raised the rung.", "",
             f"How the counts add up: `{READING_GUIDE}`; the causes `leaked_by_cause_<cause>` sum to `leaked`.", ""]
    titles = {"protection": "Protection", "why": "Why threats got through", "assets": "Per asset",
              "picture": "Air picture", "cost": "Cost", "risk": "Escalation risk", "other": "Other"}
    for scope, head in (("night", "One night (`run`, `compare`, `sweep`)"), ("campaign", "Campaigns (`campaign`)")):
        lines += [f"## {head}", ""]
        docs = registry(scope)
        for g, title in titles.items():
            rows = [d for d in docs if d.group == g] if scope == "night" else (list(docs) if g == "protection" else [])
            if not rows:
                continue
            if scope == "night":
                lines += [f"### {title}", ""]
            lines += ["| metric | unit | definition |", "|---|---|---|"]
            lines += [f"| `{d.pattern}` | {d.unit} | {d.doc.replace('|', '/')} |" for d in rows]
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(metrics_markdown())
