"""Events on the shared calendar, the feeds that fill it, festivals and pitch sessions."""

import datetime
import hashlib
import os
import zoneinfo
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import FileExtensionValidator, MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from frontdoor.core.models import (
    Listing,
    ListingQuerySet,
    PublicationState,
    public,
    validate_no_control_characters,
)


class EventQuerySet(ListingQuerySet):
    def upcoming(self, now=None):
        """Events that have not yet ended, soonest first (running events included)."""
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")

    def overlapping(self, start, end):
        """Events that run at any moment in [start, end), soonest first."""
        return self.filter(starts_at__lt=end, ends_at__gte=start).order_by("starts_at", "pk")


# The years an event may fall in: wide enough for any real one, and far from the calendar's
# edge (year 9999), where the day after an event cannot be written.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def dedupe_key(name, starts_at):
    """The same name starting at the same minute is the same event, whoever lists it."""
    minute = starts_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M")
    return hashlib.sha256(f"{minute}|{slugify(name)}".encode()).hexdigest()


class PrivateFiles(FileSystemStorage):
    """Uploads not for the public, under PRIVATE_ROOT: unlike MEDIA_ROOT, nothing serves it.
    (A calendar uploaded for want of a public link may be a private one.)"""

    @property
    def base_location(self):
        return settings.PRIVATE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_files():
    return PrivateFiles()


CALENDAR_EXTENSIONS = ["ics", "ical", "icalendar", "ifb"]


def validate_calendar_file(upload):
    """A new upload must be an iCalendar file, by its name and by what it holds."""
    if getattr(upload, "_committed", False):
        return  # stored already: checked when it was uploaded
    FileExtensionValidator(CALENDAR_EXTENSIONS)(upload)
    head = upload.read(256)
    upload.seek(0)
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").upper().startswith(b"BEGIN:VCALENDAR"):
        raise ValidationError("This is not an iCalendar file: it does not begin BEGIN:VCALENDAR.")


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone such as Europe/London.")


class Event(Listing):
    """A meetup, conference, workshop, hackathon, pitch session, social or festival session."""

    class Kind(models.TextChoices):
        MEETUP = "meetup", "Meetup"
        CONFERENCE = "conference", "Conference"
        WORKSHOP = "workshop", "Workshop"
        HACKATHON = "hackathon", "Hackathon"
        PITCH = "pitch", "Pitch session"
        SOCIAL = "social", "Social"
        FESTIVAL = "festival", "Festival session"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        POSTPONED = "postponed", "Postponed"
        CANCELLED = "cancelled", "Cancelled"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    all_day = models.BooleanField(default=False)
    venue = models.ForeignKey(
        "directory.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    online_url = models.URLField(
        max_length=500, blank=True, help_text="Where to join if it is online."
    )
    organisers = models.ManyToManyField("directory.Organisation", blank=True, related_name="events")
    is_free = models.BooleanField(default=True)
    price = models.CharField(max_length=80, blank=True, help_text="e.g. £10, £5 concessions")
    ticket_url = models.URLField(blank=True)
    location_text = models.CharField(
        max_length=300,
        blank=True,
        validators=[validate_no_control_characters],
        help_text="Where, as a feed gave it, when no venue matches.",
    )
    status_note = models.CharField(
        max_length=200, blank=True, help_text="Why the status is what it is, shown with it."
    )
    uid = models.CharField(
        max_length=255,
        blank=True,
        help_text="The iCalendar UID; blank for events made here, which export a UID of their own.",
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="The iCalendar SEQUENCE: goes up with every change subscribers see."
    )
    feed = models.ForeignKey(
        "events.Feed",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        help_text="The feed that first brought this event in.",
    )
    dedupe_key = models.CharField(
        max_length=64, blank=True, db_index=True, help_text="Start time and name, normalised."
    )
    festival = models.ForeignKey(
        "events.Festival",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    track = models.CharField(max_length=80, blank=True, help_text="The festival track, if any.")

    objects = EventQuerySet.as_manager()

    class Meta(Listing.Meta):
        ordering = ["starts_at", "pk"]
        constraints = [
            *Listing.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="events_event_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["uid"], condition=~Q(uid=""), name="events_event_unique_uid"
            ),
        ]
        indexes = [
            *Listing.Meta.indexes,
            models.Index(fields=["state", "ends_at"], name="events_event_by_end"),
        ]

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": "An event cannot end before it starts."})
        for name in ("starts_at", "ends_at"):
            # A typo like 9999 broke every calendar that lists it (the day after overflows).
            when = getattr(self, name)
            if when and not LATEST_YEAR >= when.year >= EARLIEST_YEAR:
                raise ValidationError({name: f"Give a year from {EARLIEST_YEAR} to {LATEST_YEAR}."})
        if not self.is_free and not self.price:
            raise ValidationError({"price": "Say what it costs, or mark it free."})

    def save(self, *args, **kwargs):
        if self.name and self.starts_at:
            self.dedupe_key = dedupe_key(self.name, self.starts_at)
        super().save(*args, **kwargs)

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at, self.tz)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at, self.tz)

    @property
    def _last_moment(self):
        # An end at midnight closes the day before: the end itself is not part of it.
        return max(self.ends_at - datetime.timedelta(microseconds=1), self.starts_at)

    @property
    def last_day(self):
        """The last day it runs, in its own zone."""
        return timezone.localtime(self._last_moment, self.tz).date()

    def calendar_days(self):
        """The first and last day it takes on a calendar: an all-day event's own dates, a
        timed event's dates in the site's time zone."""
        if self.all_day:
            return self.local_start.date(), self.last_day
        return timezone.localdate(self.starts_at), timezone.localdate(self._last_moment)

    @property
    def on_one_day(self):
        """Whether it starts and ends on one calendar day (see calendar_days)."""
        first, last = self.calendar_days()
        return first == last

    @property
    def taking_applications(self):
        """A pitch session takes applications while published, not cancelled and not begun
        (an archived one is kept for the record)."""
        return (
            self.kind == self.Kind.PITCH
            and self.state == PublicationState.PUBLISHED
            and not self.is_cancelled
            and self.starts_at > timezone.now()
        )

    @property
    def is_online(self):
        return bool(self.online_url)

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def ical_uid(self):
        """A UID that never changes: the source's, or one made from the primary key."""
        return self.uid or f"event-{self.pk}@frontdoor"

    @property
    def location_line(self):
        """Where, in one line (the calendar's LOCATION); a draft venue is not named."""
        if venue := public(self.venue):
            parts = [venue.name, venue.address, venue.postcode]
            return ", ".join(part for part in parts if part)
        return self.location_text or self.online_url

    def _utc_stamp(self, value):
        return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")

    def google_calendar_url(self):
        """Google Calendar's "add event" template link."""
        if self.all_day:
            after = self.last_day + datetime.timedelta(days=1)
            dates = f"{self.local_start:%Y%m%d}/{after:%Y%m%d}"
        else:
            dates = f"{self._utc_stamp(self.starts_at)}/{self._utc_stamp(self.ends_at)}"
        query = {"action": "TEMPLATE", "text": self.name, "dates": dates, "ctz": self.time_zone}
        query |= {"details": self.summary, "location": self.location_line or ""}
        return "https://calendar.google.com/calendar/render?" + urlencode(query)

    def outlook_calendar_url(self):
        """Outlook on the web's compose link (works for personal and work accounts)."""
        query = {
            "path": "/calendar/action/compose",
            "rru": "addevent",
            "subject": self.name,
            "body": self.summary,
            "location": self.location_line or "",
        }
        if self.all_day:
            query |= {
                "startdt": f"{self.local_start:%Y-%m-%d}",
                "enddt": f"{self.last_day + datetime.timedelta(days=1):%Y-%m-%d}",
                "allday": "true",
            }
        else:
            query |= {"startdt": self.starts_at.isoformat(), "enddt": self.ends_at.isoformat()}
        return "https://outlook.live.com/calendar/0/deeplink/compose?" + urlencode(query)


class Festival(Listing):
    """A festival such as a city's Tech Week: a programme of many organisers' events."""

    starts_on = models.DateField()
    ends_on = models.DateField()
    organisers = models.ManyToManyField(
        "directory.Organisation", blank=True, related_name="festivals"
    )

    class Meta(Listing.Meta):
        ordering = ["-starts_on", "name"]
        constraints = [
            *Listing.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="events_festival_ends_after_start",
                violation_error_message="A festival cannot end before it starts.",
            ),
        ]

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("events:festival-detail", args=[self.slug])


# The longest a feed may wait between syncs: a year. (To stop syncing one, make it inactive.)
LONGEST_SYNC_INTERVAL_HOURS = 24 * 365


class FeedQuerySet(models.QuerySet):
    def due(self, now=None):
        """Active feeds never synced, or last synced longer ago than their interval."""
        now = now or timezone.now()
        due = [
            feed.pk
            for feed in self.filter(active=True).only("pk", "last_synced_at", "sync_every_hours")
            if feed.last_synced_at is None
            or now - feed.last_synced_at >= _interval(feed.sync_every_hours)
        ]
        return self.filter(pk__in=due)


def _interval(hours):
    # Capped: SQLite holds any integer, so an interval saved before the limit (or past the
    # form) could be too long for a date to carry, and one such feed stopped every sync.
    return datetime.timedelta(hours=min(hours, LONGEST_SYNC_INTERVAL_HOURS))


class Feed(models.Model):
    """An organisation's calendar (an ICS URL or an uploaded file) that fills our calendar."""

    class Outcome(models.TextChoices):
        NEVER = "never", "Not synced yet"
        OK = "ok", "OK"
        WARNINGS = "warnings", "OK, with warnings"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        "directory.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calendar_feeds",
        help_text="Added as organiser of every event the feed brings in.",
    )
    url = models.CharField(
        max_length=1000,
        blank=True,
        verbose_name="URL",
        help_text="An http(s) or webcal link to an .ics calendar.",
    )
    upload = models.FileField(
        upload_to="feeds/",
        storage=private_files,
        blank=True,
        validators=[validate_calendar_file],
        help_text="Or an .ics file, when there is no link (kept private: not served).",
    )
    requires_approval = models.BooleanField(
        default=False, help_text="New events wait as drafts until a curator publishes them."
    )
    active = models.BooleanField(default=True)
    default_kind = models.CharField(
        max_length=12, choices=Event.Kind.choices, default=Event.Kind.MEETUP
    )
    festival = models.ForeignKey(
        Festival,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feeds",
        help_text="Put every event of this feed into a festival's programme.",
    )
    track = models.CharField(max_length=80, blank=True)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_time_zone],
        help_text="For feeds whose times carry no time zone (floating times).",
    )
    sync_every_hours = models.PositiveSmallIntegerField(
        default=6,
        validators=[
            MaxValueValidator(
                LONGEST_SYNC_INTERVAL_HOURS,
                "At most %(limit_value)s hours (a year). To stop syncing the feed, untick Active.",
            )
        ],
    )
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.NEVER)
    last_added = models.PositiveIntegerField(default=0)
    last_updated = models.PositiveIntegerField(default=0)
    last_cancelled = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = FeedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | ~Q(upload=""),
                name="events_feed_has_url_or_upload",
                violation_error_message="Give the calendar's URL or upload its .ics file.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()  # the constraint asks for a URL or a file
        if self.url and not self.url.lower().startswith(("http://", "https://", "webcal://")):
            raise ValidationError({"url": "Use an http://, https:// or webcal:// link."})

    @property
    def source(self):
        return f"feed:{self.pk}"


class FeedSync(models.Model):
    """One run of a feed's sync: when, what it changed, and what went wrong."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="syncs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Feed.Outcome.choices)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(
        default=0, help_text="Events another feed had already brought in."
    )
    messages = models.TextField(blank=True, help_text="Errors and warnings, one per line.")
    changes = models.TextField(blank=True, help_text="What was added, updated and cancelled.")

    class Meta:
        ordering = ["-started_at", "-pk"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"{self.feed} at {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"


class FeedEntry(models.Model):
    """One event (or one occurrence of a repeating event) as a feed lists it."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    key = models.CharField(max_length=255, help_text="UID, plus the occurrence if it repeats.")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="feed_entries")
    sequence = models.PositiveIntegerField(default=0)
    last_modified = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    present = models.BooleanField(default=True, help_text="Listed by the feed's last good sync.")
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "key"], name="events_feedentry_unique_key")
        ]
        verbose_name_plural = "feed entries"

    def __str__(self):
        return self.key


class PitchApplication(models.Model):
    """A founder's request to pitch at a pitch session; investors see the accepted ones."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="pitches")
    company_name = models.CharField(max_length=200)
    founder_name = models.CharField(max_length=200)
    email = models.EmailField(help_text="Only the organisers see this.")
    website = models.URLField(blank=True)
    stage = models.CharField(max_length=80, blank=True, help_text="e.g. pre-seed, seed")
    pitch = models.CharField(max_length=300, help_text="What the company does, in a sentence.")
    asking = models.CharField(max_length=120, blank=True, help_text="e.g. £250k seed round")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    created = models.DateTimeField(auto_now_add=True)
    # What the applicant agreed to be shown, in the words of the form they ticked.
    consent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self):
        return f"{self.company_name} at {self.event}"
