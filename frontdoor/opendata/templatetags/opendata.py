"""Template tags for open data: JSON-LD in a page's head, canonical and Open Graph URLs."""

from django import template
from django.urls import reverse
from django.utils.html import format_html_join

from frontdoor.opendata import jsonld as builders
from frontdoor.opendata.fields import KINDS, absolute_url

register = template.Library()


@register.simple_tag(takes_context=True)
def jsonld(context, obj):
    """The record's schema.org JSON-LD as a safe <script> element (empty for other kinds)."""
    data = builders.for_object(obj, context.get("request"))
    return builders.script_tag(data) if data else ""


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's address without tracking or paging noise: path, plus page when past 1."""
    request = context.get("request")
    if request is None:
        return ""
    url = absolute_url(request, request.path)
    page = request.GET.get("page", "")
    return f"{url}?page={page}" if page.isdigit() and page != "1" else url


@register.simple_tag(takes_context=True)
def twin_links(context):
    """The CSV, JSON and API twins of the list page being shown, with its filters."""
    request = context.get("request")
    if request is None:
        return None
    for name, kind in KINDS.items():
        if reverse(kind.html_list_url_name) == request.path:
            query = request.GET.copy()
            query.pop("page", None)
            suffix = f"?{query.urlencode()}" if query else ""
            return {
                "csv": reverse(f"opendata:download-{name}-csv") + suffix,
                "json": reverse(f"opendata:download-{name}-json") + suffix,
                "api": reverse(f"opendata:api-{name}-list") + suffix,
            }
    return None


@register.simple_tag(takes_context=True)
def alternate_links(context):
    """<link rel="alternate"> to the machine-readable twins of a list or a record page."""
    links = []
    twins = twin_links(context)
    obj = context.get("object")
    if twins:
        links = [("application/json", twins["api"]), ("text/csv", twins["csv"])]
    elif obj is not None and getattr(obj, "slug", None):
        for name, kind in KINDS.items():
            if isinstance(obj, kind.model) and kind.has_open_twin(obj):
                links = [
                    ("application/json", reverse(f"opendata:api-{name}-detail", args=[obj.slug]))
                ]
    return format_html_join("\n  ", '<link rel="alternate" type="{}" href="{}">', links)
