"""Read ICS calendars: fetch them safely, parse them leniently, report problems precisely.

Nothing here writes to the database; `actions.feed_sync` applies what `parse` returns.
"""

import datetime
import functools
import hashlib
import html
import re
import socket
import time
import zoneinfo
from dataclasses import dataclass, field
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import icalendar
import nh3
import recurring_ical_events
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from frontdoor.core.templatetags.frontdoor import ALLOWED_TAGS
from frontdoor.events.models import dedupe_key

FETCH_TIMEOUT = 20  # seconds without a byte from the server
MAX_BYTES = 10_000_000  # the largest real feeds we have seen are a few MB
# Repeating events are expanded over this window around "now": far enough ahead for a
# year's planning, far enough back that last month's events stay browsable.
WINDOW_BEFORE = datetime.timedelta(days=90)
WINDOW_AFTER = datetime.timedelta(days=400)
URL_IN_TEXT = re.compile(r"^https?://\S+$")
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
    try:
        with urlopen(request, timeout=timeout) as response:
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
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.upper() != "BEGIN:VCALENDAR":
        shown = first[:60] or "nothing"
        raise FeedError(
            f"Line 1: this is not an iCalendar file: it starts with “{shown}” where "
            "BEGIN:VCALENDAR should be. Check the link gives the .ics calendar, not a web page."
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError as error:
        raise FeedError(_with_line(text, str(error))) from None
    if isinstance(calendar, list):  # several VCALENDARs: read the first, as clients do
        calendar = calendar[0]

    tz = zoneinfo.ZoneInfo(default_time_zone)
    now = now or datetime.datetime.now(datetime.UTC)
    window = (now - WINDOW_BEFORE, now + WINDOW_AFTER)
    warnings = []
    lines = _vevent_lines(text)
    components = calendar.walk("VEVENT")
    line_of = {}
    repeating = set()
    for index, component in enumerate(components):
        line = lines[index] if index < len(lines) else 0
        uid = str(component.get("UID", "")).strip()
        line_of.setdefault(uid, line)
        for prop, problem in getattr(component, "errors", []):
            warnings.append(f"Line {line}: event {uid or '(no UID)'}: {prop} is invalid: {problem}")
        if "RRULE" in component or "RDATE" in component or "RECURRENCE-ID" in component:
            repeating.add(uid)

    good = icalendar.Calendar()
    for key, value in calendar.property_items(recursive=False):
        if key not in ("BEGIN", "END"):
            good.add(key, value)
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            uid = str(component.get("UID", "")).strip()
            where = f"Line {line_of.get(uid, 0)}: event {uid or '(no UID)'}"
            if not uid:
                warnings.append(f"{where}: no UID, so it cannot be kept in step; skipped.")
                continue
            try:
                readable = component.get("DTSTART") is not None and component["DTSTART"].dt
            except icalendar.error.BrokenCalendarProperty:
                readable = False
            if not readable:
                warnings.append(f"{where}: DTSTART is missing or unreadable; skipped.")
                continue
        good.add_component(component)

    try:
        occurrences = recurring_ical_events.of(good, skip_bad_series=True).between(
            window[0].astimezone(tz).replace(tzinfo=None),
            window[1].astimezone(tz).replace(tzinfo=None),
        )
    except Exception as error:  # the library raises many types for bad rules; report them all
        raise FeedError(f"Could not expand the repeating events: {error}") from None

    events = []
    for occurrence in occurrences:
        uid = str(occurrence["UID"]).strip()
        try:
            events.append(_event(occurrence, uid, uid in repeating, tz, line_of.get(uid, 0)))
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            warnings.append(f"Line {line_of.get(uid, 0)}: event {uid}: {error}; skipped.")
    return ParseResult(events=events, warnings=warnings, window=window)


def _with_line(text, message):
    """Add the line number to icalendar's error, which quotes the bad content line."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line and line.strip() and line.strip() in message:
            return f"Line {number}: {message}"
    return message


def _vevent_lines(text):
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]


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


def _event(occurrence, uid, repeats, tz, line):
    start = occurrence.start
    end = occurrence.end
    if isinstance(start, datetime.datetime):
        all_day = False
        starts_at = _as_aware(start, tz)
        ends_at = _as_aware(end, tz) if isinstance(end, datetime.datetime) else starts_at
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
    key = f"{uid}/{occurrence_id}" if repeats else uid
    if len(key) > 255:
        key = hashlib.sha256(key.encode()).hexdigest()

    name = _plain(str(occurrence.get("SUMMARY", ""))) or "Untitled event"
    description = _description(occurrence)
    location = _plain(str(occurrence.get("LOCATION", "")))
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
    summary = _plain(description)
    if len(summary) > 280:
        summary = summary[:279].rsplit(" ", 1)[0] + "…"
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
        online_url=online_url[:200],
        website=website,
        cancelled=str(occurrence.get("STATUS", "")).upper() == "CANCELLED",
        sequence=sequence,
    )


def _description(component):
    """Sanitised HTML (Outlook's X-ALT-DESC when given) or plain text; never a script."""
    alternative = component.get("X-ALT-DESC")
    if alternative is not None:
        # An X- property is not unescaped by the parser (RFC 5545 3.3.11 escapes still apply).
        value = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], str(alternative))
    else:
        value = str(component.get("DESCRIPTION", ""))
    value = value.strip()
    if "<" in value:
        # Outlook sends whole HTML documents: keep the body's content, not the <head>'s.
        body = re.search(r"<body[^>]*>(.*)</body>", value, flags=re.S | re.I)
        value = body[1] if body else value
        value = nh3.clean(value, tags=ALLOWED_TAGS, link_rel="nofollow noopener").strip()
    return value


def _plain(value):
    """Text without tags or entities, on one line."""
    text = html.unescape(nh3.clean(value, tags=set())) if "<" in value else value
    return re.sub(r"\s+", " ", text).strip()
