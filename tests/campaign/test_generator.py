"""The raid generator reproduces the public records it was fitted on (and how it does later).

In-sample tolerances (stated): per quarter and class, simulated mean daily launches within
10 % of the records; dispersion index (variance / mean, classes averaging at least 0.1 a day)
within 10 % pooled over simulated days, and within 35 % as the average over simulated
quarter-long spans (heavy-tailed cruise-missile quarters give a span estimate biased low);
mix shares within 0.03. Out of sample (fit to 2022-10 .. 2024-12, persistence
of the last quarter, scored on 2025-Q1..Q3) the generator under-predicts the growth of drone
raids by a factor 1.8 to 2.6 (docs/campaign.md); the test asserts the size of that
out-of-sample error, so nobody mistakes the fit for a forecast.
"""

from __future__ import annotations

import numpy as np
import pytest

from skyshield.campaign import CLASSES, ClassFit, RaidGenerator, fit_generator, period_stats, read_daily_counts

FIT = ("2022-10-01", "2024-12-31")
LATER = ("2025-01-01", "2025-09-30")


@pytest.fixture(scope="module")
def records(request):
    from tests.conftest import shared_data_dir

    d = shared_data_dir()
    if d is None:
        pytest.skip("public data folder ../shared/data is absent (set SKYSHIELD_SHARED_DATA)")
    return d / "attacks" / "missile_attacks_daily.csv"


@pytest.fixture(scope="module")
def fitted(records):
    data = read_daily_counts(records, *FIT)
    return data, fit_generator(data)


def _simulated(gen, pf, rng, n=200):
    draws = [gen.sample_days(rng, pf.days, pf.period) for _ in range(n)]
    sims = [period_stats(["2000-01-01"] * pf.days, x)["2000-Q1"] for x in draws]
    out = {k: np.mean([s[k] for s in sims], axis=0) for k in ("mean", "dispersion", "mix")}
    pooled = np.concatenate(draws)
    out["pooled_dispersion"] = pooled.var(axis=0, ddof=1) / np.maximum(pooled.mean(axis=0), 1e-12)
    return out


def test_quiet_days_are_days_of_the_span_without_records(fitted):
    data, _ = fitted
    assert data.days[0] == FIT[0] and data.days[-1] == FIT[1]
    assert len(data.days) == 823 and (data.counts.sum(axis=1) == 0).any()


def test_generator_reproduces_mean_dispersion_and_mix_by_period_in_sample(fitted):
    data, gen = fitted
    obs = period_stats(data.days, data.counts)
    rng = np.random.default_rng(20240601)
    for pf in gen.periods:
        o, s = obs[pf.period], _simulated(gen, pf, rng)
        active = o["mean"] >= 0.1
        np.testing.assert_allclose(s["mean"], o["mean"], rtol=0.10, atol=0.02, err_msg=pf.period)
        np.testing.assert_allclose(s["pooled_dispersion"][active], o["dispersion"][active], rtol=0.10, err_msg=pf.period)
        np.testing.assert_allclose(s["dispersion"][active], o["dispersion"][active], rtol=0.35, err_msg=pf.period)
        np.testing.assert_allclose(s["mix"], o["mix"], atol=0.03, err_msg=pf.period)


def test_analytic_moments_of_a_class_fit_are_those_of_the_samples():
    f = ClassFit(p_active=0.4, mean_active=20.0, var_active=300.0)
    x = f.sample(np.random.default_rng(1), 400_000)
    assert abs(x.mean() - f.mean) < 0.01 * f.mean and abs(x.var() - f.var) < 0.03 * f.var
    assert x.min() == 0 and (x[x > 0] >= 1).all()


def test_out_of_sample_error_is_reported_and_larger_than_in_sample(records, fitted):
    data, gen = fitted
    later = read_daily_counts(records, *LATER)
    last = gen.period("2024-Q4")
    pred = np.array([last.classes[c].mean for c in CLASSES])
    obs_in = period_stats(data.days, data.counts)["2024-Q4"]["mean"]
    # In sample the fitted mean is the observed one (a method-of-moments fit): zero error by
    # construction, so it is checked as an identity of the fit, not compared with anything.
    np.testing.assert_allclose(pred, obs_in, rtol=1e-9)
    errs = {}
    for p, o in period_stats(later.days, later.counts).items():
        errs[p] = np.abs(pred - o["mean"]) / o["mean"]
        print(f"out of sample {p}: observed mean/day {np.round(o['mean'], 1)} vs predicted {np.round(pred, 1)}")
    # Out of sample the persistence forecast misses the growth of drone raids: relative error
    # of the drone mean above 30 % in every later quarter and above 50 % by 2025-Q3
    # (docs/campaign.md: a factor 1.8 to 2.6). Mutant killed: a fit that reads the later data.
    drone = CLASSES.index("drone")
    assert all(e[drone] > 0.3 for e in errs.values()), errs
    assert errs["2025-Q3"][drone] > 0.5
    assert 1.5 < period_stats(later.days, later.counts)["2025-Q3"]["mean"][0] / pred[0] < 4.0  # drones grew


def test_saved_generator_round_trips_with_its_provenance(fitted, tmp_path):
    _, gen = fitted
    p = tmp_path / "gen.yaml"
    gen.save(p)
    back = RaidGenerator.load(p)
    assert back.periods == gen.periods and back.provenance["span"] == list(FIT)
    rng1, rng2 = np.random.default_rng(3), np.random.default_rng(3)
    assert (back.sample_days(rng1, 30) == gen.sample_days(rng2, 30)).all()


def test_the_packaged_generator_is_the_fit_of_the_public_records_it_names(records):
    from skyshield.campaign.generator import ATTRIBUTION, DEFAULT_FIT_SPAN, default_generator, fit_records
    from skyshield.campaign.records import file_sha256

    shipped = default_generator()
    prov = shipped.provenance
    assert prov["fit_period"] == list(DEFAULT_FIT_SPAN) and prov["attribution"] == ATTRIBUTION
    assert {"source_file", "sha256", "fit_date", "package_version"} <= set(prov)
    if file_sha256(records) != prov["sha256"]:
        pytest.skip("the shared records file is not the one the packaged generator was fitted to")
    refit = fit_records(records, *DEFAULT_FIT_SPAN)
    assert [p.period for p in shipped.periods] == [p.period for p in refit.periods]
    assert [p.period for p in shipped.periods][0] == "2022-Q4" and shipped.periods[-1].period == "2025-Q3"
    for a, b in zip(shipped.periods, refit.periods):
        assert a == b, a.period  # every fitted parameter, exactly (YAML floats round-trip)
