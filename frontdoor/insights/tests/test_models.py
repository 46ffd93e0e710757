"""Curators' edits to areas: checked before they can give figures that mean nothing."""

import pytest
from django.core.exceptions import ValidationError

from frontdoor.insights.models import Area


@pytest.mark.parametrize(
    ("codes", "named"),
    [
        ("E47000007", "E47000007"),  # the West Midlands Combined Authority
        ("E10000002", "E10000002"),  # Buckinghamshire County Council, before 2020
        ("E08000025 E92000001", "E92000001"),  # England, beside a district
    ],
)
def test_an_area_refuses_codes_no_postcode_maps_to(codes, named):
    area = Area(slug="x", name="X", kind=Area.Kind.GROUP, codes=codes)
    with pytest.raises(ValidationError, match="Give local authority district codes") as error:
        area.clean()
    assert str(error.value).endswith(f"not valid: {named}.']}}")


@pytest.mark.parametrize("codes", ["E06000042", "E07000177 E09000001", "W06000015 S12000033"])
def test_an_area_takes_district_codes_of_all_four_nations(codes):
    Area(slug="x", name="X", kind=Area.Kind.GROUP, codes=codes + " N09000003").clean()
