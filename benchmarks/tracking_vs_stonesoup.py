#!/usr/bin/env python3
"""Benchmark skyshield's tracker against Stone Soup's kd-tree-gated GNN tracker.

Both trackers run in one process on identical detections from the reference harness's
``generate_scenario`` and are scored with the same GOSPA (c = 10 m, p = 1, alpha = 2) on their
confirmed tracks, scan by scan.  The last line printed is one JSON object.

Stone Soup is a benchmark-only dependency; run with an interpreter that has it::

    python3 -m venv /tmp/ss && /tmp/ss/bin/pip install stonesoup==1.9.1
    /tmp/ss/bin/pip install -e /work/main
    /tmp/ss/bin/python benchmarks/tracking_vs_stonesoup.py --n 200 --scans 100 --seed 1

``--skyshield-only`` skips Stone Soup (any interpreter with skyshield installed).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from skyshield.tracking import Tracker, TrackerParams, gospa

REPO = Path(__file__).resolve().parents[1]
DEFAULT_HARNESS = REPO.parent / "shared" / "bench" / "stonesoup" / "bench_stonesoup.py"


def load_harness(path: Path) -> ModuleType:
    """Import the reference harness from its file (it is not part of the project)."""
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location("bench_stonesoup", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load harness from {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run_skyshield(scn: dict[str, Any], repeat: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Run skyshield's tracker ``repeat`` times; return per-scan seconds (median over runs)
    and the confirmed positions of the first run."""
    meta = scn["meta"]
    params = TrackerParams(
        q_m2ps3=meta["q"],
        meas_sigma_m=meta["meas_sigma"],
        gate=3.0,
        init_vel_sigma_mps=2.0 * meta["vel_sigma"],  # harness prior: vv = 4 vel_sigma^2
    )
    off = scn["scan_offsets"]
    n_scans = len(scn["times"])
    scans = [np.ascontiguousarray(scn["det_xy"][off[k] : off[k + 1]]) for k in range(n_scans)]
    times = [float(t) for t in scn["times"]]
    runs = np.empty((repeat, n_scans))
    est: list[np.ndarray] = []
    for r in range(repeat):
        trk = Tracker(params)
        out_r = []
        for k in range(n_scans):
            t0 = time.perf_counter()
            out = trk.step(scans[k], times[k])
            runs[r, k] = time.perf_counter() - t0
            out_r.append(out.position_xy_m)
        if r == 0:
            est = out_r
        else:  # determinism: every repeat gives the same tracks
            assert all(np.array_equal(a, b) for a, b in zip(est, out_r, strict=True))
    return np.median(runs, axis=0), est


def score(est: list[np.ndarray], truth_states: np.ndarray, c: float, p: float) -> np.ndarray:
    """Per-scan GOSPA of confirmed positions against truth positions."""
    return np.array(
        [gospa(e, truth_states[k][:, [0, 2]], c=c, p=p).distance for k, e in enumerate(est)]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=200, help="number of targets")
    ap.add_argument("--scans", type=int, default=100, help="number of scans")
    ap.add_argument("--seed", type=int, default=20240601, help="scenario seed")
    ap.add_argument("--harness", type=Path, default=DEFAULT_HARNESS,
                    help="path to bench_stonesoup.py")
    ap.add_argument("--repeat", type=int, default=3,
                    help="skyshield runs (per-scan time = median over runs)")
    ap.add_argument("--skyshield-only", action="store_true", help="do not run Stone Soup")
    args = ap.parse_args(argv)
    c, p = 10.0, 1.0

    h = load_harness(args.harness)
    scn = h.generate_scenario(args.n, seed=args.seed, n_scans=args.scans)
    truth = scn["truth_states"]
    S = len(scn["times"])

    sky_s, sky_est = run_skyshield(scn, max(1, args.repeat))
    sky_g = score(sky_est, truth, c, p)
    # Cross-check our GOSPA against the harness's dense implementation.
    ref_g = np.array([h.gospa(e, truth[k][:, [0, 2]], c, p)[0] for k, e in enumerate(sky_est)])
    gospa_check = float(np.max(np.abs(ref_g - sky_g)))

    res: dict[str, Any] = dict(
        n=args.n, scans=S, seed=args.seed,
        dets_per_scan=float(len(scn["det_xy"]) / S),
        skyshield_ms_per_scan=1e3 * float(np.median(sky_s)),
        skyshield_ms_per_scan_mean=1e3 * float(np.mean(sky_s)),
        skyshield_gospa=float(sky_g.mean()),
        skyshield_confirmed_final=int(len(sky_est[-1])),
        gospa_max_abs_diff_vs_harness=gospa_check,
        python=platform.python_version(),
    )
    rows = [("skyshield", res["skyshield_ms_per_scan"], res["skyshield_ms_per_scan_mean"],
             res["skyshield_gospa"], res["skyshield_confirmed_final"])]

    if not args.skyshield_only:
        ss_res, per_scan, online = h.run_stonesoup(
            scn, c=c, p=p, ss_gospa_max_n=0, ss_online_check_max_n=0, associator="kdtree")
        ss_est = [xy for _, xy in online]
        ss_g = score(ss_est, truth, c, p)
        ss_s = per_scan["scan_s"]
        res.update(
            stonesoup_ms_per_scan=1e3 * float(np.median(ss_s)),
            stonesoup_ms_per_scan_mean=1e3 * float(np.mean(ss_s)),
            stonesoup_gospa=float(ss_g.mean()),
            stonesoup_confirmed_final=int(len(ss_est[-1])),
            stonesoup_version=ss_res["stonesoup_version"],
        )
        res["speedup"] = res["stonesoup_ms_per_scan"] / res["skyshield_ms_per_scan"]
        res["gospa_ratio"] = res["skyshield_gospa"] / res["stonesoup_gospa"]
        rows.append(("stonesoup-kdtree", res["stonesoup_ms_per_scan"],
                     res["stonesoup_ms_per_scan_mean"], res["stonesoup_gospa"],
                     res["stonesoup_confirmed_final"]))

    print(f"N = {args.n}, scans = {S}, seed = {args.seed}, "
          f"{res['dets_per_scan']:.0f} detections/scan")
    print("| tracker | ms/scan (median) | ms/scan (mean) | mean GOSPA (m) | confirmed at end |")
    print("|---|---|---|---|---|")
    for name, med, mean, g, nc in rows:
        print(f"| {name} | {med:.3f} | {mean:.3f} | {g:.2f} | {nc} |")
    if "speedup" in res:
        print(f"speedup {res['speedup']:.0f}x, GOSPA ratio {res['gospa_ratio']:.4f}")
    print(json.dumps({k: (round(v, 6) if isinstance(v, float) else v) for k, v in res.items()}))
    return res


if __name__ == "__main__":
    main()
