"""The directory: organisations, places, programmes, people and smart-city trials, and
the taxonomies (sectors, stages, roles) they are filed under. Taxonomies are data."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from frontdoor.core.models import (
    Listing,
    ListingQuerySet,
    Located,
    NormalisedCharField,
    PublicationState,
)


def in_order(low, high, name, message):
    """A check that field `low` is not after field `high` when both are given."""
    return models.CheckConstraint(
        condition=Q(**{f"{low}__isnull": True})
        | Q(**{f"{high}__isnull": True})
        | Q(**{f"{low}__lte": models.F(high)}),
        name=name,
        violation_error_message=message,
    )


class Term(models.Model):
    """A taxonomy term: a name, a stable slug for URLs, and its place in lists."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Sector(Term):
    """A technology sector (AI, fintech, games ...), curated as data."""


class Stage(Term):
    """A stage of a firm's growth (idea, pre-seed, seed ... established)."""


class Role(Term):
    """What a listed person offers the ecosystem (ambassador, mentor, speaker, investor)."""


COMPANY_NUMBER = re.compile(r"^(?:[A-Z]{2}[0-9]{6}|[0-9]{8})$")


def normalise_company_number(value):
    """Companies House numbers are 8 characters: pad plain numbers, keep prefixes (SC, OC ...)."""
    value = (value or "").strip().upper().replace(" ", "")
    if not value:
        return ""
    if value.isdigit():
        value = value.zfill(8)
    if not COMPANY_NUMBER.match(value):
        raise ValidationError(f"“{value}” is not a Companies House number (8 characters).")
    return value


class CompanyNumberField(NormalisedCharField):
    """A Companies House number, kept in its 8-character form ("SC123456")."""

    normalise = staticmethod(normalise_company_number)


class Organisation(Listing, Located):
    """A firm, investor, educator, community group, support body or public body."""

    class Kind(models.TextChoices):
        STARTUP = "startup", "Start-up"
        SCALEUP = "scaleup", "Scale-up"
        SME = "sme", "SME"
        ANCHOR = "anchor", "Anchor employer"
        INVESTOR = "investor", "Investor"
        EDUCATOR = "educator", "Educator"
        COMMUNITY = "community", "Community group"
        SUPPORT = "support", "Support organisation"
        PUBLIC = "public", "Public body"

    class SizeBand(models.TextChoices):
        MICRO = "micro", "Micro (fewer than 10 people)"
        SMALL = "small", "Small (10 to 49)"
        MEDIUM = "medium", "Medium (50 to 249)"
        LARGE = "large", "Large (250 or more)"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    stage = models.ForeignKey(Stage, null=True, blank=True, on_delete=models.PROTECT)
    size_band = models.CharField(max_length=8, choices=SizeBand.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    company_number = CompanyNumberField(
        max_length=8, blank=True, help_text="Companies House number, e.g. 01234567 or SC123456."
    )
    public_email = models.EmailField(blank=True, help_text="A shared inbox, never a person's.")
    social_links = models.JSONField(
        default=list, blank=True, help_text='A list of profile URLs: ["https://...", ...]'
    )

    objects = ListingQuerySet.as_manager()

    class Meta(Listing.Meta):
        constraints = [
            *Listing.Meta.constraints,
            models.UniqueConstraint(
                fields=["company_number"],
                condition=~Q(company_number=""),
                name="directory_organisation_unique_company_number",
                violation_error_message="Another organisation has this Companies House number.",
            ),
        ]
        indexes = [
            *Listing.Meta.indexes,
            # Lists sort by name; the home page counts by kind (an index-only scan).
            models.Index(fields=["state", "name"], name="directory_org_by_name"),
            models.Index(fields=["state", "kind"], name="directory_org_by_kind"),
        ]

    def clean(self):
        super().clean()
        if self.social_links is None:  # the admin's box, cleared
            self.social_links = []
        if not isinstance(self.social_links, list) or not all(
            isinstance(u, str) and u.startswith(("https://", "http://")) for u in self.social_links
        ):
            raise ValidationError({"social_links": "Give a list of web addresses."})
        if self.founded_year and self.founded_year > timezone.now().year:
            raise ValidationError({"founded_year": "The year founded cannot be in the future."})


class Place(Listing, Located):
    """A workspace, lab, test bed, venue, makerspace or network (such as a 5G test network)."""

    class Kind(models.TextChoices):
        WORKSPACE = "workspace", "Workspace"
        LAB = "lab", "Lab"
        TEST_BED = "test_bed", "Test bed"
        VENUE = "venue", "Venue"
        MAKERSPACE = "makerspace", "Makerspace"
        NETWORK = "network", "Network"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    operator = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="places"
    )
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="People, if it applies."
    )
    booking_url = models.URLField(blank=True)
    accessibility_notes = models.TextField(blank=True)

    objects = ListingQuerySet.as_manager()

    class Meta(Listing.Meta):
        pass


class ProgrammeQuerySet(ListingQuerySet):
    def open_on(self, day):
        """Programmes taking applications on a day (no dates means always open)."""
        return self.filter(
            Q(opens_on__isnull=True) | Q(opens_on__lte=day),
            Q(closes_on__isnull=True) | Q(closes_on__gte=day),
        )


class Programme(Listing):
    """A fund, grant, accelerator, incubator, training, mentoring scheme or challenge."""

    class Kind(models.TextChoices):
        FUND = "fund", "Fund"
        GRANT = "grant", "Grant"
        ACCELERATOR = "accelerator", "Accelerator"
        INCUBATOR = "incubator", "Incubator"
        TRAINING = "training", "Training"
        MENTORING = "mentoring", "Mentoring"
        CHALLENGE = "challenge", "Challenge"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    provider = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="programmes"
    )
    stages = models.ManyToManyField(
        Stage, blank=True, help_text="Eligible stages; none means any stage."
    )
    amount_min = models.PositiveIntegerField(null=True, blank=True, help_text="Pounds.")
    amount_max = models.PositiveIntegerField(null=True, blank=True, help_text="Pounds.")
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    how_to_apply = models.TextField(blank=True)
    apply_url = models.URLField(blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta(Listing.Meta):
        constraints = [
            *Listing.Meta.constraints,
            in_order(
                "amount_min",
                "amount_max",
                "directory_programme_amount_range",
                "The smallest amount is more than the largest.",
            ),
            in_order(
                "opens_on",
                "closes_on",
                "directory_programme_date_range",
                "Applications close before they open.",
            ),
        ]

    @property
    def applications(self):
        """Where applications stand today, as words and the date they go with (or None)."""
        today = timezone.localdate()
        if self.opens_on and self.opens_on > today:
            return "Open from", self.opens_on
        if self.closes_on and self.closes_on < today:
            return "Closed on", self.closes_on
        if self.closes_on:
            return "Open until", self.closes_on
        return "Open, no closing date", None

    def is_open(self, day=None):
        day = day or datetime.date.today()
        return (self.opens_on is None or self.opens_on <= day) and (
            self.closes_on is None or self.closes_on >= day
        )


class PersonQuerySet(ListingQuerySet):
    def published(self):
        # A person is public only with recorded consent, whatever the state says.
        return super().published().filter(consent_recorded_at__isnull=False)

    def visible(self):
        return super().visible().filter(consent_recorded_at__isnull=False)


class Person(Listing):
    """An ambassador, mentor, speaker or investor, listed only with their recorded consent."""

    roles = models.ManyToManyField(Role, blank=True)
    headline = models.CharField(max_length=160, blank=True, help_text="e.g. Founder, data engineer")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    public_email = models.EmailField(blank=True, help_text="Shown only if they asked for it.")
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(
        max_length=300, blank=True, help_text="How consent was given, e.g. signed form ref."
    )

    objects = PersonQuerySet.as_manager()

    class Meta(Listing.Meta):
        verbose_name_plural = "people"
        constraints = [
            *Listing.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(state=PublicationState.PUBLISHED)
                | Q(consent_recorded_at__isnull=False),
                name="directory_person_published_needs_consent",
                violation_error_message=(
                    "Record the person's consent before publishing their profile."
                ),
            ),
        ]


class Trial(Listing):
    """A smart-city trial: a real-world test of a product or service, on a test bed."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        LIVE = "live", "Live"
        COMPLETED = "completed", "Completed"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.LIVE)
    lead = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="trials_led"
    )
    partners = models.ManyToManyField(Organisation, blank=True, related_name="trials")
    test_bed = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.SET_NULL, related_name="trials"
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    objects = ListingQuerySet.as_manager()

    class Meta(Listing.Meta):
        verbose_name = "smart-city trial"
        constraints = [
            *Listing.Meta.constraints,
            in_order(
                "started_on",
                "ended_on",
                "directory_trial_date_range",
                "The trial ends before it starts.",
            ),
        ]
