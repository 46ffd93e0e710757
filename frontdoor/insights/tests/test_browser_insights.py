"""Insights pages with real figures and charts, in Chromium, checked by axe-core (WCAG 2.2 AA)."""

import pytest

from tests.test_browser import WIDTHS, axe_violations

# The live server runs in another thread, so the data must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, two_snapshots):
    return live_server.url


@pytest.mark.parametrize("width", WIDTHS)
def test_insights_pages_with_charts_have_no_wcag_22_aa_violations(page, site, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    problems = {}
    for path in (
        "/insights/",
        "/insights/milton-keynes/",
        "/insights/northern-cities/?definition=dcms-creative-2016",
        "/insights/method/",
    ):
        page.goto(site + path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
    # Charts fit the screen: no sideways scrolling of the page itself.
    page.goto(site + "/insights/milton-keynes/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_visitor_changes_the_definition_and_downloads_a_table(page, site):
    page.goto(site + "/insights/milton-keynes/")
    page.get_by_label("Sector definition").select_option("dcms-creative-2016")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**definition=dcms-creative-2016**")
    assert page.get_by_role("heading", level=1).inner_text() == "Milton Keynes"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Sub-sector mix (active companies)” as CSV").click()
    assert download.value.suggested_filename.startswith("milton-keynes-subsectors-dcms-creative")
