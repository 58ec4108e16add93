"""Campaign magazines per side and per unit, on hand-built shooter tables.

The defended country holds one national stock per weapon type; each allied unit holds its
own magazine. Checked against stocks worked out by hand: a side's stocks do not move when the
other side's units (with the same weapon names) come or go, absent units hold nothing, aid
lands on the named types only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pytest

from skyshield.campaign.magazines import NATIONAL, Magazines, rounds_fired
from skyshield.engine.params import ALLIED, DEFENDED

PAC3, IRIS = "PAC-3 MSE", "IRIS-T SL"


@dataclass(frozen=True)
class Table:
    """The columns of :class:`skyshield.engine.params.Shooters` that magazines read."""

    ids: tuple[str, ...]
    side: np.ndarray  # (J,)
    slot_weapon: np.ndarray  # (J, S)
    slot_rounds: np.ndarray  # (J, S)
    reloads: np.ndarray  # (J,)
    weapon_names: tuple[str, ...]


def table(units: list[tuple[str, int, str, int, int]]) -> Table:
    """``(id, side, weapon, rounds per load, reloads)`` per unit, one slot each."""
    names = tuple(dict.fromkeys(u[2] for u in units))
    return Table(
        ids=tuple(u[0] for u in units),
        side=np.array([u[1] for u in units], np.int64),
        slot_weapon=np.array([[names.index(u[2])] for u in units], np.int64).reshape(-1, 1),
        slot_rounds=np.array([[u[3]] for u in units], np.int64).reshape(-1, 1),
        reloads=np.array([u[4] for u in units], np.int64),
        weapon_names=names,
    )


OWN = [("pat-1", DEFENDED, PAC3, 8, 1), ("pat-2", DEFENDED, PAC3, 8, 1), ("iris", DEFENDED, IRIS, 8, 0)]
ALLIES = [("us-pat#1", ALLIED, PAC3, 16, 0), ("us-pat#2", ALLIED, PAC3, 16, 0)]


def test_national_stock_starts_at_stock_nights_of_the_own_loads_whatever_the_allies_bring():
    for units in (OWN, OWN + ALLIES):
        m = Magazines(stock_nights=5.0)
        m.arrive(table(units))
        assert m.stock_of(DEFENDED, PAC3) == 5 * (16 + 16)  # two batteries, 8 a load, one reload
        assert m.stock_of(DEFENDED, IRIS) == 5 * 8
    assert m.stock_of(ALLIED, PAC3) == 5 * 32  # each allied unit its own 80
    assert m.pools[(ALLIED, "us-pat#1", PAC3)].stock == 80 and (DEFENDED, NATIONAL, PAC3) in m.pools


def test_a_sides_stocks_and_days_of_defence_are_unchanged_by_the_other_sides_presence():
    own_fire = {("pat-1", PAC3): 6.0, ("pat-2", PAC3): 4.0, ("iris", IRIS): 3.0}
    runs = {}
    for label, units, fire in (("alone", OWN, own_fire),
                               ("with allies", OWN + ALLIES, {**own_fire, ("us-pat#1", PAC3): 9.0})):
        m = Magazines(stock_nights=5.0, resupply={PAC3: 1.0}, resupply_fraction=0.1)
        t = table(units)
        for _ in range(8):
            m.arrive(t)
            m.night(t, fire)
        runs[label] = m
    a, b = runs["alone"], runs["with allies"]
    # By hand: 160 PAC-3 less 8 nights x (10 fired - 1 resupplied) = 88; 14-night window holds 8.
    assert a.stock_of(DEFENDED, PAC3) == b.stock_of(DEFENDED, PAC3) == 160 - 8 * 9
    assert a.days_remaining()[0] == b.days_remaining()[0]
    assert a.days_remaining()[0][PAC3] == pytest.approx(88 / 9)
    # IRIS-T: 40 less 8 x (3 - 0.1 x 40) -> not falling (resupply 4 a day > 3 fired): capped.
    assert a.days_remaining()[0][IRIS] == 3650.0
    # The allies' own: unit 1 fires 9 a night from 80 with 8 a day back, unit 2 idle (80 + 8 x 8).
    allied = b.days_remaining()[1]
    assert a.days_remaining()[1] == {}
    assert b.pools[(ALLIED, "us-pat#1", PAC3)].stock == 80 - 8 * (9 - 8)
    assert b.pools[(ALLIED, "us-pat#2", PAC3)].stock == 80 + 8 * 8
    assert allied[PAC3] == 3650.0  # the idle unit's resupply outpaces unit 1's net draw of 1 a night


def test_allied_days_of_defence_add_up_the_allied_magazines():
    m = Magazines(stock_nights=2.0)
    t = table(OWN + ALLIES)
    for _ in range(3):
        m.arrive(t)
        m.night(t, {("us-pat#1", PAC3): 10.0, ("us-pat#2", PAC3): 6.0, ("pat-1", PAC3): 2.0})
    # Allied: 2 x 32 = 64 less 3 x 16 = 16 left, drawn at 16 a night -> one day; own: 64 - 6 = 58 at 2 a night.
    own, allied = m.days_remaining()
    assert allied[PAC3] == pytest.approx(16 / 16) and own[PAC3] == pytest.approx(58 / 2)


def test_absent_units_hold_no_stock_until_they_arrive_and_then_bring_their_own():
    m = Magazines(stock_nights=3.0)
    home = table(OWN)
    for _ in range(4):  # allied units and a transferred unit absent: nothing held for them
        m.arrive(home)
        m.night(home, {})
    assert m.stock_of(ALLIED, PAC3) == 0 and not any(p.side == ALLIED for p in m.pools.values())
    assert m.days_remaining()[1] == {}
    before = m.stock_of(DEFENDED, PAC3)
    # A transferred Patriot battery (side DEFENDED) and the allies arrive on night 5.
    full = table(OWN + ALLIES + [("xfer", DEFENDED, PAC3, 4, 1)])
    m.arrive(full)
    assert m.stock_of(DEFENDED, PAC3) == before + 3 * 8  # joins the national stock with its own
    assert m.stock_of(ALLIED, PAC3) == 2 * 3 * 16
    m.arrive(full)  # a unit brings its stock once
    assert m.stock_of(DEFENDED, PAC3) == before + 3 * 8


def test_an_allied_magazine_is_frozen_while_its_unit_is_away_and_a_national_stock_is_not():
    m = Magazines(stock_nights=1.0, resupply_fraction=0.5)
    both = table(OWN + ALLIES[:1])
    m.arrive(both)
    m.night(both, {("us-pat#1", PAC3): 10.0})
    allied_after = m.pools[(ALLIED, "us-pat#1", PAC3)].stock  # 16 - 10 + 8
    own_after = m.stock_of(DEFENDED, PAC3)  # 32 + 16
    home = table(OWN)
    for _ in range(3):
        m.night(home, {})
    assert allied_after == 14 and m.pools[(ALLIED, "us-pat#1", PAC3)].stock == 14
    assert m.pools[(ALLIED, "us-pat#1", PAC3)].history == [10.0]
    assert m.stock_of(DEFENDED, PAC3) == own_after + 3 * 16


def test_aid_raises_the_named_type_of_the_defended_country_only():
    m = Magazines(stock_nights=1.0)
    t = table(OWN + ALLIES)
    m.arrive(t)
    before = {(s, w): m.stock_of(s, w) for s in (DEFENDED, ALLIED) for w in (PAC3, IRIS)}
    m.night(t, {}, {PAC3: 50.0})
    after = {(s, w): m.stock_of(s, w) for s in (DEFENDED, ALLIED) for w in (PAC3, IRIS)}
    assert after[(DEFENDED, PAC3)] - before[(DEFENDED, PAC3)] == 50
    assert after[(DEFENDED, IRIS)] == before[(DEFENDED, IRIS)]
    assert after[(ALLIED, PAC3)] == before[(ALLIED, PAC3)]


def test_loads_are_cut_to_what_each_holders_stock_allows():
    m = Magazines(stock_nights=1.0)
    t = table(OWN + ALLIES)
    m.arrive(t)
    m.pools[(DEFENDED, NATIONAL, PAC3)].stock = 16.0  # half the two batteries' 32
    m.pools[(ALLIED, "us-pat#2", PAC3)].stock = 4.0  # a quarter of its 16
    r = m.scale_shooters(t).slot_rounds[:, 0]
    assert r.tolist() == [4, 4, 8, 16, 4]


def test_rounds_fired_counts_engage_rows_by_unit_and_weapon():
    ev = pa.table({"kind": ["engage", "kill", "engage", "engage", "leak"],
                   "shooter": ["a", "a", "a", "b", None],
                   "weapon": [PAC3, None, PAC3, IRIS, None],
                   "interceptors": [2, None, 1, 3, None]})
    assert rounds_fired(ev) == {("a", PAC3): 3.0, ("b", IRIS): 3.0}
