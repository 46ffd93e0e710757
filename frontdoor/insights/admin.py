from django.contrib import admin

from frontdoor.insights.models import Area, Recode, SectorCode, SectorDefinition, Snapshot


class SectorCodeInline(admin.TabularInline):
    model = SectorCode
    extra = 1


@admin.register(SectorDefinition)
class SectorDefinitionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "version", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SectorCodeInline]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "codes", "position"]
    list_editable = ["position"]
    list_filter = ["kind"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["peers"]
    search_fields = ["name", "codes"]


@admin.register(Recode)
class RecodeAdmin(admin.ModelAdmin):
    list_display = ["old_code", "new_code", "effective", "note"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Snapshots are made by `frontdoor insights import-companies`, never by hand."""

    list_display = ["month", "rows", "bad_rows", "located_rows", "source_name", "imported_at"]
    readonly_fields = [f.name for f in Snapshot._meta.fields]

    def has_add_permission(self, request):
        return False
