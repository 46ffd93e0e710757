"""Festival, calendar and pitch pages in Chromium: axe-core (WCAG 2.2 AA), keyboard, no JS."""

import datetime
from pathlib import Path

import axe_playwright_python
import pytest
from django.utils import timezone

from frontdoor.directory.factories import OrganisationFactory, PlaceFactory
from frontdoor.events.factories import EventFactory, FestivalFactory, PitchApplicationFactory
from frontdoor.events.models import Event, PitchApplication

# The live server runs in another thread, so the data must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def site(live_server):
    # Evenings, whatever the time the tests run: two hours from now may end after midnight,
    # and an event on two days is listed twice in the month grid.
    evening = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0)
    festival = FestivalFactory(name="Milton Keynes Tech Week")
    venue = PlaceFactory(name="MK Gallery", local_authority_code="E06000042")
    for day, (name, track) in enumerate([("Opening keynote", "Main stage"), ("Makers", "Makers")]):
        event = EventFactory(
            name=name,
            festival=festival,
            track=track,
            venue=venue,
            starts_at=evening + datetime.timedelta(days=day + 1),
            ends_at=evening + datetime.timedelta(days=day + 1, hours=2),
        )
        event.organisers.add(OrganisationFactory())
    week_on = evening + datetime.timedelta(days=7)
    pitch = EventFactory(
        name="Pitch night",
        kind=Event.Kind.PITCH,
        festival=festival,
        starts_at=week_on,
        ends_at=week_on + datetime.timedelta(hours=2),
    )
    PitchApplicationFactory(event=pitch, status=PitchApplication.Status.ACCEPTED)
    return live_server.url, festival, pitch


def axe_violations(page):
    page.evaluate(AXE_JS)
    result = page.evaluate(
        "opts => axe.run(document, opts)",
        {"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    return [f"{v['id']}: {v['help']} at {v['nodes'][0]['target']}" for v in result["violations"]]


@pytest.mark.parametrize("width", [375, 1280])
def test_event_pages_have_no_wcag_violations(browser, site, width):
    url, festival, pitch = site
    page = browser.new_page(viewport={"width": width, "height": 900})
    today = timezone.localdate()
    paths = [
        festival.get_absolute_url(),
        festival.get_absolute_url() + "?track=Makers",
        pitch.get_absolute_url(),
        f"/events/calendar/{today.year}/{today.month}/",
        f"/events/calendar/{today.year}/{today.month}/{today.day}/",
    ]
    problems = {}
    for path in paths:
        page.goto(url + path)
        if found := axe_violations(page):
            problems[path] = found
    # The pitch form with its errors showing.
    page.goto(url + pitch.get_absolute_url())
    page.get_by_role("button", name="Apply to pitch").click()
    assert page.get_by_role("alert").first.is_visible()
    if found := axe_violations(page):
        problems["pitch form errors"] = found
    page.close()
    assert problems == {}


def test_keyboard_and_no_javascript_filtering_of_the_calendar(browser, site):
    url, festival, pitch = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    month = timezone.localtime(pitch.starts_at)
    page.goto(url + f"/events/calendar/{month.year}/{month.month}/")
    page.get_by_label("Pitch session").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Apply filters").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**kind=pitch**")
    links = page.locator(".month td li a").all_inner_texts()
    assert links == ["Pitch night"]
    page.get_by_role("link", name="List", exact=True).click()
    assert page.locator(".cards h3 a").all_inner_texts() == ["Pitch night"]
    context.close()


def test_founder_applies_to_pitch_without_javascript(browser, site):
    url, festival, pitch = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url + pitch.get_absolute_url())
    page.get_by_label("Company name", exact=True).fill("Voltly")
    page.get_by_label("Founder name").fill("Sam")
    page.get_by_label("Email").fill("sam@voltly.example")
    page.get_by_label("Pitch", exact=True).fill("Chargers councils can plan.")
    page.get_by_label("List our company name").check()
    page.get_by_role("button", name="Apply to pitch").click()
    assert page.get_by_text("your application is with the organisers").is_visible()
    assert PitchApplication.objects.filter(company_name="Voltly").exists()
    context.close()
