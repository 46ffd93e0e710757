"""The visitor's path in a real browser, and axe-core's WCAG 2.2 AA check of public pages."""

import re
from pathlib import Path

import axe_playwright_python
import pytest

from frontdoor.core.demo import demo_load
from frontdoor.directory.models import Organisation
from frontdoor.events.models import Event
from frontdoor.search.models import SearchGap

# The live server runs in another thread, so the data must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"phone": (375, 812), "desktop": (1280, 900)}


@pytest.fixture
def demo(live_server):
    demo_load()
    return live_server.url


def axe_violations(page):
    page.evaluate(AXE_JS)
    result = page.evaluate(
        "opts => axe.run(document, opts)",
        {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(f"{n['target']}: {n['failureSummary']}" for n in v["nodes"][:3])
        for v in result["violations"]
    ]


def test_visitor_searches_and_opens_an_organisation_and_an_event(page, demo):
    page.goto(demo + "/")
    page.get_by_label("What are you looking for?").fill("Protospace")
    page.get_by_role("button", name="Search").last.click()
    page.wait_for_url("**/search/?q=Protospace")
    page.get_by_role("link", name="Protospace", exact=True).first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Protospace"
    assert page.get_by_text("Last verified").is_visible()

    page.goto(demo + "/events/")
    first_event = page.locator(".cards .card h3 a").first
    name = first_event.inner_text()
    first_event.click()
    assert page.get_by_role("heading", level=1).inner_text() == name


def test_keyboard_users_can_skip_to_the_content(page, demo):
    page.goto(demo + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def public_paths():
    organisation = Organisation.objects.published().get(name="Protospace")
    event = Event.objects.published().first()
    return [
        "/",
        "/organisations/",
        "/organisations/?kind=community&sector=ai",
        organisation.get_absolute_url(),
        "/events/",
        event.get_absolute_url(),
        "/events/calendar/",
        "/events/calendar/2026/week/48/",
        "/events/?when=past",
        "/festivals/",
        "/places/",
        "/programmes/",
        "/trials/",
        "/people/",
        "/open-data/",
        "/search/?q=smart",
        "/search/?q=bletchley&near=MK9+3HS&type=organisation&type=place",
        "/for/relocating-here/",
        "/organisations/?sector=nope",
        "/insights/",
        "/insights/method/",
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_have_no_wcag_22_aa_violations(page, demo, width):
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    problems = {}
    for path in public_paths():
        page.goto(demo + path)
        found = axe_violations(page)
        if found:
            problems[path] = found
    assert problems == {}


def test_public_pages_reflow_at_320_pixels(page, demo):
    # WCAG 1.4.10: at 320 CSS pixels (a phone, or 400 % zoom) nothing needs sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    wider = {}
    for path in public_paths():
        page.goto(demo + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 321:
            wider[path] = width
    assert wider == {}


def test_search_updates_as_you_type_and_works_without_javascript(browser, demo):
    live = browser.new_context()
    page = live.new_page()
    page.goto(demo + "/search/")
    steps = page.evaluate("history.length")
    page.get_by_label("Search organisations, places").press_sequentially("bletch", delay=50)
    results = page.locator("#search-results")
    results.get_by_role("link", name="Bletchley Park", exact=True).wait_for()
    # The address follows, so it can be shared, but typing adds no steps to go back through.
    assert "q=bletch" in page.url and page.evaluate("history.length") == steps
    # Words on the way to a search are not searches; the one submitted is (a gap, here).
    query = page.get_by_label("Search organisations, places")
    query.fill("")
    query.press_sequentially("zzyzx", delay=50)
    page.get_by_role("heading", name="0 results for “zzyzx”").wait_for()
    assert not SearchGap.objects.exists()
    with page.expect_response(lambda response: "/search/?" in response.url):
        query.press("Enter")
    assert list(SearchGap.objects.values_list("query", flat=True)) == ["zzyzx"]
    # Sorted and searched again, then back: the whole page returns, and is not a new search.
    page.get_by_label("Sort by").select_option(index=1)
    with page.expect_response(lambda response: "sort=" in response.url):
        page.get_by_role("search", name="Search the directory").get_by_role("button").click()
    page.go_back()
    page.wait_for_url(re.compile(r"q=zzyzx.*&sort=$"))  # the search before the sorted one
    page.get_by_role("heading", name="0 results for “zzyzx”").wait_for()
    assert page.locator("#search-form").count() == 1
    assert SearchGap.objects.get().searches == 2
    live.close()

    no_js = browser.new_context(java_script_enabled=False)
    page = no_js.new_page()
    page.goto(demo + "/search/?q=bletchley")
    page.get_by_label("Places (").check()
    page.get_by_role("button", name="Apply").click()
    assert "type=place" in page.url
    assert page.get_by_role("heading", name="1 result for “bletchley”").is_visible()
    no_js.close()


def test_no_page_breaks_the_content_security_policy(page, demo, django_user_model):
    # The browser reports what the policy blocked, on public pages and in the curators' admin
    # (its date pickers, inlines and sidebar run scripts of their own).
    page.add_init_script(
        "window.blocked = []; document.addEventListener('securitypolicyviolation', "
        "e => window.blocked.push(e.violatedDirective + ' ' + e.blockedURI))"
    )
    django_user_model.objects.create_superuser("curator", password="a long test passphrase")
    page.goto(demo + "/admin/login/")
    page.get_by_label("Username").fill("curator")
    page.get_by_label("Password").fill("a long test passphrase")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    organisation = Organisation.objects.get(name="Protospace")
    admin_paths = [
        "/admin/",
        "/admin/events/event/",
        "/admin/events/event/add/",
        f"/admin/directory/organisation/{organisation.pk}/change/",
    ]
    blocked = {}
    for path in public_paths() + admin_paths:
        response = page.goto(demo + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        if found := page.evaluate("window.blocked"):
            blocked[path] = found
    assert blocked == {}
