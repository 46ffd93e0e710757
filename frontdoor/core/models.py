"""Shared abstract models for every listing, and the per-deployment branding."""

import re
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import connections, models
from django.db.models import Func, Q
from django.urls import reverse

from frontdoor.core.colours import MEETS, unreadable_against
from frontdoor.core.text import CONTROL_CHARACTERS

UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")


def normalise_postcode(value):
    """Return a postcode in its display form ("MK9 3HS"), or raise ValidationError."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if not compact:
        return ""
    match = UK_POSTCODE.match(compact)
    if not match:
        raise ValidationError(f"“{value}” is not a UK postcode.")
    return f"{match[1]} {match[2]}"


class NormalisedCharField(models.CharField):
    """A short code people type loosely ("sw1a  1aa"), kept in the form `normalise` gives."""

    @staticmethod
    def normalise(value):
        raise NotImplementedError

    def clean(self, value, model_instance):
        # Checked after normalising, so max_length applies to the stored form.
        return super().clean(self.normalise(self.to_python(value)), model_instance)

    def formfield(self, **kwargs):
        # Room for the spaces people type ("SC 123456"); the stored length is checked in clean().
        return super().formfield(**{"max_length": 2 * self.max_length, **kwargs})

    def deconstruct(self):
        # The column is a plain CharField: normalising is no business of the database.
        name, _, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class PostcodeField(NormalisedCharField):
    """A UK postcode, kept in its display form ("MK9 3HS")."""

    normalise = staticmethod(normalise_postcode)


def validate_no_control_characters(value):
    """Text shown to visitors holds no control characters (pasted text sometimes brings one)."""
    if found := CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            "Remove the invisible control character (U+%(code)04X) at character %(at)s: "
            "pages and feeds cannot show it.",
            code="control_character",
            params={"code": ord(found[0]), "at": found.start() + 1},
        )


class PublicationState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


def public(related):
    """A related record only when it is published, or the published ones of a related
    manager: a published page must not name a draft (filtered in Python, so a prefetch
    serves)."""
    if related is None:
        return None
    if hasattr(related, "all"):
        return [r for r in related.all() if r.state == PublicationState.PUBLISHED]
    return related if related.state == PublicationState.PUBLISHED else None


class ListingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(state=PublicationState.PUBLISHED)

    def visible(self):
        """Published, plus archived records whose pages stay reachable with a notice."""
        return self.filter(state__in=[PublicationState.PUBLISHED, PublicationState.ARCHIVED])

    def matching(self, text):
        """A plain name/summary/description match; the search app brings real ranking."""
        text = text.strip()
        if not text:
            return self
        fields = ["name", "summary", "description"]
        if connections[self.db].vendor == "sqlite" and not text.isascii():
            # SQLite ignores case for ASCII letters only ("école" would miss "École"): compare
            # case-folded text through the function core.apps adds to each connection.
            folded = {f"{field}_folded": Func(field, function="casefold") for field in fields}
            return self.alias(**folded).filter(
                reduce(or_, (Q(**{f"{name}__contains": text.casefold()}) for name in folded))
            )
        return self.filter(reduce(or_, (Q(**{f"{field}__icontains": text}) for field in fields)))

    def newest(self):
        return self.order_by("-created", "-pk")


class Listing(models.Model):
    """Fields every public record carries: identity, text, publication and provenance."""

    name = models.CharField(max_length=200, validators=[validate_no_control_characters])
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(
        max_length=300,
        blank=True,
        validators=[validate_no_control_characters],
        help_text="One or two plain sentences.",
    )
    description = models.TextField(
        blank=True,
        validators=[validate_no_control_characters],
        help_text="Plain text or simple HTML; HTML is sanitised when shown.",
    )
    website = models.URLField(blank=True)
    sectors = models.ManyToManyField("directory.Sector", blank=True, related_name="%(class)s_set")
    state = models.CharField(
        max_length=10, choices=PublicationState.choices, default=PublicationState.DRAFT
    )
    source = models.CharField(
        max_length=100,
        blank=True,
        help_text="Where the record came from: curator, demo, synthetic, a feed or an import.",
    )
    source_id = models.CharField(max_length=200, blank=True, help_text="Its id at the source.")
    last_verified = models.DateField(
        null=True, blank=True, help_text="When a person last checked this record is right."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=~Q(source_id=""),
                name="%(app_label)s_%(class)s_unique_source_id",
                violation_error_message="Another record already has this source and source ID.",
            ),
        ]
        # "Newest listings" on the home page, without sorting every row.
        indexes = [models.Index(fields=["state", "created"], name="%(app_label)s_%(class)s_new")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(f"{self._meta.app_label}:{self._meta.model_name}-detail", args=[self.slug])

    @property
    def is_synthetic(self):
        return self.source == "synthetic"

    @property
    def is_archived(self):
        return self.state == PublicationState.ARCHIVED


class Located(models.Model):
    """An address with its postcode, coordinates and ONS local authority code."""

    address = models.CharField(max_length=300, blank=True)
    postcode = PostcodeField(max_length=8, blank=True)
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    local_authority_code = models.CharField(
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^[EWSN][0-9]{8}$", "An ONS code such as E06000042.")],
        help_text="ONS local authority district code, e.g. E06000042 for Milton Keynes.",
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("Give both latitude and longitude, or neither.")


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour such as #0b5394.")


class Branding(models.Model):
    """How this deployment looks: its name, region, logo and colours (one row)."""

    site_name = models.CharField(max_length=80, blank=True)
    region_name = models.CharField(max_length=80, blank=True)
    tagline = models.CharField(max_length=200, blank=True)
    # Raster images only: an uploaded SVG could carry script served from our own origin.
    logo = models.FileField(
        upload_to="branding/",
        blank=True,
        validators=[FileExtensionValidator(["png", "jpg", "jpeg", "webp", "gif"])],
    )
    logo_alt = models.CharField(max_length=120, blank=True, help_text="Leave blank if decorative.")
    primary_colour = models.CharField(max_length=7, blank=True, validators=[hex_colour])
    accent_colour = models.CharField(max_length=7, blank=True, validators=[hex_colour])

    class Meta:
        verbose_name_plural = "branding"

    def __str__(self):
        return self.site_name or "Branding"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        for field in MEETS:
            colour = getattr(self, field)
            if not colour or not hex_colour.regex.match(colour):
                continue
            if failing := unreadable_against(field, colour):
                raise ValidationError(
                    {field: f"Too light: it fails WCAG AA (4.5:1) against {', '.join(failing)}."}
                )

    @classmethod
    def current(cls):
        """The branding in force: the admin's choices over the settings' defaults."""
        row = cls.objects.filter(pk=1).first() or cls()
        row.site_name = row.site_name or settings.FRONTDOOR_SITE_NAME
        row.region_name = row.region_name or settings.FRONTDOOR_REGION_NAME
        row.primary_colour = row.primary_colour or settings.FRONTDOOR_PRIMARY_COLOUR
        row.accent_colour = row.accent_colour or settings.FRONTDOOR_ACCENT_COLOUR
        return row

    @property
    def logo_url(self):
        return self.logo.url if self.logo else settings.FRONTDOOR_LOGO_URL
