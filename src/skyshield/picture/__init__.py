"""The air picture: sensor measurement models, per-node trackers, the data link, track fusion,
air-picture metrics and the fast calibrated model of the statistical fidelity."""
