"""Campaigns use the exposure by geometry: a campaign's fire on allied aircraft, nights with fire
and losses are the per-night exposure of :mod:`skyshield.policy.exposure` summed over the nights
(a CAP pair near Belarus on a hand-built scenario, adversary responses switched off so that
exposure is the only channel, no tension so that every night has the same hazard)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skyshield.campaign import CampaignSettings, ClassFit, PeriodFit, RaidGenerator, run_campaign

from ..policy.hand_built import NEAR_BELARUS, Night, cap, catalog, scenario, scenario_params

DAYS = 5
CAMPAIGNS = 20
# 0.2 per unit-hour inside a reference envelope: the CAP (a quarter of its orbit inside the Gomel
# S-400 envelope against fighters) is fired upon about 0.3 times a night.
ESC = {"exposure_fire_rate_per_h": 0.2, "response_rate_deliberate": 0.0, "response_rate_inadvertent": 0.0,
       "response_rate_accidental": 0.0, "tension_gain": 0.0}


def _gen() -> RaidGenerator:
    # a small drone raid every night (p_active 1), nothing else
    cf = {"drone": ClassFit(1.0, 6.0, 8.0), "cruise": ClassFit(0.0, 1.0, 1.0), "ballistic": ClassFit(0.0, 1.0, 1.0)}
    return RaidGenerator((PeriodFit("test", 92, cf, 0.0),), {"span": ["test"]})


@pytest.fixture(scope="module")
def one_night():
    """The closed-form exposure of one night of the CAP (the engine's escalate phase)."""
    m = Night(scenario_params([cap("c", NEAR_BELARUS, sorties=4)], ESC)).escalate(0).metrics
    return m["exposure_hazard"], m["exposure_expected_losses"]


@pytest.fixture(scope="module")
def campaigns():
    sc = scenario([cap("c", NEAR_BELARUS, sorties=4)], ESC)
    return [run_campaign(sc, catalog(), "allied", _gen(), CampaignSettings(days=DAYS), seed=11, replication=r)
            for r in range(CAMPAIGNS)]


def test_a_campaigns_expected_fire_is_the_nights_geometric_exposure_summed(one_night, campaigns):
    h, loss = one_night
    assert 0.2 < h < 0.5 and 0.0 < loss < h  # the CAP is partly inside the Gomel envelope
    for c in campaigns:
        assert c["exposure_hazard"] == pytest.approx(DAYS * h, rel=1e-9)
        assert c["exposure_expected_losses"] == pytest.approx(DAYS * loss, rel=1e-9)


def test_fire_nights_with_fire_and_losses_over_a_campaign_match_the_summed_exposure(one_night, campaigns):
    h, loss = one_night
    n = CAMPAIGNS
    fired = np.array([c["allied_fired_upon"] for c in campaigns])
    nights = np.array([c["nights_fired_upon"] for c in campaigns])
    lost = np.array([c["allied_losses"] for c in campaigns])
    # Times fired upon: Poisson(DAYS h) per campaign; mean within 4 standard errors.
    assert abs(fired.mean() - DAYS * h) < 4 * math.sqrt(DAYS * h / n)
    # Nights with fire: Binomial(DAYS, 1 - exp(-h)) per campaign.
    p = -math.expm1(-h)
    assert abs(nights.mean() - DAYS * p) < 4 * math.sqrt(DAYS * p * (1 - p) / n)
    assert (nights <= fired).all() and (nights <= DAYS).all()
    # Losses: Poisson(DAYS x expected losses a night) (each engagement thins with its Pk).
    assert abs(lost.mean() - DAYS * loss) < 4 * math.sqrt(DAYS * loss / n) + 1e-9
    # Fire is rung 6: a campaign with fire reached direct engagement on those nights at least (the
    # rung is held into the next night after an adversary action), one without never did.
    assert all(c["nights_direct_engagement"] >= c["nights_fired_upon"] for c in campaigns)
    assert all(c["p_direct_engagement"] == float(c["allied_fired_upon"] > 0) for c in campaigns)
    # And the effect is there at all: some campaigns saw fire, and more than one in four.
    assert (fired > 0).mean() > 0.5
