"""The option menu's measured effects: paired differences against `none`, with the leaker causes
that explain them, as the Markdown table of docs/options.md.

Run from the repository root::

    .venv/bin/python benchmarks/option_effects.py eastern-flank-night-raid-v1 -n 100 --seed 7
    .venv/bin/python benchmarks/option_effects.py western-raid-v1 -n 100 --seed 7

Each row is one option: the paired difference against `none` over the same raids and dice of
leakers, damaging hits, expected damage and interceptor cost (mean and 95 % CI half-width), the
escalation it carries (P(direct engagement), mean highest rung), and the change in leakers by
cause (the causes that moved most), which names the mechanism behind the effect.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CAUSES = ("never-detected", "detected-too-late", "out-of-reach", "denied-roe", "no-interceptor-or-channel",
          "engaged-missed")


def _pm(d: dict, key: str, scale: float = 1.0, digits: int = 1) -> str:
    s = d.get(key)
    if s is None or s["mean"] is None:
        return "-"
    m = s["mean"] / scale
    lo, hi = s["ci95"]
    h = (hi - lo) / 2 / scale if lo is not None and hi is not None else 0.0
    return f"{m:+.{digits}f} ± {h:.{digits}f}" if h > 0 else f"{m:+.{digits}f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario")
    ap.add_argument("-n", "--replications", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--options", default="all")
    ap.add_argument("--json", default=None, help="also keep the compare JSON document in this file")
    a = ap.parse_args()
    cmd = [sys.executable, "-m", "skyshield.cli.main", "compare", a.scenario, "--options", a.options,
           "-n", str(a.replications), "--seed", str(a.seed), "--format", "json"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            fh.write(out)
    doc = json.loads(out)
    base = list(doc["options"])[0]
    print(f"Command: `skyshield compare {a.scenario} --options {a.options} -n {a.replications} --seed {a.seed} "
          f"--format json` (skyshield {doc['provenance']['version']}); differences against `{base}`.\n")
    print("| option | leakers | damaging hits | expected damage (M USD) | interceptor cost (M USD) | "
          "P(direct) | mean top rung | leakers by cause (change) |")
    print("|---|---|---|---|---|---|---|---|")
    for o, e in doc["options"].items():
        m = e["metrics"]
        d = e.get(f"difference_vs_{base}", {})
        rung = m.get("max_rung", {"mean": 0.0})["mean"] or 0.0
        pdir = m.get("p_direct_engagement", {"mean": 0.0})["mean"] or 0.0
        if o == base:
            causes = ", ".join(f"{c} {m[f'leaked_by_cause_{c.replace(chr(45), chr(95))}']['mean']:.1f}" for c in CAUSES)
            print(f"| `{o}` | {m['leaked']['mean']:.1f} | {m['assets_hit']['mean']:.1f} | "
                  f"{m['expected_damage_usd']['mean'] / 1e6:.1f} | {m['interceptor_cost_usd']['mean'] / 1e6:.1f} | "
                  f"{pdir:.2f} | {rung:.1f} | {causes} |")
            continue
        moved = sorted(((d[f"leaked_by_cause_{c.replace('-', '_')}"]["mean"], c) for c in CAUSES), key=lambda x: -abs(x[0]))
        causes = ", ".join(f"{c} {v:+.1f}" for v, c in moved if abs(v) >= 0.5) or "none"
        print(f"| `{o}` | {_pm(d, 'leaked')} | {_pm(d, 'assets_hit')} | {_pm(d, 'expected_damage_usd', 1e6)} | "
              f"{_pm(d, 'interceptor_cost_usd', 1e6)} | {pdir:.2f} | {rung:.1f} | {causes} |")


if __name__ == "__main__":
    main()
