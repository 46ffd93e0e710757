from django.contrib import admin

from frontdoor.core.admin import ListingAdmin
from frontdoor.events.models import Event


@admin.register(Event)
class EventAdmin(ListingAdmin):
    list_display = ["name", "kind", "starts_at", "status", *ListingAdmin.list_display[1:]]
    list_filter = ["kind", "status", *ListingAdmin.list_filter]
    autocomplete_fields = ["venue"]
    filter_horizontal = ["sectors", "organisers"]
    date_hierarchy = "starts_at"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "kind",
                    "status",
                    "summary",
                    "description",
                    "sectors",
                    "organisers",
                ]
            },
        ),
        ("When", {"fields": ["starts_at", "ends_at", "time_zone", "all_day"]}),
        ("Where", {"fields": ["venue", "online_url"]}),
        ("Tickets", {"fields": ["is_free", "price", "ticket_url", "website"]}),
        ListingAdmin.provenance,
    ]
