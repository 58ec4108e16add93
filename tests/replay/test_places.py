"""The mapping from record text to places, on the strings that occur in the public records."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

import pytest
from pydantic import ValidationError

from skyshield.documents.yamlio import load_yaml
from skyshield.replay.places import PLACES_FILE, Places, load_places, split_parts
from skyshield.replay.records import NATIONAL_SOURCES

# Launch-place texts as they occur in the records (national sources), with the areas they name.
LAUNCH_TEXTS = {
    "Primorsko-Akhtarsk and Chauda, Crimea and Kursk oblast and Oryol oblast and Millerovo":
        ("primorsko-akhtarsk", "chauda", "kursk-oblast", "oryol-oblast", "millerovo"),
    "Hvardiiske, Crimea": ("hvardiiske",),
    "Hvardiiske": ("hvardiiske",),
    "Crimea": ("crimea",),
    "Black Sea": ("black-sea",),
    "Black Sea, Yalta": ("black-sea-yalta",),
    "Caspian Sea, Saratov oblast": ("saratov-oblast",),
    "Caspian Sea, Engels-2": ("engels",),
    "Zaporizhzhia oblast, Prymorsk": ("prymorsk",),
    "Bryansk oblast, Seshcha": ("seshcha",),
    "Astrakhan oblast, Kapustin Yar": ("kapustin-yar",),
    "eastern coast of Sea of Azov": ("primorsko-akhtarsk",),
    "Sea of Azov": ("sea-of-azov",),
    "Belgorod oblast and Mariupol direction": ("belgorod-oblast", "occupied-donetsk"),
    "Volgograd oblast and Caspian Sea": ("volgograd-oblast", "caspian-sea"),
    "and Shatalovo": ("shatalovo",),  # a stray leading "and" in one record
    "south-east": ("primorsko-akhtarsk", "millerovo", "occupied-donetsk"),
    "north": ("bryansk-oblast", "kursk-oblast"),
    "Olenya": ("olenya",),
    "Belarus": ("belarus",),
}

# Target-like texts (target, target_main, affected region, destroyed_details keys).
TARGET_TEXTS = {
    "Ukraine": (),
    "Kursk oblast": (),  # the adversary's own territory (2024): says nothing about aims
    "Kyiv": ("kyiv-city",),
    "Kyiv oblast": ("kyiv-oblast",),
    "Kyiv oblast (south)": ("kyiv-oblast",),
    "Dnipropetrovsk oblast, Dnipro Raion": ("dnipropetrovsk-oblast",),
    "Dnipropetrovsk oblas": ("dnipropetrovsk-oblast",),  # truncated in one record
    "Kryvyi Rih, Kharkiv, Vinnytsia": ("kharkiv-oblast", "dnipropetrovsk-oblast", "vinnytsia-oblast"),
    "Odesa oblast and Mykolaiv oblast and Kherson oblast ": ("odesa-oblast", "mykolaiv-oblast", "kherson-oblast"),
    "Odesa oblast, Black Sea": ("odesa-oblast",),
    "Snake Island": ("odesa-oblast",),
    "Starokostiantyniv": ("khmelnytskyi-oblast",),
    "Kremenchuk": ("poltava-oblast",),
    "Kramatorsk": ("donetsk-oblast",),
    "Lutsk": ("volyn-oblast",),
    "Kolomyia": ("ivano-frankivsk-oblast",),
    "north": ("chernihiv-oblast", "sumy-oblast"),
    "south": ("odesa-oblast", "mykolaiv-oblast", "kherson-oblast"),
    "front line": ("sumy-oblast", "kharkiv-oblast", "donetsk-oblast", "zaporizhzhia-oblast", "kherson-oblast",
                   "dnipropetrovsk-oblast"),
}


@pytest.mark.parametrize("text", list(LAUNCH_TEXTS))
def test_launch_place_texts_name_their_areas(text: str) -> None:
    ids, unmatched = load_places().launch_areas_in(text)
    assert ids == LAUNCH_TEXTS[text]
    assert unmatched == ()


@pytest.mark.parametrize("text", list(TARGET_TEXTS))
def test_target_texts_name_their_regions(text: str) -> None:
    ids, unmatched = load_places().regions_in(text)
    assert ids == TARGET_TEXTS[text]
    assert unmatched == ()


def test_unknown_text_is_reported_as_unmatched_not_guessed() -> None:
    p = load_places()
    assert p.launch_areas_in("Kursk oblast and Atlantis") == (("kursk-oblast",), ("Atlantis",))
    assert p.regions_in("Narnia and Sumy oblast") == (("sumy-oblast",), ("Narnia",))


def test_split_parts_cuts_at_and_in_any_case() -> None:
    assert split_parts("A and B AND c") == ["A", "B", "c"]
    assert split_parts("") == []


def test_front_line_regions_are_the_issue_list() -> None:
    p = load_places()
    front = {k for k, r in p.regions.items() if r.front_line}
    assert front == {"sumy-oblast", "kharkiv-oblast", "donetsk-oblast", "dnipropetrovsk-oblast",
                     "zaporizhzhia-oblast", "kherson-oblast"}


def _raw() -> dict:
    data, _ = load_yaml(PLACES_FILE)
    return data


def test_mapping_rejects_dangling_references() -> None:
    assert Places.model_validate(_raw()) == load_places()
    data = _raw()
    data["directions"] = {**data["directions"], "nowhere": ["atlantis-oblast"]}
    with pytest.raises(ValidationError, match="unknown regions"):
        Places.model_validate(data)
    data = _raw()
    data["default_launch_areas"] = {"shahed-136": ["atlantis"]}
    with pytest.raises(ValidationError, match="unknown launch areas"):
        Places.model_validate(data)


def _national_rows(shared: Path) -> list[dict[str, str]]:
    with open(shared / "attacks" / "missile_attacks_daily.csv", newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["source"].startswith(NATIONAL_SOURCES)]


def test_every_place_text_in_the_public_records_is_mapped(shared_data: Path) -> None:
    """Every launch place, target, affected region and destroyed-details key of the national
    rows names a known place (or says nothing about where, like ``Ukraine``)."""
    p = load_places()
    missing: set[str] = set()
    n_texts = 0
    for r in _national_rows(shared_data):
        missing.update(p.launch_areas_in(r["launch_place"])[1])
        for t in (r["target"], r["target_main"]):
            missing.update(p.regions_in(t)[1])
            n_texts += 1
        if r["affected region"].strip():
            for t in ast.literal_eval(r["affected region"]):
                missing.update(p.regions_in(t)[1])
                n_texts += 1
        if r["destroyed_details"].strip():
            for t in ast.literal_eval(r["destroyed_details"].replace("NaN", "None")):
                missing.update(p.regions_in(t)[1])
                n_texts += 1
    assert n_texts > 3000
    assert not missing, sorted(missing)


def test_a_part_that_says_nothing_about_where_is_skipped_and_the_rest_still_read():
    """"Ukraine" names the whole country (no information): it is skipped, and the parts after
    it are still matched. Mutant killed: the scan stopping at the first such part."""
    assert load_places().regions_in("Ukraine and Sumy oblast") == (("sumy-oblast",), ())
