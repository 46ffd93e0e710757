"""Northern Ireland's grid references: ONSPD gives BT postcodes on the Irish Grid, not the
British National Grid, so they take their own projection and datum transform."""

import pytest

from frontdoor.core import geo

# Belfast City Hall, whose postcode is BT1 5GS.
BELFAST_CITY_HALL = (54.5966, -5.9301)


def test_irish_grid_projection_matches_the_osi_worked_example():
    # Ordnance Survey Ireland's worked example of the Irish Grid (271707.427, 248879.641);
    # the latitude/longitude on the Airy Modified ellipsoid agree with PROJ's EPSG:29903.
    lat, lon = geo.irish_grid_to_tm75(271707.427, 248879.641)
    assert lat == pytest.approx(53.4850499854, abs=1e-9)
    assert lon == pytest.approx(-6.9196583307, abs=1e-9)


@pytest.mark.parametrize(
    ("easting", "northing", "lat", "lon"),
    [
        # Expected values from PROJ 9 (pyproj 3.7): EPSG:29903 to WGS84 through OSNI's
        # TM75 to WGS84 parameters at full precision (EPSG:1954, stated accuracy 1 metre).
        (333_832, 374_014, 54.5966386876, -5.9300767004),  # BT1 5GS, Belfast
        (243_000, 436_000, 55.1692776897, -7.3259915533),  # the north coast, near Limavady
        (360_000, 320_000, 54.1042550264, -5.5545572267),  # the County Down coast
    ],
)
def test_irish_grid_to_wgs84_matches_proj(easting, northing, lat, lon):
    got_lat, got_lon = geo.irish_grid_to_wgs84(easting, northing)
    assert geo.distance_km(got_lat, got_lon, lat, lon) < 0.001  # a metre


def test_osgb36_to_wgs84_scale_has_the_published_sign():
    # PROJ with EPSG:1314 (OSGB36 to WGS84, scale -20.4894 ppm) for Buckingham Palace; a
    # scale of the wrong sign puts it 0.85 m away.
    got_lat, got_lon = geo.bng_to_wgs84(529_090, 179_645)
    assert geo.distance_km(got_lat, got_lon, 51.5010089299, -0.1415876003) < 0.0001


def test_a_belfast_postcode_and_its_district_are_in_belfast():
    found = geo.postcode_lookup("BT1 5GS")
    assert found.exact and found.local_authority_code == "N09000003"
    # The postcode's centroid is 5 m from the City Hall point, not 240 km away in England.
    assert geo.distance_km(found.latitude, found.longitude, *BELFAST_CITY_HALL) < 0.02
    for district in [geo.postcode_lookup("BT1"), geo.postcode_lookup("BT1 9ZZ")]:
        assert not district.exact and district.postcode == "BT1"
        assert geo.distance_km(district.latitude, district.longitude, *BELFAST_CITY_HALL) < 1
    # Bath shares the letter's table with Belfast but is on the British National Grid.
    bath = geo.postcode_lookup("BA1 1LZ")
    assert geo.distance_km(bath.latitude, bath.longitude, 51.3811, -2.3601) < 0.1
