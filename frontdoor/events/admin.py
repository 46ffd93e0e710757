import datetime
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from frontdoor.core.admin import DateHierarchyAdmin, ListingAdmin
from frontdoor.events.models import Event, Feed, FeedSync, Festival, PitchApplication


class ClockTimeField(forms.SplitDateTimeField):
    """A date and time as the clock reads it in the current time zone (the event's, in its
    admin). A reading the clocks pass twice, or skip, is taken as its first one, where Django
    would refuse it: an event at 01:30 on the night the clocks go back stays editable."""

    def compress(self, data_list):
        if data_list and all(value not in self.empty_values for value in data_list):
            moment = datetime.datetime.combine(*data_list)
            return moment.replace(tzinfo=timezone.get_current_timezone())
        return super().compress(data_list)


class EventForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        for name in ("starts_at", "ends_at"):
            if name not in self.changed_data and getattr(self.instance, name, None):
                # Unchanged: the very moment stored, even the second of two 01:30s.
                data[name] = getattr(self.instance, name)
        return data


def site_time(moment):
    """A moment in the site's time zone, with the zone's abbreviation (BST, GMT) after it."""
    if moment is None:  # not saved yet
        return None
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return f"{formats.localize(local)} {local:%Z}"


@admin.register(Event)
class EventAdmin(ListingAdmin):
    form = EventForm
    formfield_overrides = {
        **ListingAdmin.formfield_overrides,
        models.DateTimeField: {"form_class": ClockTimeField},
    }
    list_display = ["name", "kind", "starts_at", "status", *ListingAdmin.list_display[1:]]
    list_filter = ["kind", "status", "feed", "festival", *ListingAdmin.list_filter]
    autocomplete_fields = ["venue", "festival"]
    filter_horizontal = ["sectors", "organisers"]
    date_hierarchy = "starts_at"
    # Created and updated are the site's moments, not the event's: shown in the site's zone
    # and named, where the form around them is in the event's zone (changeform_view).
    readonly_fields = ["created_site_time", "updated_site_time", "uid", "sequence", "feed"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "kind",
                    "status",
                    "status_note",
                    "summary",
                    "description",
                    "sectors",
                    "organisers",
                ]
            },
        ),
        (
            "When",
            {
                "fields": ["starts_at", "ends_at", "time_zone", "all_day"],
                "description": "Times are in the event’s own time zone: a Berlin meetup at "
                "19:00 is entered as 19:00 with Europe/Berlin. Pages show them in UK time.",
            },
        ),
        ("Where", {"fields": ["venue", "location_text", "online_url"]}),
        ("Festival", {"fields": ["festival", "track"]}),
        ("Tickets", {"fields": ["is_free", "price", "ticket_url", "website"]}),
        ("Calendar feeds", {"fields": ["uid", "sequence", "feed"]}),
        (
            ListingAdmin.provenance[0],
            {
                "fields": [
                    {"created": "created_site_time", "updated": "updated_site_time"}.get(f, f)
                    for f in ListingAdmin.provenance[1]["fields"]
                ]
            },
        ),
    ]

    @admin.display(description="Created")
    def created_site_time(self, event):
        return site_time(event.created)

    @admin.display(description="Updated")
    def updated_site_time(self, event):
        return site_time(event.updated)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form reads and shows the times in the event's zone (as typed, or as stored).
        with timezone.override(self._zone(request, object_id)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # now, in that zone, not later in the response handler
            return response

    def _zone(self, request, object_id):
        name = request.POST.get("time_zone")
        if not name and object_id and (event := self.get_object(request, unquote(object_id))):
            name = event.time_zone
        try:
            return zoneinfo.ZoneInfo(name) if name else timezone.get_current_timezone()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # the form says why
            return timezone.get_current_timezone()

    def save_model(self, request, obj, form, change):
        if change:
            from frontdoor.events import actions  # see sync_now

            actions.event_edited(obj, changed_fields=form.changed_data)
        super().save_model(request, obj, form, change)


@admin.register(FeedSync)
class FeedSyncAdmin(DateHierarchyAdmin):
    list_display = ["feed", "started_at", "outcome", "added", "updated", "cancelled", "merged"]
    list_filter = ["outcome", "feed"]
    date_hierarchy = "started_at"
    fields = ["feed", "started_at", "finished_at", "outcome", "added", "updated", "cancelled"]
    fields += ["unchanged", "merged", "messages", "changes"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "last_outcome", "last_synced_at", "last_added"]
    list_display += ["last_updated", "last_cancelled", "requires_approval", "active"]
    list_filter = ["last_outcome", "active", "requires_approval"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["organisation", "festival"]
    readonly_fields = ["last_synced_at", "last_success_at", "last_outcome", "last_added"]
    readonly_fields += ["last_updated", "last_cancelled", "last_error", "recent_syncs", "created"]
    actions = ["sync_now"]
    fieldsets = [
        (None, {"fields": ["name", "organisation", "url", "upload", "active"]}),
        (
            "Import",
            {
                "fields": [
                    "requires_approval",
                    "default_kind",
                    "festival",
                    "track",
                    "time_zone",
                    "sync_every_hours",
                ]
            },
        ),
        (
            "Last sync",
            {
                "fields": [
                    "last_synced_at",
                    "last_success_at",
                    "last_outcome",
                    "last_added",
                    "last_updated",
                    "last_cancelled",
                    "last_error",
                    "recent_syncs",
                ]
            },
        ),
    ]

    @admin.display(description="Recent syncs")
    def recent_syncs(self, feed):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{timezone.localtime(sync.started_at):%Y-%m-%d %H:%M}",
                    sync.get_outcome_display(),
                    sync.added,
                    sync.updated,
                    sync.cancelled,
                    sync.messages.splitlines()[0] if sync.messages else "",
                )
                for sync in feed.syncs.all()[:10]
            ),
        )
        head = format_html(
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            "When",
            "Outcome",
            "Added",
            "Updated",
            "Cancelled",
            "First message",
        )
        link = reverse("admin:events_feedsync_changelist") + f"?feed__id__exact={feed.pk}"
        return format_html('<table>{}{}</table><a href="{}">All runs</a>', head, rows, link)

    @admin.action(description="Sync the selected feeds now", permissions=["change"])
    def sync_now(self, request, queryset):
        # Imported here: the calendar parser it brings takes a tenth of a second to load,
        # which every command would pay, since Django loads the admin modules at start-up.
        from frontdoor.events import actions

        # Each feed on its own, as the scheduled sync does: one that fails stops no other.
        for sync in actions.feeds_sync_due(feeds=queryset):
            feed = sync.feed
            level = messages.ERROR if sync.outcome == Feed.Outcome.FAILED else messages.INFO
            summary = (
                f"{feed.name}: {sync.get_outcome_display()}; {sync.added} added, "
                f"{sync.updated} updated, {sync.cancelled} cancelled, {sync.merged} merged."
            )
            if sync.messages:
                summary += " " + sync.messages.splitlines()[0]
            self.message_user(request, summary, level)


@admin.register(Festival)
class FestivalAdmin(ListingAdmin):
    list_display = ["name", "starts_on", "ends_on", *ListingAdmin.list_display[1:]]
    filter_horizontal = ["sectors", "organisers"]
    date_hierarchy = "starts_on"


@admin.register(PitchApplication)
class PitchApplicationAdmin(admin.ModelAdmin):
    formfield_overrides = ListingAdmin.formfield_overrides
    list_display = ["company_name", "event", "stage", "asking", "status", "created"]
    list_filter = ["status"]
    search_fields = ["company_name", "founder_name", "email"]
    autocomplete_fields = ["event"]
    readonly_fields = ["consent"]  # what the applicant agreed to, as they saw it
    actions = ["accept", "decline"]

    @admin.action(description="Accept: list them as pitching", permissions=["change"])
    def accept(self, request, queryset):
        changed = queryset.update(status=PitchApplication.Status.ACCEPTED)
        self.message_user(request, f"Accepted {changed} application(s).")

    @admin.action(description="Decline", permissions=["change"])
    def decline(self, request, queryset):
        changed = queryset.update(status=PitchApplication.Status.DECLINED)
        self.message_user(request, f"Declined {changed} application(s).")
