"""skyshield: compare air-support security-guarantee options on the same raids.

>>> import skyshield as sk
>>> cmp = sk.compare("eastern-flank-night-raid-v1", options=["none", "umbrella"], replications=2, seed=7,
...                  workers=1)
>>> list(cmp.document()["options"])
['none', 'umbrella']

Nothing heavy runs at import: the API (:mod:`skyshield.api`) is imported on first use.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("skyshield")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "CampaignResult",
    "Comparison",
    "Explanation",
    "ReplayResult",
    "__version__",
    "campaign",
    "compare",
    "load_scenario",
    "replay",
    "run",
]

_API = {"CampaignResult", "Comparison", "Explanation", "ReplayResult", "campaign", "compare", "load_scenario",
        "replay", "run"}

if TYPE_CHECKING:  # pragma: no cover
    from .api import (
        CampaignResult,
        Comparison,
        Explanation,
        ReplayResult,
        campaign,
        compare,
        load_scenario,
        replay,
        run,
    )


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'skyshield' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _API)
