"""Malformed calendars: one bad event is skipped with a warning naming its line and field,
the rest is imported, and nothing already listed is lost; a broken whole is one clear error."""

import datetime
import gzip
import re
import socket
import threading

import pytest
from werkzeug import Response

from frontdoor.events import actions, importers
from frontdoor.events.factories import EventFactory, FeedFactory
from frontdoor.events.models import Event, Feed

from .conftest import corpus
from .test_sync import file_feed, ics, resync, vevent

NOW = datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)


def cal(*lines):
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x", *lines, "END:VCALENDAR", ""]
    return "\r\n".join(body).encode()


def ev(uid, *extra, start="DTSTART:20261020T180000Z", summary="Talk"):
    """Six lines: BEGIN, UID, DTSTAMP, DTSTART, SUMMARY, the extras, END."""
    head = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260901T000000Z", start, f"SUMMARY:{summary}"]
    return [*head, *extra, "END:VEVENT"]


def parse(body):
    return importers.parse(body, now=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "broken",
    [
        vevent("a", "Talk", start="2026-10-20 18:00"),
        vevent("a", "Talk", extra="DTEND:nope\n"),
        vevent("a", "Talk", extra="DTSTART:20261021T180000Z\n"),  # DTSTART twice
    ],
    ids=["dtstart", "dtend", "dtstart-twice"],
)
def test_an_event_skipped_for_a_bad_field_keeps_its_last_good_copy(frozen, broken):
    feed = file_feed(ics(vevent("a", "Talk"), vevent("b", "Social")))
    actions.feed_sync(feed)
    sync = resync(feed, ics(broken, vevent("b", "Social")))
    assert sync.outcome == Feed.Outcome.WARNINGS and "event a" in sync.messages
    assert not Event.objects.get(uid="a").is_cancelled


def test_bad_ordering_fields_are_ignored_not_the_event():
    result = parse(cal(*ev("a", "SEQUENCE:abc"), *ev("b", "LAST-MODIFIED:nope")))
    assert sorted(e.key for e in result.events) == ["a", "b"]
    assert result.warnings == [
        "Line 4: event a: SEQUENCE “abc” is not valid; ignored.",
        "Line 11: event b: LAST-MODIFIED “nope” is not valid; ignored.",
    ]


def test_repeated_text_keeps_its_first_value():
    (talk,) = parse(cal(*ev("a", "SUMMARY:Talk (updated)"))).events
    assert talk.name == "Talk"


@pytest.mark.parametrize(
    "line,said",
    [
        ("DTEND:20261020T100000Z", "DTEND is before DTSTART"),
        ("DURATION:-P1D", "DURATION is negative"),
    ],
)
def test_an_end_before_the_start_leaves_the_start_alone(line, said):
    result = parse(cal(*ev("a", line)))
    (talk,) = result.events
    assert (
        talk.starts_at == talk.ends_at == datetime.datetime(2026, 10, 20, 18, tzinfo=datetime.UTC)
    )
    assert result.warnings == [f"Line 4: event a: {said}; read as ending when it starts."]


def test_each_problem_is_reported_at_its_own_line():
    no_uid = ["BEGIN:VEVENT", "DTSTART:20261020T180000Z", "SUMMARY:x", "END:VEVENT"]
    # A line separator inside a value is not a line break (RFC 5545 3.1).
    odd = "DESCRIPTION:first\u2028second\x0cthird"
    body = cal(*ev("a", odd), *no_uid, *ev("b", start="DTSTART:nope"), *no_uid)
    assert parse(body).warnings == [
        "Line 11: event (no UID): no UID, so it cannot be kept in step; skipped.",
        "Line 15: event b: DTSTART “nope” is invalid (Expected datetime, date, or time. "
        "Got: 'nope'); skipped.",
        "Line 21: event (no UID): no UID, so it cannot be kept in step; skipped.",
    ]


def test_a_second_event_with_the_same_uid_is_reported():
    second = ev("a", summary="Workshop B", start="DTSTART:20261021T180000Z")
    result = parse(cal(*ev("a", summary="Workshop A"), *second))
    assert [e.name for e in result.events] == ["Workshop A"]
    assert result.warnings == [
        "Line 10: event a: the same UID as the event on line 4; kept that one."
    ]


def test_an_event_inside_an_event_is_skipped_with_its_line():
    inner = ["BEGIN:VEVENT", "DTSTART:20261021T180000Z", "SUMMARY:inner", "END:VEVENT"]
    outer = ev("outer", *inner)
    result = parse(cal(*outer, *ev("b")))
    assert [e.key for e in result.events] == ["b"]
    assert result.warnings[0].startswith("Line 4: event outer: another event begins inside it")


def test_an_unknown_time_zone_is_reported():
    result = parse(cal(*ev("a", start="DTSTART;TZID=Mars/Olympus:20261020T180000")))
    assert result.warnings == [
        "Line 4: event a: time zone “Mars/Olympus” is unknown; read as Europe/London."
    ]


def test_a_file_with_two_calendars_reads_the_first():
    assert [e.key for e in parse(cal(*ev("a")) + cal(*ev("b"))).events] == ["a"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (cal(*ev("a")[:-1], *ev("b")), "Line 4: BEGIN:VEVENT has no END:VEVENT before line 9."),
        (
            cal(*ev("a"))[: -len(b"END:VCALENDAR\r\n")],
            "Line 1: BEGIN:VCALENDAR has no END:VCALENDAR (is the file cut short?).",
        ),
        (cal(*ev("a"), "END:VEVENT", *ev("b")), "Line 10: END:VEVENT without its BEGIN:VEVENT."),
    ],
    ids=["missing-end-vevent", "cut-short", "stray-end"],
)
def test_a_broken_structure_is_one_clear_line(body, message):
    with pytest.raises(importers.FeedError) as error:
        parse(body)
    assert str(error.value) == message


def test_text_fields_are_text_and_a_description_is_html_only_with_tags():
    body = cal(
        *ev(
            "a",
            "DESCRIPTION:Get p99 latency < 10ms.",
            summary="Web Components: <slot> and <template> deep dive",
        )
    )
    (event,) = parse(body).events
    assert event.name == "Web Components: <slot> and <template> deep dive"
    assert event.description == "Get p99 latency < 10ms."


@pytest.mark.django_db
def test_a_plain_less_than_reads_as_one_on_the_page(client, frozen):
    feed = file_feed(ics(vevent("a", "Latency clinic", extra="DESCRIPTION:p99 < 10ms.\n")))
    actions.feed_sync(feed)
    page = client.get(Event.objects.get(uid="a").get_absolute_url()).content.decode()
    assert "p99 &lt; 10ms." in page and "&amp;lt;" not in page


def test_a_long_join_link_is_kept_whole():
    teams = "https://teams.microsoft.com/l/meetup-join/" + "x" * 200 + "%40thread.v2/0"
    (event,) = parse(cal(*ev("a", f"LOCATION:{teams}"))).events
    assert event.online_url == teams


@pytest.mark.django_db
def test_the_event_page_says_its_times_are_uk_times(client, frozen):
    event = EventFactory(
        time_zone="Europe/Berlin",
        starts_at=datetime.datetime(2026, 11, 10, 13, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2026, 11, 10, 14, tzinfo=datetime.UTC),
    )
    page = re.sub(r"<[^>]+>", "", client.get(event.get_absolute_url()).content.decode())
    page = " ".join(page.split())
    assert "13:00 to 14:00 (UK time; the organiser’s time zone is Europe/Berlin)" in page


@pytest.mark.django_db
def test_a_second_feed_listing_a_withdrawn_event_brings_it_back(frozen):
    first = file_feed(ics(vevent("a@one", "AI meetup"), vevent("x@one", "Other")))
    actions.feed_sync(first)
    resync(first, ics(vevent("x@one", "Other")))
    assert Event.objects.get(uid="a@one").is_cancelled
    second = file_feed(ics(vevent("a@two", "AI meetup")))  # same name, same minute
    assert actions.feed_sync(second).merged == 1
    assert not Event.objects.get(uid="a@one").is_cancelled


@pytest.mark.django_db
def test_an_unforeseen_parse_error_is_recorded_as_a_failed_sync(frozen, monkeypatch):
    feed = file_feed(ics(vevent("a", "Talk")))

    def broken(*args, **kwargs):
        raise KeyError("UID")

    monkeypatch.setattr(importers, "parse", broken)
    sync = actions.feed_sync(feed)
    assert sync.outcome == Feed.Outcome.FAILED
    assert sync.messages == "Could not read the calendar: KeyError('UID')"


def serve_once(payload):
    """A server on localhost that answers one connection with these raw bytes."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def run():
        connection, _ = server.accept()
        connection.recv(65536)
        connection.sendall(payload)
        connection.close()
        server.close()

    threading.Thread(target=run, daemon=True).start()
    return f"http://127.0.0.1:{server.getsockname()[1]}/calendar.ics"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload",
    [
        b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"11\r\nBEGIN:VCALENDAR\r\n\r\n400\r\nVERSION:2.0\r\n",  # 1,024 bytes promised
        b"SSH-2.0-OpenSSH_9.6\r\n",
    ],
    ids=["cut-chunked", "not-http"],
)
def test_a_broken_http_answer_is_a_failed_sync(frozen, payload):
    sync = actions.feed_sync(FeedFactory(url=serve_once(payload)), timeout=5)
    assert sync.outcome == Feed.Outcome.FAILED and "the answer was broken" in sync.messages


@pytest.mark.django_db
def test_a_gzipped_answer_is_read(httpserver, frozen):
    feed = FeedFactory(url=httpserver.url_for("/calendar.ics"))
    httpserver.expect_oneshot_request("/calendar.ics").respond_with_response(
        Response(
            gzip.compress(corpus("meetup.ics")),
            content_type="text/calendar",
            headers={"Content-Encoding": "gzip"},
        )
    )
    assert actions.feed_sync(feed).added == 2


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::1]", "10.1.2.3", "192.168.0.10", "169.254.169.254"]
)
def test_a_feed_on_a_private_or_local_address_is_refused(httpserver, settings, host):
    settings.FRONTDOOR_FEEDS_PRIVATE_NETWORK = False  # as deployed
    url = httpserver.url_for("/internal").replace("localhost", host).replace("127.0.0.1", host)
    with pytest.raises(importers.FeedError, match="private or local network address"):
        importers.fetch(url, timeout=2)
    assert httpserver.log == []  # nothing was asked of it


def test_a_name_that_turns_private_after_the_check_is_not_connected_to(
    httpserver, settings, monkeypatch
):
    # DNS rebinding: the name is public when the link is checked, then points at the server's
    # own network. A resolver that answers so stands in for the attacker's DNS server.
    settings.FRONTDOOR_FEEDS_PRIVATE_NETWORK = False
    resolve = socket.getaddrinfo
    answers = iter(["93.184.215.14"])

    def rebinding(host, port, *args, **kwargs):
        if host == "calendar.example.org":
            host = next(answers, "127.0.0.1")
        return resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://calendar.example.org:{httpserver.port}/feed.ics"
    with pytest.raises(importers.FeedError, match="private or local network address"):
        importers.fetch(url, timeout=2)
    assert httpserver.log == []


def test_a_redirect_to_a_private_address_is_not_followed(settings):
    settings.FRONTDOOR_FEEDS_PRIVATE_NETWORK = False
    handler = importers._PublicRedirects()
    request = importers.Request("https://calendar.example.org/feed.ics")
    for target in ("http://127.0.0.1:8080/admin", "ftp://files.example.org/feed.ics"):
        with pytest.raises(importers.FeedError):
            handler.redirect_request(request, None, 302, "Found", {}, target)


@pytest.mark.django_db
def test_a_broken_or_impossible_rule_skips_its_event_and_keeps_what_was_listed(frozen):
    series = vevent("series@example.org", "Weekly", extra="RRULE:FREQ=WEEKLY;COUNT=4\n")
    feed = file_feed(ics(series))
    assert actions.feed_sync(feed).added == 4
    for bad in (
        "RRULE:FREQ=FOO\n",
        "RRULE:FREQ=DAILY;INTERVAL=0\n",  # the expansion never ended
        "RRULE:FREQ=WEEKLY;BYHOUR=25\n",  # the expansion dropped the series silently
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=0\n",  # the expansion made it daily
        "RRULE:FREQ=WEEKLY;COUNT=4\nEXDATE:garbage\n",
    ):
        talk = vevent("talk@example.org", "New talk", start="20261021T180000Z")
        sync = resync(feed, ics(vevent("series@example.org", "Weekly", extra=bad), talk))
        assert sync.outcome == Feed.Outcome.WARNINGS, bad
        assert "Line 5: event series@example.org:" in sync.messages and "skipped" in sync.messages
        assert Event.objects.filter(name="Weekly", status=Event.Status.SCHEDULED).count() == 4
        assert Event.objects.filter(name="New talk").exists()


@pytest.mark.django_db
def test_control_characters_in_a_feed_are_dropped_and_the_atom_feed_still_reads(client, frozen):
    item = vevent("c@example.org", "Demo\x00 night\x0b", extra="DESCRIPTION:A\x07B\n")
    feed = file_feed(ics(item))
    assert actions.feed_sync(feed).added == 1
    event = Event.objects.get()
    assert (event.name, event.description) == ("Demo night", "AB")
    assert client.get("/events.atom").status_code == 200


@pytest.mark.django_db
def test_an_event_at_the_calendars_edge_is_skipped_not_the_whole_feed(frozen):
    edge = vevent("edge@example.org", "Forever", end="99991231T235959Z")
    sync = actions.feed_sync(file_feed(ics(edge, vevent("ok@example.org", "Fine"))))
    assert sync.outcome == Feed.Outcome.WARNINGS and sync.added == 1
    assert "event edge@example.org: DTEND is in the year 9999" in sync.messages


@pytest.mark.django_db
@pytest.mark.parametrize("extra", ["", "RRULE:FREQ=WEEKLY;COUNT=2\n"], ids=["single", "weekly"])
def test_an_event_with_a_long_uid_skipped_for_a_bad_field_keeps_its_listing(frozen, extra):
    uid = "x" * 300 + "@example.org"  # stored under its hash: longer than a key may be
    feed = file_feed(ics(vevent(uid, "Talk", extra=extra), vevent("b", "Social")))
    actions.feed_sync(feed)
    sync = resync(feed, ics(vevent(uid, "Talk", end="nope", extra=extra), vevent("b", "Social")))
    assert "DTEND “nope” is invalid" in sync.messages and sync.cancelled == 0
    assert not Event.objects.filter(name="Talk", status=Event.Status.CANCELLED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("odd", "problem"),
    [
        (["DTSTART;VALUE=PERIOD:20261020T180000Z/PT1H"], "DTSTART “20261020T180000Z/PT1H” is not"),
        (
            ["DTSTART:20261020T180000Z", "DTEND:200000"],
            "DTEND “200000” is not a date or a date-time",
        ),
        (["DTSTART:20261020T180000Z", "DURATION:P99999999D"], "DURATION “P99999999D” ends after"),
    ],
    ids=["period", "bare-time", "endless"],
)
def test_an_event_with_an_odd_time_is_skipped_not_the_whole_feed(frozen, odd, problem):
    feed = file_feed(cal(*ev("a"), *ev("b", summary="Social")))
    actions.feed_sync(feed)
    odd_one = ev("a", *odd[1:], start=odd[0])
    sync = resync(feed, cal(*odd_one, *ev("b", summary="Social"), *ev("c", summary="New")))
    assert sync.outcome == Feed.Outcome.WARNINGS
    assert f"Line 4: event a: {problem}" in sync.messages and "; skipped." in sync.messages
    assert Event.objects.filter(uid="c").exists() and not Event.objects.get(uid="a").is_cancelled


@pytest.mark.parametrize(
    "rules",
    [
        ["BEGIN:STANDARD", "DTSTART:garbage", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0000"],
        [],
        ["BEGIN:STANDARD", "DTSTART:19701025T030000", "TZOFFSETFROM:+0100", "TZOFFSETTO:abc"],
    ],
    ids=["bad-start", "no-rules", "bad-offset"],
)
def test_a_broken_time_zone_definition_is_ignored_not_the_whole_calendar(rules):
    rules = [*rules, "END:STANDARD"] if rules else []
    vtimezone = ["BEGIN:VTIMEZONE", "TZID:Custom", *rules, "END:VTIMEZONE"]
    custom = ev("a", start="DTSTART;TZID=Custom:20261020T180000")
    result = parse(cal(*vtimezone, *custom, *ev("b")))
    assert [e.key for e in result.events] == ["a", "b"]
    assert result.events[0].starts_at == datetime.datetime(2026, 10, 20, 17, tzinfo=datetime.UTC)
    zone, event = result.warnings
    assert zone.startswith("Line 4: the time zone “Custom” (VTIMEZONE) cannot be read (")
    assert event.endswith("event a: time zone “Custom” is unknown; read as Europe/London.")


@pytest.mark.django_db
def test_one_bare_uid_in_two_feeds_for_different_events_lists_both(frozen):
    meetup = file_feed(ics(vevent("1", "Python meetup")))
    crit = vevent("1", "Design crit", start="20261022T180000Z", end="20261022T200000Z")
    studio = file_feed(ics(crit))
    actions.feed_sync(meetup)
    sync = actions.feed_sync(studio)
    assert (sync.added, sync.merged, sync.outcome) == (1, 0, Feed.Outcome.WARNINGS)
    assert "event 1: another feed gives this UID to a different event" in sync.messages
    assert Event.objects.get(name="Design crit").organisers.get() == studio.organisation
    assert actions.feed_sync(studio).unchanged == 1  # found again, not added twice
    resync(studio, ics(vevent("2", "Something else")))
    assert Event.objects.get(name="Design crit").is_cancelled
    assert not Event.objects.get(name="Python meetup").is_cancelled


@pytest.mark.django_db
@pytest.mark.parametrize(
    "uid,copy,listed",
    [
        ("1", vevent("1", "Python meetup"), 1),  # named and timed alike: the same event
        ("1", vevent("1", "Python meetup", start="20261117T180000Z"), 2),  # a monthly one
        ("1", vevent("1", "Design crit"), 2),  # another event the same evening
        # A UID unique the world over is one event, renamed and moved in one of the feeds.
        ("k7@google.com", vevent("k7@google.com", "AI night", start="20261021T180000Z"), 1),
        ("0400000082E0074", vevent("0400000082E0074", "AI night"), 2),  # short, no domain
        ("040000008200E00074C5B7101A82E008", vevent("040000008200E00074C5B7101A82E008", "AI"), 1),
        # Numbering of their own, however long: no domain, or made of the start time.
        ("1@localhost", vevent("1@localhost", "Design crit"), 2),
        ("20261020T180000Z-monthly-meetup", vevent("20261020T180000Z-monthly-meetup", "Crit"), 2),
    ],
    ids=["same-event", "same-name", "same-start", "domain", "short", "long", "host", "time"],
)
def test_one_uid_in_two_feeds_is_one_event_only_if_unique_or_alike(frozen, uid, copy, listed):
    actions.feed_sync(file_feed(ics(vevent(uid, "Python meetup"))))
    actions.feed_sync(file_feed(ics(copy)))
    assert Event.objects.count() == listed


def test_a_description_nested_too_deep_to_sanitise_in_good_time_is_left_out():
    nest = "<div>" * 20_000 + "deep"  # sanitising it took seconds; five times as deep, a minute
    outlook = ev("a", "DESCRIPTION:Plain words", f"X-ALT-DESC;FMTTYPE=text/html:{nest}")
    result = parse(cal(*outlook, *ev("b", f"DESCRIPTION:{nest}")))
    assert [(e.key, e.description) for e in result.events] == [("a", "Plain words"), ("b", "")]
    assert result.warnings == [
        "Line 4: event a: X-ALT-DESC nests its HTML over 100 deep; left out.",
        "Line 12: event b: DESCRIPTION nests its HTML over 100 deep; left out.",
    ]


def test_lines_ending_in_cr_alone_are_read():
    body = cal(*ev("a", "DESCRIPTION:Folded", " here"), *ev("b")).replace(b"\r\n", b"\r")
    result = parse(body)
    assert [(e.key, e.description) for e in result.events] == [("a", "Foldedhere"), ("b", "")]


@pytest.mark.django_db
def test_a_calendar_suddenly_empty_keeps_the_events_and_says_so(frozen):
    days = ("20261021", "20261022", "20261023")
    talks = [
        vevent(f"{day}@example.org", "Talk", f"{day}T180000Z", f"{day}T200000Z") for day in days
    ]
    feed = file_feed(ics(*talks))
    actions.feed_sync(feed)
    sync = resync(feed, ics())
    assert sync.outcome == Feed.Outcome.FAILED and sync.cancelled == 0
    assert "no events at all, though this feed listed 3 upcoming events; they are" in sync.messages
    assert not Event.objects.filter(status=Event.Status.CANCELLED).exists()
    sync = resync(feed, ics(talks[0]))  # a calendar with events again: what it dropped goes
    assert (sync.outcome, sync.cancelled) == (Feed.Outcome.OK, 2)
    assert actions.feed_sync(file_feed(ics())).outcome == Feed.Outcome.OK  # nothing listed yet
