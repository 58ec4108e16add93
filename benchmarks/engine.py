"""Engine speed: one replication, 1,000 replications on all cores, scaling, memory.

Run from the repository root::

    .venv/bin/python benchmarks/engine.py            # the full measurement (a few minutes)
    .venv/bin/python benchmarks/engine.py --quick    # smaller counts, for a smoke test

The last line printed is one JSON object:

* ``rep_s_statistical``: one replication of ``eastern-flank-night-raid-v1`` (option ``none``)
  at statistical fidelity, seconds, one core (median of ``--reps-single`` after a warm-up);
* ``rep_s_full``: the same at full tracking fidelity, median of ``--reps-full`` after a
  warm-up, each run between three statistical replications whose median is
  ``rep_s_statistical_beside_full``; ``full_over_statistical`` is the ratio of the two (side by
  side, so the machine's load weighs on both alike; ``null`` with ``rep_s_full_note`` if that
  fidelity is not registered);
* ``reps_1000_s``: 1,000 replications through ``run_sweep`` on a process pool of all cores,
  metrics and event logs streamed to a Parquet store (wall time, pool start included);
* ``speedup_2_workers``: wall time of ``--reps-scaling`` replications (default 1,000, the
  goals' workload) on one worker (in process) over the same on a two-process pool, both
  streaming metrics and events to a store;
* ``peak_rss_mb``: peak resident memory of the 1,000-replication sweep, this process plus its
  workers (sampled every 50 ms);
* ``cpu_s_full``, ``cpu_s_statistical_beside_full``, ``full_over_statistical_cpu``: the same
  side-by-side medians in CPU seconds of the process (what the load changes less);
* ``phases_s``: where one replication's time goes (cProfile cumulative time per phase);
* ``phases_full_s``: the same for one full-fidelity replication (coverage windows, looks,
  trackers, the rest of the sensor nodes, the defended picture's fusion and scoring, other);
* ``threat_curve``: one statistical replication of the reference raid scaled to 1,000, 10,000
  and 100,000 threats (``--curve``), each in a fresh process: ``threats`` launched, ``s``
  seconds and ``s_per_1000_threats`` (flat if time is linear), ``peak_rss_mb`` that process's
  peak resident memory (imports included; goal at 100,000: under 1 GB) and
  ``peak_rss_before_raid_mb`` its peak before the raid (imports and the warm-up night), so
  the raid's own share is the difference;
* ``load_average_at_start`` / ``load_average_at_end``: the machine's 1-minute load.

``--only single,full,phases,scaling,many,curve`` runs only the parts named.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

SCENARIO = "eastern-flank-night-raid-v1"


def _params(fidelity: str = "statistical"):
    from skyshield.catalog import load_catalog
    from skyshield.engine import compile_scenario
    from skyshield.options import resolve_option
    from skyshield.scenario import load_scenario

    cat = load_catalog()
    sc = load_scenario(SCENARIO, cat)
    return compile_scenario(sc, cat, resolve_option("none", sc))


def one_replication(fidelity: str, n: int, warm_up: bool = True) -> float:
    from skyshield.engine import engine_for, simulate

    p = _params()
    eng = engine_for(fidelity)
    if warm_up:
        simulate(p, 1, 10_000, engine=eng)  # caches, geometry
    times = []
    for r in range(n):
        t0 = time.perf_counter()
        simulate(p, 1, r, engine=eng)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def side_by_side(n_full: int, n_stat_each: int = 3) -> tuple[float, float, float, float]:
    """Medians of statistical and full-fidelity replications run interleaved (each full
    replication between ``n_stat_each`` statistical ones), after a warm-up of each: wall
    seconds, then CPU seconds of this process (less sensitive to the machine's load)."""
    from skyshield.engine import engine_for, simulate

    p = _params()
    es, ef = engine_for("statistical"), engine_for("full")
    simulate(p, 1, 10_000, engine=es)
    simulate(p, 1, 10_000, engine=ef)  # imports, compiled code loaded, caches
    ts, tf, cs, cf = [], [], [], []
    for r in range(n_full):
        for k in range(n_stat_each):
            t0, c0 = time.perf_counter(), time.process_time()
            simulate(p, 1, 1000 + n_stat_each * r + k, engine=es)
            ts.append(time.perf_counter() - t0)
            cs.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        simulate(p, 1, r, engine=ef)
        tf.append(time.perf_counter() - t0)
        cf.append(time.process_time() - c0)
    return statistics.median(ts), statistics.median(tf), statistics.median(cs), statistics.median(cf)


_PHASES = {
    "raid": "sample_raid",
    "trajectories": "build_segments",
    "sense": "__call__ (sense)",
    "opportunities": "find_opportunities",
    "battle": "__call__ (battle)",
    "assess": "assess",
}


def phases(n: int = 5) -> dict[str, float]:
    """Cumulative seconds per replication in each top-level phase of ``Engine.run``."""
    from skyshield.engine import engine_for, simulate

    p = _params()
    eng = engine_for("statistical")
    simulate(p, 1, 10_000, engine=eng)
    prof = cProfile.Profile()
    prof.enable()
    for r in range(n):
        simulate(p, 1, r, engine=eng)
    prof.disable()
    st = pstats.Stats(prof)
    sense_cls = type(eng.sense).__name__ if hasattr(eng, "sense") else ""
    battle_cls = type(eng.battle).__name__ if hasattr(eng, "battle") else ""
    out: dict[str, float] = {}
    total = 0.0
    for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        if func == "run" and file.endswith("engine/core.py"):
            total = max(total, ct)
        for name, key in _PHASES.items():
            fn = key.split(" ")[0]
            if func != fn:
                continue
            if name == "sense" and not file.endswith("sense.py") and sense_cls not in file:
                continue
            if name == "battle" and not file.endswith("battle.py"):
                continue
            if name in ("sense", "battle") and func == "__call__":
                out[name] = out.get(name, 0.0) + ct
            elif name not in ("sense", "battle"):
                out[name] = out.get(name, 0.0) + ct
    res = {k: round(v / n, 4) for k, v in out.items()}
    res["total"] = round(total / n, 4)
    res["other"] = round(max(total - sum(out.values()), 0.0) / n, 4)
    _ = battle_cls
    return res


_FULL_PHASES = {  # (file suffix, function) of the parts of one full-fidelity replication
    "coverage_windows": ("picture/nodes.py", "coverage_windows"),
    "looks": [("picture/looks.py", "look_pd"), ("picture/looks.py", "detections")],
    "trackers": [("tracking/scans.py", "run"), ("tracking/scans.py", "finish")],
    "nodes": ("picture/nodes.py", "run_nodes"),
    "sense": ("engine/sense_full.py", "__call__"),
    "total": ("engine/core.py", "run"),
}


def phases_full(seed: int = 0) -> dict[str, float]:
    """Where one full-fidelity replication's time goes (cProfile cumulative seconds):
    ``coverage_windows``, ``looks`` (geometry, detection, noise), ``trackers`` (the compiled
    scan loops), ``nodes_other`` (the rest of the sensor nodes: blocks, false alarms, records),
    ``picture`` (the defended picture: gathering, fusion, track numbers, scoring),
    ``other`` (raid, trajectories, opportunities, battle, assessment) and ``total``."""
    from skyshield.engine import engine_for, simulate

    p = _params()
    eng = engine_for("full")
    simulate(p, 1, 10_000, engine=eng)
    prof = cProfile.Profile()
    prof.enable()
    simulate(p, 1, seed, engine=eng)
    prof.disable()
    st = pstats.Stats(prof)
    cum: dict[str, float] = {}
    for name, where in _FULL_PHASES.items():
        for suffix, func in where if isinstance(where, list) else [where]:
            for (file, _line, fn), (_cc, _nc, _tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
                if fn == func and file.endswith(suffix):
                    cum[name] = cum.get(name, 0.0) + ct

    def g(k: str) -> float:
        return cum.get(k, 0.0)

    out = {
        "coverage_windows": g("coverage_windows"),
        "looks": g("looks"),
        "trackers": g("trackers"),
        "nodes_other": g("nodes") - g("coverage_windows") - g("looks") - g("trackers"),
        "picture": g("sense") - g("nodes"),
        "other": g("total") - g("sense"),
        "total": g("total"),
    }
    return {k: round(v, 3) for k, v in out.items()}


def _scaled_params(n_threats: int):
    """The reference scenario with every raid group scaled so the raid has about ``n_threats``
    threats (same launch windows, sites and aim areas: denser, not longer)."""
    from pathlib import Path

    import yaml

    import skyshield.scenario
    from skyshield.catalog import load_catalog
    from skyshield.engine import compile_scenario
    from skyshield.options import resolve_option
    from skyshield.scenario import parse_scenario

    path = Path(skyshield.scenario.__file__).parent / "builtin" / f"{SCENARIO}.yaml"
    doc = yaml.safe_load(path.read_text())
    total = sum(int(g["count"]) for g in doc["raid"]["groups"])
    for g in doc["raid"]["groups"]:
        g["count"] = max(1, int(round(int(g["count"]) * n_threats / total)))
    cat = load_catalog()
    sc = parse_scenario(doc, {}, f"<{SCENARIO} x{n_threats}>", cat)
    return compile_scenario(sc, cat, resolve_option("none", sc))


def one_raid(n_threats: int) -> dict[str, float]:
    """One statistical replication of a raid of about ``n_threats`` threats, in this process:
    seconds (after a warm-up on the unscaled raid) and this process's peak resident memory."""
    import resource

    from skyshield.engine import simulate

    simulate(_params(), 1, 10_000)  # imports, caches, geometry
    p = _scaled_params(n_threats)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux
    t0 = time.perf_counter()
    out = simulate(p, 1, 0)
    wall = time.perf_counter() - t0
    n = int(out.metrics.get("launched", n_threats))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return {"threats": n, "s": round(wall, 3), "s_per_1000_threats": round(1000.0 * wall / max(n, 1), 3),
            "peak_rss_mb": round(peak, 1), "peak_rss_before_raid_mb": round(before, 1)}


def threat_curve(counts: list[int]) -> list[dict[str, float]]:
    """:func:`one_raid` for each count, each in a fresh process (so each peak is its own)."""
    import subprocess

    out = []
    for n in counts:
        res = subprocess.run([sys.executable, __file__, "--one-raid", str(n)], capture_output=True, text=True,
                             check=True)
        out.append(json.loads(res.stdout.strip().splitlines()[-1]))
        print(f"raid of {n} threats: {out[-1]}", file=sys.stderr)
    return out


def _experiment(reps: int, events: bool = True):
    from skyshield.experiments import ExperimentSpec, resolve_experiment

    spec = ExperimentSpec(id="bench", scenario=SCENARIO, options=("none",), replications=reps, seed=20240601,
                          events=events)
    return resolve_experiment(spec)


class _RssSampler:
    """Peak of (this process + its children) resident memory, sampled in a thread."""

    def __init__(self, interval_s: float = 0.05):
        self.interval_s = interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        try:
            import psutil

            me = psutil.Process()
            total = me.memory_info().rss
            for c in me.children(recursive=True):
                try:
                    total += c.memory_info().rss
                except psutil.Error:
                    pass
            return total
        except ImportError:
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(self.interval_s)

    def __enter__(self) -> "_RssSampler":
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self._rss())


def sweep_time(reps: int, workers: int | None, events: bool = True) -> tuple[float, int]:
    from skyshield.runner import make_executor, run_sweep
    from skyshield.store import ResultStore

    exp = _experiment(reps, events)
    d = Path(tempfile.mkdtemp(prefix="skyshield-bench-"))
    try:
        st = ResultStore.open_for(d / "store", exp)
        with _RssSampler() as rss:
            t0 = time.perf_counter()
            ex = make_executor(None, workers)
            try:
                run_sweep(exp, st, executor=ex)
            finally:
                ex.close()
            wall = time.perf_counter() - t0
        assert ResultStore.open(d / "store").done == reps
        return wall, rss.peak
    finally:
        shutil.rmtree(d, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small counts (smoke test), not the goals' counts")
    ap.add_argument("--reps-single", type=int, default=20)
    ap.add_argument("--reps-full", type=int, default=3)
    # Scaling is measured on the goals' workload (1,000 replications): at a few hundred the
    # pool's fixed start (~1 s: fork server, first theatre geometry) still weighs on the ratio.
    ap.add_argument("--reps-scaling", type=int, default=1000)
    ap.add_argument("--reps-many", type=int, default=1000)
    ap.add_argument("--curve", default="1000,10000,100000",
                    help="threat counts of the one-replication curve (comma-separated; '' to skip)")
    ap.add_argument("--one-raid", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--only", default="", help="comma-separated parts to run: single,full,phases,scaling,many,curve")
    a = ap.parse_args()
    if a.one_raid:
        print(json.dumps(one_raid(a.one_raid)))
        return
    if a.quick:
        a.reps_single, a.reps_full, a.reps_scaling, a.reps_many = 3, 1, 8, 20
    from skyshield import __version__
    from skyshield.engine import FIDELITIES
    from skyshield.runner import default_workers

    parts = set(a.only.split(",")) if a.only else {"single", "full", "phases", "scaling", "many", "curve"}
    out: dict[str, object] = {"scenario": SCENARIO, "skyshield": __version__, "python": platform.python_version(),
                              "cores": default_workers(), "load_average_at_start": round(os.getloadavg()[0], 2)}
    if "single" in parts or "full" in parts:
        out["rep_s_statistical"] = round(one_replication("statistical", a.reps_single), 4)
        print(f"one replication, statistical: {out['rep_s_statistical']} s", file=sys.stderr)
    if "full" in parts and "full" in FIDELITIES:
        # Side by side: the full-fidelity replications interleaved with statistical ones, so
        # that the ratio holds under whatever load the machine has meanwhile.
        stat, full, stat_cpu, full_cpu = side_by_side(a.reps_full)
        out["rep_s_full"] = round(full, 4)
        out["rep_s_full_reps"] = a.reps_full
        out["rep_s_statistical_beside_full"] = round(stat, 4)
        out["full_over_statistical"] = round(full / stat, 1)
        out["cpu_s_full"] = round(full_cpu, 4)
        out["cpu_s_statistical_beside_full"] = round(stat_cpu, 4)
        out["full_over_statistical_cpu"] = round(full_cpu / stat_cpu, 1)
        print(f"one replication, full: {out['rep_s_full']} s ({out['full_over_statistical']}x statistical)",
              file=sys.stderr)
    elif "full" in parts:
        out["rep_s_full"] = None
        out["rep_s_full_note"] = f"fidelity 'full' is not registered (known: {', '.join(FIDELITIES)})"
    if "phases" in parts:
        out["phases_s"] = phases()
        print(f"phases: {out['phases_s']}", file=sys.stderr)
        if "full" in FIDELITIES:
            out["phases_full_s"] = phases_full()
            print(f"phases at full fidelity: {out['phases_full_s']}", file=sys.stderr)
    if "scaling" in parts:
        t1, _ = sweep_time(a.reps_scaling, 1)
        t2, _ = sweep_time(a.reps_scaling, 2)
        out["scaling_reps"] = a.reps_scaling
        out["scaling_1_worker_s"] = round(t1, 2)
        out["scaling_2_workers_s"] = round(t2, 2)
        out["speedup_2_workers"] = round(t1 / t2, 3)
        print(f"{a.reps_scaling} reps: 1 worker {t1:.1f} s, 2 workers {t2:.1f} s", file=sys.stderr)
    if "many" in parts:
        wall, peak = sweep_time(a.reps_many, None)
        out["reps_many"] = a.reps_many
        out["reps_1000_s" if a.reps_many == 1000 else f"reps_{a.reps_many}_s"] = round(wall, 2)
        out["peak_rss_mb"] = round(peak / 2**20, 1)
        out["events_streamed"] = True
    if "curve" in parts and a.curve:
        counts = [int(c) for c in a.curve.split(",")]
        if a.quick:
            counts = [c for c in counts if c <= 10_000]
        out["threat_curve"] = threat_curve(counts)
    out["load_average_at_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
