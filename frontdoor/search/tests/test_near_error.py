"""An unknown postcode is named right under its field, which says it is wrong, and the title
starts "Error:"; results updated in place bring the field's new state with them."""

import pytest

from frontdoor.core.tests.htmltree import parse
from frontdoor.directory.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

UNKNOWN = {"q": "drone", "near": "ZZ99ZZ", "within": "5"}
KNOWN = {"q": "drone", "near": "MK9 3HS", "within": "5"}
MESSAGE = "We could not find the postcode “ZZ99ZZ”."


@pytest.fixture(autouse=True)
def listing():
    OrganisationFactory(name="Drone Works", postcode="MK9 3HS")


def update(client, params, trigger):
    headers = {"HX-Request": "true", "HX-Trigger": trigger}
    return parse(client.get("/search/", params, headers=headers).content.decode())


def test_an_unknown_postcode_is_named_under_its_field_and_a_known_one_is_not(client):
    page = parse(client.get("/search/", UNKNOWN).content.decode())
    field = page.by_id("search-near")
    assert field.attrs["aria-invalid"] == "true"
    error = page.by_id(field.attrs["aria-describedby"])
    assert MESSAGE in error.text()
    # Next to the field in the form, not down in the results column.
    assert error.parent is field.parent and error.parent.parent is page.by_id("search-form")
    assert MESSAGE not in page.by_id("search-results").text()
    assert page.find("title").text().startswith("Error: Search: drone")
    # A postcode that is found is not marked.
    page = parse(client.get("/search/", KNOWN).content.decode())
    assert "aria-invalid" not in page.by_id("search-near").attrs
    assert page.by_id("search-near-error") is None
    assert page.find("title").text().startswith("Search: drone")


def test_results_updated_in_place_bring_the_field_and_title_with_them(client):
    wrong = update(client, UNKNOWN, "search-form")
    swapped = wrong.by_id("search-near-field")
    assert swapped.attrs["hx-swap-oob"] == "true"
    assert swapped.find("input").attrs["aria-invalid"] == "true"
    assert MESSAGE in swapped.find("p", id="search-near-error").text()
    assert wrong.find("title").text().startswith("Error: Search: drone")
    assert wrong.by_id("search-status").text().startswith(MESSAGE)
    # Put right, the field comes back unmarked, so no error is left standing.
    right = update(client, KNOWN, "search-form")
    assert "aria-invalid" not in right.by_id("search-near").attrs
    assert right.by_id("search-near-error") is None
    assert right.find("title").text().startswith("Search: drone")
    # Results for words as they are typed leave the field alone: the visitor may be typing
    # into it by the time they come back.
    typed = update(client, UNKNOWN, "search-q")
    assert typed.by_id("search-near-field") is None and typed.by_id("search-near") is None
