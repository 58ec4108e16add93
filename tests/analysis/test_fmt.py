import math

import pytest

from skyshield.analysis.fmt import compact


@pytest.mark.parametrize(
    ("v", "kw", "out"),
    [
        (157_600_000, {}, "157.6M"),
        (2.5e9, {}, "2.50B"),
        (62_000, {}, "62k"),
        (6_200, {}, "6200"),
        (150.4, {}, "150"),
        (12.34, {}, "12.3"),
        (0.8512, {}, "0.85"),
        (157_600_000, {"significant": 3}, "158M"),
        (62_000, {"significant": 3}, "62k"),
        (0.8512, {"significant": 3}, "0.851"),
        (None, {}, "–"),
        (math.nan, {}, "–"),
        (-3.2e6, {}, "-3.2M"),
    ],
)
def test_compact_numbers(v, kw, out) -> None:
    assert compact(v, **kw) == out
