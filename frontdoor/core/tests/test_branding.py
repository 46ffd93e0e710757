import pytest
from django.core.exceptions import ValidationError

from frontdoor.core.colours import contrast_ratio
from frontdoor.core.models import Branding

pytestmark = pytest.mark.django_db


def test_settings_brand_the_site_until_the_admin_does(client, settings):
    settings.FRONTDOOR_SITE_NAME = "Birmingham Tech"
    settings.FRONTDOOR_REGION_NAME = "the West Midlands"
    page = client.get("/").content.decode()
    assert "Birmingham Tech" in page and "Tech in the West Midlands" in page

    Branding(site_name="TechNorth", region_name="the North", primary_colour="#123456").save()
    page = client.get("/").content.decode()
    assert "TechNorth" in page and "Tech in the North" in page and "--primary: #123456" in page
    assert "Birmingham Tech" not in page


def test_branding_is_a_single_row():
    Branding(site_name="One").save()
    Branding(site_name="Two").save()
    assert list(Branding.objects.values_list("site_name", flat=True)) == ["Two"]


def test_colours_too_light_for_white_text_are_refused():
    with pytest.raises(ValidationError) as error:
        Branding(primary_colour="#ffff00").full_clean()
    assert "primary_colour" in error.value.message_dict
    Branding(primary_colour="#0b5394", accent_colour="#8a3b00").full_clean()


def test_contrast_ratio_matches_wcag_examples():
    assert round(contrast_ratio("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast_ratio("#767676", "#ffffff"), 2) == 4.54
