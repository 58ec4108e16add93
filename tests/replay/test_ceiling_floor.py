"""The replay-ceiling benchmark's binomial floor (benchmarks/replay_ceiling.py) against
independent computations: closed forms, the normal approximation, and Monte Carlo; and its
report windows read from the public records."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.rng import Streams

from ..conftest import REPO, load_benchmark

RECORDS = REPO.parent / "shared" / "data" / "attacks" / "missile_attacks_daily.csv"


@pytest.fixture(scope="module")
def ceiling():
    return load_benchmark("replay_ceiling")


def _de_moivre(n: int, p: float) -> float:
    """De Moivre's closed form of the binomial mean absolute deviation, divided by n:
    E|K - np| = 2 m C(n, m) p^m (1-p)^(n-m+1) with m = floor(np) + 1."""
    if p in (0.0, 1.0):
        return 0.0
    m = math.floor(n * p) + 1
    if m > n:
        return 0.0
    log_term = (math.lgamma(n + 1) - math.lgamma(m + 1) - math.lgamma(n - m + 1)
                + m * math.log(p) + (n - m + 1) * math.log1p(-p))
    return 2.0 * m * math.exp(log_term) / n


@pytest.mark.parametrize("p", [0.0, 0.1, 0.3, 0.5, 0.835, 1.0])
def test_one_launch_is_2p_1_minus_p(ceiling, p):
    # K in {0, 1}: (1-p)|0 - p| + p|1 - p| = 2p(1-p)
    assert ceiling.binomial_floor(1, p)[()] == pytest.approx(2 * p * (1 - p), abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 600), st.floats(0.0, 1.0))
def test_equals_de_moivres_closed_form(ceiling, n, p):
    assert ceiling.binomial_floor(n, p)[()] == pytest.approx(_de_moivre(n, p), rel=1e-9, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(st.integers(50, 3000), st.floats(0.0005, 0.9995))
def test_shrinks_like_the_normal_mean_absolute_deviation(ceiling, n, p):
    # |N(0, s)| has mean s sqrt(2/pi), s = sqrt(p(1-p)/n). The lattice breaks the approximation
    # when fewer than about one launch is expected on the rarer side, hence n p (1-p) >= 1.
    if n * p * (1 - p) < 1.0:
        n = math.ceil(1.0 / (p * (1 - p)))
    approx = math.sqrt(p * (1 - p) / n) * math.sqrt(2 / math.pi)
    f = ceiling.binomial_floor(n, p)[()]
    assert f == pytest.approx(approx, rel=0.10)
    # four times the launches, half the floor (within the same tolerance)
    assert ceiling.binomial_floor(4 * n, p)[()] / f == pytest.approx(0.5, rel=0.2)


def test_agrees_with_monte_carlo(ceiling):
    n, p, draws = 170, 0.835, 40_000
    k = Streams(seed=12, replication=0).generator("ceiling-floor-test").binomial(n, p, size=draws)
    dev = np.abs(k / n - p)
    se = dev.std(ddof=1) / math.sqrt(draws)
    exact = ceiling.binomial_floor(n, p)[()]
    assert abs(dev.mean() - exact) < 4 * se
    assert se < 0.01 * exact  # the check is sharp: 4 SE is under 4 % of the floor


def test_vectorised_per_night_and_rejects_bad_input(ceiling):
    n = np.array([1, 50, 170])
    p = np.array([0.3, 0.9, 0.835])
    out = ceiling.binomial_floor(n, p)
    assert out.shape == (3,)
    assert out[0] == pytest.approx(0.42) and out[2] == pytest.approx(_de_moivre(170, 0.835), rel=1e-9)
    with pytest.raises(ValueError):
        ceiling.binomial_floor(0, 0.5)
    with pytest.raises(ValueError):
        ceiling.binomial_floor(10.5, 0.5)
    with pytest.raises(ValueError):
        ceiling.binomial_floor(10, 1.2)


def test_correlation_ceiling_is_one_without_noise_and_falls_with_it(ceiling):
    y = np.array([0.5, 0.6, 0.7, 0.8, 0.9])
    assert ceiling.correlation_ceiling(np.full(5, 10**9), y) == pytest.approx(1.0, abs=1e-6)
    # noise variance mean(y(1-y)/(n-1)) = 0.19/99 ~ 0.00192 against Var(y) = 0.025
    r = ceiling.correlation_ceiling(np.full(5, 100), y)
    assert r == pytest.approx(math.sqrt(1 - (np.mean(y * (1 - y)) / 99) / 0.025), rel=1e-12)
    assert 0.95 < r < 0.97


@pytest.mark.skipif(not RECORDS.is_file(), reason="public attack records not present at ../shared/data")
def test_report_window_of_a_known_night(ceiling):
    from skyshield.replay import read_night

    # 2025-11-01: Shahed window 2025-10-31 18:30 to 2025-11-01 09:30 in the public file
    rows = [r for r in read_night(RECORDS, "2025-11-01") if r.weapon_class == "drone"]
    assert rows
    window_h, start_h = ceiling._window(rows)
    assert window_h == pytest.approx(15.0)
    assert start_h == pytest.approx(18.5)


def _nights(ceiling, dates, reported, launched=None, records=None):
    k = len(dates)
    return ceiling.Nights(tuple(dates), np.asarray(launched if launched is not None else [100] * k),
                          np.asarray(reported, float), np.zeros(k),
                          np.zeros((k, len(ceiling.RECORDS_FEATURES))) if records is None else records,
                          np.zeros((k, len(ceiling.LOCATION_FEATURES))))


def test_walk_forward_fits_each_month_on_the_three_months_before(ceiling):
    # one night a day; each month's reported fraction is its month number / 100, so the mean of
    # a training set says exactly which months it held
    cal_dates = [f"2025-{m:02d}-{d:02d}" for m in (4, 5, 6, 7) for d in range(1, 11)]
    ev_dates = [f"2025-{m:02d}-{d:02d}" for m in (8, 9, 10) for d in range(1, 11)]
    cal = _nights(ceiling, cal_dates, [int(x[5:7]) / 100 for x in cal_dates])
    ev = _nights(ceiling, ev_dates, [int(x[5:7]) / 100 for x in ev_dates])
    pred = ceiling.walk_forward(cal, ev, lambda tr, te: np.full(len(te.dates), tr.reported.mean()))
    # August from May-July (0.06), September from June-August (0.07), October from July-September
    assert np.allclose(pred, np.repeat([0.06, 0.07, 0.08], 10))
    # a month without enough training nights is left out, not filled in
    short = _nights(ceiling, cal_dates[-3:], [0.07] * 3)
    first = ceiling.walk_forward(short, ev, lambda tr, te: np.full(len(te.dates), tr.reported.mean()))
    # September: 3 July and 10 August nights; October: 3 July, 10 August, 10 September nights
    assert np.isnan(first[:10]).all()
    assert np.allclose(first[10:], [(0.21 + 0.8) / 13] * 10 + [(0.21 + 0.8 + 0.9) / 23] * 10)


def test_a_fitted_model_reaches_the_floor_when_the_records_carry_the_probability(ceiling):
    """Hand-built nights whose destroyed probability is a linear function of one records
    feature: OLS fitted on one period gets within 20 % of the binomial floor on the next, while
    the constant stays several times above it."""
    pytest.importorskip("sklearn")
    g = Streams(seed=3, replication=0).generator("ceiling-synthetic")

    def period(month, k=90):
        x = np.zeros((k, len(ceiling.RECORDS_FEATURES)))
        x[:, 2] = g.uniform(0, 1, k)  # front share
        n = g.integers(50, 400, k)
        p = 0.55 + 0.4 * x[:, 2]
        y = g.binomial(n, p) / n
        return _nights(ceiling, [f"2025-{month:02d}-01"] * k, y, n, x), p

    (cal, _), (ev, p_ev) = period(7), period(8)
    res = ceiling.evaluate_class(cal, ev)
    rows = {(r["name"], r["fitted"]): r for r in res["rows"]}
    ols = rows[("records only: OLS", "calibration")]["mae"]
    const = rows[("constant: calibration-period mean", "calibration")]["mae"]
    floor = res["binomial_floor_mae"]
    truth = float(np.abs(p_ev - ev.reported).mean())  # the exact-p predictor on these draws
    assert truth == pytest.approx(floor, rel=0.2)  # the floor is what exact p achieves
    assert floor < ols < 1.2 * floor
    assert const > 3 * floor
