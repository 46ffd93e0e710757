"""The ICS corpus: what each producer's style must turn into, times compared in UTC."""

import datetime

import pytest

from frontdoor.events import importers
from frontdoor.events.tests.conftest import NOW, corpus

UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def parse(name, **kwargs):
    return importers.parse(corpus(name), now=NOW, **kwargs)


def by_key(result):
    return {event.key: event for event in result.events}


def test_google_weekly_series_crosses_the_clock_change_with_exdate_and_an_override():
    events = [e for e in parse("google.ics").events if e.key.startswith("4h2k")]
    starts = [(e.starts_at, e.name) for e in events]
    assert starts == [
        (utc(2026, 10, 13, 17, 30), "MK JS Tuesday"),  # 18:30 BST
        (utc(2026, 10, 20, 17, 30), "MK JS Tuesday"),
        # 27 October is an EXDATE; 3 November was moved by a RECURRENCE-ID override.
        (utc(2026, 11, 3, 19, 0), "MK JS Tuesday: Bonfire Night special"),
        (utc(2026, 11, 10, 18, 30), "MK JS Tuesday"),  # 18:30 GMT
        (utc(2026, 11, 17, 18, 30), "MK JS Tuesday"),
    ]
    assert all(e.ends_at - e.starts_at == datetime.timedelta(hours=2) for e in events)
    assert all(e.time_zone == "Europe/London" for e in events)
    # Each occurrence keeps the key of its original slot, even when moved.
    assert events[2].key == "4h2k9s0mjsweekly@google.com/20261103T183000Z"
    assert len({e.key for e in events}) == 5


def test_google_all_day_multi_day_utc_online_and_cancelled():
    events = by_key(parse("google.ics"))
    conference = events["7q0conf2026@google.com"]
    assert conference.all_day
    # DTEND 7 November is exclusive: the conference runs on the 5th and the 6th.
    assert conference.starts_at == utc(2026, 11, 5)  # midnight GMT
    assert conference.ends_at == utc(2026, 11, 6, 23, 59, 59)
    online = events["0utc0online@google.com"]
    assert online.starts_at == utc(2026, 10, 15, 17) and online.ends_at == utc(2026, 10, 15, 18, 30)
    assert online.online_url == "https://meet.google.com/abc-defg-hij"
    assert events["9cancelled@google.com"].cancelled


def test_folded_lines_and_escapes_are_unfolded():
    weekly = parse("google.ics").events[0]
    assert weekly.location == (
        "Milton Keynes Central Library, 555 Silbury Boulevard, Milton Keynes MK9 3HL, UK"
    )


def test_html_descriptions_are_sanitised():
    weekly = parse("google.ics").events[0]
    assert "<b>Lightning talks</b>" in weekly.description
    assert "script" not in weekly.description and "alert" not in weekly.description
    assert "onclick" not in weekly.description
    assert weekly.summary.startswith("Lightning talks every Tuesday.")
    breakfast = by_key(parse("eventbrite.ics"))["1012345678902-1761670800@eventbrite.com"]
    assert "<strong>angels</strong>" in breakfast.description
    assert "onerror" not in breakfast.description and "<img" not in breakfast.description
    assert breakfast.summary == "Meet local angels & the British Business Bank."


def test_outlook_windows_zone_names_html_body_and_all_day():
    events = parse("outlook.ics").events
    talks = [e for e in events if e.name == "OU Tech Talk"]
    # "GMT Standard Time" is Europe/London: 17:00 BST in October, 17:00 GMT after.
    assert [e.starts_at for e in talks] == [
        utc(2026, 10, 22, 16),
        utc(2026, 11, 26, 17),
        utc(2026, 12, 24, 17),
    ]
    assert talks[0].description == "<p><b>Monthly</b> research talk.</p>"
    delft = next(e for e in events if e.name.startswith("Delft"))
    # "W. Europe Standard Time" is Central European: 14:00 CET is 13:00 UTC.
    assert delft.starts_at == utc(2026, 11, 10, 13)
    assert delft.time_zone == "Europe/Berlin"
    assert delft.location == "Microsoft Teams Meeting"
    open_day = next(e for e in events if e.name == "Open Day")
    assert open_day.all_day and open_day.starts_at == utc(2026, 11, 28)


def test_apple_duration_and_rdate_across_the_clock_change():
    events = parse("apple.ics").events
    assert [(e.starts_at, e.ends_at) for e in events] == [
        (utc(2026, 10, 24, 9), utc(2026, 10, 24, 11)),  # 10:00 BST for PT2H
        (utc(2026, 10, 31, 10), utc(2026, 10, 31, 12)),  # 10:00 GMT, an RDATE
        (utc(2026, 11, 7, 10), utc(2026, 11, 7, 12)),
    ]
    assert events[0].website == "https://protospace.example/saturdays"
    assert events[0].location == "Protospace Milton Keynes"


def test_a_duration_in_hours_is_exact_across_the_clock_change_and_days_are_nominal():
    calendar = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:late-night@example.org\r
DTSTART;TZID=Europe/London:20261025T003000\r
DURATION:PT2H\r
X-FRONTDOOR-DURATION:not ours to set\r
SUMMARY:Hack night across the clock change\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:two-days@example.org\r
DTSTART;TZID=Europe/London:20261024T120000\r
DURATION:P1D\r
SUMMARY:A day from noon\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:series@example.org\r
DTSTART;TZID=Europe/London:20261024T003000\r
DURATION:PT2H\r
RRULE:FREQ=DAILY;COUNT=3\r
SUMMARY:Series\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:series@example.org\r
RECURRENCE-ID;TZID=Europe/London:20261026T003000\r
DTSTART;TZID=Europe/London:20261026T010000\r
DTEND;TZID=Europe/London:20261026T011500\r
SUMMARY:Series, moved\r
END:VEVENT\r
END:VCALENDAR\r
"""
    result = importers.parse(calendar, now=NOW)
    assert result.warnings == []
    assert sorted((e.name, e.starts_at, e.ends_at) for e in result.events) == [
        # A day is nominal: noon BST to noon GMT, 25 hours.
        ("A day from noon", utc(2026, 10, 24, 11), utc(2026, 10, 25, 12)),
        # 00:30 BST plus two real hours is 01:30 GMT, not 02:30 GMT (three hours).
        ("Hack night across the clock change", utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 1, 30)),
        ("Series", utc(2026, 10, 23, 23, 30), utc(2026, 10, 24, 1, 30)),
        ("Series", utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 1, 30)),
        ("Series, moved", utc(2026, 10, 26, 1), utc(2026, 10, 26, 1, 15)),
    ]


def test_meetup_and_eventbrite_list_the_same_event_with_the_same_dedupe_key():
    meetup = by_key(parse("meetup.ics"))["event_311234567@meetup.com"]
    eventbrite = by_key(parse("eventbrite.ics"))["1012345678901-1760981400@eventbrite.com"]
    assert meetup.starts_at == eventbrite.starts_at == utc(2026, 10, 20, 17, 30)
    assert meetup.dedupe_key == eventbrite.dedupe_key
    assert meetup.website == "https://www.meetup.com/mk-ai/events/311234567/"
    online = by_key(parse("meetup.ics"))["event_311234568@meetup.com"]
    assert online.online_url == "https://www.meetup.com/mk-ai/events/311234568/"


def test_minimal_file_floating_time_no_end_and_precise_warnings():
    result = parse("minimal.ics")
    events = by_key(result)
    floating = events["floating-1@example.org"]
    assert floating.starts_at == utc(2026, 11, 2, 9)  # floating: the feed's zone, GMT then
    assert floating.ends_at == floating.starts_at  # no DTEND, no DURATION: zero length
    winter = parse("minimal.ics", default_time_zone="America/New_York")
    assert by_key(winter)["floating-1@example.org"].starts_at == utc(2026, 11, 2, 14)
    hack_day = events["allday-1@example.org"]
    assert hack_day.all_day and hack_day.ends_at == utc(2026, 12, 1, 23, 59, 59)
    assert set(events) == {"floating-1@example.org", "allday-1@example.org"}
    assert any(w.startswith("Line 16: event (no UID): no UID") for w in result.warnings)
    assert any(
        w.startswith("Line 21: event bad-start@example.org: DTSTART") for w in result.warnings
    )


def test_repeating_events_are_expanded_only_over_a_bounded_window():
    forever = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:daily\r\n"
        b"DTSTAMP:20260101T000000Z\r\nDTSTART:20200101T090000Z\r\nRRULE:FREQ=DAILY\r\n"
        b"SUMMARY:Stand-up\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = importers.parse(forever, now=NOW)
    expected = (importers.WINDOW_BEFORE + importers.WINDOW_AFTER).days
    assert expected - 1 <= len(result.events) <= expected + 1
    assert min(e.starts_at for e in result.events) >= NOW - importers.WINDOW_BEFORE


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<!DOCTYPE html><html>Sign in</html>", "Line 1: this is not an iCalendar file"),
        (b"", "it starts with “nothing”"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY\xff\xfe\r\n", "Line 3: byte 0xff"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nTHIS IS NOT A PROPERTY\r\nEND:VCALENDAR", "Line 3"),
    ],
)
def test_unusable_files_raise_a_precise_error(body, message):
    with pytest.raises(importers.FeedError) as error:
        importers.parse(body, now=NOW)
    assert message in str(error.value)


def test_one_occurrence_of_a_series_cancelled_by_an_override():
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        b"BEGIN:VEVENT\r\nUID:club\r\nDTSTAMP:20260901T000000Z\r\n"
        b"DTSTART;TZID=Europe/London:20261019T180000\r\nDURATION:PT1H\r\n"
        b"RRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Code club\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:club\r\nDTSTAMP:20260901T000000Z\r\n"
        b"RECURRENCE-ID;TZID=Europe/London:20261026T180000\r\n"
        b"DTSTART;TZID=Europe/London:20261026T180000\r\nDURATION:PT1H\r\n"
        b"STATUS:CANCELLED\r\nSUMMARY:Code club\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    events = importers.parse(body, now=NOW).events
    assert [(e.starts_at, e.cancelled) for e in events] == [
        (utc(2026, 10, 19, 17), False),  # 18:00 BST
        (utc(2026, 10, 26, 18), True),  # 18:00 GMT, the day after the clocks went back
        (utc(2026, 11, 2, 18), False),
    ]
    assert events[1].key == "club/20261026T180000Z"
