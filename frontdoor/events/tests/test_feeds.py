"""Feeds out: ICS that other calendars accept, that re-imports to the same events; Atom."""

import datetime
import xml.etree.ElementTree as ET
import zoneinfo

import hypothesis
import icalendar
import pytest
import recurring_ical_events
from django.core.files.base import ContentFile
from hypothesis import strategies as st

from frontdoor.directory.factories import OrganisationFactory, PlaceFactory
from frontdoor.events import actions, importers
from frontdoor.events.factories import EventFactory, FeedFactory
from frontdoor.events.models import Event
from frontdoor.events.tests.conftest import corpus

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def events_in(body):
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def check_rfc5545(body):
    """What RFC 5545 requires of a calendar and its events, checked on our own output."""
    text = body.decode()
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert all(len(line.encode()) <= 75 for line in lines), "lines are folded at 75 octets"
    cal = icalendar.Calendar.from_ical(body)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    zones = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    for event in cal.walk("VEVENT"):
        assert event.errors == []
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in event, required
        for prop in ("DTSTART", "DTEND"):
            tzid = event[prop].params.get("TZID")
            assert tzid is None or tzid in zones, f"{prop} uses {tzid} without a VTIMEZONE"
    return cal


def test_one_event_exports_with_stable_uid_and_all_day_dates(client):
    conference = EventFactory(
        name="MK Tech Conference",
        all_day=True,
        starts_at=datetime.datetime(2026, 11, 5, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 11, 6, 23, 59, 59, tzinfo=UTC),
    )
    response = client.get(f"/events/{conference.slug}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = check_rfc5545(response.content)
    (event,) = cal.walk("VEVENT")
    assert event["UID"] == f"event-{conference.pk}@frontdoor"
    assert event["DTSTART"].dt == datetime.date(2026, 11, 5)
    assert event["DTEND"].dt == datetime.date(2026, 11, 7)  # exclusive, per RFC 5545
    assert event["URL"] == f"http://testserver/events/{conference.slug}/"
    assert client.get("/events/no-such-event.ics").status_code == 404


def test_edits_bump_sequence_and_cancelled_events_stay_cancelled(admin_client):
    event = EventFactory(name="Hack night")
    assert event.sequence == 0
    form = admin_client.get(f"/admin/events/event/{event.pk}/change/").context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("sectors", "organisers")
    }
    data |= {
        "name": "Hack night",
        "slug": event.slug,
        "starts_at_0": event.local_start.strftime("%Y-%m-%d"),
        "starts_at_1": event.local_start.strftime("%H:%M:%S"),
        "ends_at_0": event.local_end.strftime("%Y-%m-%d"),
        "ends_at_1": event.local_end.strftime("%H:%M:%S"),
        "status": "cancelled",
        "state": "published",
    }
    response = admin_client.post(f"/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.sequence == 1 and event.is_cancelled
    (exported,) = events_in(admin_client.get("/events.ics").content).values()
    assert exported["STATUS"] == "CANCELLED" and exported["SEQUENCE"] == 1


def test_filtered_listing_ics_uses_the_list_page_query_string(client):
    ai = EventFactory(name="AI evening", sectors=["ai"])
    EventFactory(name="Fintech lunch", sectors=["fintech"])
    EventFactory(name="Draft", state="draft")
    old = EventFactory(
        name="Long gone",
        starts_at=datetime.datetime(2020, 1, 1, tzinfo=UTC),
        ends_at=datetime.datetime(2020, 1, 1, 2, tzinfo=UTC),
    )
    everything = events_in(client.get("/events.ics").content)
    assert {str(e["SUMMARY"]) for e in everything.values()} == {"AI evening", "Fintech lunch"}
    only_ai = events_in(client.get("/events.ics?sector=ai").content)
    assert list(only_ai) == [ai.ical_uid]
    past = events_in(client.get("/events.ics?when=past").content)
    assert list(past) == [old.ical_uid]
    assert client.get("/events.ics?sector=nope").status_code == 400
    # The calendar's name echoes a filter: a newline in it must not break the file.
    odd = client.get("/events.ics", {"festival": "a\nb;c,\\", "organiser": "x\r\ny"})
    assert odd.status_code == 200 and check_rfc5545(odd.content)


def test_organisation_ics_lists_its_events(client):
    org = OrganisationFactory()
    mine = EventFactory()
    mine.organisers.add(org)
    EventFactory()
    assert list(events_in(client.get(f"/events.ics?organiser={org.slug}").content)) == [
        mine.ical_uid
    ]
    response = client.get(f"/organisations/{org.slug}/events.ics")
    cal = check_rfc5545(response.content)
    assert cal["X-WR-CALNAME"] == org.name
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == [mine.ical_uid]
    assert client.get("/organisations/nobody/events.ics").status_code == 404


def test_list_page_offers_webcal_subscription_with_the_same_filters(client):
    response = client.get("/events/?sector=ai&kind=meetup&page=1")
    html = response.content.decode()
    assert 'href="webcal://testserver/events.ics?sector=ai&amp;kind=meetup"' in html
    assert 'href="/events.atom?sector=ai&amp;kind=meetup"' in html


def test_export_then_reimport_gives_the_same_events(client, frozen):
    """Our ICS is a feed another hub can take in: same names, times, statuses."""
    library = PlaceFactory(name="Milton Keynes Central Library")
    source = FeedFactory(url="", upload=ContentFile(corpus("google.ics"), name="g.ics"))
    actions.feed_sync(source)
    actions.feed_sync(FeedFactory(url="", upload=ContentFile(corpus("outlook.ics"), name="o.ics")))
    originals = {
        (e.name, e.starts_at, e.ends_at, e.all_day, e.status) for e in Event.objects.published()
    }
    body = client.get("/events.ics").content
    check_rfc5545(body)

    again = importers.parse(body, now=frozen)
    assert again.warnings == []
    imported = {
        (e.name, e.starts_at, e.ends_at, e.all_day, "cancelled" if e.cancelled else "scheduled")
        for e in again.events
    }
    assert imported == originals
    assert {e.key for e in again.events} == {e.ical_uid for e in Event.objects.published()}
    assert any(e.location.startswith("Milton Keynes Central Library") for e in again.events)
    assert library.events.exists()


def test_exports_parse_with_recurring_ical_events(client, frozen):
    source = FeedFactory(url="", upload=ContentFile(corpus("apple.ics"), name="a.ics"))
    actions.feed_sync(source)
    cal = icalendar.Calendar.from_ical(client.get("/events.ics").content)
    found = recurring_ical_events.of(cal).between(
        datetime.datetime(2026, 10, 1, tzinfo=UTC), datetime.datetime(2026, 12, 1, tzinfo=UTC)
    )
    assert sorted(e.start.astimezone(UTC) for e in found) == [
        datetime.datetime(2026, 10, 24, 9, tzinfo=UTC),
        datetime.datetime(2026, 10, 31, 10, tzinfo=UTC),
        datetime.datetime(2026, 11, 7, 10, tzinfo=UTC),
    ]
    assert all(str(e["DTSTART"].params["TZID"]) == "Europe/London" for e in found)


def test_atom_feed_of_new_events(client):
    EventFactory(name="Older")
    newest = EventFactory(name="Newest", sectors=["ai"])
    response = client.get("/events.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(response.content).findall("a:entry", ns)
    assert [e.find("a:title", ns).text.split(" (")[0] for e in entries] == ["Newest", "Older"]
    assert entries[0].find("a:id", ns).text == f"tag:testserver,2026:event-{newest.pk}"
    filtered = ET.fromstring(client.get("/events.atom?sector=ai").content)
    assert len(filtered.findall("a:entry", ns)) == 1
    assert client.get("/events.atom?sector=nope").status_code == 400  # as for the calendar


def test_add_to_calendar_links(client):
    event = EventFactory(
        name="Demo day",
        starts_at=datetime.datetime(2026, 7, 1, 17, tzinfo=UTC),
        ends_at=datetime.datetime(2026, 7, 1, 19, tzinfo=UTC),
    )
    assert "dates=20260701T170000Z%2F20260701T190000Z" in event.google_calendar_url()
    assert "startdt=2026-07-01T17%3A00%3A00%2B00%3A00" in event.outlook_calendar_url()
    html = client.get(event.get_absolute_url()).content.decode()
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in html
    assert "https://outlook.live.com/calendar/0/deeplink/compose?" in html
    assert f'href="/events/{event.slug}.ics" download' in html


names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"], exclude_characters="<>")
    | st.sampled_from([",", ";", ":", "\\", '"', "\n", " "]),
    min_size=1,
    max_size=60,
)


@st.composite
def calendar_events(draw):
    """Timed events at any minute for a year (both clock changes), and all-day ones."""
    if draw(st.booleans()):
        day = datetime.date(2026, 10, 2) + datetime.timedelta(days=draw(st.integers(0, 360)))
        days = draw(st.integers(1, 4))
        start = datetime.datetime.combine(day, datetime.time(), LONDON)
        end = datetime.datetime.combine(
            day + datetime.timedelta(days=days - 1), datetime.time(23, 59, 59), LONDON
        )
        return {"all_day": True, "starts_at": start, "ends_at": end}
    minute = draw(st.integers(60 * 24, 60 * 24 * 360))
    start = datetime.datetime(2026, 10, 1, tzinfo=UTC) + datetime.timedelta(minutes=minute)
    length = datetime.timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
    return {"all_day": False, "starts_at": start, "ends_at": start + length}


@hypothesis.settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture],
)
@hypothesis.given(
    events=st.lists(st.tuples(names, calendar_events(), st.booleans()), min_size=1, max_size=5)
)
def test_any_events_survive_export_and_reimport(client, frozen, events):
    Event.objects.all().delete()
    for n, (name, times, cancelled) in enumerate(events):
        status = "cancelled" if cancelled else "scheduled"
        EventFactory(name=name, slug=f"e{n}", status=status, **times)
    expected = {
        (
            " ".join(name.split()) or "Untitled event",
            times["starts_at"].astimezone(UTC),
            times["ends_at"].astimezone(UTC),
            times["all_day"],
            cancelled,
        )
        for name, times, cancelled in events
    }
    body = client.get("/events.ics").content
    check_rfc5545(body)
    again = importers.parse(body, now=frozen)
    assert again.warnings == []
    assert {
        (e.name, e.starts_at, e.ends_at, e.all_day, e.cancelled) for e in again.events
    } == expected


def test_the_repeated_hour_when_the_clocks_go_back_is_exported_in_utc(client, frozen):
    # 00:30 UTC and 01:30 UTC on 25 October 2026 are both 01:30 in London.
    first = EventFactory(
        name="First 1:30", starts_at=at(2026, 10, 25, 0, 30), ends_at=at(2026, 10, 25, 0, 45)
    )
    second = EventFactory(
        name="Second 1:30", starts_at=at(2026, 10, 25, 1, 30), ends_at=at(2026, 10, 25, 1, 45)
    )
    exported = events_in(client.get("/events.ics").content)
    assert exported[first.ical_uid]["DTSTART"].dt == at(2026, 10, 25, 0, 30)
    assert exported[second.ical_uid]["DTSTART"].dt == at(2026, 10, 25, 1, 30)
    again = {
        e.name: e.starts_at
        for e in importers.parse(client.get("/events.ics").content, now=frozen).events
    }
    assert again == {"First 1:30": at(2026, 10, 25, 0, 30), "Second 1:30": at(2026, 10, 25, 1, 30)}
