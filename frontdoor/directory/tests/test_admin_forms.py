"""What curators type in the admin's forms: codes with stray spaces, an emptied box,
impossible dates, and a rule broken said once, in words."""

import pytest

from frontdoor.directory.models import Organisation, Place, Trial

pytestmark = pytest.mark.django_db

LISTING = {"name": "Acme", "slug": "acme", "state": "draft"}


def add(client, model, **data):
    return client.post(f"/admin/directory/{model}/add/", {**LISTING, **data})


def form_errors(response):
    return response.context["adminform"].form.errors


def test_publishing_a_person_without_consent_is_refused_in_one_message(admin_client):
    response = add(admin_client, "person", state="published")
    assert form_errors(response) == {
        "__all__": ["Record the person's consent before publishing their profile."]
    }


@pytest.mark.parametrize(
    "field, typed, stored",
    [
        ("company_number", "SC 123456", "SC123456"),
        ("company_number", "0123 4567", "01234567"),
        ("postcode", "SW1A  1AA", "SW1A 1AA"),
    ],
)
def test_codes_typed_with_spaces_are_kept_in_their_normal_form(admin_client, field, typed, stored):
    response = add(admin_client, "organisation", kind="sme", social_links="[]", **{field: typed})
    assert response.status_code == 302, form_errors(response)
    assert getattr(Organisation.objects.get(slug="acme"), field) == stored


def test_a_place_postcode_typed_with_spaces_is_kept_in_its_normal_form(admin_client):
    response = add(admin_client, "place", kind="lab", postcode="SW1A  1AA")
    assert response.status_code == 302, form_errors(response)
    assert Place.objects.get(slug="acme").postcode == "SW1A 1AA"


@pytest.mark.parametrize(
    "field, typed, message",
    [
        ("company_number", "SC 1234567", "“SC1234567” is not a Companies House number"),
        ("postcode", "SW1A  1AAA", "“SW1A  1AAA” is not a UK postcode."),
    ],
)
def test_a_code_too_long_once_normalised_is_explained(admin_client, field, typed, message):
    response = add(admin_client, "organisation", kind="sme", social_links="[]", **{field: typed})
    assert response.status_code == 200
    assert message in " ".join(form_errors(response)[field])


def test_an_emptied_social_links_box_saves_no_links(admin_client):
    response = add(admin_client, "organisation", kind="sme", social_links="")
    assert response.status_code == 302, form_errors(response)
    assert Organisation.objects.get(slug="acme").social_links == []


def test_a_trial_cannot_end_before_it_starts(admin_client):
    response = add(
        admin_client, "trial", status="completed", started_on="2025-06-01", ended_on="2020-01-01"
    )
    assert form_errors(response) == {"__all__": ["The trial ends before it starts."]}
    assert not Trial.objects.exists()
