"""The compiled picture scoring against PictureScore.add (kd-trees and the GOSPA function)."""

from __future__ import annotations

import numpy as np

import skyshield.engine  # noqa: F401  (picture.metrics is imported through the engine: import order)
from skyshield.picture.metrics import PictureScore, score_many
from skyshield.tracking import gospa


def test_score_many_counts_what_picture_score_add_counts() -> None:
    rng = np.random.default_rng(8)
    est, truth, es, ts = [], [], [0], [0]
    ref = PictureScore(c_m=10_000.0)
    for g in range(60):
        n = int(rng.integers(0, 40)) if g % 7 else 0  # some times without threats
        m = int(rng.integers(0, 50)) if g % 5 else 0  # ... or without tracks
        y = rng.uniform(-1e5, 1e5, size=(n, 2))
        # tracks near threats (some doubled), and false tracks anywhere
        near = y[rng.integers(0, max(n, 1), m)] + rng.normal(size=(m, 2)) * 4000 if n else np.zeros((m, 2))
        far = rng.random(m) < 0.3
        x = np.where(far[:, None], rng.uniform(-1e5, 1e5, size=(m, 2)), near)
        ref.add(x, y)
        est.append(x), truth.append(y), es.append(es[-1] + m), ts.append(ts[-1] + n)
    out = score_many(np.concatenate(est), np.array(es), np.concatenate(truth), np.array(ts), 10_000.0)
    got = PictureScore(c_m=10_000.0)
    got.add_many(*out.T)
    assert got.n == ref.n == 60
    for f in ("truth", "held", "tracks", "on_truth"):
        assert getattr(got, f) == getattr(ref, f)
    np.testing.assert_allclose(got.gospa_sum, ref.gospa_sum, rtol=1e-12)
    np.testing.assert_allclose(got.err_sum, ref.err_sum, rtol=1e-12)
    # per time too, GOSPA against the reference function
    for g in range(60):
        d = gospa(est[g], truth[g], c=10_000.0, p=1.0, alpha=2.0).distance
        np.testing.assert_allclose(out[g, 0], d, rtol=1e-12)
    # not vacuous: held and missed threats, on-threat and false tracks
    assert 0 < ref.held < ref.truth and 0 < ref.on_truth < ref.tracks
