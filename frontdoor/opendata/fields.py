"""The one allow-list of public fields per kind.

The API, the CSV and JSON downloads and the Open Referral output all read records through
these serialisers, so a field that is not named here never leaves the site. Personal data
stays out by construction: a person is listed only with recorded consent
(PersonQuerySet.published()) and while their listing is current (an archived person's page
may stay, its twin does not: see Kind.archived_is_open), and even then only the fields their
public page shows, less their email address (a page shows it to a reader; bulk files would
hand it to harvesters).
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from frontdoor.core.models import PublicationState
from frontdoor.directory import filters as directory_filters
from frontdoor.directory.models import Organisation, Person, Place, Programme, Trial
from frontdoor.events.filters import EventFilterSet
from frontdoor.events.models import Event


def absolute_url(request, path):
    """An absolute address: FRONTDOOR_SITE_URL when set (behind a proxy), else the request's."""
    if settings.FRONTDOOR_SITE_URL:
        return settings.FRONTDOOR_SITE_URL + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


@extend_schema_field(OpenApiTypes.URI)
class PageUrlField(serializers.Field):
    """The record's public page: the human twin of this machine-readable record."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return absolute_url(self.context.get("request"), detail_path(type(value), value.slug))


@functools.cache
def _detail_path_template(model):
    return reverse(f"{model._meta.app_label}:{model._meta.model_name}-detail", args=["SLUG"])


def detail_path(model, slug):
    """The page path for a slug: one reverse() per kind, not per row (a download has 100,000)."""
    prefix, _, suffix = _detail_path_template(model).rpartition("SLUG")
    return prefix + slug + suffix


@extend_schema_field({"type": "string", "nullable": True})
class PublishedSlugField(serializers.Field):
    """The slug of a related record, or null when there is none or it is not public."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, instance):
        related = getattr(instance, self.source, None)
        # A draft organisation's slug would reveal that it exists: show only published ones.
        if related is None or getattr(related, "state", PublicationState.PUBLISHED) != (
            PublicationState.PUBLISHED
        ):
            return None
        return related.slug

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SlugsField(serializers.Field):
    """Slugs of a many-to-many relation, read from its prefetched rows."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return [related.slug for related in value.all()]


def slugs(**kwargs):
    return SlugsField(**kwargs)


def text(**kwargs):
    return serializers.CharField(read_only=True, **kwargs)


def number(**kwargs):
    return serializers.IntegerField(read_only=True, allow_null=True, **kwargs)


class ListingSerializer(serializers.Serializer):
    """Fields every listing shares: identity, text, sectors and provenance."""

    slug = text(help_text="Stable identifier; also the last part of the page address.")
    url = PageUrlField(help_text="The public page for this record.")
    name = text()
    summary = text()
    description = text(help_text="Plain text or simple HTML, as curated.")
    website = text()
    sectors = slugs(help_text="Sector slugs, as in ?sector=.")
    archived = serializers.BooleanField(
        source="is_archived", read_only=True, help_text="Kept for reference; no longer current."
    )
    source = text(help_text="Where the record came from (curator, an import, a feed).")
    last_verified = serializers.DateField(
        read_only=True, allow_null=True, help_text="When a person last checked it."
    )
    updated = serializers.DateTimeField(read_only=True)


class LocatedSerializer(serializers.Serializer):
    address = text()
    postcode = text()
    latitude = serializers.FloatField(read_only=True, allow_null=True)
    longitude = serializers.FloatField(read_only=True, allow_null=True)
    local_authority_code = text(help_text="ONS local authority district code.")


class OrganisationSerializer(ListingSerializer, LocatedSerializer):
    kind = text()
    stage = PublishedSlugField(help_text="Stage slug, as in ?stage=.")
    size_band = text()
    founded_year = number()
    company_number = text(help_text="Companies House number.")
    public_email = text(help_text="A shared inbox, never a person's.")
    social_links = serializers.ListField(child=serializers.CharField(), read_only=True)


class PlaceSerializer(ListingSerializer, LocatedSerializer):
    kind = text()
    operator = PublishedSlugField(help_text="Slug of the organisation that runs it.")
    capacity = number()
    booking_url = text()
    accessibility_notes = text()


class ProgrammeSerializer(ListingSerializer):
    kind = text()
    provider = PublishedSlugField(help_text="Slug of the organisation that offers it.")
    stages = slugs(help_text="Eligible stage slugs; empty means any stage.")
    amount_min = number(help_text="Pounds.")
    amount_max = number(help_text="Pounds.")
    opens_on = serializers.DateField(read_only=True, allow_null=True)
    closes_on = serializers.DateField(read_only=True, allow_null=True)
    how_to_apply = text()
    apply_url = text()


class EventSerializer(ListingSerializer):
    kind = text()
    status = text(help_text="scheduled, postponed or cancelled.")
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)
    time_zone = text()
    all_day = serializers.BooleanField(read_only=True)
    venue = PublishedSlugField(help_text="Slug of the place.")
    online_url = text()
    organisers = slugs(help_text="Slugs of the organising organisations.")
    is_free = serializers.BooleanField(read_only=True)
    price = text()
    ticket_url = text()


class TrialSerializer(ListingSerializer):
    status = text()
    lead = PublishedSlugField(help_text="Slug of the lead organisation.")
    partners = slugs(help_text="Slugs of partner organisations.")
    test_bed = PublishedSlugField(help_text="Slug of the test bed place.")
    started_on = serializers.DateField(read_only=True, allow_null=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)


class PersonSerializer(ListingSerializer):
    headline = text()
    roles = slugs(help_text="Role slugs, as in ?role=.")
    organisation = PublishedSlugField(help_text="Slug of their organisation.")


@dataclass(frozen=True)
class Kind:
    """One public kind of record and everything the open data needs to publish it."""

    name: str  # plural, as in the URLs: /api/v1/<name>, /<name>.csv
    model: type
    serializer: type
    filterset: type
    select: tuple = ()
    prefetch: tuple = ()
    # An archived record's twin stays open for reference, as its page does. Not a person's:
    # someone whose listing was archived (they left, stepped down) leaves the open data.
    archived_is_open: bool = True

    def queryset(self):
        """Published records with every relation the serialiser reads, in a fixed query count."""
        return self._with_relations(self.model.objects.published())

    def detail_queryset(self):
        """Published, and archived too where archived records stay open (not people)."""
        records = self.model.objects
        return self._with_relations(
            records.visible() if self.archived_is_open else records.published()
        )

    def has_open_twin(self, shown):
        """Whether a record whose page is shown has an API twin that answers."""
        return self.archived_is_open or not shown.is_archived

    def _with_relations(self, queryset):
        # Only published organisations may appear among organisers and partners.
        organisations = Organisation.objects.published().order_by("name", "pk")
        prefetch = [
            Prefetch(p, queryset=organisations) if p in ("organisers", "partners") else p
            for p in ("sectors", *self.prefetch)
        ]
        return queryset.select_related(*self.select).prefetch_related(*prefetch)

    @property
    def label(self):
        return self.model._meta.verbose_name_plural.capitalize()

    @property
    def html_list_url_name(self):
        meta = self.model._meta
        return f"{meta.app_label}:{meta.model_name}-list"


KINDS = {
    kind.name: kind
    for kind in [
        Kind(
            "organisations",
            Organisation,
            OrganisationSerializer,
            directory_filters.OrganisationFilterSet,
            select=("stage",),
        ),
        Kind(
            "places",
            Place,
            PlaceSerializer,
            directory_filters.PlaceFilterSet,
            select=("operator",),
        ),
        Kind(
            "programmes",
            Programme,
            ProgrammeSerializer,
            directory_filters.ProgrammeFilterSet,
            select=("provider",),
            prefetch=("stages",),
        ),
        Kind(
            "events",
            Event,
            EventSerializer,
            EventFilterSet,
            select=("venue",),
            prefetch=("organisers",),
        ),
        Kind(
            "trials",
            Trial,
            TrialSerializer,
            directory_filters.TrialFilterSet,
            select=("lead", "test_bed"),
            prefetch=("partners",),
        ),
        Kind(
            "people",
            Person,
            PersonSerializer,
            directory_filters.PersonFilterSet,
            select=("organisation",),
            prefetch=("roles",),
            archived_is_open=False,
        ),
    ]
}
