"""feed_sync: an event that is over and leaves its feed is not called off."""

import datetime

import pytest
import time_machine

from frontdoor.events import actions
from frontdoor.events.models import Event
from frontdoor.events.tests.conftest import NOW
from frontdoor.events.tests.test_sync import file_feed, ics, resync, vevent

pytestmark = pytest.mark.django_db

TONIGHT = vevent("tonight@meetup.com", "October meetup", "20261002T180000Z", "20261002T200000Z")
NEXT_WEEK = vevent("next@meetup.com", "Hack night", "20261009T180000Z", "20261009T200000Z")
NEXT_MONTH = vevent("later@meetup.com", "November meetup", "20261102T180000Z", "20261102T200000Z")


def test_an_event_that_has_happened_and_leaves_the_feed_is_not_cancelled(frozen):
    # Meetup and Eventbrite list only upcoming events: the day after, tonight's is gone.
    feed = file_feed(ics(TONIGHT, NEXT_WEEK, NEXT_MONTH))
    actions.feed_sync(feed)
    with time_machine.travel(NOW + datetime.timedelta(days=3), tick=False):
        sync = resync(feed, ics(NEXT_MONTH))
    past = Event.objects.get(uid="tonight@meetup.com")
    assert not past.is_cancelled and past.status_note == "" and past.sequence == 0
    # One still to come that vanishes is still called off, as before.
    assert sync.cancelled == 1
    assert Event.objects.get(uid="next@meetup.com").is_cancelled
    assert "October meetup" not in sync.changes
