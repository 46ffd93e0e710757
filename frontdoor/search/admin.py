from django.contrib import admin

from frontdoor.search.models import SearchGap


@admin.register(SearchGap)
class SearchGapAdmin(admin.ModelAdmin):
    """The gap report: what visitors looked for and did not find, most asked first."""

    list_display = ["query", "outcome", "searches", "last_results", "first_seen", "last_seen"]
    list_filter = ["outcome", "last_seen"]
    search_fields = ["query"]
    ordering = ["-searches", "query"]
    readonly_fields = ["query", "outcome", "searches", "last_results", "first_seen", "last_seen"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
