"""Events on the shared calendar."""

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from frontdoor.core.models import Listing, ListingQuerySet


class EventQuerySet(ListingQuerySet):
    def upcoming(self, now=None):
        """Events that have not yet ended, soonest first (running events included)."""
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")


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
    online_url = models.URLField(blank=True, help_text="Where to join if it is online.")
    organisers = models.ManyToManyField("directory.Organisation", blank=True, related_name="events")
    is_free = models.BooleanField(default=True)
    price = models.CharField(max_length=80, blank=True, help_text="e.g. £10, £5 concessions")
    ticket_url = models.URLField(blank=True)

    objects = EventQuerySet.as_manager()

    class Meta(Listing.Meta):
        ordering = ["starts_at", "pk"]
        constraints = [
            *Listing.Meta.constraints,
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")),
                name="events_event_ends_after_start",
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
        if not self.is_free and not self.price:
            raise ValidationError({"price": "Say what it costs, or mark it free."})

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
    def is_online(self):
        return bool(self.online_url)

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED
