"""Error states in Chromium: what is wrong with a link is on the first screen, of a phone too; a
checkbox keeps its size beside a long label; the postcode error comes and goes with results
updated in place; and axe-core finds no WCAG 2.2 AA violation in these states."""

import re

import pytest
from playwright.sync_api import expect

from frontdoor.directory.factories import OrganisationFactory
from frontdoor.directory.models import Sector
from tests.test_browser import axe_violations

# The live server runs in another thread, so the data must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_FILTERS = [
    "/organisations/?kind=bogus",
    "/events/?when=xyz",
    "/events/calendar/?kind=nope",
    "/events/?free=maybe&area=nowhere",
]


@pytest.fixture
def site(live_server):
    # Made here: an earlier browser test's flush may have taken the sectors the migrations add.
    Sector.objects.get_or_create(
        slug="creative", defaults={"name": "Creative, film, media and design"}
    )
    OrganisationFactory(name="Drone Works", postcode="MK9 3HS")
    return live_server.url


@pytest.mark.parametrize("size", [(375, 667), (1280, 900)])
def test_what_is_wrong_with_a_link_is_on_the_first_screen(page, site, size):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    problems = {}
    for path, what in [
        *((path, "#filter-errors") for path in BAD_FILTERS),
        ("/organisations/?page=99", "text=There is no page 99"),
    ]:
        page.goto(site + path)
        box = page.locator(what).bounding_box()
        assert box["y"] + box["height"] <= height, path
        if found := axe_violations(page):
            problems[path] = found
    assert problems == {}


def test_checkboxes_keep_their_size_beside_long_labels(page, site):
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ["/organisations/", "/events/"]:
        page.goto(site + path)
        long_label = page.get_by_label("Creative, film, media and design")
        assert long_label.bounding_box()["width"] >= 20, path
        widths = page.locator(".check input").evaluate_all(
            "boxes => boxes.map(box => box.getBoundingClientRect().width)"
        )
        assert min(widths) >= 20, path


def test_the_postcode_error_comes_and_goes_with_results_updated_in_place(page, site):
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(site + "/search/?q=drone")
    near = page.get_by_label("Near postcode")
    near.fill("ZZ99ZZ")
    near.press("Enter")
    error = page.locator("#search-near-error")
    error.wait_for()
    assert near.get_attribute("aria-describedby") == "search-near-error"
    assert page.title().startswith("Error: Search: drone")
    # Right under the field, on the same screen.
    field, message = near.bounding_box(), error.bounding_box()
    assert 0 <= message["y"] - (field["y"] + field["height"]) < 24
    assert message["y"] + message["height"] <= 667
    assert near.evaluate("el => el === document.activeElement")
    assert axe_violations(page) == []
    near.fill("MK9 3HS")
    near.press("Enter")
    error.wait_for(state="hidden")
    expect(page).to_have_title(re.compile(r"^Search: drone"))
    assert re.search(r"near=MK9", page.url)
    # Results for words as they are typed bring the postcode's error, and its end, with them.
    near.fill("ZZ99ZZ")
    words = page.get_by_label("Search organisations")
    words.fill("drone works")
    error.wait_for()
    expect(page).to_have_title(re.compile(r"^Error: Search: drone works"))
    near.fill("MK9 3HS")
    words.fill("drone work")
    error.wait_for(state="hidden")
    expect(page).to_have_title(re.compile(r"^Search: drone work\b"))
