"""Over-the-horizon launch capacity: the recurrence against its closed forms, its monotonicity,
and its effect through the campaign loop on a small hand-built scenario.

Oracles: with a constant number of strikes :math:`n` a day the recurrence
:math:`c(d+1) = g + (1-g)(1-e)^n c(d)` has the fixed point :math:`g / (1 - (1-g)(1-e)^n)` and
the transient :math:`c^* + (1 - c^*)((1-g)(1-e)^n)^d`; with Poisson strikes the mean follows the
same law with :math:`e^{-\\phi s e}` in place of :math:`(1-e)^n`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from skyshield.campaign import CampaignSettings, ClassFit, PeriodFit, RaidGenerator, run_campaign
from skyshield.campaign.capacity import OTH_RANGES, LaunchCapacityModel
from skyshield.catalog import load_catalog
from skyshield.policy import OverTheHorizon
from skyshield.rng import Streams
from skyshield.scenario import parse_scenario

PRESET = LaunchCapacityModel.from_spec(OverTheHorizon())


def _model(s=0.5, phi=0.5, e=(0.02, 0.01), g=(0.05, 0.02)) -> LaunchCapacityModel:
    return LaunchCapacityModel.from_spec(OverTheHorizon(strikes_per_day=s, share_on_sites=phi, effect_on_sites=e[0],
                                                        effect_on_stocks=e[1], regeneration_sites=g[0],
                                                        regeneration_stocks=g[1]))


def test_constant_strikes_reach_the_closed_form_fixed_point_along_the_closed_form_path():
    m = _model(s=2.0, phi=0.5, e=(0.05, 0.03), g=(0.05, 0.02))
    n = m.rate  # one strike a day on each component
    q = (1 - m.effect) ** n
    star = m.regeneration / (1 - (1 - m.regeneration) * q)
    # By hand: sites 0.05 / (1 - 0.95 x 0.95) = 0.5128..., stocks 0.02 / (1 - 0.98 x 0.97) = 0.4032...
    np.testing.assert_allclose(star, [0.05 / 0.0975, 0.02 / 0.0494], rtol=1e-12)
    np.testing.assert_allclose(m.fixed_point(), star, rtol=1e-12)
    c = np.ones(2)
    for d in range(1, 400):
        c = m.step(c, n)
        np.testing.assert_allclose(c, star + (1 - star) * ((1 - m.regeneration) * q) ** d, rtol=1e-10)
    np.testing.assert_allclose(c, star, rtol=1e-6)
    # Direction and size: capacity falls to about a fifth of full (0.513 x 0.403 = 0.207).
    assert abs(np.prod(c) - 0.2068) < 1e-3


def test_the_mean_of_poisson_strike_campaigns_follows_the_closed_form():
    m = PRESET
    days, n_paths = 90, 20_000
    u = np.random.default_rng(20250701).random((n_paths, days, 2))
    k = m.strikes(u)
    c = np.ones((n_paths, 2))
    for d in range(days):
        c = m.step(c, k[:, d])
    kappa = c.prod(axis=1)
    se = kappa.std(ddof=1) / np.sqrt(n_paths)
    expected = m.mean_path(days)[-1]
    assert abs(kappa.mean() - expected) < 4 * se
    # Size, by hand: sites 0.9134 + 0.0866 x (0.95 e^-0.005)^90 = 0.9140, stocks
    # 0.8910 + 0.1090 x (0.98 e^-0.0025)^90 = 0.9051: the preset takes 17 % off in 90 days,
    # far beyond the noise.
    assert abs(expected - 0.8273) < 1e-3 and 1 - expected > 50 * se
    # And heads to the long-run mean product of the components' fixed points (0.814).
    np.testing.assert_allclose(m.mean_path(3000)[-1], np.prod(m.mean_fixed_point()), rtol=1e-9)
    assert abs(np.prod(m.mean_fixed_point()) - 0.8138) < 1e-3


def test_strike_counts_have_the_poisson_mean_and_never_fall_with_the_rate():
    u = np.random.default_rng(5).random((100_000, 2))
    lo, hi = _model(s=0.5), _model(s=1.5)
    n_lo, n_hi = lo.strikes(u), hi.strikes(u)
    np.testing.assert_allclose(n_lo.mean(axis=0), lo.rate, rtol=0.02)
    np.testing.assert_allclose(n_hi.mean(axis=0), hi.rate, rtol=0.02)
    assert (n_hi >= n_lo).all() and (n_hi > n_lo).any()
    assert (_model(s=0.0).strikes(u) == 0).all()


@settings(max_examples=60, deadline=None)
@given(s1=st.floats(0.0, 5.0), ds=st.floats(0.01, 5.0), e=st.floats(0.001, 0.5), g=st.floats(0.001, 0.5),
       phi=st.floats(0.05, 0.95))
def test_capacity_falls_as_the_strike_rate_rises_on_the_same_dice(s1, ds, e, g, phi):
    a, b = _model(s1, phi, (e, e), (g, g)), _model(s1 + ds, phi, (e, e), (g, g))
    assert (b.mean_fixed_point() < a.mean_fixed_point()).all()
    assert (b.fixed_point() < a.fixed_point()).all()
    u = np.random.default_rng(int(1e6 * s1) % 2**32).random((60, 2))
    ca, cb = np.ones(2), np.ones(2)
    for na, nb in zip(a.strikes(u), b.strikes(u)):
        ca, cb = a.step(ca, na), b.step(cb, nb)
        assert (cb <= ca + 1e-15).all()


@settings(max_examples=40, deadline=None)
@given(g1=st.floats(0.001, 0.5), dg=st.floats(0.01, 0.4), s=st.floats(0.1, 5.0))
def test_faster_regeneration_keeps_more_capacity(g1, dg, s):
    a, b = _model(s, 0.5, (0.05, 0.05), (g1, g1)), _model(s, 0.5, (0.05, 0.05), (g1 + dg, g1 + dg))
    assert (b.mean_fixed_point() > a.mean_fixed_point()).all()


def test_a_clause_cut_takes_its_share_of_capacity_then_regenerates():
    m = _model(s=0.0, g=(0.1, 0.1))
    c = m.step(np.ones(2), np.zeros(2), cut_sites=0.2)
    assert np.prod(c) == pytest.approx(0.1 + 0.9 * 0.8)  # 20 % cut, a tenth of the gap restored
    for _ in range(200):
        c = m.step(c, np.zeros(2))
    assert np.prod(c) == pytest.approx(1.0, abs=1e-8)


def test_preset_parameters_are_the_documented_defaults_and_ranges():
    from skyshield.options import resolve_option

    oth = resolve_option("over-the-horizon").over_the_horizon
    for f, (default, lo, hi, src) in OTH_RANGES.items():
        assert getattr(oth, f) == default == getattr(OverTheHorizon(), f) and lo < default < hi
        assert src in oth.source


# --- Through the campaign loop, on a small hand-built scenario -------------------------------

MINI = Path(__file__).resolve().parents[1] / "data" / "mini-scenario.yaml"


@pytest.fixture(scope="module")
def mini():
    cat = load_catalog()
    doc = yaml.safe_load(MINI.read_text())
    doc["id"] = "campaign-oth-test-v1"
    # Every day a sure strike (mean 1000) wipes the sites (effect 1), which regenerate half the gap.
    wipe = {"strikes_per_day": 1000.0, "share_on_sites": 1.0, "effect_on_sites": 1.0, "regeneration_sites": 0.5}
    doc["options"] = {
        "oth-isr": {"over_the_horizon": {"mode": "isr", **wipe}},
        "oth-stand-off": {"over_the_horizon": {"mode": "stand-off", **wipe}},
        "oth-idle": {"over_the_horizon": {"mode": "isr", "strikes_per_day": 0.0}},
    }
    return parse_scenario(doc, {}, "<test>", cat), cat


def _gen():
    cf = {"drone": ClassFit(1.0, 30.0, 60.0), "cruise": ClassFit(0.0, 0.0, 0.0), "ballistic": ClassFit(0.0, 0.0, 0.0)}
    return RaidGenerator((PeriodFit("2025-Q3", 92, cf, 0.0),), {"span": ["test"]})


def test_capacity_halves_launches_after_the_first_night_and_the_strike_rung_is_the_modes(mini):
    sc, cat = mini
    s = CampaignSettings(days=3)
    none = run_campaign(sc, cat, "none", _gen(), s, seed=4, replication=2)
    isr = run_campaign(sc, cat, "oth-isr", _gen(), s, seed=4, replication=2)
    stand_off = run_campaign(sc, cat, "oth-stand-off", _gen(), s, seed=4, replication=2)
    idle = run_campaign(sc, cat, "oth-idle", _gen(), s, seed=4, replication=2)
    # The nights' draws, from the generator's stream of replication 2 (common to every option).
    daily = _gen().sample_days(Streams(seed=4, replication=2).generator("campaign/raid"), 3)[:, 0]
    assert none["launched"] == daily.sum()
    # Night 1 at full capacity, then g = 0.5 of the wiped sites back every day.
    assert isr["launched"] == daily[0] + np.floor(daily[1] * 0.5) + np.floor(daily[2] * 0.5)
    assert isr["launch_capacity_final"] == 0.5 and isr["launch_capacity_mean"] == pytest.approx(2 / 3)
    assert isr["launched"] < none["launched"]
    # Escalation cost: targeting support (rung 2) or allied strikes on the adversary (rung 7);
    # no strike, no posture on the ladder.
    assert isr["max_rung"] == 2 and stand_off["max_rung"] == 7
    assert idle["max_rung"] == 0 and idle["launched"] == none["launched"] and idle["oth_strikes"] == 0
