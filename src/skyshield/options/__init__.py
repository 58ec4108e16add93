"""Security-guarantee options: built-in presets, scenario overrides and composition.

An option name may compose presets with ``+`` (``umbrella+air-policing``): the packages are
united, the data-sharing tier is the highest of the parts, and each allied package keeps the
rules of engagement of the part that brought it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from ..documents import ScenarioError, loads_yaml, validate_document
from ..documents.errors import Problem, did_you_mean
from ..scenario.model import DATA_SHARING_TIERS, OptionSpec, Scenario

__all__ = ["ResolvedOption", "builtin_options", "resolve_option", "available_options"]


@lru_cache(maxsize=1)
def builtin_options() -> dict[str, OptionSpec]:
    """The built-in presets, validated."""
    text = files(__package__).joinpath("presets.yaml").read_text(encoding="utf-8")
    data, lines = loads_yaml(text, "<built-in>/presets.yaml")
    out = {}
    for name, spec in data.items():
        sub = {k[1:]: v for k, v in lines.items() if k[:1] == (name,)}
        out[name] = validate_document(OptionSpec, spec, sub, "<built-in>/presets.yaml")
    return out


def available_options(scenario: Scenario | None = None) -> dict[str, OptionSpec]:
    """Built-in presets, overridden and extended by the scenario's own options."""
    opts = dict(builtin_options())
    if scenario is not None:
        opts.update(scenario.options)
    return opts


@dataclass(frozen=True)
class ResolvedOption:
    """An option as the engine sees it."""

    name: str
    data_sharing: str  # one of DATA_SHARING_TIERS
    sharing_latency_s: float
    roe_by_package: tuple[tuple[str, str], ...]  # (package, ROE kind), sorted
    link_update_s: float = 12.0  # reporting interval of shared tracks
    link_outage_fraction: float = 0.0  # share of time a sharing participant is cut off
    link_outage_s: float = 300.0  # typical outage length
    link_jamming_loss: float = 0.0  # probability that one report is lost
    # Policy (issue 5): gathered from every part of a composite option.
    clauses: tuple = ()  # skyshield.policy.Clause, every part's, in part order
    tripwires: tuple = ()  # skyshield.policy.Tripwire
    escalation: object | None = None  # skyshield.policy.Escalation of the first part giving one
    transfer: tuple = ()  # skyshield.policy.Transfer: packages flown by the defended country
    ambiguity: object | None = None  # skyshield.policy.Ambiguity
    rotation: tuple = ()  # skyshield.policy.Rotation
    over_the_horizon: object | None = None  # skyshield.policy.OverTheHorizon
    standoff: tuple = ()  # (package, skyshield.policy.spec.StandOff), sorted: the package's stand-off rule

    @property
    def packages(self) -> frozenset[str]:
        return frozenset(p for p, _ in self.roe_by_package)

    @property
    def sharing_level(self) -> int:
        """Index of the data-sharing tier in :data:`DATA_SHARING_TIERS` (0 = none)."""
        return DATA_SHARING_TIERS.index(self.data_sharing)


def resolve_option(name: str, scenario: Scenario | None = None) -> ResolvedOption:
    """Resolve an option name (possibly ``a+b+c``) against presets and the scenario."""
    opts = available_options(scenario)
    parts = [p.strip() for p in name.split("+")]
    unknown = [p for p in parts if p not in opts]
    if unknown:
        raise ScenarioError(
            [
                Problem(
                    "--options",
                    None,
                    (),
                    f"unknown option {u!r}{did_you_mean(u, opts)} (available: {', '.join(sorted(opts))})",
                    u,
                )
                for u in unknown
            ]
        )
    specs = [opts[p] for p in parts]
    roe: dict[str, str] = {}
    for spec in specs:
        for pkg in spec.packages:
            roe.setdefault(pkg, spec.roe)
    standoff: dict = {}
    for spec in specs:
        if spec.standoff is not None:
            for pkg in spec.packages:
                standoff.setdefault(pkg, spec.standoff)
    # Transferred aircraft fight under the defended country's own rules (ROE code "none").
    for spec in specs:
        if spec.transfer is not None:
            roe.update({p: "none" for p in spec.transfer.packages if p in roe})
    tier = max((DATA_SHARING_TIERS.index(s.data_sharing) for s in specs), default=0)
    sharing = [s.sharing_latency for s in specs if s.data_sharing != "none"]
    sharers = [s for s in specs if s.data_sharing != "none"]
    return ResolvedOption(
        name="+".join(parts),
        data_sharing=DATA_SHARING_TIERS[tier],
        sharing_latency_s=min(sharing) if sharing else 0.0,
        roe_by_package=tuple(sorted(roe.items())),
        # The link of a composite option is the best one among its sharing parts.
        link_update_s=min((s.link_update for s in sharers), default=12.0),
        link_outage_fraction=min((s.link_outage_fraction for s in sharers), default=0.0),
        link_outage_s=min((s.link_outage_duration for s in sharers), default=300.0),
        link_jamming_loss=min((s.link_jamming_loss for s in sharers), default=0.0),
        clauses=tuple(c for s in specs for c in s.clauses),
        tripwires=tuple(s.tripwire for s in specs if s.tripwire is not None),
        escalation=next((s.escalation for s in specs if s.escalation is not None), None),
        transfer=tuple(s.transfer for s in specs if s.transfer is not None),
        ambiguity=next((s.ambiguity for s in specs if s.ambiguity is not None), None),
        rotation=tuple(s.rotation for s in specs if s.rotation is not None),
        over_the_horizon=next((s.over_the_horizon for s in specs if s.over_the_horizon is not None), None),
        standoff=tuple(sorted(standoff.items(), key=lambda kv: kv[0])),
    )
