"""Curators' tools that must be safe with limited accounts and odd input: uploaded calendars,
actions needing the change permission, "Sync now" with a failing feed, errors in words,
times in UK time; and branding, which only those allowed may set."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from frontdoor.core.models import Branding
from frontdoor.events.factories import FeedFactory, PitchApplicationFactory
from frontdoor.events.models import Event, Feed, FeedSync

pytestmark = pytest.mark.django_db
EMPTY_CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"
NEW_FEED = {"default_kind": "meetup", "time_zone": "Europe/London", "sync_every_hours": 6}


def limited_staff(client, *codenames):
    user = User.objects.create_user("limited", password="unused", is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)


def form_errors(response):
    return " ".join(re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S))


def calendar(uid, name):
    """A calendar with one weekly event, three times."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTART:20261020T180000Z\r\nDTEND:20261020T200000Z\r\n"
        f"RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:{name}\r\nDTSTAMP:20260820T101010Z\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def uploaded(data):
    return ContentFile(data, name="feed.ics")


def test_only_a_calendar_file_is_taken_and_it_is_never_served(admin_client, client, settings):
    page = SimpleUploadedFile("calendar.ics", b"<script>alert(document.domain)</script>")
    response = admin_client.post(
        "/admin/events/feed/add/", {"name": "Page", "upload": page, **NEW_FEED}
    )
    assert "not an iCalendar file" in form_errors(response)
    named_html = SimpleUploadedFile("calendar.html", EMPTY_CALENDAR)
    response = admin_client.post(
        "/admin/events/feed/add/", {"name": "Named", "upload": named_html, **NEW_FEED}
    )
    assert "File extension “html” is not allowed" in form_errors(response)
    private = SimpleUploadedFile("members-only.ics", EMPTY_CALENDAR)
    admin_client.post("/admin/events/feed/add/", {"name": "Private", "upload": private, **NEW_FEED})
    feed = Feed.objects.get(name="Private")
    assert (settings.PRIVATE_ROOT / feed.upload.name).read_bytes() == EMPTY_CALENDAR
    assert not (settings.MEDIA_ROOT / feed.upload.name).exists()
    assert client.get(f"/media/{feed.upload.name}").status_code == 404
    assert Feed.objects.count() == 1


def test_view_only_staff_can_neither_judge_applications_nor_sync(client):
    application = PitchApplicationFactory()
    feed = FeedFactory(url="", upload=uploaded(EMPTY_CALENDAR))
    limited_staff(client, "view_pitchapplication", "view_feed")
    for url, action, pk in [
        ("/admin/events/pitchapplication/", "accept", application.pk),
        ("/admin/events/pitchapplication/", "decline", application.pk),
        ("/admin/events/feed/", "sync_now", feed.pk),
    ]:
        client.post(url, {"action": action, "_selected_action": [pk], "index": 0})
    application.refresh_from_db()
    assert application.status == "submitted"
    assert not FeedSync.objects.exists()


def test_sync_now_goes_on_past_a_failing_feed_and_long_uids_fit(admin_client, frozen):
    admin_client.raise_request_exception = False
    # An Exchange-style UID longer than a source id: its occurrences must stay apart.
    long_uid = "040000008200E00074C5B7101A82E008" + "0" * 170
    weekly = FeedFactory(name="A weekly", url="", upload=uploaded(calendar(long_uid, "Weekly")))
    broken = FeedFactory(name="B broken", url="", upload=uploaded(b"not a calendar"))
    other = FeedFactory(name="C other", url="", upload=uploaded(calendar("ok@x", "Other")))
    response = admin_client.post(
        "/admin/events/feed/",
        {"action": "sync_now", "_selected_action": [weekly.pk, broken.pk, other.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    assert Event.objects.filter(name="Weekly").count() == 3
    assert Event.objects.filter(name="Other").count() == 3
    outcomes = dict(Feed.objects.values_list("name", "last_outcome"))
    assert outcomes == {"A weekly": "ok", "B broken": "failed", "C other": "ok"}
    assert "B broken: Failed" in response.text


def test_festival_and_feed_mistakes_are_explained_in_words(admin_client):
    festival = admin_client.post(
        "/admin/events/festival/add/",
        {"name": "Fest", "slug": "fest", "starts_on": "10/05/2026", "ends_on": "01/05/2026"},
    )
    assert "A festival cannot end before it starts." in form_errors(festival)
    feed = admin_client.post("/admin/events/feed/add/", {"name": "Nothing", **NEW_FEED})
    errors = form_errors(feed)
    assert errors.count("Give the calendar") == 1 and "Constraint" not in errors


def test_recent_syncs_are_shown_in_uk_time(admin_client):
    feed = FeedFactory()
    summer_noon_utc = datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC)
    FeedSync.objects.create(feed=feed, started_at=summer_noon_utc, finished_at=summer_noon_utc)
    page = admin_client.get(f"/admin/events/feed/{feed.pk}/change/").text
    assert "2026-07-01 13:00" in page and "2026-07-01 12:00" not in page


def test_only_staff_allowed_to_add_branding_can_set_it(client, admin_client):
    limited_staff(client, "change_event")
    client.post("/admin/core/branding/add/", {"site_name": "Taken Over", "primary_colour": ""})
    assert not Branding.objects.exists()
    admin_client.post("/admin/core/branding/add/", {"site_name": "Our Hub", "primary_colour": ""})
    assert Branding.objects.get().site_name == "Our Hub"


def test_a_primary_colour_must_read_on_the_grey_panels_too(admin_client):
    # 4.54:1 on white, 4.13:1 on the panels (#f3f4f6) its links also sit on.
    response = admin_client.post(
        "/admin/core/branding/add/", {"site_name": "Hub", "primary_colour": "#767676"}
    )
    assert "against grey panels" in form_errors(response)
    assert not Branding.objects.exists()


def test_a_feed_uploaded_before_the_checks_can_still_be_edited():
    # Uploaded when any name was taken: editing the feed must not demand a new file.
    feed = FeedFactory(url="", upload=ContentFile(EMPTY_CALENDAR, name="calendar.txt"))
    feed.requires_approval = True
    feed.full_clean()
