"""The laydown file is read as written: every site's system source, the allied altitudes and
orbit, the Pk edge ratio; and a Pk is refused only above 1.

Each test names the mistake it catches; each was checked by applying that mistake by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skyshield.policy.laydown import LAYDOWN_PATH, load_laydown


def test_the_builtin_laydown_is_read_field_by_field_as_written() -> None:
    # Mistakes caught: a system's source, the allied altitudes or orbit, or the Pk edge ratio
    # not read from the file (a default silently used instead).
    doc = yaml.safe_load(Path(LAYDOWN_PATH).read_text(encoding="utf-8"))
    lay = load_laydown()
    assert lay.version == str(doc["version"])
    assert lay.pk_edge_ratio == float(doc["pk_edge_ratio"]) != 1.0
    assert lay.altitude_fighter_m == float(doc["allied"]["altitude_m"]["fighter"])
    assert lay.altitude_aew_m == float(doc["allied"]["altitude_m"]["aew"])
    assert lay.orbit_radius_m == float(doc["allied"]["orbit_radius_m"])
    assert [e.id for e in lay.envelopes] == [s["id"] for s in doc["sites"]]
    for e, s in zip(lay.envelopes, doc["sites"]):
        sy = doc["systems"][s["system"]]
        assert e.source == sy["source"] != ""
        assert (e.pk_fighter, e.pk_aew) == (float(sy["pk"]["fighter"]), float(sy["pk"]["aew"]))


@pytest.mark.parametrize("pk,ok", [(1.0, True), (1.01, False), (1.5, False)])
def test_a_pk_of_one_is_accepted_and_any_pk_above_one_refused(tmp_path: Path, pk: float, ok: bool) -> None:
    # Mistakes caught: a Pk of exactly 1 refused, or Pks up to 2 let through.
    doc = yaml.safe_load(Path(LAYDOWN_PATH).read_text(encoding="utf-8"))
    name = doc["sites"][0]["system"]
    doc["systems"][name]["pk"]["fighter"] = pk
    f = tmp_path / "laydown.yaml"
    f.write_text(yaml.safe_dump(doc), encoding="utf-8")
    if ok:
        assert load_laydown(f).envelopes[0].pk_fighter == 1.0
    else:
        with pytest.raises(ValueError, match="pk must be at most 1"):
            load_laydown(f)
