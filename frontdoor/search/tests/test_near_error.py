"""An unknown postcode is named right under its field, which it describes, and the title
starts "Error:"; results updated in place, even while words are typed, bring the error (or its
end) with them."""

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
    error = page.by_id(field.attrs["aria-describedby"])
    assert "hidden" not in error.attrs
    assert MESSAGE in error.text()
    # Next to the field in the form, not down in the results column.
    assert error.parent is field.parent and error.parent.parent is page.by_id("search-form")
    assert MESSAGE not in page.by_id("search-results").text()
    assert page.find("title").text().startswith("Error: Search: drone")
    # A postcode that is found has no error: the place for one stays, hidden and empty.
    page = parse(client.get("/search/", KNOWN).content.decode())
    error = page.by_id("search-near-error")
    assert "hidden" in error.attrs and error.text().strip() == ""
    assert page.find("title").text().startswith("Search: drone")


@pytest.mark.parametrize("trigger", ["search-form", "search-q"])
def test_results_updated_in_place_bring_the_error_and_title_with_them(client, trigger):
    # Also while words are typed (search-q): the field itself is then left alone, as the
    # visitor may be typing into it, but its error comes by its own id.
    wrong = update(client, UNKNOWN, trigger)
    error = wrong.by_id("search-near-error")
    assert error.attrs["hx-swap-oob"] == "true" and "hidden" not in error.attrs
    assert MESSAGE in error.text()
    assert wrong.by_id("search-near") is None
    assert wrong.find("title").text().startswith("Error: Search: drone")
    assert wrong.by_id("search-status").text().startswith(MESSAGE)
    # Put right, the error goes, so none is left standing.
    right = update(client, KNOWN, trigger)
    error = right.by_id("search-near-error")
    assert "hidden" in right.by_id("search-near-error").attrs and error.text().strip() == ""
    assert right.find("title").text().startswith("Search: drone")
