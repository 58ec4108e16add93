"""Sensitivity of the replay's validation figures to its notional parameters.

Each variant is the built-in calibration (``src/skyshield/replay/calibration.yaml``) with one
parameter pinned to one value (every parameter draw takes it, so its uncertainty is gone); the
period is replayed with it and the drone and cruise figures are printed beside the fitted
calibration's. Run from the repository root::

    .venv/bin/python benchmarks/replay_sensitivity.py \\
        --set posture_exponent=0,0.5,1 --set posture_full_launches=200,800

(the table of docs/calibration.md, "Sensitivity"; about 1.5 minutes per variant on two idle
cores at 16 replications a night). The last line printed is one JSON object with every row.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ATTACKS = "../shared/data/attacks/missile_attacks_daily.csv"


def _variants(sets: list[str]) -> list[tuple[str, float]]:
    out = []
    for s in sets:
        name, _, values = s.partition("=")
        if not values:
            raise SystemExit(f"--set {s!r}: expected NAME=V1,V2,...")
        out.extend((name.strip(), float(v)) for v in values.split(","))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--attacks", default=ATTACKS)
    ap.add_argument("--from", dest="start", default="2025-08-01")
    ap.add_argument("--to", dest="end", default="2025-10-31")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=V1,V2",
                    help="pin a calibration parameter to each value in turn (repeatable)")
    ap.add_argument("-n", "--replications", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("-j", "--workers", type=int, default=2)
    args = ap.parse_args(argv)

    from skyshield.replay.params import load_calibration, write_calibration
    from skyshield.replay.validate import validate

    base = load_calibration()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (name, value) in enumerate([("fitted", float("nan")), *_variants(args.set)]):
            cal = base
            if name != "fitted":
                if name not in base.parameters:
                    raise SystemExit(f"unknown parameter {name!r}; known: {sorted(base.parameters)}")
                p = base.parameters[name]
                pinned = p.model_copy(update={"value": value, "samples": (value,), "low": min(p.low, value),
                                              "high": max(p.high, value), "how": "pinned by replay_sensitivity"})
                paired = tuple(g for g in base.paired if name not in g)  # a pinned value has no joint draws
                cal = base.model_copy(update={"parameters": {**base.parameters, name: pinned}, "paired": paired})
            path = Path(tmp) / f"calibration-{k}.yaml"  # one file per variant
            write_calibration(cal, path)
            t0 = time.perf_counter()
            v = validate(args.attacks, args.start, args.end, replications=args.replications, seed=args.seed,
                         workers=args.workers, calibration_file=path)
            row = {"parameter": name, "value": None if name == "fitted" else value,
                   "seconds": round(time.perf_counter() - t0, 1)}
            for c in ("drone", "cruise"):
                s = v.summaries[c].as_dict()
                row[c] = {k: s[k] for k in ("nights", "within_tolerance", "mean_error", "mean_abs_error",
                                            "correlation", "coverage")}
            rows.append(row)
            d, cr = row["drone"], row["cruise"]
            label = "fitted calibration" if name == "fitted" else f"{name} = {value:g}"
            print(f"{label:36s} drone MAE {d['mean_abs_error']:.3f} r {d['correlation']:.2f} "
                  f"ME {d['mean_error']:+.3f} within {d['within_tolerance']}/{d['nights']}  |  cruise MAE "
                  f"{cr['mean_abs_error']:.3f} ME {cr['mean_error']:+.3f}  ({row['seconds']} s)", flush=True)
    print(json.dumps({"period": [args.start, args.end], "replications": args.replications, "seed": args.seed,
                      "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
