from django.contrib import admin

from frontdoor.core.admin import ListingAdmin
from frontdoor.directory.models import (
    Organisation,
    Person,
    Place,
    Programme,
    Role,
    Sector,
    Stage,
    Trial,
)


@admin.register(Sector, Stage, Role)
class TermAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Organisation)
class OrganisationAdmin(ListingAdmin):
    list_display = ["name", "kind", "stage", "company_number", *ListingAdmin.list_display[1:]]
    list_filter = ["kind", "stage", *ListingAdmin.list_filter]
    search_fields = [*ListingAdmin.search_fields, "company_number", "postcode"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "summary", "description", "sectors"]}),
        ("Firm", {"fields": ["stage", "size_band", "founded_year", "company_number"]}),
        ("Contact", {"fields": ["website", "public_email", "social_links"]}),
        (
            "Location",
            {"fields": ["address", "postcode", "latitude", "longitude", "local_authority_code"]},
        ),
        ListingAdmin.provenance,
    ]


@admin.register(Place)
class PlaceAdmin(ListingAdmin):
    list_display = ["name", "kind", "operator", *ListingAdmin.list_display[1:]]
    list_filter = ["kind", *ListingAdmin.list_filter]
    autocomplete_fields = ["operator"]
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "kind", "operator", "summary", "description", "sectors"]},
        ),
        ("Using it", {"fields": ["capacity", "booking_url", "website", "accessibility_notes"]}),
        (
            "Location",
            {"fields": ["address", "postcode", "latitude", "longitude", "local_authority_code"]},
        ),
        ListingAdmin.provenance,
    ]


@admin.register(Programme)
class ProgrammeAdmin(ListingAdmin):
    list_display = [
        "name",
        "kind",
        "provider",
        "opens_on",
        "closes_on",
        *ListingAdmin.list_display[1:],
    ]
    list_filter = ["kind", "stages", *ListingAdmin.list_filter]
    autocomplete_fields = ["provider"]
    filter_horizontal = ["sectors", "stages"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "provider", "summary", "description"]}),
        ("Eligibility", {"fields": ["stages", "sectors", "amount_min", "amount_max"]}),
        ("Applying", {"fields": ["opens_on", "closes_on", "how_to_apply", "apply_url", "website"]}),
        ListingAdmin.provenance,
    ]


@admin.register(Person)
class PersonAdmin(ListingAdmin):
    list_display = ["name", "headline", "consent_recorded_at", *ListingAdmin.list_display[1:]]
    unpublishable = "a person is listed only once their consent is recorded."
    list_filter = ["roles", *ListingAdmin.list_filter]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["sectors", "roles"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "headline",
                    "roles",
                    "organisation",
                    "summary",
                    "description",
                    "sectors",
                ]
            },
        ),
        (
            "Consent (required before publishing)",
            {"fields": ["consent_recorded_at", "consent_note"]},
        ),
        ("Contact", {"fields": ["website", "public_email"]}),
        ListingAdmin.provenance,
    ]

    def publishable(self, queryset):
        return queryset.filter(consent_recorded_at__isnull=False)


@admin.register(Trial)
class TrialAdmin(ListingAdmin):
    list_display = ["name", "status", "lead", *ListingAdmin.list_display[1:]]
    list_filter = ["status", *ListingAdmin.list_filter]
    autocomplete_fields = ["lead", "test_bed"]
    filter_horizontal = ["sectors", "partners"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "summary", "description", "sectors"]}),
        ("Who and where", {"fields": ["lead", "partners", "test_bed", "website"]}),
        ("When", {"fields": ["started_on", "ended_on"]}),
        ListingAdmin.provenance,
    ]
