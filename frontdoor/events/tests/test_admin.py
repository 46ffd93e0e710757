"""Curators' screens: feeds with their sync history, sync now, approvals, pitch decisions."""

import pytest
from django.core.files.base import ContentFile

from frontdoor.events import actions
from frontdoor.events.factories import EventFactory, FeedFactory, PitchApplicationFactory
from frontdoor.events.models import Event, Feed, PitchApplication
from frontdoor.events.tests.conftest import corpus

pytestmark = pytest.mark.django_db


def test_feed_pages_show_the_last_sync_and_its_errors(admin_client, frozen):
    feed = FeedFactory(url="", upload=ContentFile(corpus("minimal.ics"), name="m.ics"))
    actions.feed_sync(feed)
    listing = admin_client.get("/admin/events/feed/")
    assert listing.status_code == 200 and "OK, with warnings" in listing.content.decode()
    page = admin_client.get(f"/admin/events/feed/{feed.pk}/change/").content.decode()
    assert "Line 16: event (no UID): no UID" in page
    assert "Recent syncs" in page and "All runs" in page
    assert admin_client.get("/admin/events/feed/add/").status_code == 200
    sync = feed.syncs.get()
    detail = admin_client.get(f"/admin/events/feedsync/{sync.pk}/change/").content.decode()
    assert "Added: Floating-time breakfast" in detail


def test_sync_now_action_reports_each_feed(admin_client, frozen):
    good = FeedFactory(
        name="Apple feed", url="", upload=ContentFile(corpus("apple.ics"), name="a.ics")
    )
    bad = FeedFactory(name="Dead feed", url="http://127.0.0.1:9/none.ics")
    response = admin_client.post(
        "/admin/events/feed/",
        {"action": "sync_now", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Apple feed: OK; 3 added" in text
    assert "Dead feed: Failed" in text and "Could not reach" in text
    assert Feed.objects.get(pk=bad.pk).last_outcome == "failed"


def test_a_feed_needs_a_url_or_a_file_and_an_http_or_webcal_link(admin_client):
    response = admin_client.post(
        "/admin/events/feed/add/",
        {
            "name": "Nothing",
            "default_kind": "meetup",
            "time_zone": "Europe/London",
            "sync_every_hours": 6,
        },
    )
    assert "Give the calendar" in response.content.decode()
    response = admin_client.post(
        "/admin/events/feed/add/",
        {
            "name": "Local file",
            "url": "file:///etc/passwd",
            "default_kind": "meetup",
            "time_zone": "Europe/London",
            "sync_every_hours": 6,
        },
    )
    assert "Use an http://, https:// or webcal:// link." in response.content.decode()
    response = admin_client.post(
        "/admin/events/feed/add/",
        {
            "name": "Webcal",
            "url": "webcal://calendar.example/mk.ics",
            "default_kind": "meetup",
            "time_zone": "Europe/London",
            "sync_every_hours": 6,
            "active": "on",
        },
    )
    assert response.status_code == 302 and Feed.objects.filter(name="Webcal").exists()


def test_curators_publish_held_events_and_accept_pitches(admin_client):
    held = EventFactory(state="draft")
    admin_client.post("/admin/events/event/", {"action": "publish", "_selected_action": [held.pk]})
    assert Event.objects.published().filter(pk=held.pk).exists()
    application = PitchApplicationFactory()
    admin_client.post(
        "/admin/events/pitchapplication/",
        {"action": "accept", "_selected_action": [application.pk]},
    )
    application.refresh_from_db()
    assert application.status == PitchApplication.Status.ACCEPTED
    assert admin_client.get("/admin/events/festival/add/").status_code == 200
