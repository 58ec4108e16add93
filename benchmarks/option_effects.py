"""The option menu's measured effects: paired differences against `none`, with the leaker causes
that explain them, as the Markdown table of docs/options.md.

Run from the repository root::

    .venv/bin/python benchmarks/option_effects.py eastern-flank-night-raid-v1 -n 100 --seed 7
    .venv/bin/python benchmarks/option_effects.py western-raid-v1 -n 100 --seed 7
    .venv/bin/python benchmarks/option_effects.py western-raid-v1 -n 100 --seed 7 --adversary both \
        --options none,umbrella,forward-cap,sky-shield,contingency-clauses,tripwire

Each row is one option: the paired difference against `none` over the same raids and dice of
leakers, damaging hits, expected damage and interceptor cost (mean and 95 % CI half-width), the
escalation it carries (P(direct engagement), mean highest rung), and the change in leakers by
cause (the causes that moved most), which names the mechanism behind the effect.

``--adversary adaptive`` measures the same table with the adaptive adversary
(:mod:`skyshield.engine.adversary`); ``--adversary both`` prints the table "Fixed and adaptive
adversary" of docs/options.md: each option under both adversaries on the same raids and dice, the
adapted raid's size, and the paired difference adaptive minus fixed for the same option.
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
    ap.add_argument("--adversary", choices=("fixed", "adaptive", "both"), default="fixed")
    ap.add_argument("-j", "--workers", type=int, default=None)
    ap.add_argument("--plan", action="store_true",
                    help="print the adaptive adversary's plan per option (closed form, no simulation) and its "
                         "sensitivity to the notional parameters")
    a = ap.parse_args()
    if a.plan:
        return plan(a)
    if a.adversary == "both":
        return both(a)
    cmd = [sys.executable, "-m", "skyshield.cli.main", "compare", a.scenario, "--options", a.options,
           "-n", str(a.replications), "--seed", str(a.seed), "--format", "json", "--adversary", a.adversary]
    if a.workers:
        cmd += ["-j", str(a.workers)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            fh.write(out)
    doc = json.loads(out)
    base = list(doc["options"])[0]
    adv = "" if a.adversary == "fixed" else f" --adversary {a.adversary}"
    print(f"Command: `skyshield compare {a.scenario} --options {a.options} -n {a.replications} --seed {a.seed} "
          f"--format json{adv}` (skyshield {doc['provenance']['version']}); adversary `{a.adversary}`; "
          f"differences against `{base}`.\n")
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


def _ci(x, y) -> str:
    from skyshield.analysis import paired_difference

    m, lo, hi = paired_difference(x, y, 0.95)
    h = (hi - lo) / 2
    return f"{m:+.1f} ± {h:.1f}" if h > 0 else f"{m:+.1f}"


def plan(a) -> None:
    """The adaptive adversary's plan per option and its sensitivity to the notional parameters."""
    import numpy as np

    import skyshield as sk
    from skyshield.catalog import load_catalog
    from skyshield.engine import compile_scenario
    from skyshield.engine.adversary import AdaptiveRules, plan_adversary
    from skyshield.options import resolve_option

    cat = load_catalog()
    sc = sk.load_scenario(a.scenario)
    from skyshield.api import resolve_options

    names = resolve_options(a.options, sc)
    print(f"Command: `python benchmarks/option_effects.py {a.scenario} --options {a.options} --plan` "
          f"(skyshield {sk.__version__}).\n")
    print("| option | δ: tripwires / clauses / presence | δ | threats at a = 0.15 / 0.3 / 0.45 | mix change at "
          "x = 0 / 0.25 / 0.5 | aim moved at s = 0.25 / 0.5 / 0.75 | envelopes |")
    print("|---|---|---|---|---|---|---|")
    for o in names:
        p = compile_scenario(sc, cat, resolve_option(o, sc))
        n0 = sum(g.count for g in p.raid)
        base = plan_adversary(p)

        def moved(q) -> float:
            return sum(g.count * 0.5 * np.abs(w - g.target_weight).sum() for g, w in zip(p.raid, q.weights))

        size = [int(plan_adversary(p, AdaptiveRules(size_response=x)).counts.sum()) for x in (0.15, 0.3, 0.45)]
        mix = [int(plan_adversary(p, AdaptiveRules(mix_shift=x, size_response=0.0)).counts.sum()) - n0
               for x in (0.0, 0.25, 0.5)]
        ret = [moved(plan_adversary(p, AdaptiveRules(retarget_share=x))) for x in (0.25, 0.5, 0.75)]
        d = base.deterrence
        print(f"| `{o}` | {d['tripwires']:.0f} / {d['clauses']:.2f} / {d['presence']:.0f} | {d['score']:.2f} | "
              f"{n0} → {' / '.join(map(str, size))} | {' / '.join(f'{m:+d}' for m in mix)} | "
              f"{' / '.join(f'{r:.0f}' for r in ret)} | {base.env_lonlat.shape[0]} |")


def both(a) -> None:
    """Each option under the fixed and the adaptive adversary (one run, the same raids and dice)."""
    import pyarrow.compute as pc

    import skyshield as sk
    from skyshield.api.facade import adversary_label

    cmp = sk.compare(a.scenario, a.options, a.replications, a.seed, workers=a.workers, adversary="both")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as fh:
            fh.write(cmp.to_json())
    t = cmp.table
    opts = [o.rsplit("@", 1)[0] for o in cmp.options if o.endswith("@fixed")]
    base = opts[0]

    def col(o: str, mode: str, k: str):
        return t.filter(pc.equal(t["option"], adversary_label(o, mode)))[k].to_numpy()

    print(f"Command: `python benchmarks/option_effects.py {a.scenario} --options {a.options} -n {a.replications} "
          f"--seed {a.seed} --adversary both` (skyshield {sk.__version__}). Leakers and expected damage: paired "
          f"difference against `{base}` under the fixed adversary (the same raids and dice), then adaptive minus "
          f"fixed for the same option.\n")
    print("| option | launched (fixed → adaptive) | leakers vs `none`, fixed | leakers vs `none`, adaptive | "
          "leakers, adaptive − fixed | expected damage (M USD), adaptive − fixed | leakers by cause, adaptive − fixed |")
    print("|---|---|---|---|---|---|---|")
    for o in opts:
        lf, la = col(o, "fixed", "launched").mean(), col(o, "adaptive", "launched").mean()
        nb = col(base, "fixed", "leaked")
        moved = []
        for c in CAUSES:
            k = f"leaked_by_cause_{c.replace('-', '_')}"
            v = float((col(o, "adaptive", k) - col(o, "fixed", k)).mean())
            if abs(v) >= 0.5:
                moved.append((v, c))
        causes = ", ".join(f"{c} {v:+.1f}" for v, c in sorted(moved, key=lambda x: -abs(x[0]))) or "none"
        print(f"| `{o}` | {lf:.0f} → {la:.0f} | {_ci(col(o, 'fixed', 'leaked'), nb)} | "
              f"{_ci(col(o, 'adaptive', 'leaked'), nb)} | {_ci(col(o, 'adaptive', 'leaked'), col(o, 'fixed', 'leaked'))} | "
              f"{_ci(col(o, 'adaptive', 'expected_damage_usd') / 1e6, col(o, 'fixed', 'expected_damage_usd') / 1e6)} | "
              f"{causes} |")
    print("\nSame runs, fixed → adaptive per option (means; ± is the 95 % CI half-width of the paired difference "
          "adaptive − fixed). Redeployment gain: `protection_gain_from_redeployment`, split into assets the allies "
          "cover / elsewhere; decoy leakers: `leaked_by_cause_*_decoy` summed.\n")
    print("| option | expected damage (M USD) | interceptor cost (M USD) | P(direct) | redeployment gain (M USD) | "
          "gain: allied-covered / elsewhere, fixed → adaptive (M USD) | decoy leakers |")
    print("|---|---|---|---|---|---|---|")
    names = set(t.column_names)

    def arrow(o: str, k: str, scale: float = 1.0, digits: int = 1) -> str:
        if k not in names:
            return "-"
        f, ad = col(o, "fixed", k) / scale, col(o, "adaptive", k) / scale
        return f"{f.mean():.{digits}f} → {ad.mean():.{digits}f} ({_ci(ad, f)})"

    decoy = [k for k in t.column_names if k.startswith("leaked_by_cause_") and k.endswith("_decoy")]
    for o in opts:
        g = "protection_gain_from_redeployment"
        split = "-"
        if f"{g}_allied_covered" in names:
            split = " / ".join(f"{col(o, 'fixed', f'{g}_{s}').mean() / 1e6:.1f} → "
                               f"{col(o, 'adaptive', f'{g}_{s}').mean() / 1e6:.1f}" for s in ("allied_covered", "elsewhere"))
        dec = "-"
        if decoy:
            df, da = (sum(col(o, m, k) for k in decoy) for m in ("fixed", "adaptive"))
            dec = f"{df.mean():.1f} → {da.mean():.1f}"
        pd = "p_direct_engagement"
        pdir = f"{col(o, 'fixed', pd).mean():.2f} → {col(o, 'adaptive', pd).mean():.2f}" if pd in names else "-"
        print(f"| `{o}` | {arrow(o, 'expected_damage_usd', 1e6)} | {arrow(o, 'interceptor_cost_usd', 1e6)} | {pdir} | "
              f"{arrow(o, g, 1e6)} | {split} | {dec} |")
    print(f"\n{a.replications * len(cmp.options)} replications in {cmp.result.wall_s:.0f} s")


if __name__ == "__main__":
    main()
