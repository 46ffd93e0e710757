"""All-day events on the same days everywhere, calendar periods, a past festival's calendar,
cancelled pitch sessions, a valid Atom feed, and the "free" chip."""

import datetime
import re
import xml.etree.ElementTree as ET
import zoneinfo

import icalendar
import pytest

from frontdoor.events.factories import EventFactory, FestivalFactory
from frontdoor.events.models import PitchApplication

pytestmark = pytest.mark.django_db
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def month_days(client, month, name):
    """The days of the 2026 month grid that list the event called `name`."""
    page = client.get(f"/events/calendar/2026/{month}/").content.decode()
    cells = re.findall(r'<td class="[^"]*"[^>]*>(.*?)</td>', page, re.S)
    link = re.compile(rf"/events/calendar/2026/{month}/(\d+)/")
    return [int(link.search(cell)[1]) for cell in cells if name in cell]


def ics_days(client, event):
    vevent = icalendar.Calendar.from_ical(client.get(f"/events/{event.slug}.ics").content)
    vevent = vevent.walk("VEVENT")[0]
    return vevent["DTSTART"].dt, vevent["DTEND"].dt


def shown_dates(client, event):
    page = client.get(event.get_absolute_url()).content.decode()
    when = re.search(r"<dt>When</dt><dd>(.*?)</dd>", page, re.S)[1]
    return re.findall(r'<time datetime="([\d-]+)"', when)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "UTC", "America/New_York"])
def test_an_all_day_event_keeps_its_own_date_in_any_time_zone(client, frozen, zone):
    tz = zoneinfo.ZoneInfo(zone)
    event = EventFactory(
        name="Hack day",
        all_day=True,
        time_zone=zone,
        starts_at=datetime.datetime(2026, 7, 15, tzinfo=tz),
        ends_at=datetime.datetime(2026, 7, 15, 23, 59, 59, tzinfo=tz),
    )
    assert month_days(client, 7, "Hack day") == [15]
    assert ics_days(client, event) == (datetime.date(2026, 7, 15), datetime.date(2026, 7, 16))
    assert shown_dates(client, event) == ["2026-07-15"]


def test_an_all_day_event_ending_at_midnight_ends_the_day_before(client, frozen):
    london = zoneinfo.ZoneInfo("Europe/London")
    event = EventFactory(
        name="Conference",
        all_day=True,
        starts_at=datetime.datetime(2026, 11, 5, tzinfo=london),
        ends_at=datetime.datetime(2026, 11, 7, tzinfo=london),
    )
    assert month_days(client, 11, "Conference") == [5, 6]
    assert ics_days(client, event) == (datetime.date(2026, 11, 5), datetime.date(2026, 11, 7))
    assert shown_dates(client, event) == ["2026-11-05", "2026-11-06"]
    assert "dates=20261105%2F20261107" in event.google_calendar_url()


def test_a_calendar_period_ignores_a_when_filter(client, frozen):
    EventFactory(
        name="Later this month",
        starts_at=datetime.datetime(2026, 10, 20, 18, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 10, 20, 20, tzinfo=datetime.UTC),
    )
    for query in ["", "?when=past"]:
        page = client.get(f"/events/calendar/2026/10/{query}").content.decode()
        assert "Later this month" in page, query


def test_a_past_festivals_calendar_download_holds_its_programme(client, frozen):
    festival = FestivalFactory(
        name="Spring Tech Week",
        starts_on=datetime.date(2026, 3, 2),
        ends_on=datetime.date(2026, 3, 6),
    )
    EventFactory(
        name="Festival talk",
        festival=festival,
        starts_at=datetime.datetime(2026, 3, 3, 18, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 3, 3, 20, tzinfo=datetime.UTC),
    )
    page = client.get(festival.get_absolute_url()).content.decode()
    link = re.search(r'<a href="http://testserver(/events.ics\?[^"]+)">Download as .ics', page)[1]
    events = icalendar.Calendar.from_ical(client.get(link).content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Festival talk"]


def test_a_cancelled_pitch_session_takes_no_application(client, frozen):
    event = EventFactory(name="Pitch night", kind="pitch", status="cancelled")
    assert "Apply to pitch" not in client.get(event.get_absolute_url()).content.decode()
    application = {
        "company_name": "Acme",
        "founder_name": "A Founder",
        "email": "founder@acme.example",
        "pitch": "We make things.",
        "consent": "on",
    }
    response = client.post(f"/events/{event.slug}/pitch/", application)
    assert response.status_code == 400
    assert "This session has been cancelled" in response.content.decode()
    assert not PitchApplication.objects.exists()


def test_atom_ids_name_the_published_site_whatever_the_host(client, frozen, settings):
    settings.FRONTDOOR_SITE_URL = "https://tech.example.org"
    settings.ALLOWED_HOSTS = ["www.tech.example.org", "testserver"]
    event = EventFactory(name="Web talk")
    for host in ["testserver", "www.tech.example.org"]:
        feed = ET.fromstring(client.get("/events.atom", headers={"host": host}).content)
        entry_id = feed.find("a:entry/a:id", ATOM).text
        assert entry_id == f"tag:tech.example.org,2026:event-{event.pk}", host


def test_the_atom_feed_has_iri_ids_an_author_and_text_summaries(client, frozen):
    EventFactory(name="Web talk", summary="How <img src=x onerror=alert(1)> and <dialog> work")
    feed = ET.fromstring(client.get("/events.atom").content)
    entry = feed.find("a:entry", ATOM)
    assert re.fullmatch(r"tag:testserver,2026:event-\d+", entry.find("a:id", ATOM).text)
    assert feed.find("a:author/a:name", ATOM).text
    # Declared as HTML, so the text is escaped once more: a reader shows it as written.
    summary = entry.find("a:summary", ATOM)
    assert summary.get("type") == "html"
    assert summary.text == "How &lt;img src=x onerror=alert(1)&gt; and &lt;dialog&gt; work"


def test_free_false_shows_no_free_only_chip(client, frozen):
    EventFactory(name="Paid meetup", is_free=False, price="£5")
    page = client.get("/events/?free=false").content.decode()
    assert "Paid meetup" in page and "Free only: yes" not in page
    assert "Free only: yes" in client.get("/events/?free=on").content.decode()


def test_an_event_links_its_festival_after_the_festival_is_archived(client, frozen):
    archived = FestivalFactory(name="Last year's week", state="archived")
    draft = FestivalFactory(name="Secret week", state="draft")
    past = EventFactory(name="Old talk", festival=archived)
    hidden = EventFactory(name="Teaser", festival=draft)
    assert archived.get_absolute_url() in client.get(past.get_absolute_url()).text
    assert client.get(archived.get_absolute_url()).status_code == 200
    assert "Secret week" not in client.get(hidden.get_absolute_url()).text


def test_the_pitch_form_says_what_each_personal_field_is(client, frozen):
    # WCAG 1.3.5: browsers and assistive tools can fill in or explain these fields.
    event = EventFactory(name="Pitch night", kind="pitch")
    page = client.get(event.get_absolute_url()).text
    for name, purpose in [
        ("company_name", "organization"),
        ("founder_name", "name"),
        ("email", "email"),
        ("website", "url"),
    ]:
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)[0]
        assert f'autocomplete="{purpose}"' in field, name


def test_a_timed_event_from_another_zone_is_dated_in_uk_time_everywhere(client, frozen):
    # 19:00 to 21:00 in New York on 10 November is 00:00 to 02:00 on the 11th in the UK.
    new_york = zoneinfo.ZoneInfo("America/New_York")
    event = EventFactory(
        name="Evening call",
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 11, 10, 18, tzinfo=new_york),
        ends_at=datetime.datetime(2026, 11, 10, 21, tzinfo=new_york),
    )
    page = client.get(event.get_absolute_url()).content.decode()
    when = re.sub(r"<[^>]+>", "", re.search(r"<dt>When</dt><dd>(.*?)</dd>", page, re.S)[1])
    assert when.startswith("Tuesday 10 November 2026, 23:00 to Wednesday 11 November 2026, 02:00")
    feed = ET.fromstring(client.get("/events.atom").content)
    assert feed.find("a:entry/a:title", ATOM).text == "Evening call (Tue 10 Nov 2026)"
    event.starts_at += datetime.timedelta(hours=2)  # now starting at 01:00 UK time
    event.save()
    feed = ET.fromstring(client.get("/events.atom").content)
    assert feed.find("a:entry/a:title", ATOM).text == "Evening call (Wed 11 Nov 2026)"


def test_the_calendars_time_zones_cover_the_events_years(client, frozen):
    london = zoneinfo.ZoneInfo("Europe/London")
    start = datetime.datetime(2040, 7, 1, 12, tzinfo=london)
    event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=2))
    cal = icalendar.Calendar.from_ical(client.get(f"/events/{event.slug}.ics").content)
    (zone,) = cal.walk("VTIMEZONE")
    declared = cal.walk("VEVENT")[0]["DTSTART"].dt.replace(tzinfo=zone.to_tz(lookup_tzid=False))
    # As a client that reads only the VTIMEZONE sees it: summer time, not GMT.
    assert declared.utcoffset() == datetime.timedelta(hours=1)


def test_the_past_calendar_download_keeps_the_most_recent_events(client, frozen, monkeypatch):
    from frontdoor.events import views

    monkeypatch.setattr(views, "ICS_LIMIT", 2)
    for days in (300, 200, 100, 3):
        start = frozen - datetime.timedelta(days=days)
        EventFactory(name=f"Past {days}", starts_at=start, ends_at=start)
    cal = icalendar.Calendar.from_ical(client.get("/events.ics?when=past").content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Past 100", "Past 3"]
