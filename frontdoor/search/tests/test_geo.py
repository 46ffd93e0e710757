"""Grid references to latitude/longitude, postcode look-ups and distances."""

import math

import pytest

from frontdoor.core import geo


def test_inverse_projection_matches_the_ordnance_survey_worked_example():
    # OS "A guide to coordinate systems in Great Britain", annex C: TG 51409 13177.
    lat, lon = geo.bng_to_osgb36(651409.903, 313177.270)
    assert lat == pytest.approx(52 + 39 / 60 + 27.2531 / 3600, abs=1e-7)
    assert lon == pytest.approx(1 + 43 / 60 + 4.5177 / 3600, abs=1e-7)


@pytest.mark.parametrize(
    ("easting", "northing", "lat", "lon"),
    [
        # Ben Nevis summit trig pillar (OS grid NN 16667 71259), WGS84 from GPS surveys.
        (216_667, 771_259, 56.79685, -5.00360),
        # Buckingham Palace (SW1A 1AA's grid reference in ONSPD).
        (529_090, 179_645, 51.50101, -0.14159),
    ],
)
def test_grid_to_wgs84_known_points(easting, northing, lat, lon):
    got_lat, got_lon = geo.bng_to_wgs84(easting, northing)
    assert geo.distance_km(got_lat, got_lon, lat, lon) < 0.05


def test_postcode_lookup_gives_location_and_local_authority():
    found = geo.postcode_lookup(" mk93hs ")
    assert found.postcode == "MK9 3HS" and found.exact
    assert found.local_authority_code == "E06000042"
    assert geo.distance_km(found.latitude, found.longitude, 52.0389, -0.7559) < 0.2
    assert geo.postcode_lookup("M1 1AD").local_authority_code == "E08000003"


def test_unknown_postcode_falls_back_to_its_district_and_junk_gives_none():
    district = geo.postcode_lookup("MK9 9ZZ")
    assert district is not None and not district.exact and district.postcode == "MK9"
    assert geo.postcode_lookup("MK9 9ZZ", district_fallback=False) is None
    for junk in ["", "hello world", "12345", "ZZ99 9ZZ", "MK9 3HS MK9 3HS", "\x00"]:
        assert geo.postcode_lookup(junk) is None


def test_distance():
    # Milton Keynes Central to Birmingham New Street is about 90 km as the crow flies.
    mk = geo.postcode_lookup("MK9 1LA")
    birmingham = geo.postcode_lookup("B2 4QA")
    assert (
        85
        < geo.distance_km(mk.latitude, mk.longitude, birmingham.latitude, birmingham.longitude)
        < 95
    )


def test_conversion_terminates_and_stays_in_britain_across_the_grid():
    # Fractional eastings/northings (district centres) once made the iteration oscillate.
    for easting in range(0, 700_001, 50_000):
        for northing in range(0, 1_250_001, 50_000):
            lat, lon = geo.bng_to_wgs84(easting + 0.123456789, northing + 0.987654321)
            assert 49 < lat < 62 and -10 < lon < 4


def test_markers_at_one_spot_are_set_apart_on_the_map():
    from types import SimpleNamespace

    from frontdoor.search.map import results_map

    def hit(name, lat, lon):
        return SimpleNamespace(name=name, url=f"/{name}/", latitude=lat, longitude=lon)

    tenants = [hit(f"Tenant {n}", 52.0406, -0.7594) for n in range(6)]
    markers = results_map([*tenants, hit("Elsewhere", 52.05, -0.78)])["markers"]
    spots = [(m.x, m.y) for m in markers[:6]]
    gaps = [math.dist(a, b) for i, a in enumerate(spots) for b in spots[i + 1 :]]
    assert min(gaps) >= 22  # a marker's width apart: none hides another
