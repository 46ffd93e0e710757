"""The open-data page (human docs for the API, downloads and Open Referral) and robots.txt."""

import django_filters
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from frontdoor.opendata import api, oruk
from frontdoor.opendata.fields import KINDS, absolute_url
from frontdoor.opendata.meta import licence


class OpenDataIndex(TemplateView):
    """What can be read, in which formats, under which licence, and what we promise."""

    template_name = "opendata/index.html"

    def get_context_data(self, **kwargs):
        kinds = []
        for name, kind in KINDS.items():
            filters = [
                (
                    filter_name,
                    str(field.label or filter_name),
                    [v for v, _ in field.extra.get("choices", [])]
                    if isinstance(field.extra.get("choices"), list | tuple)
                    else [],
                    isinstance(
                        field,
                        django_filters.MultipleChoiceFilter
                        | django_filters.ModelMultipleChoiceFilter,
                    ),
                )
                for filter_name, field in kind.filterset.base_filters.items()
            ]
            kinds.append(
                {
                    "name": name,
                    "label": kind.label,
                    "page": reverse(kind.html_list_url_name),
                    "api": reverse(f"opendata:api-{name}-list"),
                    "csv": reverse(f"opendata:download-{name}-csv"),
                    "json": reverse(f"opendata:download-{name}-json"),
                    "fields": list(kind.serializer().fields),
                    "filters": filters,
                }
            )
        return super().get_context_data(
            kinds=kinds,
            licence=licence(),
            rate=settings.FRONTDOOR_API_RATE,
            page_size=api.PAGE_SIZE,
            max_page_size=api.MAX_PAGE_SIZE,
            oruk_version=oruk.VERSION,
            **kwargs,
        )


@require_safe
def robots_txt(request):
    """Crawlers are welcome everywhere public; the admin is not for them."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Allow: /",
        f"Sitemap: {absolute_url(request, reverse('opendata:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
