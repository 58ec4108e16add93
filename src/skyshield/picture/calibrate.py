"""Calibrate the fast model (:mod:`skyshield.picture.quality`) from full-fidelity runs.

``python -m skyshield.picture.calibrate [replications]`` runs the full sense on the reference
scenario (option ``umbrella``, which fields every sensor kind) and prints the constants to
paste into :data:`skyshield.picture.quality.CALIBRATION`:

1. per sensor kind, the range factor whose statistical detections match the number of
   (sensor, threat) pairs the full model confirms, then the initiation delay (in scans) that
   matches their mean first-track time;
2. the hold probability that matches the full model's SIAP completeness, and the ambiguity,
   spuriousness and accuracy measured by it.
"""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np

from ..engine.params import SENSOR_KINDS
from ..engine.raid import sample_raid
from ..engine.sense import StatisticalSensing
from ..engine.sense_full import FullSensing
from ..engine.trajectory import build_segments
from ..rng import Streams
from .quality import Calibration

__all__ = ["calibrate", "reference_params"]

FACTORS = np.round(np.arange(0.8, 2.51, 0.05), 2)


def reference_params(option: str = "umbrella"):
    from ..catalog import load_catalog
    from ..engine import compile_scenario
    from ..options import resolve_option
    from ..scenario import load_scenario

    sc = load_scenario("eastern-flank-night-raid-v1")
    return compile_scenario(sc, load_catalog(), resolve_option(option, sc))


def calibrate(params, seed: int = 11, replications: int = 1) -> Calibration:
    """Fit :class:`Calibration` to ``replications`` full runs of ``params``."""
    kinds = params.sensor_models.kind
    runs = []
    for r in range(replications):
        st = Streams(seed, r)
        raid = sample_raid(params, st)
        seg = build_segments(raid, params)
        runs.append((st, raid, seg, FullSensing()(params, raid, seg, st)))

    def pairs_by_kind(pics) -> np.ndarray:
        c = np.zeros(len(SENSOR_KINDS))
        for pic, (_, raid, _, _) in zip(pics, runs):
            np.add.at(c, kinds[pic.by_sensor_key // raid.size], 1.0)
        return c

    full_pics = [r[3] for r in runs]
    target = pairs_by_kind(full_pics)
    best = np.ones(len(SENSOR_KINDS))
    err = np.full(len(SENSOR_KINDS), np.inf)
    for f in FACTORS:
        cal = Calibration(range_factor=(float(f),) * len(SENSOR_KINDS))
        got = pairs_by_kind([StatisticalSensing(cal, metrics=False)(params, raid, seg, st)
                             for st, raid, seg, _ in runs])
        e = np.abs(got - target)
        better = e < err
        best[better], err[better] = f, e[better]
    cal = Calibration(range_factor=tuple(float(f) for f in best))
    d_sum = np.zeros(len(SENSOR_KINDS))
    d_n = np.zeros(len(SENSOR_KINDS))
    for st, raid, seg, full in runs:
        stat = StatisticalSensing(cal, metrics=False)(params, raid, seg, st)
        common, i_f, i_s = np.intersect1d(full.by_sensor_key, stat.by_sensor_key, return_indices=True)
        rows = common // raid.size
        np.add.at(d_sum, kinds[rows], (full.by_sensor_t[i_f] - stat.by_sensor_t[i_s]) / params.sensors.revisit_s[rows])
        np.add.at(d_n, kinds[rows], 1.0)
    delay = np.where(d_n > 0, d_sum / np.maximum(d_n, 1), 0.0)
    cal = replace(cal, delay_scans=tuple(float(np.round(max(d, 0.0), 2)) for d in delay))
    fm = {k: np.mean([p.metrics[k] for p in full_pics]) for k in full_pics[0].metrics}
    sm = [StatisticalSensing(cal)(params, raid, seg, st).metrics for st, raid, seg, _ in runs]
    comp = np.mean([m["siap_completeness"] for m in sm])
    return replace(
        cal,
        p_hold=float(np.round(min(fm["siap_completeness"] / max(comp, 1e-9), 1.0), 3)),
        ambiguity=float(np.round(fm["siap_ambiguity"], 3)),
        spuriousness=float(np.round(fm["siap_spuriousness"], 4)),
        accuracy_m=float(np.round(fm["siap_accuracy_m"], 1)),
        source=f"calibrate(reference umbrella, seed {seed}, {replications} replication(s))",
    )


if __name__ == "__main__":  # pragma: no cover
    print(calibrate(reference_params(), replications=int(sys.argv[1]) if len(sys.argv) > 1 else 1))
