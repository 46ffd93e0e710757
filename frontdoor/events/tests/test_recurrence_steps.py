"""Events are read thirty days at a time: each is read once, whatever its time zone."""

import collections
import datetime
import zoneinfo

import pytest

from frontdoor.events import actions, importers
from frontdoor.events.tests.conftest import NOW
from frontdoor.events.tests.test_sync import file_feed, ics, vevent

LONDON = zoneinfo.ZoneInfo("Europe/London")
WINDOW = (NOW - importers.WINDOW_BEFORE, NOW + importers.WINDOW_AFTER)
FIRST_DAY, DAYS = datetime.date(2026, 6, 1), 330  # both clock changes, under SERIES_LIMIT

# Daily series, each starting near noon UTC, where the reading steps meet (the window, and
# so each step, starts at noon UTC). Zone None is floating: the feed's own time.
SERIES = {
    "berlin": ("Europe/Berlin", datetime.time(13, 30)),
    "new-york": ("America/New_York", datetime.time(8)),
    "utc": ("UTC", datetime.time(12, 30)),
    "floating": (None, datetime.time(12, 30)),
    "all-day": (None, None),
}


def daily(uid, zone, at):
    if at is None:  # one whole day
        start, end = FIRST_DAY, FIRST_DAY + datetime.timedelta(days=1)
        when = f"DTSTART;VALUE=DATE:{start:%Y%m%d}\nDTEND;VALUE=DATE:{end:%Y%m%d}"
    else:
        start = datetime.datetime.combine(FIRST_DAY, at)
        end = start + datetime.timedelta(hours=1)
        param, z = {"UTC": ("", "Z"), None: ("", "")}.get(zone, (f";TZID={zone}", ""))
        when = f"DTSTART{param}:{start:%Y%m%dT%H%M%S}{z}\nDTEND{param}:{end:%Y%m%dT%H%M%S}{z}"
    return (
        f"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260501T000000Z\n{when}\n"
        f"RRULE:FREQ=DAILY;COUNT={DAYS}\nSUMMARY:{uid}\nEND:VEVENT"
    )


def expected_starts(zone, at):
    """Every day's start of the series that overlaps the window, as true instants."""
    tz = zoneinfo.ZoneInfo(zone) if zone else LONDON
    starts = []
    for offset in range(DAYS):
        day = FIRST_DAY + datetime.timedelta(days=offset)
        start = datetime.datetime.combine(day, at or datetime.time(), tz)
        length = datetime.timedelta(days=1) if at is None else datetime.timedelta(hours=1)
        if start < WINDOW[1] and start + length > WINDOW[0]:
            starts.append(start)
    return starts


def test_every_occurrence_near_a_step_boundary_is_read_exactly_once():
    calendar = ics(*(daily(uid, zone, at) for uid, (zone, at) in SERIES.items()))
    result = importers.parse(calendar, default_time_zone="Europe/London", now=NOW)

    assert result.window == WINDOW
    keys = collections.Counter(event.key for event in result.events)
    assert [key for key, count in keys.items() if count > 1] == []
    for uid, (zone, at) in SERIES.items():
        starts = sorted(e.starts_at for e in result.events if e.key.startswith(f"{uid}/"))
        assert starts == expected_starts(zone, at), uid


@pytest.mark.django_db
def test_events_in_other_zones_by_a_step_boundary_sync_once_and_stay(frozen):
    # 12:30 Berlin on 31 October is 11:30 UTC, just before a step boundary at noon; 12:30 UTC
    # on 1 October is 13:30 in London, just after one.
    berlin = (
        "BEGIN:VEVENT\nUID:berlin@example.org\nDTSTAMP:20260901T000000Z\n"
        "DTSTART;TZID=Europe/Berlin:20261031T123000\nDTEND;TZID=Europe/Berlin:20261031T140000\n"
        "SUMMARY:Talk in Berlin\nEND:VEVENT"
    )
    utc = vevent("eb@eventbrite.com", "Workshop", "20261001T123000Z", "20261001T143000Z")
    sync = actions.feed_sync(file_feed(ics(berlin, utc)))

    assert (sync.outcome, sync.added) == ("ok", 2)
    assert "listed twice" not in sync.messages
