"""Calibration files: parameter draws, ranges, round trip; the fit on synthetic nights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from skyshield.documents import ScenarioError
from skyshield.replay.fit import fit_exponent, fit_joint
from skyshield.replay.params import Calibration, Parameter, load_calibration, write_calibration


def _cal(**kw) -> Calibration:
    params = {
        "aim_exponent_drone": Parameter(value=0.4, samples=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), low=0, high=2,
                                        source="s"),
        "decoy_share": Parameter(value=0.4, samples=(0.31, 0.33, 0.35, 0.37, 0.39, 0.41, 0.43, 0.45), low=0, high=1,
                                 source="s"),
    }
    return Calibration(parameters=params, night_spread=kw.get("spread", {"drone": 0.02}))


def test_draws_use_every_sample_once_and_pair_parameters_differently() -> None:
    cal = _cal()
    draws = cal.draws()
    assert len(draws) == 8
    aims = sorted(d.aim_exponent["drone"] for d in draws)
    decoys = sorted(d.decoy_share for d in draws)
    assert aims == sorted(cal.parameters["aim_exponent_drone"].samples)
    assert decoys == sorted(cal.parameters["decoy_share"].samples)
    # not the same order for both parameters (a fixed permutation pairs them)
    order_a = [cal.parameters["aim_exponent_drone"].samples.index(d.aim_exponent["drone"]) for d in draws]
    order_d = [cal.parameters["decoy_share"].samples.index(d.decoy_share) for d in draws]
    assert order_a != order_d
    assert cal.draws() == draws  # no randomness
    c = cal.central()
    assert c.aim_exponent["drone"] == 0.4 and c.aim_exponent["cruise"] == 1.0 and c.decoy_share == 0.4


def test_a_calibration_file_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    """A refit (or an edit) writes the same path again: loading it must not give the old
    parameters from the cache (the sensitivity benchmark once pinned a parameter this way and
    silently replayed the fitted calibration six times)."""
    import os

    f = tmp_path / "cal.yaml"
    write_calibration(_cal(), f)
    first = load_calibration(f).parameters["aim_exponent_drone"].value
    text = f.read_text()
    st = f.stat()
    f.write_text(text.replace("value: 0.4", "value: 0.3", 1))  # the first: aim_exponent_drone; same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same time stamp (a coarse clock)
    assert first == 0.4 and load_calibration(f).parameters["aim_exponent_drone"].value == 0.3


def test_calibration_refuses_unknown_parameters_and_values_outside_their_range() -> None:
    with pytest.raises(ValidationError, match="unknown parameters"):
        Calibration(parameters={"pk_of_everything": Parameter(value=1, samples=(1,), low=0, high=1, source="s")})
    with pytest.raises(ValidationError, match="outside the range"):
        Parameter(value=0.5, samples=(0.5, 2.5), low=0, high=2, source="s")
    with pytest.raises(ValidationError):
        _cal(spread={"drone": 1.5})


def test_calibration_file_round_trips_and_bad_files_name_their_line(tmp_path: Path) -> None:
    cal = _cal()
    f = tmp_path / "cal.yaml"
    write_calibration(cal, f, header="# test")
    back = load_calibration(f)
    assert back.draws() == cal.draws() and back.night_spread == cal.night_spread
    bad = tmp_path / "bad.yaml"
    bad.write_text(f.read_text().replace("value: 0.4", "value: 7.5", 1))
    with pytest.raises(ScenarioError, match="bad.yaml:"):
        load_calibration(bad)


def test_built_in_calibration_file_is_valid_and_records_its_period() -> None:
    cal = load_calibration()
    assert set(cal.parameters) >= {"aim_exponent_drone", "aim_exponent_cruise", "decoy_share"}
    fo = cal.fitted_on
    assert fo["from"] < fo["to"] and fo["nights"]["drone"] >= 20


def test_fit_finds_the_exponent_that_made_the_reported_fractions() -> None:
    """Synthetic nights whose simulated mean falls linearly with the exponent at different
    rates; the records were made at exponent 0.6 plus noise: the fit lands near 0.6 and its
    bootstrap samples bracket it."""
    rng = np.random.default_rng(3)
    grid = (0.0, 0.5, 1.0, 1.5, 2.0)
    slope = rng.uniform(0.05, 0.3, 60)
    base = rng.uniform(0.6, 0.8, 60)
    sim = base[:, None] + slope[:, None] * np.array(grid)[None, :]
    reported = base + slope * 0.6 + rng.normal(0, 0.01, 60)
    value, samples, mae = fit_exponent(sim, reported, np.ones(60), grid, bootstrap=200, samples=8, key=1)
    assert value == pytest.approx(0.6, abs=0.06)
    assert min(samples) <= value <= max(samples)
    assert max(samples) - min(samples) < 0.3
    assert int(np.argmin(mae)) == 1  # of the grid values, 0.5 fits best


def test_joint_fit_finds_both_parameters_that_made_the_reported_fractions() -> None:
    """Synthetic nights whose simulated mean depends on two parameters, one acting on small
    nights (like the duty posture: its effect grows as the night shrinks) and one on every
    night; the records were made at (0.35, 1.2) plus noise. Each parameter alone is not
    identified from a night (both lower the fraction), only jointly across nights of different
    sizes: the joint fit lands near both, the bootstrap brackets them. On a bilinear surface
    the interpolation is exact, so the fitted pair is the least-absolute-error pair."""
    rng = np.random.default_rng(5)
    ga, gb = (0.0, 0.25, 0.5, 0.75, 1.0), (0.0, 0.5, 1.0, 1.5, 2.0)
    small = rng.uniform(0.0, 1.0, 80)  # 1 on the smallest night, 0 on a mass night
    base = rng.uniform(0.75, 0.9, 80)
    a, b = np.array(ga)[None, :, None], np.array(gb)[None, None, :]
    sim = base[:, None, None] - 0.3 * small[:, None, None] * a - 0.04 * b
    reported = base - 0.3 * small * 0.35 - 0.04 * 1.2 + rng.normal(0, 0.005, 80)
    (va, vb), (qa, qb), mae = fit_joint(sim, reported, np.ones(80), ga, gb, bootstrap=100, samples=8, key=2)
    assert va == pytest.approx(0.35, abs=0.03) and vb == pytest.approx(1.2, abs=0.15)
    assert min(qa) <= va <= max(qa) and min(qb) <= vb <= max(qb)
    assert mae.shape == (5, 5)
    i, j = np.unravel_index(int(np.argmin(mae)), mae.shape)
    assert (ga[i], gb[j]) in {(0.25, 1.0), (0.25, 1.5), (0.5, 1.0), (0.5, 1.5)}  # the grid points around it


def test_paired_parameters_keep_their_joint_draws_together() -> None:
    """Samples of a jointly fitted pair are joint draws (sample i of one goes with sample i of
    the other); every draw must take them with the same number, which the fixed pairing of
    unpaired parameters would not."""
    base = _cal()
    pair = {
        "posture_exponent": Parameter(value=0.8, samples=tuple(0.1 * i for i in range(8)), low=0, high=1, source="s"),
        "aim_exponent_drone": Parameter(value=0.4, samples=tuple(0.2 * i for i in range(8)), low=0, high=2,
                                        source="s"),
    }
    cal = base.model_copy(update={"parameters": {**base.parameters, **pair},
                                  "paired": (("aim_exponent_drone", "posture_exponent"),)})
    draws = cal.draws()
    assert {round(d.aim_exponent["drone"] / d.posture_exponent, 6) for d in draws if d.posture_exponent > 0} == {2.0}
    assert sorted(d.posture_exponent for d in draws) == pytest.approx([0.1 * i for i in range(8)])
    unpaired = base.model_copy(update={"parameters": {**base.parameters, **pair}}).draws()
    assert any(abs(d.aim_exponent["drone"] - 2 * d.posture_exponent) > 1e-9 for d in unpaired)
    with pytest.raises(ValidationError, match="paired"):
        Calibration(parameters={**base.parameters, **pair}, paired=(("aim_exponent_drone", "nonexistent"),))
