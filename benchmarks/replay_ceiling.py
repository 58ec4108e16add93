"""How far could any model fitted on earlier nights go with what the attack records carry?

Issue 12 asks the night replay (``skyshield replay --from A --to B``) for a drone destroyed
fraction within mean absolute error (MAE) 0.06 and correlation 0.6 of the reported one on an
evaluation period. This benchmark bounds what is reachable: it fits flexible *statistical*
models (ordinary least squares, gradient boosting with absolute loss, random forest) on the
calibration period's nights and scores them on the evaluation period's, on features taken from
the records and from the replay's JSON only, beside

* the replay as it is, and a constant (the calibration period's mean reported fraction);
* the same models refitted month by month on the three months before each evaluation month
  (walk-forward);
* the **binomial floor**: the expected MAE of a predictor that knows each night's true
  destroyed probability ``p`` exactly, when the reported count is ``Binomial(n, p)``. It is
  computed exactly, night by night, as :math:`\\sum_k \\mathrm{pmf}(k; n, p)\\,|k/n - p|` with
  ``p`` the reported fraction (:func:`binomial_floor`), not by Monte Carlo.

The statistical models are **not** mechanisms: they bound what the records carry, they do not
replace the replay. One feature set uses the reported numbers of hit and debris locations,
which are *outcomes* of the night: it is labelled so and is an optimistic bound, not a
forecast.

Run (from the repository root, with the ``bench`` extra for scikit-learn)::

    .venv/bin/python benchmarks/replay_ceiling.py --calibration-json cal.json --evaluation-json eval.json

where the two JSONs come from ``skyshield replay --attacks ... --from A --to B --seed 1 --format
json``; without them the script replays both periods itself through
:func:`skyshield.replay.validate` (``--replications``, ``--seed``, ``-j``). ``--json OUT``
writes every figure. Output is deterministic: fixed ``random_state`` in every model, and the
bootstrap of the MAE's interval draws from a named :class:`skyshield.rng.Streams` stream.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["binomial_floor", "correlation_ceiling", "main"]

REPO = Path(__file__).resolve().parents[1]
DEFAULT_ATTACKS = REPO.parent / "shared" / "data" / "attacks" / "missile_attacks_daily.csv"
CALIBRATION_PERIOD = ("2025-05-01", "2025-07-31")
EVALUATION_PERIOD = ("2025-08-01", "2025-10-31")
MIN_LAUNCHED = 20  # issue 12 judges nights with at least 20 launches of the class
MIN_NIGHTS = 5  # a class gets a table when each period has at least this many nights
GOALS = {"drone": (0.06, 0.6), "cruise": (0.15, None)}  # (MAE at most, correlation at least)
BOOTSTRAP = 2000

# Aim-area groups over the replay's region ids (aim_regions in the replay JSON).
FRONT = frozenset({"sumy-oblast", "kharkiv-oblast", "donetsk-oblast", "zaporizhzhia-oblast", "kherson-oblast",
                   "dnipropetrovsk-oblast", "chernihiv-oblast", "mykolaiv-oblast", "odesa-oblast"})
KYIV = frozenset({"kyiv-city", "kyiv-oblast"})
WEST = frozenset({"lviv-oblast", "volyn-oblast", "rivne-oblast", "ternopil-oblast", "ivano-frankivsk-oblast",
                  "zakarpattia-oblast", "khmelnytskyi-oblast", "chernivtsi-oblast"})

RECORDS_FEATURES = ("log_launched", "decoy_share", "front_share", "kyiv_share", "west_share", "regions",
                    "log1p_other_class_launched", "window_h", "window_start_hour")
REPLAY_FEATURES = ("simulated_destroyed_fraction",)
LOCATION_FEATURES = ("hit_locations_per_launch", "debris_locations_per_launch", "locations_reported")


# -- the binomial floor (no scikit-learn needed) ---------------------------------------------


def binomial_floor(n: Any, p: Any) -> np.ndarray:
    """Expected absolute error of the exact probability against a binomial fraction.

    For each night, the expected value of :math:`|K/n - p|` with :math:`K \\sim
    \\mathrm{Binomial}(n, p)`:

    .. math:: f(n, p) = \\sum_{k=0}^{n} \\binom{n}{k} p^k (1-p)^{n-k} \\left|\\frac{k}{n} - p\\right|

    computed exactly from the probability mass function (``scipy.stats.binom``, as the
    exponential of its logarithm). It is the MAE
    that a predictor knowing each night's true probability would have on average: no model
    can do better on reported fractions that are binomial draws.

    Parameters
    ----------
    n : array_like of int
        Launches per night (at least 1).
    p : array_like of float
        Destroyed probability per night, in [0, 1].

    Returns
    -------
    numpy.ndarray
        One expected absolute error per night (shape of ``n`` and ``p`` broadcast).
    """
    from scipy.stats import binom

    n_arr, p_arr = np.broadcast_arrays(np.asarray(n), np.asarray(p, dtype=float))
    if np.any(n_arr < 1) or np.any(n_arr != np.round(n_arr)):
        raise ValueError("n must be whole numbers of launches, at least 1")
    if np.any((p_arr < 0) | (p_arr > 1)):
        raise ValueError("p must lie in [0, 1]")
    out = np.empty(n_arr.shape)
    for idx in np.ndindex(n_arr.shape):
        ni, pi = int(n_arr[idx]), float(p_arr[idx])
        k = np.arange(ni + 1)
        # exp(logpmf): scipy's pmf overflows for p below ~1e-300, its logarithm does not
        out[idx] = float(np.sum(np.exp(binom.logpmf(k, ni, pi)) * np.abs(k / ni - pi)))
    return out


def correlation_ceiling(n: np.ndarray, y: np.ndarray) -> float:
    """Approximate largest expected correlation with binomially noisy reported fractions.

    With :math:`y = p + e`, :math:`\\mathrm{Var}(e \\mid p) = p(1-p)/n`, the exact predictor
    ``p`` has correlation :math:`\\sqrt{1 - E[p(1-p)/n] / \\mathrm{Var}(y)}` with ``y``;
    :math:`E[p(1-p)/n]` is estimated without bias by the mean of :math:`y(1-y)/(n-1)`.
    """
    n = np.asarray(n, float)
    y = np.asarray(y, float)
    noise = float(np.mean(y * (1 - y) / np.maximum(n - 1, 1)))
    v = float(np.var(y, ddof=1))
    return math.sqrt(max(0.0, 1.0 - noise / v)) if v > 0 else math.nan


# -- nights and features ---------------------------------------------------------------------


@dataclass(frozen=True)
class Nights:
    """One weapon class's judged nights of one period (one row per night)."""

    dates: tuple[str, ...]
    launched: np.ndarray  # (N,) int
    reported: np.ndarray  # (N,) reported destroyed fraction
    simulated: np.ndarray  # (N,) the replay's mean simulated destroyed fraction
    records: np.ndarray  # (N, len(RECORDS_FEATURES))
    locations: np.ndarray  # (N, len(LOCATION_FEATURES)), outcomes of the night

    @property
    def months(self) -> np.ndarray:
        return np.array([int(d[:4]) * 12 + int(d[5:7]) - 1 for d in self.dates])


def _window(rows: list) -> tuple[float, float]:
    """Report window length (hours) and its start hour, from the class's rows of the night."""
    starts = [datetime.fromisoformat(r.time_start) for r in rows]
    ends = [datetime.fromisoformat(r.time_end) for r in rows]
    t0, t1 = min(starts), max(ends)
    return (t1 - t0).total_seconds() / 3600.0, t0.hour + t0.minute / 60.0


def load_nights(doc: dict[str, Any], rows_by_date: dict[str, list], weapon_class: str,
                min_launched: int = MIN_LAUNCHED) -> Nights:
    """The nights of a replay JSON with at least ``min_launched`` launches of the class, with
    features from that JSON and from the records' rows of the night."""
    dates, n, y, sim, rec, loc = [], [], [], [], [], []
    for night in doc["nights"]:
        c = night["classes"].get(weapon_class)
        if c is None or c["reported_launched"] < min_launched:
            continue
        rows = rows_by_date[night["date"]]
        own = [r for r in rows if r.weapon_class == weapon_class]
        other = sum(r.launched for r in rows if r.weapon_class != weapon_class)
        launched = round(c["reported_launched"])
        aims = c["aim_regions"]
        window_h, start_h = _window(own)
        hits, debris = c["reported_hit_locations"], c["reported_debris_locations"]
        dates.append(night["date"])
        n.append(launched)
        y.append(c["reported_destroyed_fraction"])
        sim.append(c["simulated_destroyed_fraction"]["mean"])
        rec.append([math.log(launched), night["decoy_share"],
                    sum(v for k, v in aims.items() if k in FRONT), sum(v for k, v in aims.items() if k in KYIV),
                    sum(v for k, v in aims.items() if k in WEST), len(aims), math.log1p(other), window_h, start_h])
        reported = hits is not None or debris is not None
        loc.append([(hits or 0) / launched, (debris or 0) / launched, float(reported)])
    return Nights(tuple(dates), np.array(n, int), np.array(y, float), np.array(sim, float),
                  np.array(rec, float).reshape(-1, len(RECORDS_FEATURES)),
                  np.array(loc, float).reshape(-1, len(LOCATION_FEATURES)))


FEATURE_SETS: dict[str, tuple[str, bool]] = {
    # name: (label, uses outcomes of the night)
    "records": ("records only", False),
    "records+replay": ("records + replay's simulated fraction", False),
    "records+locations": ("records + hit/debris locations (OUTCOMES)", True),
}


def features(nights: Nights, feature_set: str) -> np.ndarray:
    """The feature matrix ``(N, F)`` of one feature set."""
    if feature_set == "records":
        return nights.records
    if feature_set == "records+replay":
        return np.c_[nights.records, nights.simulated]
    if feature_set == "records+locations":
        return np.c_[nights.records, nights.locations]
    raise KeyError(feature_set)


def _concat(a: Nights, b: Nights) -> Nights:
    return Nights(a.dates + b.dates, np.r_[a.launched, b.launched], np.r_[a.reported, b.reported],
                  np.r_[a.simulated, b.simulated], np.r_[a.records, b.records], np.r_[a.locations, b.locations])


# -- models and scores -----------------------------------------------------------------------


def make_models() -> dict[str, Any]:
    """Fresh, seeded regressors (scikit-learn imported here: the floor does not need it)."""
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestRegressor
    from sklearn.linear_model import LinearRegression

    return {
        "OLS": LinearRegression(),
        "GBM (absolute loss)": GradientBoostingRegressor(loss="absolute_error", n_estimators=200, max_depth=2,
                                                         learning_rate=0.05, subsample=0.8, random_state=0),
        "random forest": RandomForestRegressor(n_estimators=300, min_samples_leaf=5, random_state=0, n_jobs=1),
    }


def _fit_predict(model_name: str, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray) -> np.ndarray:
    model = make_models()[model_name]
    model.fit(x_train, y_train)
    return np.clip(model.predict(x_test), 0.0, 1.0)


def walk_forward(cal: Nights, ev: Nights, predict, months_back: int = 3, min_train: int = MIN_NIGHTS) -> np.ndarray:
    """Predictions for each evaluation month from a fit on the ``months_back`` months before it.

    ``predict(train, test)`` takes two :class:`Nights` and returns the test predictions. A
    month with fewer than ``min_train`` training nights gets NaN.
    """
    both = _concat(cal, ev)
    months = both.months
    ev_idx = np.arange(len(cal.dates), len(both.dates))
    out = np.full(len(ev.dates), np.nan)
    for m in np.unique(months[ev_idx]):
        train = np.flatnonzero((months >= m - months_back) & (months < m))
        test = ev_idx[months[ev_idx] == m]
        if train.size < min_train:
            continue
        out[test - len(cal.dates)] = predict(_subset(both, train), _subset(both, test))
    return out


def _subset(n: Nights, idx: np.ndarray) -> Nights:
    return Nights(tuple(n.dates[i] for i in idx), n.launched[idx], n.reported[idx], n.simulated[idx],
                  n.records[idx], n.locations[idx])


def score(pred: np.ndarray, y: np.ndarray, boot: np.ndarray) -> dict[str, Any]:
    """MAE (with a 95 % bootstrap interval over nights), correlation and mean error."""
    if np.any(np.isnan(pred)):
        return {"mae": None, "mae_ci95": None, "r": None, "mean_error": None}
    err = np.abs(pred - y)
    maes = err[boot].mean(axis=1)
    r = float(np.corrcoef(pred, y)[0, 1]) if np.ptp(pred) > 1e-9 and np.ptp(y) > 0 else None
    return {"mae": float(err.mean()), "mae_ci95": [float(np.quantile(maes, 0.025)), float(np.quantile(maes, 0.975))],
            "r": r, "mean_error": float((pred - y).mean())}


def _bootstrap_indices(size: int, seed: int) -> np.ndarray:
    from skyshield.rng import Streams

    g = Streams(seed=seed, replication=0).generator("replay-ceiling-bootstrap")
    return g.integers(0, size, size=(BOOTSTRAP, size))


def evaluate_class(cal: Nights, ev: Nights, seed: int = 0) -> dict[str, Any]:
    """Every row of one class's table, scored on the evaluation period."""
    y = ev.reported
    boot = _bootstrap_indices(len(y), seed)
    rows: list[dict[str, Any]] = []

    def add(name: str, fitting: str, outcomes: bool, pred: np.ndarray) -> None:
        rows.append({"name": name, "fitted": fitting, "uses_outcomes": outcomes, **score(pred, y, boot)})

    add("replay as is", "-", False, ev.simulated)
    add("constant: calibration-period mean", "calibration", False, np.full(len(y), cal.reported.mean()))
    bias = float((cal.simulated - cal.reported).mean())
    add("replay minus its calibration-period mean error", "calibration", False, np.clip(ev.simulated - bias, 0, 1))
    for fs, (label, outcomes) in FEATURE_SETS.items():
        for model_name in make_models():
            add(f"{label}: {model_name}", "calibration", outcomes,
                _fit_predict(model_name, features(cal, fs), cal.reported, features(ev, fs)))
    add("replay minus mean error of the 3 months before", "walk-forward", False,
        walk_forward(cal, ev, lambda tr, te: np.clip(te.simulated - (tr.simulated - tr.reported).mean(), 0, 1)))
    for fs, (label, outcomes) in FEATURE_SETS.items():
        for model_name in make_models():
            add(f"{label}: {model_name}", "walk-forward", outcomes, walk_forward(
                cal, ev, lambda tr, te, m=model_name, f=fs: _fit_predict(m, features(tr, f), tr.reported, features(te, f))))
    floor = binomial_floor(ev.launched, ev.reported)
    return {
        "nights": {"calibration": len(cal.dates), "evaluation": len(ev.dates)},
        "launched_evaluation": int(ev.launched.sum()),
        "binomial_floor_mae": float(floor.mean()),
        "binomial_floor_mae_ci95": [float(np.quantile(floor[boot].mean(axis=1), q)) for q in (0.025, 0.975)],
        "correlation_ceiling_approx": correlation_ceiling(ev.launched, ev.reported),
        "rows": rows,
    }


# -- replay JSONs, output --------------------------------------------------------------------


def _replay_doc(path: str | None, attacks: Path, period: tuple[str, str], replications: int, seed: int,
                workers: int | None) -> dict[str, Any]:
    if path:
        return json.loads(Path(path).read_text())
    from skyshield.replay import validate

    print(f"replaying {period[0]} to {period[1]} ({replications} replications, seed {seed})...", file=sys.stderr)
    return validate(attacks, period[0], period[1], replications=replications, seed=seed, workers=workers).as_dict()


def _fmt(x: float | None, p: int = 3, sign: bool = False) -> str:
    if x is None:
        return "n/a"
    return f"{x:+.{p}f}" if sign else f"{x:.{p}f}"


def print_table(weapon_class: str, res: dict[str, Any], periods: dict[str, tuple[str, str]]) -> None:
    goal_mae, goal_r = GOALS.get(weapon_class, (None, None))
    goal = f"MAE <= {goal_mae}" + (f" and r >= {goal_r}" if goal_r else "") if goal_mae else "none"
    nn = res["nights"]
    print(f"\n{weapon_class}: evaluation {periods['evaluation'][0]}..{periods['evaluation'][1]} "
          f"({nn['evaluation']} nights with >= {MIN_LAUNCHED} launches), fitted on "
          f"{periods['calibration'][0]}..{periods['calibration'][1]} ({nn['calibration']} nights); goal {goal}")
    print(f"{'predictor':62s} {'fitted':12s} {'MAE':>6s} {'MAE 95% CI':>14s} {'r':>6s} {'mean err':>8s}")
    for r in res["rows"]:
        ci = "n/a" if r["mae_ci95"] is None else f"{r['mae_ci95'][0]:.3f}-{r['mae_ci95'][1]:.3f}"
        print(f"{r['name']:62s} {r['fitted']:12s} {_fmt(r['mae']):>6s} {ci:>14s} {_fmt(r['r'], 2):>6s} "
              f"{_fmt(r['mean_error'], 3, True):>8s}")
    lo, hi = res["binomial_floor_mae_ci95"]
    print(f"{'binomial floor: exact p, binomial reported count (exact pmf)':62s} {'-':12s} "
          f"{res['binomial_floor_mae']:6.3f} {lo:.3f}-{hi:.3f} {_fmt(res['correlation_ceiling_approx'], 2):>6s} "
          f"{'0 (exp.)':>8s}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--attacks", default=str(DEFAULT_ATTACKS), help="the public attack records CSV")
    ap.add_argument("--calibration-json", default=None, help="replay JSON of the calibration period")
    ap.add_argument("--evaluation-json", default=None, help="replay JSON of the evaluation period")
    ap.add_argument("--calibration-period", nargs=2, default=CALIBRATION_PERIOD, metavar=("FROM", "TO"),
                    help="replayed when --calibration-json is not given")
    ap.add_argument("--evaluation-period", nargs=2, default=EVALUATION_PERIOD, metavar=("FROM", "TO"),
                    help="replayed when --evaluation-json is not given")
    ap.add_argument("--replications", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1, help="replay seed (also the bootstrap's)")
    ap.add_argument("-j", "--workers", type=int, default=None)
    ap.add_argument("--json", default=None, help="write every figure to this JSON file")
    args = ap.parse_args(argv)

    from skyshield.replay import read_nights

    attacks = Path(args.attacks)
    if not attacks.is_file():
        ap.error(f"attack records not found: {attacks}")
    docs = {"calibration": _replay_doc(args.calibration_json, attacks, tuple(args.calibration_period),
                                       args.replications, args.seed, args.workers),
            "evaluation": _replay_doc(args.evaluation_json, attacks, tuple(args.evaluation_period),
                                      args.replications, args.seed, args.workers)}
    periods = {k: (d["period"]["from"], d["period"]["to"]) for k, d in docs.items()}
    rows = {k: read_nights(attacks, *periods[k]) for k in docs}
    out: dict[str, Any] = {
        "attacks": str(args.attacks), "periods": periods, "min_launched": MIN_LAUNCHED,
        "replay": {k: {"replications_per_night": d["replications_per_night"], "seed": d["seed"],
                       "calibration_fitted_on": {x: d["calibration"]["fitted_on"].get(x) for x in ("from", "to")}}
                   for k, d in docs.items()},
        "features": {"records": list(RECORDS_FEATURES), "replay": list(REPLAY_FEATURES),
                     "locations (outcomes)": list(LOCATION_FEATURES)},
        "classes": {},
    }
    for wc in ("drone", "cruise", "ballistic"):
        cal = load_nights(docs["calibration"], rows["calibration"], wc)
        ev = load_nights(docs["evaluation"], rows["evaluation"], wc)
        if len(cal.dates) < MIN_NIGHTS or len(ev.dates) < MIN_NIGHTS:
            continue
        res = evaluate_class(cal, ev, seed=args.seed)
        out["classes"][wc] = res
        print_table(wc, res, periods)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    return out


if __name__ == "__main__":
    main()
