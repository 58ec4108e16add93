r"""Redeployment freed by allied cover: where the defended country moves its movable units.

The public case for an allied umbrella is that allied cover of the west lets the defended
country move its own batteries east. A scenario marks the movable units (``movable:`` on a
force: relocation time and candidate assets, city or region level); for each option the
units are allocated, before the night, to maximise the expected damage their cover avoids,
given the cover the option's allied forces already give.

**Cover model.** A shooter row :math:`j` covers asset :math:`a` when the asset's centre is
within its reach against drones and cruise missiles (its largest envelope against those
classes, plus the relocation reach of a mobile unit; a fighter's reach is its commit radius)
and, for an allied shooter, its rules of engagement allow an intercept over the asset's zone
and the asset is outside its stand-off keep-out (:mod:`skyshield.engage.standoff`). Each cover
is a layer with a kill probability :math:`p_j` (its best against those classes); layers are
independent, so the asset's protection is :math:`f(D_a) = 1 - e^{-D_a}` with the depth
:math:`D_a = \sum_j -\ln(1 - p_j)` over the layers that cover it. The weight of an asset is
its expected damage if undefended,

.. math::

    E_a = V_a \sum_g n_g \, w_{g,a} \, q_g,

with :math:`V_a` its value, :math:`n_g` the threats of raid group :math:`g`, :math:`w_{g,a}`
the group's aim weight on the asset and :math:`q_g` its type's damage probability times
damage fraction (warhead types only): the defender is taken to know the adversary's aim
pattern in expectation (as from past nights), not the night's draw.

**Allocation** (a mixed-integer linear programme solved by HiGHS through
:func:`scipy.optimize.milp`): binary :math:`x_{u,s}` puts movable unit :math:`u` at candidate
site :math:`s` (its own site or a candidate asset's centre), one site per unit, and

.. math::

    \max \sum_a E_a\, y_a - \epsilon \sum_{u,\ s \ne \text{home}} x_{u,s}
    \quad\text{s.t.}\quad
    y_a \le f(D_k) + f'(D_k)\,\Big(B_a + \sum_{u,s} c_{u,s,a}\, d_u\, x_{u,s} - D_k\Big)\ \ \forall k,

with :math:`B_a` the depth of the fixed layers (own and allied), :math:`d_u` the unit's
depth, :math:`c_{u,s,a}` whether the unit at site :math:`s` covers :math:`a`, and tangents of
the concave :math:`f` at breakpoints :math:`D_k` spaced :data:`BREAK_STEP` apart (so
:math:`y_a` is :math:`f(D_a)` to within :math:`\text{step}^2/8`). The small :math:`\epsilon`
keeps a unit at home when moving gains nothing. HiGHS is deterministic for a given problem,
and the problem is built in the scenario's order, so the allocation is the same on every run.

**Which units may move.** The scenario's laydown is the status quo, the defended country's
own judgement, which the model does not second-guess: a movable unit may leave its site only
when the option's allied forces cover every asset it covers there (it is *freed*); the others
stay (their only candidate is home). Under ``none`` no unit is freed and nothing moves. A freed
unit may still stay, when staying is worth most.

**What is reported.** The night is flown with the option's allocation; the reference is the
same option with every movable unit at home. ``protection_gain_from_redeployment`` is, on the
same raid (common random numbers), the expected damage of the reference night minus that of
the night flown: the damage avoided by the moves the allied cover made possible. It is split
between assets the allied forces cover and the others (the protection gained *elsewhere*).
When nothing moves the gain is exactly zero and the reference is not flown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, milp

from ..catalog import THREAT_CLASSES
from ..engage.roe import roe_allows
from ..engage.standoff import inside_keepout
from ..geo import great_circle_distance_m
from .params import ALLIED, EngineParams

__all__ = ["Move", "Redeployment", "BREAK_STEP", "EPSILON", "cover_layers", "undefended_damage_usd", "allocate", "gain_metrics",
           "REDEPLOYMENT_METRIC_DOCS"]

BREAK_STEP = 0.1
"""Spacing of the tangent breakpoints of :math:`f(D) = 1 - e^{-D}` (depth units)."""
EPSILON = 1e-6
"""Cost of one move, as a share of the largest asset weight: a tie-breaker toward staying."""
_CLASSES = tuple(THREAT_CLASSES.index(c) for c in ("drone", "cruise"))

REDEPLOYMENT_METRIC_DOCS = {
    "protection_gain_from_redeployment": "USD: expected damage avoided by the moves the option's allied cover "
    "made possible (same raid flown with every movable unit at home, minus with the option's allocation)",
    "protection_gain_from_redeployment_allied_covered": "USD: the same, on assets the option's allied forces cover",
    "protection_gain_from_redeployment_elsewhere": "USD: the same, on assets no allied force of the option covers",
    "units_redeployed": "movable units moved away from their own site under the option",
}


@dataclass(frozen=True)
class Move:
    """A movable unit's place: its own site (``to == "home"``) or a candidate asset's centre."""

    force_id: str
    to: str
    lonlat: tuple[float, float]


@dataclass(frozen=True)
class Redeployment:
    """The option's allocation of the movable units, and the reference (every unit at home)."""

    moves: tuple[Move, ...]  # every movable unit's place under the option
    reference_moves: tuple[Move, ...]  # every movable unit at home
    reference: EngineParams | None  # the option's forces with every movable unit at home; None if nothing moves
    allied_covered: NDArray[np.bool_]  # (A,) assets some allied force of the option covers
    objective_usd: float  # model value of the option's allocation (expected damage avoided)
    reference_objective_usd: float  # the model value of every unit at home under the option's cover
    freed: tuple[str, ...] = ()  # movable units the option's allied cover frees (the only ones that may move)

    @property
    def moved(self) -> tuple[Move, ...]:
        """Units placed differently from the reference."""
        ref = {m.force_id: m.to for m in self.reference_moves}
        return tuple(m for m in self.moves if ref.get(m.force_id) != m.to)


def undefended_damage_usd(params: EngineParams) -> NDArray[np.float64]:
    """:math:`E_a`: each asset's expected damage if every warhead threat aimed at it arrived."""
    tt = params.threat_types
    out = np.zeros(len(params.assets.ids))
    for g in params.raid:
        q = tt.p_damage[g.type_index] * tt.damage_fraction[g.type_index] * float(tt.warhead[g.type_index])
        np.add.at(out, g.target_index, g.count * g.target_weight * q)
    return out * params.assets.value_usd


def cover_layers(params: EngineParams, lonlat: NDArray[np.float64] | None = None,
                 rows: NDArray[np.int64] | None = None) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """``(covers (J, A), depth (J,))`` of shooter ``rows`` (all by default), at their sites or at
    ``lonlat`` ((J, 2), for a unit placed elsewhere)."""
    sh = params.shooters
    rows = np.arange(len(sh.ids)) if rows is None else np.asarray(rows)
    ll = sh.lonlat[rows] if lonlat is None else np.asarray(lonlat, float).reshape(-1, 2)
    cls = list(_CLASSES)
    reach = sh.max_range_m[rows][:, cls].max(axis=1) + sh.mobile_reach_m[rows]
    pk = np.clip(sh.pk[rows][:, cls].max(axis=1), 0.0, 0.99)
    a_ll = params.assets.lonlat
    d = great_circle_distance_m(ll[:, None, 0], ll[:, None, 1], a_ll[None, :, 0], a_ll[None, :, 1])
    covers = (np.asarray(d) <= reach[:, None]) & (pk[:, None] > 0)
    a_zone = params.theatre.classify(a_ll[:, 0], a_ll[:, 1]).astype(np.int64)
    allied = sh.side[rows] == ALLIED
    if allied.any():
        ok, _ = roe_allows(sh.roe[rows][allied, None], sh.zone[rows][allied, None], a_zone[None, :],
                           a_zone[None, :], False)
        covers[allied] &= ok
        rule_of = getattr(sh, "standoff", np.zeros(0, np.int64))
        for k, rule in enumerate(getattr(params, "standoffs", ())):
            sel = allied & (rule_of[rows] == k) if rule_of.size else np.zeros(rows.size, bool)
            if sel.any():
                covers[sel] &= ~inside_keepout(params.theatre, rule, a_ll[:, 0], a_ll[:, 1])[None, :]
    return covers, -np.log1p(-pk)


def allocate(weight_usd: NDArray[np.float64], base_depth: NDArray[np.float64], unit_depth: NDArray[np.float64],
             covers: list[NDArray[np.bool_]], home: NDArray[np.int64] | None = None) -> tuple[NDArray[np.int64], float]:
    r"""Site index chosen for each movable unit, and the objective (expected damage avoided).

    ``covers[u]`` is ``(S_u, A)``: whether unit ``u`` at each of its candidate sites covers each
    asset; ``home[u]`` its own site's index (default 0). See the module docstring.
    """
    U = len(covers)
    A = weight_usd.size
    home = np.zeros(U, np.int64) if home is None else np.asarray(home)
    sizes = np.array([c.shape[0] for c in covers], dtype=np.int64)
    off = np.r_[0, np.cumsum(sizes)]
    X = int(off[-1])
    n = X + A  # x_{u,s}, then y_a
    d_max = float(base_depth.max(initial=0.0) + unit_depth.sum())
    brk = np.arange(0.0, d_max + BREAK_STEP, BREAK_STEP)
    f, fp = 1.0 - np.exp(-brk), np.exp(-brk)
    # Depth added to asset a by x: G[a, x] = c_{u,s,a} d_u.
    G = np.zeros((A, X))
    for u, c in enumerate(covers):
        G[:, off[u]:off[u + 1]] = c.T * unit_depth[u]
    K = brk.size
    # y_a - fp_k * G[a] x <= f_k + fp_k (B_a - D_k)
    rows_t = np.zeros((K * A, n))
    rows_t[:, :X] = -(fp[:, None, None] * G[None, :, :]).reshape(K * A, X)
    rows_t[np.arange(K * A), X + np.tile(np.arange(A), K)] = 1.0
    ub_t = (f[:, None] + fp[:, None] * (base_depth[None, :] - brk[:, None])).reshape(-1)
    one = np.zeros((U, n))
    for u in range(U):
        one[u, off[u]:off[u + 1]] = 1.0
    scale = float(weight_usd.max(initial=0.0)) or 1.0
    c = np.zeros(n)
    c[X:] = -weight_usd / scale
    move = np.ones(X)
    move[off[:-1] + home] = 0.0
    c[:X] = EPSILON * move
    res = milp(c, constraints=[LinearConstraint(rows_t, -np.inf, ub_t), LinearConstraint(one, 1.0, 1.0)],
               integrality=np.r_[np.ones(X), np.zeros(A)], bounds=Bounds(np.zeros(n), np.r_[np.ones(X), np.ones(A)]),
               options={"presolve": True})
    if res.x is None:
        raise RuntimeError(f"redeployment allocation failed: {res.message}")
    x = np.round(res.x[:X]).astype(np.int64)
    choice = np.array([int(np.argmax(x[off[u]:off[u + 1]])) for u in range(U)], dtype=np.int64)
    value = float(np.dot(weight_usd, 1.0 - np.exp(-(base_depth + G @ x))))
    return choice, value


def gain_metrics(red: Redeployment, moved_metrics: dict, reference_metrics: dict | None, asset_ids) -> dict[str, float]:
    """The redeployment metrics of one replication (see :data:`REDEPLOYMENT_METRIC_DOCS`)."""
    out = {k: 0.0 for k in REDEPLOYMENT_METRIC_DOCS}
    out["units_redeployed"] = float(len(red.moved))
    if reference_metrics is None:
        return out
    from .assess import asset_key

    key = "asset_{}_expected_damage_usd"
    diff = np.array([reference_metrics.get(key.format(asset_key(a)), 0.0)
                     - moved_metrics.get(key.format(asset_key(a)), 0.0) for a in asset_ids])
    out["protection_gain_from_redeployment"] = float(reference_metrics["expected_damage_usd"]
                                                     - moved_metrics["expected_damage_usd"])
    out["protection_gain_from_redeployment_allied_covered"] = float(diff[red.allied_covered].sum())
    out["protection_gain_from_redeployment_elsewhere"] = float(diff[~red.allied_covered].sum())
    return out
