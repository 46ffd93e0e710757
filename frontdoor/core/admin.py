from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.db import models
from django.utils import timezone

from frontdoor.core.models import Branding, PublicationState


class DateHierarchyChangeList(ChangeList):
    """A list whose date drill-down answers a date past the calendar's edge as a bad address."""

    def get_filters(self, request):
        # Django works out the day, month or year after the one asked for, which does not
        # exist after 9999 ("?starts_at__year=9999" gave a 500): the admin's "?e=1" instead.
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error


class DateHierarchyAdmin(admin.ModelAdmin):
    """For every admin with a date_hierarchy: no 500 for a year, month or day at the edge."""

    def get_changelist(self, request, **kwargs):
        return DateHierarchyChangeList


class ListingAdmin(DateHierarchyAdmin):
    """What curators need on every kind: state, provenance and freshness at a glance."""

    list_display = ["name", "state", "last_verified", "source", "updated"]
    list_filter = ["state", "source", "sectors"]
    search_fields = ["name", "summary", "slug", "source_id"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["sectors"]
    readonly_fields = ["created", "updated"]
    # A web address typed without its scheme ("example.org") is taken to be https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    date_hierarchy = "created"
    list_per_page = 50
    show_full_result_count = False  # an exact count of a million rows costs more than it tells
    actions = ["publish", "archive", "mark_verified_today"]
    provenance = (
        "Publication and provenance",
        {
            "fields": ["state", "last_verified", "source", "source_id", "created", "updated"],
        },
    )

    # Each action changes records: offered only to those who may change them, not to staff
    # who may only look.
    @admin.action(description="Publish the selected records", permissions=["change"])
    def publish(self, request, queryset):
        ready = self.publishable(queryset)
        changed = ready.update(state=PublicationState.PUBLISHED, updated=timezone.now())
        self.message_user(request, f"Published {changed} record(s).")
        if held := queryset.count() - ready.count():
            self.message_user(
                request, f"{held} record(s) not published: {self.unpublishable}", messages.WARNING
            )

    unpublishable = ""

    def publishable(self, queryset):
        """The selected records that may be published (all, unless a kind says otherwise)."""
        return queryset

    @admin.action(description="Archive the selected records", permissions=["change"])
    def archive(self, request, queryset):
        changed = queryset.update(state=PublicationState.ARCHIVED, updated=timezone.now())
        self.message_user(request, f"Archived {changed} record(s).")

    @admin.action(description="Mark the selected records as verified today", permissions=["change"])
    def mark_verified_today(self, request, queryset):
        changed = queryset.update(last_verified=timezone.localdate(), updated=timezone.now())
        self.message_user(request, f"Marked {changed} record(s) as verified today.")


@admin.register(Branding)
class BrandingAdmin(admin.ModelAdmin):
    list_display = ["site_name", "region_name", "primary_colour", "accent_colour"]

    def has_add_permission(self, request):
        # One row only, and only for staff allowed to add it.
        return super().has_add_permission(request) and not Branding.objects.exists()
