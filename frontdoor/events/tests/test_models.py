import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from frontdoor.events.factories import EventFactory
from frontdoor.events.models import Event

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


def test_upcoming_includes_running_events_and_past_excludes_them():
    now = datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC)
    hour = datetime.timedelta(hours=1)
    EventFactory(name="Running", starts_at=now - hour, ends_at=now + hour)
    EventFactory(name="Later", starts_at=now + 5 * hour, ends_at=now + 6 * hour)
    EventFactory(name="Done", starts_at=now - 5 * hour, ends_at=now - 4 * hour)
    assert [e.name for e in Event.objects.upcoming(now)] == ["Running", "Later"]
    assert [e.name for e in Event.objects.past(now)] == ["Done"]


def test_local_times_follow_the_event_time_zone_across_daylight_saving():
    summer = EventFactory(
        starts_at=datetime.datetime(2026, 7, 1, 17, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 7, 1, 19, tzinfo=datetime.UTC),
    )
    winter = EventFactory(
        starts_at=datetime.datetime(2026, 12, 1, 17, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 12, 1, 19, tzinfo=datetime.UTC),
    )
    assert summer.local_start.hour == 18  # BST
    assert winter.local_start.hour == 17  # GMT


def test_event_cannot_end_before_it_starts():
    start = datetime.datetime(2026, 7, 1, 17, tzinfo=LONDON)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventFactory(starts_at=start, ends_at=start - datetime.timedelta(minutes=1))


def test_time_zone_and_price_are_validated():
    event = EventFactory.build(slug="e", time_zone="Mars/Olympus", is_free=False, price="")
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert {"time_zone", "price"} <= set(error.value.message_dict)


def test_a_year_at_the_calendars_edge_is_refused():
    # 31 December 9999, all day: the day after cannot be written, and every calendar listing
    # it (the site-wide .ics too) failed.
    edge = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)
    event = EventFactory.build(slug="e", starts_at=edge, ends_at=edge, all_day=True)
    with pytest.raises(ValidationError, match="Give a year from 1900 to 2999"):
        event.full_clean()
    event.starts_at = event.ends_at = datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    event.full_clean()
