"""Mutation testing of the modules that decide outcomes, one module at a time, with mutmut 3.

Each module is mutated in its own scratch copy of the repository (``.mutation/<label>-<module>``)
with only the test files that exercise it, so a run never touches the worktree and two modules
never share mutmut's state. mutmut records which tests reach each mutated function and runs only
those against each mutant. When ``--sample N`` is given, a seeded random sample of N mutants per
module is run instead of all of them; the score is then reported with a 95 % Wilson interval.

Usage (from the repository root, with the ``dev`` extra installed)::

    python tools/mutation.py                          # every mutant of every module (hours)
    python tools/mutation.py --sample 40 --seed 1     # 40 mutants per module
    python tools/mutation.py --modules store,replay --tests-ref 913e546   # score of older tests
    python tools/mutation.py --sample 40 --label after --rerun-of before  # survivors only, again

A mutant counts as killed when a test fails (or times out) on it; survived when all tests that
reach it pass; "no tests" when no selected test reaches the mutated function (counted as
surviving: nothing checks it); "not run" when mutmut stopped before it (counted as not killed).
The score is killed / (killed + survived + no tests + not run).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Test files run against each module's mutants: the fast tests that exercise it.
TESTS: dict[str, list[str]] = {
    "engine": ["tests/engine/test_battle.py", "tests/engine/test_mechanisms.py", "tests/engine/test_oracles_core.py",
               "tests/engine/test_assess.py", "tests/engine/test_trajectory.py", "tests/engine/test_ballistic.py",
               "tests/engine/test_sense.py", "tests/engine/test_roe_exact.py", "tests/engine/test_explain.py",
               "tests/engine/test_transfer.py", "tests/engine/test_options.py", "tests/engine/test_host_permission.py",
               "tests/engine/test_kills_engine.py", "tests/engine/test_adversary.py", "tests/engine/test_adversary_api.py",
               "tests/engine/test_adversary_response.py", "tests/engine/test_aviation.py",
               "tests/engine/test_aviation_builtin.py", "tests/engine/test_redeploy.py", "tests/engage/test_standoff.py"],
    "engage": ["tests/engage", "tests/engine/test_battle.py", "tests/engine/test_oracles_core.py",
               "tests/engine/test_oracles_engagement.py", "tests/engine/test_mechanisms.py"],
    "policy": ["tests/policy", "tests/engine/test_escalation_phase.py", "tests/engine/test_mechanisms.py"],
    "campaign": ["tests/campaign"],
    "replay": ["tests/replay"],
    "store": ["tests/store"],
}

KILLED = {1, 3, 36, 24, -24, 152, 255, -11, -9}  # test failure, pytest error, timeout, crash
SURVIVED = {0}
NO_TESTS = {5, 33}


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (c - h, c + h)


def _copy_tree_at(ref: str | None, sub: str, dest: Path) -> None:
    """Copy ``sub`` from the worktree (``ref`` None) or from git ``ref`` into ``dest``."""
    if ref is None:
        shutil.copytree(REPO / sub, dest / sub, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        return
    data = subprocess.run(["git", "archive", "--format=tar", ref, sub], cwd=REPO, check=True,
                          capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        tf.extractall(dest, filter="data")


def _prepare(module: str, work: Path, tests_ref: str | None, only: list[str] | None = None) -> None:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    _copy_tree_at(None, "src", work)
    _copy_tree_at(tests_ref, "tests", work)
    _copy_tree_at(None, "benchmarks", work)  # tests/policy/test_sensitivity.py imports a benchmark script
    _copy_tree_at(None, "examples", work)  # tests/engine/test_aviation_builtin.py reads an example scenario
    tests = [t for t in (only or TESTS[module]) if (work / t).exists()]
    cfg = f"""[tool.mutmut]
source_paths = ["src/"]
only_mutate = ["src/skyshield/{module}/*"]
tests_dir = {json.dumps(tests)}
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x", "-m", "not slow and not benchmark"]
also_copy = ["benchmarks", "examples"]
use_git_change_detection = false
track_dependencies = false

[tool.pytest.ini_options]
addopts = "-m 'not slow and not benchmark'"
markers = ["slow: long", "benchmark: speed"]
"""
    (work / "pyproject.toml").write_text(cfg)


def _list_mutants(work: Path) -> list[str]:
    """Generate the mutants (mutmut's own generator) and return their names."""
    code = (
        "import os, sys, json\n"
        "from mutmut.__main__ import create_mutants, collect_source_file_mutation_data\n"
        "from mutmut.utils.file_utils import copy_src_dir, setup_source_paths\n"
        "os.makedirs('mutants', exist_ok=True)\n"
        "copy_src_dir(); setup_source_paths(); create_mutants(1)\n"
        "_, data = collect_source_file_mutation_data(mutant_names=())\n"
        "print(json.dumps(sorted(k for m in data.values() for k in m.exit_code_by_key)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=work, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _results(work: Path) -> dict[str, int | None]:
    res: dict[str, int | None] = {}
    for meta in (work / "mutants").rglob("*.meta"):
        res.update(json.loads(meta.read_text())["exit_code_by_key"])
    return res


def _sample(names: list[str], module: str, args: argparse.Namespace) -> list[str]:
    if not args.sample or args.sample >= len(names):
        return names
    import numpy as np

    rng = np.random.default_rng([args.seed, sorted(TESTS).index(module)])
    return sorted(rng.choice(names, size=args.sample, replace=False).tolist())


def _summarise(module: str, work: Path, names: list[str], chosen: list[str], killed_before: list[str]) -> dict:
    res = _results(work)
    codes = {n: res.get(n) for n in chosen}
    killed = [n for n in chosen if codes[n] in KILLED] + killed_before
    survived = [n for n in chosen if codes[n] in SURVIVED]
    no_tests = [n for n in chosen if codes[n] in NO_TESTS]
    other = [n for n in chosen if codes[n] not in KILLED | SURVIVED | NO_TESTS]
    n = len(killed) + len(survived) + len(no_tests) + len(other)  # a mutant not run is not killed
    lo, hi = _wilson(len(killed), n)
    row = {"module": module, "mutants": len(names), "run": len(chosen) + len(killed_before),
           "killed": len(killed), "killed_names": sorted(killed), "survived": survived, "no_tests": no_tests,
           "not_run": other, "score": len(killed) / n if n else math.nan, "ci95": [lo, hi]}
    (work / "summary.json").write_text(json.dumps(row, indent=1))
    return row


def run_module(module: str, args: argparse.Namespace) -> dict:
    work = REPO / args.workdir / f"{args.label}-{module}"
    killed_before: list[str] = []
    if args.summarise_only:
        names = sorted(_results(work))
        chosen_file = work / "chosen.json"
        chosen = json.loads(chosen_file.read_text()) if chosen_file.exists() else _sample(names, module, args)
        return _summarise(module, work, names, chosen, killed_before)
    _prepare(module, work, args.tests_ref, args.tests.split(",") if args.tests else None)
    names = _list_mutants(work)
    if args.rerun_of:
        # Only the mutants that survived an earlier run (same source, same sample) are run
        # again; those it killed count as killed (the tests only grew stronger since).
        prev = json.loads((REPO / args.workdir / f"{args.rerun_of}-{module}" / "summary.json").read_text())
        chosen = sorted(prev["survived"] + prev["no_tests"] + prev["not_run"])
        killed_before = prev["killed_names"]
    else:
        chosen = _sample(names, module, args)
    (work / "chosen.json").write_text(json.dumps(chosen))
    env = dict(os.environ)
    env.setdefault("SKYSHIELD_SHARED_DATA", str(REPO.parent / "shared" / "data"))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    if chosen:
        cmd = [sys.executable, "-m", "mutmut", "run", "--max-children", str(args.max_children), *chosen]
        with (work / "mutmut.log").open("w") as fh:
            subprocess.run(cmd, cwd=work, env=env, stdout=fh, stderr=subprocess.STDOUT, check=False)
    return _summarise(module, work, names, chosen, killed_before)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", default=",".join(TESTS), help="comma-separated, of: " + ", ".join(TESTS))
    ap.add_argument("--sample", type=int, default=0, help="mutants per module (0: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tests-ref", default=None, help="git ref to take tests/ from (default: the worktree)")
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--workdir", default=".mutation")
    ap.add_argument("--label", default="run")
    ap.add_argument("--rerun-of", default=None,
                    help="label of an earlier run: run only its surviving mutants with today's tests")
    ap.add_argument("--tests", default=None,
                    help="comma-separated test files to use instead of the module's list (with --rerun-of: "
                    "the files changed since that run)")
    ap.add_argument("--summarise-only", action="store_true", help="print the scores of an existing run")
    args = ap.parse_args(argv)
    rows = []
    for module in args.modules.split(","):
        row = run_module(module.strip(), args)
        rows.append(row)
        lo, hi = row["ci95"]
        print(f"{row['module']:<9} mutants {row['mutants']:>5}  run {row['run']:>4}  killed {row['killed']:>4}  "
              f"survived {len(row['survived']):>3}  no-tests {len(row['no_tests']):>3}  not-run {len(row['not_run']):>3}  "
              f"score {row['score']:.1%}  (95 % CI {lo:.1%}-{hi:.1%})", flush=True)
        for name in row["survived"]:
            print(f"    survived: {name}")
        for name in row["no_tests"]:
            print(f"    no tests: {name}")
    if not args.summarise_only:
        (REPO / args.workdir / f"{args.label}-summary.json").write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
