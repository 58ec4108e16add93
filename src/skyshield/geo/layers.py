r"""The layers of a theatre's map: which polygon decides the zone of a point, in what order.

A point's zone is that of the first layer (in precedence order) that contains it; points in
no layer are sea. The layers, top to bottom:

1. **disputed areas** named by the scenario (:class:`DisputedArea`): a Natural Earth polygon
   (``PSX``, the West Bank and Gaza), land that no country polygon holds (``at`` a point in it:
   the Golan Heights, a hole in the German-view Natural Earth file) or a hand-drawn polygon,
   each counted as the zone the scenario says controls its airspace (:attr:`Zone.DISPUTED` if
   none);
2. the occupied part of the defended country; the defended country; allied countries;
   each **host nation** on its own (so that pieces of a track over two hosts stay apart:
   permissions are per host); the adversary; neutral countries;
3. Natural Earth polygons of indeterminate status not given a role (``PSX``, ``SAH``, ...):
   :attr:`Zone.DISPUTED`;
4. every other country's land (:attr:`Zone.OTHER`);
5. **slivers** between neighbours' separately simplified outlines (narrower than about
   3 km), each given to the layer that surrounds most of it (never to the sea);
6. **land holes**: land or inland water enclosed by the land of the theatre box but held by
   no country polygon, smaller than :data:`HOLE_MAX_KM2` (lakes and lagoons are internal
   waters, hence national airspace; the Golan Heights is land). A hole goes to the layer that
   holds at least :data:`HOLE_OWNER_SHARE` of its outline (a lake inside one country), else it
   is :attr:`Zone.DISPUTED` (unclaimed land between several countries). Larger enclosed water
   (the Black Sea once the Bosporus is closed, the Caspian) stays sea.

Each layer carries a *fine code*: its zone in the low four bits and, for a host nation, the
host's index plus one above them (:func:`fine_code`), so host-nation permissions can be judged
on the exact pieces of a track (:mod:`skyshield.geo.crossings`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from .zones import INLET_CLOSING_DEG, Zone, _country_shapes, country_geometry

if TYPE_CHECKING:  # pragma: no cover
    from .zones import Theatre

__all__ = [
    "DisputedArea",
    "HOLE_MAX_KM2",
    "HOLE_OWNER_SHARE",
    "INDETERMINATE_CODES",
    "ZONE_MASK",
    "HOST_SHIFT",
    "fine_code",
    "zone_of",
    "host_of",
    "land_holes",
    "theatre_geometries",
    "theatre_layers",
]

ZONE_MASK = 0xF
"""Low bits of a fine code: the :class:`Zone`."""
HOST_SHIFT = 4
"""A host nation's index plus one sits above the zone bits of a fine code."""
HOLE_MAX_KM2 = 20_000.0
"""Largest enclosed area counted as land or inland water (Lake Ladoga, the largest lake in the
eastern theatre, is about 17,700 km2; the Sea of Marmara, Turkish internal waters, 11,500 km2;
the Black Sea and the Caspian are hundreds of thousands)."""
HOLE_OWNER_SHARE = 2.0 / 3.0
"""Share of a hole's outline one layer must hold for the hole to be its (a lake inside one
country); below it the hole is unclaimed land, :attr:`Zone.DISPUTED`."""
INDETERMINATE_CODES = ("PSX", "SAH", "BRT", "BRI", "PGA", "SCR")
"""Natural Earth polygons whose ``TYPE`` is *Indeterminate* (Palestine, Western Sahara, Bir
Tawil, ...): :attr:`Zone.DISPUTED` unless the scenario gives them a role or a controller."""
_KM_PER_DEG = 111.32  # a degree of latitude; of longitude times cos(lat)


def fine_code(zone: Zone | int, host: int = -1) -> int:
    """Fine code of a layer: ``zone`` plus, for host nation ``host`` (0-based), ``host + 1``
    shifted above the zone bits."""
    return int(zone) | ((host + 1) << HOST_SHIFT if host >= 0 else 0)


def zone_of(fine: Any) -> Any:
    """Zone bits of fine codes (array or int)."""
    return np.asarray(fine) & ZONE_MASK if not isinstance(fine, int) else fine & ZONE_MASK


def host_of(fine: Any) -> Any:
    """Host index of fine codes (``-1`` where not over a host nation)."""
    return (np.asarray(fine) >> HOST_SHIFT) - 1 if not isinstance(fine, int) else (fine >> HOST_SHIFT) - 1


@dataclass(frozen=True)
class DisputedArea:
    """An area whose sovereignty is disputed, and who controls its airspace in the scenario.

    Exactly one of ``country`` (a Natural Earth ``ADM0_A3`` code, e.g. ``"PSX"``), ``at`` (a
    ``(lon, lat)`` point inside land that no country polygon holds: that whole hole) or
    ``polygon`` (a ring of ``(lon, lat)`` vertices) gives its outline. ``control`` is the zone
    its airspace counts as (default :attr:`Zone.DISPUTED`).
    """

    id: str
    country: str | None = None
    at: tuple[float, float] | None = None
    polygon: tuple[tuple[float, float], ...] | None = None
    control: Zone = Zone.DISPUTED

    def __post_init__(self) -> None:
        given = [x is not None for x in (self.country, self.at, self.polygon)]
        if sum(given) != 1:
            raise ValueError(f"disputed area {self.id!r}: give exactly one of country, at or polygon")
        if self.at is not None:
            object.__setattr__(self, "at", (float(self.at[0]), float(self.at[1])))
        if self.polygon is not None:
            object.__setattr__(self, "polygon", tuple((float(x), float(y)) for x, y in self.polygon))
        object.__setattr__(self, "control", Zone(int(self.control)))


# --------------------------------------------------------------------------------------------
# Land of the box: every country, its closing, its holes
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def box_countries(bbox: tuple[float, float, float, float]) -> tuple[str, ...]:
    """Codes of every country with land inside the box (sorted)."""
    box = shapely.box(*bbox)
    return tuple(sorted(
        code for code, shp_list in _country_shapes().items()
        if any(shapely.intersects(shapely.box(*s.bbox), box) for s in shp_list)
        and not country_geometry(code, bbox).is_empty
    ))


@lru_cache(maxsize=8)
def land_in_bbox(bbox: tuple[float, float, float, float]) -> BaseGeometry:
    """Union of every country's land inside the box (processed as in country_geometry)."""
    return shapely.union_all([country_geometry(c, bbox) for c in box_countries(bbox)])


@lru_cache(maxsize=8)
def _closed_land(bbox: tuple[float, float, float, float]) -> BaseGeometry:
    land = land_in_bbox(bbox)
    return land.buffer(INLET_CLOSING_DEG, quad_segs=4).buffer(-INLET_CLOSING_DEG, quad_segs=4)


def _area_km2(geoms: np.ndarray) -> np.ndarray:
    """Approximate areas (km2) of lon/lat geometries: degrees squared times the local scale."""
    if geoms.size == 0:
        return np.zeros(0)
    lat = shapely.get_y(shapely.centroid(geoms))
    return shapely.area(geoms) * _KM_PER_DEG**2 * np.cos(np.radians(lat))


@lru_cache(maxsize=8)
def land_holes(bbox: tuple[float, float, float, float]) -> tuple[BaseGeometry, ...]:
    """Areas enclosed by the box's land but held by no country polygon, each below
    :data:`HOLE_MAX_KM2` (lakes, lagoons, and unclaimed land such as the Golan Heights in the
    German-view Natural Earth file)."""
    land = land_in_bbox(bbox)
    rings = [r for p in shapely.get_parts(land) for r in getattr(p, "interiors", ())]
    if not rings:
        return ()
    polys = shapely.polygons(rings)
    polys = polys[shapely.area(polys) > 1e-9]
    return tuple(polys[_area_km2(polys) < HOLE_MAX_KM2])


# --------------------------------------------------------------------------------------------
# Layers of one theatre
# --------------------------------------------------------------------------------------------

_GEOMETRIES: dict[Any, dict[tuple[str, int], BaseGeometry]] = {}
"""Built layers per theatre in this process, keyed ``(name, fine code)`` in precedence order.
A pickled theatre carries them along (``Theatre.__getstate__``)."""


def theatre_geometries(theatre: "Theatre") -> dict[tuple[str, int], BaseGeometry]:
    """Raw (overlapping) geometry of every layer, keyed ``(name, fine code)``, in precedence
    order (built once per theatre)."""
    geoms = _GEOMETRIES.get(theatre)
    if geoms is None:
        geoms = _GEOMETRIES[theatre] = _build(theatre)
    return geoms


def _disputed_geometry(d: DisputedArea, bbox) -> BaseGeometry:
    if d.country is not None:
        return country_geometry(d.country, bbox)
    if d.polygon is not None:
        return shapely.make_valid(shapely.clip_by_rect(shapely.Polygon(d.polygon), *bbox))
    pt = shapely.Point(*d.at)  # type: ignore[misc]
    for h in land_holes(bbox):
        if shapely.contains(h, pt):
            return h
    raise ValueError(f"disputed area {d.id!r}: the point {list(d.at)} is not in land that no country "  # type: ignore[arg-type]
                     "polygon holds; name a country code or draw a polygon instead")


def _build(th: "Theatre") -> dict[tuple[str, int], BaseGeometry]:
    bbox = th.bbox

    def union(codes) -> BaseGeometry:
        return shapely.union_all([country_geometry(c, bbox) for c in codes]) if codes else shapely.Polygon()

    defended = country_geometry(th.defended, bbox)
    listed = {th.defended, *th.allied, *th.adversary, *th.neutral, *th.hosts,
              *(d.country for d in th.disputed if d.country)}
    voters: list[tuple[tuple[str, int], BaseGeometry]] = [
        ((f"disputed:{d.id}", int(d.control)), _disputed_geometry(d, bbox)) for d in th.disputed
    ]
    voters += [(("defended", int(Zone.DEFENDED)), defended), (("allied", int(Zone.ALLIED)), union(th.allied))]
    voters += [((f"host:{c}", fine_code(Zone.HOST, k)), country_geometry(c, bbox)) for k, c in enumerate(th.hosts)]
    voters += [(("adversary", int(Zone.ADVERSARY)), union(th.adversary)),
               (("neutral", int(Zone.NEUTRAL)), union(th.neutral)),
               (("indeterminate", int(Zone.DISPUTED)),
                union([c for c in INDETERMINATE_CODES if c in box_countries(bbox) and c not in listed])),
               (("other", int(Zone.OTHER)), land_in_bbox(bbox))]
    voters = [(k, g) for k, g in voters if not g.is_empty]
    if th.occupied is not None and len(th.occupied) >= 3:
        ring = shapely.make_valid(shapely.Polygon(th.occupied))
        occupied = shapely.make_valid(shapely.intersection(ring, defended))
    else:
        ring, occupied = None, shapely.Polygon()

    land = land_in_bbox(bbox)
    gaps = shapely.get_parts(shapely.difference(_closed_land(bbox), land))
    gaps = gaps[shapely.area(gaps) > 1e-12]
    holes = np.array(land_holes(bbox), dtype=object)
    extra: dict[tuple[str, int], BaseGeometry] = {}
    for name, parts, share in (("gaps", gaps, 0.0), ("holes", holes, HOLE_OWNER_SHARE)):
        owner = _owners(parts, voters, share)
        for fine in np.unique(owner):
            mine = shapely.union_all(parts[owner == fine]) if (owner == fine).any() else shapely.Polygon()
            if int(fine) == int(Zone.DEFENDED) and ring is not None:  # slivers on occupied ground
                extra[(f"{name}:occupied", int(Zone.OCCUPIED))] = shapely.intersection(mine, ring)
                mine = shapely.difference(mine, ring)
            extra[(f"{name}:{int(fine)}", int(fine))] = mine
    layers = {k: g for k, g in voters if k[0].startswith("disputed:")}
    layers[("occupied", int(Zone.OCCUPIED))] = occupied
    layers.update({k: g for k, g in voters if not k[0].startswith("disputed:")})
    layers.update(extra)
    return {k: g for k, g in layers.items() if not g.is_empty}


def _owners(parts: np.ndarray, voters, min_share: float) -> np.ndarray:
    """Fine code of the layer that surrounds most of each part (sampled just outside its
    outline; ties to the layer of higher precedence). A part whose winner holds less than
    ``min_share`` of the samples is :attr:`Zone.DISPUTED`; never the sea."""
    if parts.size == 0:
        return np.zeros(0, np.int64)
    rings = shapely.get_exterior_ring(shapely.buffer(parts, 3e-4, quad_segs=2))
    xy, owner = shapely.get_coordinates(rings, return_index=True)
    code = np.full(owner.size, len(voters), dtype=np.int64)  # len(voters): sea
    todo = np.arange(owner.size)
    for k, (_, g) in enumerate(voters):
        if todo.size == 0:
            break
        hit = shapely.contains_xy(g, xy[todo, 0], xy[todo, 1])
        code[todo[hit]] = k
        todo = todo[~hit]
    votes = np.zeros((parts.size, len(voters) + 1))
    np.add.at(votes, (owner, code), 1.0)
    land_votes = votes[:, :-1].sum(axis=1)
    winner = np.argmax(votes[:, :-1], axis=1) if voters else np.zeros(parts.size, np.int64)
    share = votes[np.arange(parts.size), winner] / np.maximum(land_votes, 1.0)
    fine = np.array([voters[w][0][1] for w in winner], dtype=np.int64) if voters else np.zeros(parts.size, np.int64)
    return np.where((share >= min_share) & (land_votes > 0), fine, int(Zone.DISPUTED))


@lru_cache(maxsize=16)
def theatre_layers(theatre: "Theatre") -> tuple[tuple[int, BaseGeometry], ...]:
    """Prepared geometries with their fine codes, in precedence order (empty layers dropped)."""
    layers = []
    for (_, fine), geom in theatre_geometries(theatre).items():
        shapely.prepare(geom)
        layers.append((fine, geom))
    return tuple(layers)


@lru_cache(maxsize=64)
def zone_geometry(theatre: "Theatre", zone: Zone) -> BaseGeometry:
    """Area of ``zone`` inside the box, consistent with the precedence of the layers."""
    raw = theatre_geometries(theatre)
    if zone is Zone.SEA:
        return shapely.difference(shapely.box(*theatre.bbox), shapely.union_all(list(raw.values())))
    covered: list[BaseGeometry] = []
    parts = []
    for (_, fine), geom in raw.items():
        if zone_of(fine) == int(zone):
            above = shapely.union_all(covered) if covered else None
            parts.append(shapely.difference(geom, above) if above is not None else geom)
        covered.append(geom)
    return shapely.make_valid(shapely.union_all(parts)) if parts else shapely.Polygon()


def role_codes(theatre: "Theatre") -> dict[int, tuple[str, ...]]:
    """Country codes that make up each role zone (for naming territory); other land's
    countries are every country of the box not given a role."""
    listed = {theatre.defended, *theatre.allied, *theatre.adversary, *theatre.neutral, *theatre.hosts,
              *(d.country for d in theatre.disputed if d.country)}
    box = box_countries(theatre.bbox)
    return {
        int(Zone.DEFENDED): (theatre.defended,),
        int(Zone.OCCUPIED): (theatre.defended,),
        int(Zone.ALLIED): tuple(theatre.allied),
        int(Zone.ADVERSARY): tuple(theatre.adversary),
        int(Zone.NEUTRAL): tuple(theatre.neutral),
        int(Zone.DISPUTED): tuple(c for c in INDETERMINATE_CODES if c in box and c not in listed),
        int(Zone.OTHER): tuple(c for c in box if c not in listed),
    }
