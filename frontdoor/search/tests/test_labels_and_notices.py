"""Search: labels, text without words, the typo notice, trial statuses, event statuses and
all-day dates, the live count, the names of the search landmarks, a deleted provider."""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone

from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    TrialFactory,
)
from frontdoor.directory.models import Organisation, Programme
from frontdoor.events.factories import EventFactory
from frontdoor.events.models import Event
from frontdoor.search.query import Params, search

pytestmark = pytest.mark.django_db


def test_a_person_is_labelled_person():
    PersonFactory(name="Ada Mentor")
    assert search(Params(q="ada")).hits[0].kind_label == "Person"


@pytest.mark.parametrize("text", ["!!!", "🦀", "— –", "a" * 200])
def test_text_with_no_searchable_word_matches_nothing(text):
    OrganisationFactory(name="Zebra")
    OrganisationFactory(name="Yak")
    assert search(Params(q=text)).total == 0


def test_the_typo_notice_says_when_there_were_exact_matches(client):
    OrganisationFactory(name="Kestrel Data")
    for n in range(3):
        OrganisationFactory(name=f"Kestral Systems {n}")
    page = client.get("/search/", {"q": "kestrel"}).content.decode()
    assert "Only 1 exact match for “kestrel”, so close spellings are included." in page
    assert "No exact match" not in page


def test_trials_narrow_by_status(client):
    TrialFactory(name="Drone trial", status="live")
    TrialFactory(name="Drone trial two", status="completed")
    page = client.get("/search/", {"q": "drone", "subkind": "live"}).content.decode()
    assert re.search(r'id="results-title"[^>]*>1 result for', page)


def hit_lines(client, **params):
    """Each hit's name and the line under it, as text."""
    page = client.get("/search/", params).content.decode()
    found = re.findall(r'<h3><a [^>]*>(.*?)</a></h3>\s*<p class="muted">(.*?)</p>', page, re.S)
    return {name: re.sub(r"<[^>]+>", "", line) for name, line in found}


def test_a_cancelled_or_postponed_event_is_marked_as_on_its_card(client):
    EventFactory(name="Robotics night", status=Event.Status.CANCELLED)
    EventFactory(name="Robotics day", status=Event.Status.POSTPONED)
    EventFactory(name="Robotics evening")
    # Upcoming keeps a cancelled event, as the events list does: people who planned to go
    # find out it is off.
    lines = hit_lines(client, q="robotics", upcoming="on")
    assert lines["Robotics night"].startswith("Event · Meetup · Cancelled · ")
    assert lines["Robotics day"].startswith("Event · Meetup · Postponed · ")
    assert "Scheduled" not in lines["Robotics evening"]
    assert "<strong>Cancelled</strong>" in client.get("/search/", {"q": "night"}).content.decode()


def test_an_all_day_event_shows_its_own_date(client):
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    EventFactory(
        name="Berlin hack day",
        all_day=True,
        time_zone="Europe/Berlin",
        starts_at=datetime.datetime(2026, 7, 15, tzinfo=berlin),
        ends_at=datetime.datetime(2026, 7, 16, tzinfo=berlin),
    )
    # A timed event is dated in the site's zone, as the events list dates it.
    EventFactory(
        name="Berlin night hack",
        time_zone="Europe/Berlin",
        starts_at=datetime.datetime(2026, 7, 15, 0, 30, tzinfo=berlin),
        ends_at=datetime.datetime(2026, 7, 15, 3, tzinfo=berlin),
    )
    lines = hit_lines(client, q="berlin")
    assert "15 Jul 2026" in lines["Berlin hack day"]
    assert "14 Jul 2026" in lines["Berlin night hack"]


def test_an_event_ending_within_the_hour_is_still_upcoming_east_of_greenwich(settings):
    # SQLite gives the times back without a zone; read as the site's local time, an event
    # ended nine hours early in the index of a site in Tokyo (an hour early in a UK summer).
    settings.TIME_ZONE = "Asia/Tokyo"
    now = timezone.now()
    EventFactory(
        name="Lunch talk",
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(minutes=30),
    )
    assert [h.name for h in search(Params(q="lunch", upcoming=True)).hits] == ["Lunch talk"]


def test_the_count_is_announced_from_outside_what_htmx_replaces(client):
    page = client.get("/search/?q=x").content.decode()
    assert '<p id="search-status" class="visually-hidden" role="status"></p>' in page
    update = client.get("/search/?q=x", headers={"HX-Request": "true"}).content.decode()
    assert re.search(r'<p id="search-status"[^>]*hx-swap-oob="innerHTML">0 results for', update)


def test_each_search_landmark_has_its_own_name(client):
    for url in ["/", "/search/", "/no-such-page/"]:
        forms = re.findall(r'<form[^>]*role="search"[^>]*>', client.get(url).content.decode())
        names = [re.search(r'aria-label="([^"]*)"', form)[1] for form in forms]
        assert len(forms) == 2 and len(set(names)) == 2, url


def test_a_deleted_provider_takes_its_place_off_its_programmes():
    provider = OrganisationFactory(name="Provider Co", postcode="MK9 3HS")
    ProgrammeFactory(name="Zebra grant", provider=provider)
    # Both last saved long before: only the deletion can tell the catch-up.
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    Programme.objects.update(updated=long_ago)
    Organisation.objects.update(updated=long_ago)
    assert search(Params(q="zebra")).hits[0].postcode == "MK9 3HS"
    provider.delete()
    assert search(Params(q="zebra")).hits[0].postcode == ""
