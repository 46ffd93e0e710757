"""What curators can type that used to break a sync or a feed: each is a form error now, and
what is stored already breaks nothing."""

import datetime
import re
import xml.etree.ElementTree as ET
import zoneinfo
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from frontdoor.events.factories import EventFactory, FeedFactory
from frontdoor.events.models import Event, Feed

pytestmark = pytest.mark.django_db


def feed_form(**values):
    return {
        "name": "Slow feed",
        "url": "https://calendar.example/slow.ics",
        "active": "on",
        "default_kind": "meetup",
        "time_zone": "Europe/London",
        "sync_every_hours": "6",
        **values,
    }


def test_a_sync_interval_longer_than_a_year_is_a_form_error(admin_client):
    response = admin_client.post("/admin/events/feed/add/", feed_form(sync_every_hours="99999999"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sync_every_hours"] == [
        "At most 8760 hours (a year). To stop syncing the feed, untick Active."
    ]
    assert not Feed.objects.exists()
    response = admin_client.post("/admin/events/feed/add/", feed_form(sync_every_hours="8760"))
    assert response.status_code == 302 and Feed.objects.get().sync_every_hours == 8760


def test_a_stored_interval_too_long_for_a_date_stops_no_sync():
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite stores an interval past the column's range")
    now = timezone.now()
    # Saved before the limit: 11,000 years, past any date's reach.
    just_synced = FeedFactory(last_synced_at=now)
    long_ago = FeedFactory(last_synced_at=now - datetime.timedelta(days=400))
    Feed.objects.filter(pk__in=[just_synced.pk, long_ago.pk]).update(sync_every_hours=99999999)
    other = FeedFactory(last_synced_at=now - datetime.timedelta(hours=7))
    # Taken as a year: the feed synced 400 days ago is due again, with the others.
    assert set(Feed.objects.due(now)) == {long_ago, other}
    Feed.objects.filter(pk__in=[long_ago.pk, other.pk]).update(active=False)
    out = StringIO()
    call_command("sync", stdout=out, stderr=StringIO())
    assert "Synced 0 feed(s)." in out.getvalue()


def test_sync_of_an_id_too_large_for_the_database_says_there_is_no_such_feed():
    feed = FeedFactory()
    with pytest.raises(CommandError, match=r"^No feed with id 99999999999999999999\.$"):
        call_command("sync", "99999999999999999999", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match=r"^No feed with id -99999999999999999999\.$"):
        call_command("sync", str(feed.pk), "-99999999999999999999", stdout=StringIO())


def event_form(**values):
    return {
        "name": "Launch night",
        "slug": "launch-night",
        "kind": "meetup",
        "status": "scheduled",
        "summary": "Drinks and demos.",
        "description": "<p>Bring a laptop.</p>",
        "starts_at_0": "2030-10-20",
        "starts_at_1": "18:00:00",
        "ends_at_0": "2030-10-20",
        "ends_at_1": "20:00:00",
        "time_zone": "Europe/London",
        "location_text": "The Hub",
        "is_free": "on",
        "state": "published",
        **values,
    }


def test_control_characters_in_an_events_text_are_a_form_error(admin_client):
    pasted = {
        "name": "Launch\x07night",
        "summary": "Drinks\x1band demos.",
        "description": "<p>Bring a\x01 laptop.</p>",
        "location_text": "The Hub\uffff",
    }
    response = admin_client.post("/admin/events/event/add/", event_form(**pasted))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == set(pasted)
    assert errors["name"] == [
        "Remove the invisible control character (U+0007) at character 7: "
        "pages and feeds cannot show it."
    ]
    assert not Event.objects.exists()
    # Tabs and line breaks are text, not control characters.
    response = admin_client.post(
        "/admin/events/event/add/", event_form(description="Bring:\r\n\ta laptop")
    )
    assert response.status_code == 302 and Event.objects.get().name == "Launch night"


def test_control_characters_in_a_listings_text_are_a_form_error(admin_client):
    response = admin_client.post(
        "/admin/directory/organisation/add/", {"name": "Acme\x02 Ltd", "summary": "Widgets\x7f"}
    )
    errors = response.context["adminform"].form.errors
    assert "control character (U+0002)" in errors["name"][0]
    assert "control character (U+007F)" in errors["summary"][0]


@pytest.mark.parametrize("invisible", ["\x07", "\x01", "\ufffe", "\uffff"])
def test_a_stored_control_character_does_not_break_the_atom_feed(client, invisible):
    EventFactory(name=f"Launch{invisible}night", summary=f"Drinks{invisible} and demos")
    response = client.get("/events.atom")
    assert response.status_code == 200
    ET.fromstring(response.content)  # well-formed XML
    text = response.content.decode()
    assert "Launchnight" in text and "Drinks and demos" in text


def test_times_are_typed_and_shown_in_the_events_own_zone(admin_client, client):
    all_day = {"starts_at_1": "00:00:00", "ends_at_1": "23:59:59", "all_day": "on"}
    form = event_form(time_zone="America/New_York", **all_day)
    assert admin_client.post("/admin/events/event/add/", form).status_code == 302
    event = Event.objects.get()
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert event.starts_at == datetime.datetime(2030, 10, 20, tzinfo=new_york)
    assert event.calendar_days() == (datetime.date(2030, 10, 20),) * 2
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Sunday 20 October 2030" in page and "19 October" not in page
    # Shown again as typed, so saving it unchanged changes nothing.
    change = admin_client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    assert 'name="starts_at_1" value="00:00:00"' in change
    form = event_form(time_zone="America/New_York", name="Hack day", **all_day)
    admin_client.post(f"/admin/events/event/{event.pk}/change/", form)
    event.refresh_from_db()
    assert (event.name, event.starts_at.astimezone(new_york).hour) == ("Hack day", 0)
    # A zone that does not exist is the form's error, not a crash.
    response = admin_client.post("/admin/events/event/add/", event_form(time_zone="x" * 300))
    assert "time_zone" in response.context["adminform"].form.errors


def test_a_time_the_clocks_pass_twice_or_skip_is_saved_not_refused(admin_client):
    # New York's clocks go back at 02:00 on 1 November 2026: 01:30 happens twice. This
    # event starts at the second 01:30 (EST, 06:30 UTC).
    event = EventFactory(
        name="Night hack",
        time_zone="America/New_York",
        starts_at=datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 11, 1, 8, tzinfo=datetime.UTC),
    )
    change = f"/admin/events/event/{event.pk}/change/"
    assert 'name="starts_at_1" value="01:30:00"' in admin_client.get(change).content.decode()
    shown = {"starts_at_0": "2026-11-01", "starts_at_1": "01:30:00", "ends_at_1": "03:00:00"}
    form = event_form(name="Night hackathon", slug=event.slug, ends_at_0="2026-11-01", **shown)
    form["time_zone"] = "America/New_York"
    assert admin_client.post(change, form).status_code == 302
    event.refresh_from_db()  # renamed, and still the very moment it was
    assert event.name == "Night hackathon"
    assert event.starts_at == datetime.datetime(2026, 11, 1, 6, 30, tzinfo=datetime.UTC)
    # Typed anew, a doubled time is its first reading, a skipped one (02:30 on 8 March
    # 2026, when the clocks go forward) the moment the clock would show it.
    form |= {"starts_at_1": "01:00:00"}
    assert admin_client.post(change, form).status_code == 302
    event.refresh_from_db()
    assert event.starts_at == datetime.datetime(2026, 11, 1, 5, tzinfo=datetime.UTC)
    skipped = {"starts_at_0": "2026-03-08", "starts_at_1": "02:30:00", "ends_at_0": "2026-03-08"}
    skipped["ends_at_1"] = "04:00:00"
    assert admin_client.post(change, form | skipped).status_code == 302
    event.refresh_from_db()
    assert event.starts_at == datetime.datetime(2026, 3, 8, 7, 30, tzinfo=datetime.UTC)


def test_created_and_updated_are_shown_in_the_sites_zone_and_say_which(admin_client, settings):
    # The change form runs in the event's zone (New York here), so these read 8 a.m. and
    # 4:15 a.m. unmarked before: a curator in the UK would take them for UK times.
    settings.TIME_ZONE = "Europe/London"
    event = EventFactory(time_zone="America/New_York")
    Event.objects.filter(pk=event.pk).update(
        created=datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC),
        updated=datetime.datetime(2026, 12, 2, 9, 15, tzinfo=datetime.UTC),
        starts_at=datetime.datetime(2026, 12, 9, 23, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 12, 10, 1, tzinfo=datetime.UTC),
    )
    page = admin_client.get(f"/admin/events/event/{event.pk}/change/").content.decode()
    # What the page shows, as it rendered it (in the event's zone).
    shown = dict(re.findall(r'<label>(\w+):</label>\s*<div class="readonly">([^<]*)<', page))
    assert shown["Created"] == "1 Oct 2026, 1 p.m. BST"
    assert shown["Updated"] == "2 Dec 2026, 9:15 a.m. GMT"
    # The event's own times are still typed in its zone: 23:00 UTC is 18:00 in New York.
    assert 'name="starts_at_1" value="18:00:00"' in page
    assert admin_client.get("/admin/events/event/add/").status_code == 200
