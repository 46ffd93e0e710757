"""Read ICS calendars: fetch them safely, parse them leniently, report problems precisely.

Nothing here writes to the database; `actions.feed_sync` applies what `parse` returns.
"""

import datetime
import functools
import hashlib
import http.client
import ipaddress
import re
import socket
import time
import zlib
import zoneinfo
from dataclasses import dataclass, field
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import (
    HTTPHandler,
    HTTPRedirectHandler,
    HTTPSHandler,
    Request,
    build_opener,
)

import icalendar
import recurring_ical_events
from django.conf import settings
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from frontdoor.core.text import (
    looks_like_html,
    nesting_depth,
    plain_text,
    printable,
    sanitise_html,
)
from frontdoor.events.models import EARLIEST_YEAR, LATEST_YEAR, Event, FeedEntry, dedupe_key

FETCH_TIMEOUT = 20  # seconds without a byte from the server
MAX_BYTES = 10_000_000  # the largest real feeds we have seen are a few MB
# Repeating events are expanded over this window around "now": far enough ahead for a
# year's planning, far enough back that last month's events stay browsable.
WINDOW_BEFORE = datetime.timedelta(days=90)
WINDOW_AFTER = datetime.timedelta(days=400)
# A daily event shows every day of the window; one that repeats more often is not a public
# event listing, and reading it all (every minute for a year) would take minutes and flood
# the calendar.
SERIES_LIMIT = 500
READ_LIMIT = 20_000
TIMES_A_DAY = 4
# The most two zones' clocks differ: UTC-12 to UTC+14.
ZONE_SPREAD = datetime.timedelta(hours=26)
# Where an event's own DURATION ("days seconds") is kept on each occurrence (`_end_after`).
DURATION_GIVEN = "X-FRONTDOOR-DURATION"
URL_IN_TEXT = re.compile(r"^https?://\S+$")
# After the "@" of a UID: a domain with a dot (not "localhost"), for `_local_uid`.
WORLD_DOMAIN = re.compile(r"@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DATE_TIME_UID = re.compile(r"^\d{8}(T\d{4,6}Z?)?\b")
# The longest join link kept (a Microsoft Teams one is about 250 characters).
URL_LENGTH = Event._meta.get_field("online_url").max_length
KEY_LENGTH = FeedEntry._meta.get_field("key").max_length
# Real descriptions nest their HTML a few levels deep; one nested far deeper is left out
# (see `nesting_depth`).
HTML_DEPTH = 100
ONLINE_PLACE = re.compile(
    r"^(online( event| only)?|virtual|microsoft teams meeting|zoom( meeting)?|google meet)$", re.I
)


class FeedError(Exception):
    """The whole feed is unusable; the message says why, for a curator to act on."""


@dataclass
class ParsedEvent:
    """One event, or one occurrence of a repeating event, ready to be stored."""

    key: str
    name: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    all_day: bool
    time_zone: str
    line: int
    description: str = ""
    summary: str = ""
    location: str = ""
    online_url: str = ""
    website: str = ""
    cancelled: bool = False
    sequence: int = 0
    last_modified: datetime.datetime | None = None
    # A UID like "1": the calendar's own numbering, not unique the world over (`_local_uid`).
    local_uid: bool = False

    @property
    def dedupe_key(self):
        return dedupe_key(self.name, self.starts_at)

    @property
    def fingerprint(self):
        """Changes whenever anything we store from the feed changes."""
        parts = [
            self.name,
            self.starts_at.isoformat(),
            self.ends_at.isoformat(),
            str(self.all_day),
            self.time_zone,
            self.description,
            self.location,
            self.online_url,
            self.website,
            str(self.cancelled),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class ParseResult:
    """The events a calendar lists within the window, and what had to be skipped."""

    events: list[ParsedEvent]
    warnings: list[str] = field(default_factory=list)
    window: tuple[datetime.datetime, datetime.datetime] | None = None
    # UIDs of events still in the calendar but skipped for bad data: not gone from it. (Each
    # with its hash, which stands for a long UID in the keys: see `_key`.)
    skipped: set[str] = field(default_factory=set)
    # UIDs of events the calendar marks private: withdrawn if they were listed before.
    private: set[str] = field(default_factory=set)
    # No VEVENT at all: more often a fault (a login page, an expired link) than a calendar
    # whose every event was called off (see `actions.feed_sync`).
    empty: bool = False


def _check_public(url):
    """Refuse a link whose host is on a private or local network (the server's own, a cloud
    metadata address): a feed link must not make the server fetch what only it can reach.
    The connection itself checks again what it connects to (`_PublicHTTPHandler`)."""
    if settings.FRONTDOOR_FEEDS_PRIVATE_NETWORK:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FeedError(f"Not an http(s) link: {url}")
    try:
        _public_addresses(parts.hostname, None)
    except (socket.gaierror, UnicodeError, ValueError):
        return  # not found: the fetch says so in its own words


def _public_addresses(host, port):
    """What `host` resolves to (as `socket.getaddrinfo`), refused if any address is not a
    public one."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for *_, address in found:
        if not ipaddress.ip_address(address[0].split("%")[0]).is_global:
            raise FeedError(
                f"{host} leads to a private or local network address ({address[0]}); only "
                "public addresses are fetched."
            )
    return found


def _public_connection(address, *args):
    """socket.create_connection, but only to a public address, and to the very address
    checked: a name resolved once more to connect could point elsewhere by then (DNS
    rebinding)."""
    if settings.FRONTDOOR_FEEDS_PRIVATE_NETWORK:
        return socket.create_connection(address, *args)
    host, port = address
    failure = None
    for *_, (ip, *_) in _public_addresses(host, port):
        try:
            return socket.create_connection((ip, port), *args)
        except OSError as error:  # the next address, as create_connection itself does
            failure = error
    raise failure


class _PublicHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _public_connection


class _PublicHTTPHandler(HTTPHandler, HTTPSHandler):
    """Connects straight to the sites' public addresses; through a proxy, the proxy is the
    one connected to, so only the link's own check applies."""

    def http_open(self, request):
        if request.has_proxy():
            return super().http_open(request)
        return self.do_open(_PublicHTTPConnection, request)

    def https_open(self, request):
        if request._tunnel_host:
            return super().https_open(request)
        return self.do_open(_PublicHTTPSConnection, request, context=self._context)


class _PublicRedirects(HTTPRedirectHandler):
    """Follows a redirect only to a public http(s) address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        _check_public(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url, *, timeout=FETCH_TIMEOUT, max_bytes=MAX_BYTES):
    """The feed's bytes, or FeedError saying what went wrong, in words a curator can act on."""
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    if not url.lower().startswith(("http://", "https://")):
        raise FeedError(f"Not an http(s) or webcal link: {url}")
    request = Request(
        url,
        headers={
            "User-Agent": "Frontdoor calendar sync (+https://github.com/)",
            "Accept": "text/calendar, text/plain;q=0.5, */*;q=0.1",
        },
    )
    _check_public(url)
    try:
        opener = build_opener(_PublicHTTPHandler, _PublicRedirects)
        with opener.open(request, timeout=timeout) as response:
            data = _read_before(response, time.monotonic() + timeout * 3, max_bytes + 1, url)
    except HTTPError as error:
        raise FeedError(
            f"The server answered HTTP {error.code} ({error.reason}) for {url}."
        ) from None
    except TimeoutError:
        raise FeedError(f"No answer from {url} within {timeout} seconds.") from None
    except URLError as error:
        if isinstance(error.reason, (TimeoutError, socket.timeout)):
            raise FeedError(f"No answer from {url} within {timeout} seconds.") from None
        raise FeedError(f"Could not reach {url}: {error.reason}.") from None
    except (OSError, ValueError) as error:
        raise FeedError(f"Could not read {url}: {error}.") from None
    except http.client.HTTPException as error:  # a cut-off or garbled answer
        raise FeedError(f"Could not read {url}: the answer was broken ({error!r}).") from None
    if data.startswith(b"\x1f\x8b"):  # gzipped, though we never ask for it
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, max_bytes + 1)
        except zlib.error as error:
            raise FeedError(f"{url} sent a damaged gzip file: {error}.") from None
    if len(data) > max_bytes:
        raise FeedError(
            f"The feed is larger than {max_bytes:,} bytes, the most we read; "
            "ask its owner for a smaller one (for example, only future events)."
        )
    return data


def _read_before(response, deadline, limit, url):
    """Read up to `limit` bytes, giving up at the deadline: a server can trickle forever."""
    chunks, size = [], 0
    while size < limit:
        # read1 returns what has arrived; read(n) would wait for all n bytes.
        chunk = response.read1(min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise FeedError(f"{url} is sending too slowly: gave up after {size:,} bytes.")
    return b"".join(chunks)


def decode(data):
    """Text from UTF-8 bytes, or FeedError naming the line and byte that are not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        raise FeedError(
            f"Line {line}: byte 0x{byte:02x} is not valid UTF-8, which iCalendar requires "
            "(RFC 5545, section 3.1.4). The file may be in another encoding."
        ) from None


def parse(data, *, default_time_zone="Europe/London", now=None):
    """Every event in the calendar, with repeating events expanded over the window."""
    text = decode(data) if isinstance(data, bytes) else data
    # Only CR and LF end an iCalendar line: str.splitlines() would also split on characters
    # that may sit inside a value (U+2028, form feed), and shift every line number after.
    text_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((line.strip() for line in text_lines if line.strip()), "")
    if first.upper() != "BEGIN:VCALENDAR":
        shown = first[:60] or "nothing"
        raise FeedError(
            f"Line 1: this is not an iCalendar file: it starts with “{shown}” where "
            "BEGIN:VCALENDAR should be. Check the link gives the .ics calendar, not a web page."
        )
    warnings, skipped = [], set()
    calendar = _read(text_lines, default_time_zone, warnings)
    tz = zoneinfo.ZoneInfo(default_time_zone)
    now = now or datetime.datetime.now(datetime.UTC)
    window = (now - WINDOW_BEFORE, now + WINDOW_AFTER)
    lines = iter(_vevent_lines(text_lines))
    zones = {str(z.get("TZID", "")) for z in calendar.walk("VTIMEZONE")}
    good = icalendar.Calendar()
    for key, value in calendar.property_items(recursive=False):
        if key not in ("BEGIN", "END"):
            good.add(key, value)
    line_of, masters, repeating, private, texts = {}, {}, set(), set(), {}
    for component in calendar.subcomponents:
        if component.name != "VEVENT":
            good.add_component(component)
            continue
        line = next(lines, 0)
        uid = _first(component.get("UID", ""))
        uid = str(uid).strip()
        where = f"Line {line}: event {uid or '(no UID)'}"
        visibility = str(_first(component.get("CLASS", "PUBLIC"))).strip().upper()
        if visibility != "PUBLIC":
            # RFC 5545 3.8.1.3: the calendar's owner keeps it to themselves. A "secret
            # address" or an exported file holds such appointments too.
            warnings.append(f"{where}: marked {visibility.lower()} (CLASS), so not listed.")
            private.add(uid)
            continue
        problem = _screen(component, zones, default_time_zone, warnings, where)
        if not uid:
            problem = "no UID, so it cannot be kept in step"
        if problem:
            warnings.append(f"{where}: {problem}; skipped.")
            skipped.add(uid)
            continue
        if "RECURRENCE-ID" not in component:  # the event itself, not one changed occurrence
            if uid in masters:
                warnings.append(
                    f"{where}: the same UID as the event on line {masters[uid]}; kept that one."
                )
                continue
            masters[uid] = line
        line_of.setdefault(uid, line)
        if "RRULE" in component or "RDATE" in component or "RECURRENCE-ID" in component:
            repeating.add(uid)
        component.pop(DURATION_GIVEN, None)  # only ever the one set here
        if "DURATION" in component and "DTEND" not in component:
            # The expansion below adds the whole DURATION on the clock; `_event` redoes the
            # sum, so the duration rides along on each occurrence.
            given = component["DURATION"].dt
            component.add(DURATION_GIVEN, f"{given.days} {given.seconds}")
        good.add_component(component)

    try:
        occurrences, window = _expand(good, window, tz, warnings, skipped)
    except Exception as error:  # the library raises many types for bad rules; report them all
        raise FeedError(f"Could not expand the repeating events: {error}") from None

    events = []
    for occurrence in occurrences:
        uid = str(occurrence.get("UID", "")).strip()
        line = line_of.get(uid, 0)
        try:
            events.append(_event(occurrence, uid, uid in repeating, tz, line, texts))
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            warnings.append(f"Line {line}: event {uid}: {error}; skipped.")
            skipped.add(uid)
    skipped |= {uid_hash(uid) for uid in skipped}
    private |= {uid_hash(uid) for uid in private}
    empty = not any(component.name == "VEVENT" for component in calendar.subcomponents)
    return ParseResult(events, warnings, window, skipped, private, empty)


def _read(text_lines, default_time_zone, warnings):
    """The first VCALENDAR in the text (as calendar clients read a file holding several).
    icalendar reads a VTIMEZONE as it meets one, and one it cannot read fails the whole
    calendar: such a definition is left out, its TZID then read like any other."""
    try:
        # Lines joined anew: icalendar does not take lines ending in CR alone (old Macs).
        return icalendar.Calendar.from_ical("\n".join(text_lines), multiple=True)[0]
    except Exception as error:  # icalendar raises several types for a broken structure
        failure = error
    broken = _broken_zones(text_lines)
    for first, _, name, problem in broken:
        warnings.append(
            f"Line {first}: the time zone “{name}” (VTIMEZONE) cannot be read ({problem}); "
            f"ignored, so its times are read as the zone it names, or as {default_time_zone} "
            "if that is unknown."
        )
    if broken:
        left_out = {number for first, last, _, _ in broken for number in range(first, last + 1)}
        kept = [line for number, line in enumerate(text_lines, 1) if number not in left_out]
        try:
            return icalendar.Calendar.from_ical("\n".join(kept), multiple=True)[0]
        except Exception as error:
            failure = error
    raise FeedError(_structure_error(text_lines, failure)) from None


def _broken_zones(text_lines):
    """(first line, last line, TZID, problem) of each VTIMEZONE icalendar cannot read."""
    broken, first = [], None
    for number, line in enumerate(text_lines, start=1):
        keyword = line.strip().upper()
        if keyword == "BEGIN:VTIMEZONE":
            first = number
        elif keyword == "END:VTIMEZONE" and first:
            block = text_lines[first - 1 : number]
            try:
                icalendar.Calendar.from_ical(
                    "\n".join(["BEGIN:VCALENDAR", *block, "END:VCALENDAR"])
                )
            except Exception as error:
                tzid = next((row[5:] for row in block if row.upper().startswith("TZID:")), "")
                broken.append((first, number, tzid.strip(), _shortened(error)))
            first = None
    return broken


# At most once in an event (RFC 5545 3.6.1): given twice, which one is meant cannot be told.
ONCE = ("UID", "DTSTART", "DTEND", "DURATION", "RECURRENCE-ID")
# Text given twice: the first is kept.
FIRST_OF = ("SUMMARY", "LOCATION", "DESCRIPTION", "STATUS", "URL", "X-ALT-DESC")
# Only used to order copies of an event: a bad one is dropped, not the event.
ORDERING = ("SEQUENCE", "LAST-MODIFIED")
# What an event's times must be: a period (VALUE=PERIOD) or a bare time is not when it is.
TIME_TYPES = {
    "DTSTART": (datetime.date, "a date or a date-time"),
    "DTEND": (datetime.date, "a date or a date-time"),
    "RECURRENCE-ID": (datetime.date, "a date or a date-time"),
    "DURATION": (datetime.timedelta, "a duration"),
}


def _screen(component, zones, default_time_zone, warnings, where):
    """Why an event cannot be read (None if it can), after repairing what can be repaired:
    a repeated text keeps its first value, a bad SEQUENCE or LAST-MODIFIED is dropped."""
    for name in ONCE:
        if isinstance(component.get(name), list):
            return f"{name} is given more than once"
    if any(sub.name == "VEVENT" for sub in component.subcomponents):
        return "another event begins inside it (a missing END:VEVENT?)"
    for name in FIRST_OF:
        if isinstance(component.get(name), list):
            first = component.get(name)[0]
            del component[name]
            component.add(name, first)
    for name in ("X-ALT-DESC", "DESCRIPTION"):
        text = str(component.get(name, ""))
        if looks_like_html(text) and nesting_depth(text) > HTML_DEPTH:
            warnings.append(f"{where}: {name} nests its HTML over {HTML_DEPTH} deep; left out.")
            del component[name]
    for name in ORDERING:
        value = component.get(name)
        if isinstance(value, list):
            warnings.append(f"{where}: {name} is given more than once; ignored.")
            del component[name]
        elif isinstance(value, icalendar.prop.vBroken):
            warnings.append(f"{where}: {name} “{value}” is not valid; ignored.")
            del component[name]
    problems = dict(getattr(component, "errors", []))
    start = component.get("DTSTART")
    if start is None:
        return "DTSTART is missing"
    for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RRULE", "RDATE", "EXDATE"):
        values = component.get(name)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, icalendar.prop.vBroken):
                # A series read without its rule or exceptions would list wrong dates.
                return f"{name} “{value}” is invalid ({problems.get(name, 'unreadable')})"
    for name, (kind, words) in TIME_TYPES.items():
        value = component.get(name)
        if value is not None and not isinstance(value.dt, kind):
            return f"{name} “{_written(value)}” is not {words}"
    for name, problem in problems.items():
        if name not in ORDERING:  # not used here (DTSTAMP, GEO ...): said, and passed over
            warnings.append(f"{where}: {name} is invalid: {problem}; ignored.")
    end = component.get("DTEND")
    if end is not None and _before(end.dt, start.dt):
        warnings.append(f"{where}: DTEND is before DTSTART; read as ending when it starts.")
        del component["DTEND"]
    duration = component.get("DURATION")
    if duration is not None and duration.dt < datetime.timedelta(0):
        warnings.append(f"{where}: DURATION is negative; read as ending when it starts.")
        del component["DURATION"]
        duration = None
    if problem := _rule_problem(component.get("RRULE")):
        return problem
    for name in ("DTSTART", "DTEND"):
        value = component.get(name)
        if value is not None and not LATEST_YEAR >= value.dt.year >= EARLIEST_YEAR:
            return (
                f"{name} is in the year {value.dt.year}, not from {EARLIEST_YEAR} to {LATEST_YEAR}"
            )
    if duration is not None:
        try:
            late = (start.dt + duration.dt).year > LATEST_YEAR
        except OverflowError:  # past the year 9999
            late = True
        if late:
            return f"DURATION “{_written(duration)}” ends after the year {LATEST_YEAR}"
    zone = start.params.get("TZID")
    if zone and zone not in zones and zone not in _zone_names() and zone not in WINDOWS_TO_OLSON:
        warnings.append(f"{where}: time zone “{zone}” is unknown; read as {default_time_zone}.")
    return None


# The values a rule part may take (RFC 5545 3.3.10); the expansion drops a series that
# breaks them without a word, or never ends with INTERVAL=0.
RULE_PARTS = {
    "INTERVAL": range(1, 10_000),
    "BYSECOND": range(0, 61),
    "BYMINUTE": range(0, 60),
    "BYHOUR": range(0, 24),
    "BYMONTHDAY": [*range(-31, 0), *range(1, 32)],
    "BYYEARDAY": [*range(-366, 0), *range(1, 367)],
    "BYWEEKNO": [*range(-53, 0), *range(1, 54)],
    "BYMONTH": range(1, 13),
}


def _rule_problem(rule):
    """Why a repeat rule is not an event listing (None if it is one): a value out of range,
    or more than a few times a day, every day of the window, which would flood the calendar."""
    if rule is None:
        return None
    rule = rule[0] if isinstance(rule, list) else rule
    for part, allowed in RULE_PARTS.items():
        for value in rule.get(part) or []:
            if not isinstance(value, int) or value not in allowed:
                return f"RRULE {part}={value} is out of range"
    frequency = str((rule.get("FREQ") or [""])[0]).upper()
    if frequency in ("SECONDLY", "MINUTELY", "HOURLY"):
        return f"it repeats {frequency.lower()}: too often to list as events"
    per_day = 1
    for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        per_day *= max(len(rule.get(part) or []), 1)
    if per_day > TIMES_A_DAY:
        return f"it repeats {per_day} times a day: too often to list as events"
    return None


def _before(end, start):
    try:
        return end < start
    except TypeError:  # a date and a date-time, or naive and aware: not comparable here
        return False


def _written(value):
    """A property's value as the calendar gives it."""
    text = value.to_ical()
    return text.decode() if isinstance(text, bytes) else text


def _first(value):
    return value[0] if isinstance(value, list) else value


def _structure_error(text_lines, error):
    """Where the calendar's BEGIN: and END: lines fail to pair up, in one line; else
    icalendar's own message, shortened (it may quote the whole file)."""
    open_components = []  # (name, line) of each BEGIN: not yet ended
    for number, line in enumerate(text_lines, start=1):
        keyword, _, name = line.strip().upper().partition(":")
        if keyword == "BEGIN":
            if open_components and open_components[-1][0] == name:
                begun = open_components[-1][1]
                return f"Line {begun}: BEGIN:{name} has no END:{name} before line {number}."
            open_components.append((name, number))
        elif keyword == "END":
            if not open_components or open_components[-1][0] != name:
                return f"Line {number}: END:{name} without its BEGIN:{name}."
            open_components.pop()
    if open_components:
        name, begun = open_components[-1]
        return f"Line {begun}: BEGIN:{name} has no END:{name} (is the file cut short?)."
    message = _shortened(error)
    for number, line in enumerate(text_lines, start=1):
        if line.strip() and line.strip() in str(error):  # icalendar quotes the bad line
            return f"Line {number}: {message}"
    return f"The calendar could not be read: {message}"


def _shortened(error):
    return " ".join(str(error).split())[:200]


def _vevent_lines(text_lines):
    return [
        number
        for number, line in enumerate(text_lines, start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


def _expand(calendar, window, tz, warnings, skipped):
    """The occurrences of the calendar's events within the window, and the window actually
    read. Rules that repeat more than TIMES_A_DAY times a day are refused in `_screen`;
    still, a series keeps its first SERIES_LIMIT occurrences, and reading (thirty days at a
    time) stops once past READ_LIMIT occurrences, the window then ending there (so that later
    events already here are not taken as removed)."""
    kept, read, per_series = [], 0, {}
    start, end = window
    query = recurring_ical_events.of(calendar, skip_bad_series=True)
    step = datetime.timedelta(days=30)
    for month_start in _steps(start, end, step):
        if read > READ_LIMIT:
            warnings.append(
                f"The calendar repeats more than {READ_LIMIT:,} times; read up to "
                f"{month_start:%d %B %Y} only."
            )
            return kept, (start, month_start)
        month_end = min(month_start + step, end)
        # The library reads these bounds in each event's own zone, up to 26 hours from the
        # feed's: so it is asked for more, and each occurrence kept by its true start.
        bounds = _local(month_start - ZONE_SPREAD, tz), _local(month_end + ZONE_SPREAD, tz)
        for occurrence in query.between(*bounds):
            if not _in_step(occurrence, month_start, month_end, start, tz):
                continue
            read += 1
            uid = str(occurrence.get("UID", "")).strip()
            per_series[uid] = per_series.get(uid, 0) + 1
            if per_series[uid] <= SERIES_LIMIT:
                kept.append(occurrence)
            elif uid not in skipped:
                warnings.append(
                    f"Event {uid} repeats more than {SERIES_LIMIT} times in the "
                    f"{(end - start).days} days read; kept the first {SERIES_LIMIT}."
                )
                skipped.add(uid)  # still in the calendar: later occurrences here stay
    return kept, window


def _steps(start, end, step):
    while start < end:
        yield start
        start += step


def _local(moment, tz):
    """A window bound as the library takes it: the feed's local time, without a zone."""
    return moment.astimezone(tz).replace(tzinfo=None)


def _in_step(occurrence, step_start, step_end, window_start, tz):
    """Whether an occurrence is read in this step: it starts within it, or, in the first
    step, it began before the window and still runs into it."""
    begins = _instant(occurrence.start, tz)
    if step_start == window_start and begins < window_start:
        return _instant(occurrence.end, tz) > window_start
    return step_start <= begins < step_end


def _instant(value, tz):
    """A date or time as an aware time: a date from its midnight in the feed's zone."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    return _as_aware(value, tz)


def _end_after(start, duration):
    """RFC 5545 3.3.6: a DURATION's days and weeks are nominal (the same clock time so many
    days on), its hours, minutes and seconds exact, so "PT2H" across the autumn clock change
    ends two real hours later. (Hours beyond a day, "PT25H", parse as a day and an hour.)"""
    days = datetime.timedelta(days=duration.days)
    return ((start + days).astimezone(datetime.UTC) + (duration - days)).astimezone(start.tzinfo)


def _as_aware(value, tz):
    """Floating times (no zone) are the feed's local time; everything else keeps its zone."""
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value


def _zone_name(occurrence, value, tz):
    """The IANA name of the event's zone, to show local times; UTC shows in the feed's."""
    key = getattr(value.tzinfo, "key", None)
    if not key:
        start = occurrence.get("DTSTART")
        key = start.params.get("TZID", "") if start is not None else ""
        key = WINDOWS_TO_OLSON.get(key, key)
    if key and key not in ("UTC", "Etc/UTC") and key in _zone_names():
        return key
    return tz.key


@functools.cache
def _zone_names():
    # available_timezones() walks the zone files on disk: 25 ms a call, so once per process.
    return frozenset(zoneinfo.available_timezones())


def _event(occurrence, uid, repeats, tz, line, texts):
    start = occurrence.start
    end = occurrence.end
    if isinstance(start, datetime.datetime):
        all_day = False
        starts_at = _as_aware(start, tz)
        ends_at = _as_aware(end, tz) if isinstance(end, datetime.datetime) else starts_at
        if (given := occurrence.get(DURATION_GIVEN)) is not None:
            days, seconds = map(int, str(given).split())
            ends_at = _end_after(starts_at, datetime.timedelta(days=days, seconds=seconds))
        zone = _zone_name(occurrence, starts_at, tz)
        ends_at = max(ends_at, starts_at)
        occurrence_id = starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    else:
        # All-day: DTEND is the day after the last day (RFC 5545 3.6.1); we store the last
        # second of the last day, as the rest of the calendar does.
        all_day = True
        zone = tz.key
        last = max(end - datetime.timedelta(days=1), start) if end else start
        starts_at = datetime.datetime.combine(start, datetime.time(), tz)
        ends_at = datetime.datetime.combine(last, datetime.time(23, 59, 59), tz)
        occurrence_id = start.strftime("%Y%m%d")
    recurrence = occurrence.get("RECURRENCE-ID")
    if repeats and recurrence is not None:
        original = recurrence.dt
        if isinstance(original, datetime.datetime):
            original = _as_aware(original, tz)
            occurrence_id = original.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        else:
            occurrence_id = original.strftime("%Y%m%d")
    key = _key(uid, occurrence_id if repeats else None)

    # SUMMARY and LOCATION are text, never HTML (RFC 5545 3.3.11): "<slot>" is a word here.
    name = _one_line(str(occurrence.get("SUMMARY", ""))) or "Untitled event"
    description, summary = _description(occurrence, texts)
    location = _one_line(str(occurrence.get("LOCATION", "")))
    online_url = ""
    url = str(occurrence.get("URL", "")).strip()
    website = url if URL_IN_TEXT.match(url) and len(url) <= 200 else ""
    if URL_IN_TEXT.match(location):
        online_url, location = location, ""
    elif ONLINE_PLACE.match(location):
        # "Online event" (Meetup), "Microsoft Teams Meeting" (Outlook): the join link is
        # the event's page, where there is one.
        online_url = website
    if not online_url:
        conference = str(occurrence.get("X-GOOGLE-CONFERENCE", "")).strip()
        if URL_IN_TEXT.match(conference):
            online_url = conference
    try:
        sequence = max(int(str(occurrence.get("SEQUENCE", 0))), 0)
    except ValueError:
        sequence = 0
    last_modified = None
    stamp = occurrence.get("LAST-MODIFIED")
    value = getattr(stamp, "dt", None) if stamp is not None else None
    if isinstance(value, datetime.datetime):
        last_modified = _as_aware(value, datetime.UTC).astimezone(datetime.UTC)
    return ParsedEvent(
        key=key,
        last_modified=last_modified,
        name=name[:200],
        starts_at=starts_at.astimezone(datetime.UTC),
        ends_at=ends_at.astimezone(datetime.UTC),
        all_day=all_day,
        time_zone=zone,
        line=line,
        description=description,
        summary=summary,
        location=location[:300],
        online_url=online_url if len(online_url) <= URL_LENGTH else "",
        website=website,
        cancelled=str(occurrence.get("STATUS", "")).upper() == "CANCELLED",
        sequence=sequence,
        local_uid=_local_uid(uid),
    )


def _local_uid(uid):
    """RFC 5545 asks for a UID unique the world over, which real ones are: they end in a
    domain ("…@google.com") or are long and random (a UUID, Outlook's hex). Anything else
    ("1", "event-42", "1@localhost", a start time) is a calendar numbering its own events."""
    if "@" in uid:
        return not WORLD_DOMAIN.search(uid)
    return len(uid) < 24 or uid.isdigit() or bool(DATE_TIME_UID.match(uid))


def _key(uid, occurrence_id=None):
    """What a feed entry is stored under: the UID, and the occurrence's original start if the
    event repeats. A UID too long for that is replaced by its hash, so that every key of an
    event still begins with one name for it, which `ParseResult.skipped` can hold."""
    key = uid if occurrence_id is None else f"{uid}/{occurrence_id}"
    if len(key) <= KEY_LENGTH:
        return key
    return _key(uid_hash(uid), occurrence_id)


def uid_hash(uid):
    """A UID too long to keep, as a name of fixed length."""
    return hashlib.sha256(uid.encode()).hexdigest()


def _description(component, texts):
    """Sanitised HTML (Outlook's X-ALT-DESC when given) or plain text, never a script, and a
    summary of it. `texts` keeps them by the text given: every occurrence of a series holds
    the same description, worked out once."""
    alternative = component.get("X-ALT-DESC")
    if alternative is not None:
        # An X- property is not unescaped by the parser (RFC 5545 3.3.11 escapes still apply).
        value = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], str(alternative))
    else:
        value = str(component.get("DESCRIPTION", ""))
    if value not in texts:
        texts[value] = _sanitised(value)
    return texts[value]


def _sanitised(value):
    value = printable(value).strip()
    if looks_like_html(value):
        # Outlook sends whole HTML documents: keep the body's content, not the <head>'s.
        body = re.search(r"<body[^>]*>(.*)</body>", value, flags=re.S | re.I)
        value = body[1] if body else value
        value = sanitise_html(value).strip()
    summary = _plain(value)
    if len(summary) > 280:
        summary = summary[:279].rsplit(" ", 1)[0] + "…"
    return value, summary


def _plain(value):
    """Text without tags or entities, on one line."""
    return _one_line(plain_text(value))


def _one_line(text):
    return re.sub(r"\s+", " ", printable(text)).strip()
