"""The Python API behind ``import skyshield as sk``: one facade for notebooks and the command
line (which calls these functions and prints their documents).

* :func:`compare` and :func:`run`: options on the same raids, a :class:`Comparison`;
* :func:`replay`: a real night from public records against what was reported;
* :func:`campaign`: many nights from a raid generator fitted to public records;
* :func:`load_scenario`: a validated scenario (``extends:`` resolved);
* :func:`trace` and :func:`export`: one replication with positions over time, written as KML,
  CZML, Tacview ACMI, GeoJSON or DIS.
"""

from .comparison import Comparison, Explanation
from .document import result_document
from .exports import export, trace
from .facade import compare, load_inputs, load_scenario, resolve_options, run
from .runs import CampaignResult, ReplayResult, campaign, replay

__all__ = [
    "CampaignResult",
    "Comparison",
    "Explanation",
    "ReplayResult",
    "campaign",
    "compare",
    "export",
    "load_inputs",
    "load_scenario",
    "replay",
    "resolve_options",
    "result_document",
    "run",
    "trace",
]
