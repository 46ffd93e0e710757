"""sitemap.xml: an index of sections, each paged at the protocol's 50,000 URLs."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.template.response import TemplateResponse
from django.urls import reverse

from frontdoor.opendata.fields import KINDS, absolute_url, detail_path


class SiteSitemap(Sitemap):
    """Uses FRONTDOOR_SITE_URL for the addresses when it is set."""

    limit = 50_000

    def get_protocol(self, protocol=None):
        if settings.FRONTDOOR_SITE_URL:
            return settings.FRONTDOOR_SITE_URL.split("://", 1)[0]
        return super().get_protocol(protocol)

    def get_domain(self, site=None):
        if settings.FRONTDOOR_SITE_URL:
            return settings.FRONTDOOR_SITE_URL.split("://", 1)[1]
        return super().get_domain(site)


class PagesSitemap(SiteSitemap):
    """The home page, every list page and the open-data page."""

    changefreq = "daily"

    def items(self):
        return [
            "home",
            *(kind.html_list_url_name for kind in KINDS.values()),
            "opendata:index",
        ]

    def location(self, item):
        return reverse(item)


class ListingSitemap(SiteSitemap):
    """Every published record of one kind (people only with consent, via published())."""

    changefreq = "weekly"

    def __init__(self, model):
        self.model = model

    def items(self):
        # Primary-key order pages through a million rows by index, not by sorting them.
        return self.model.objects.published().only("slug", "updated").order_by("pk")

    def location(self, obj):
        return detail_path(self.model, obj.slug)

    def lastmod(self, obj):
        return obj.updated

    def get_latest_lastmod(self):
        # For the index: one aggregate query, not Django's max() over every row of items().
        return self.items().aggregate(latest=Max("updated"))["latest"]


SITEMAPS = {
    "pages": PagesSitemap(),
    **{name: ListingSitemap(kind.model) for name, kind in KINDS.items()},
}


def sitemap_index(request):
    """The index of every page of every section. Django's own index names the request's
    host, not FRONTDOOR_SITE_URL as the sections do."""
    entries = []
    for section, sitemap in SITEMAPS.items():
        sitemap = sitemap() if isinstance(sitemap, type) else sitemap
        url = reverse("opendata:sitemap-section", kwargs={"section": section})
        url = absolute_url(request, url)
        entries.append({"location": url, "last_mod": sitemap.get_latest_lastmod()})
        pages = range(2, sitemap.paginator.num_pages + 1)
        entries += [{"location": f"{url}?p={page}", "last_mod": None} for page in pages]
    return TemplateResponse(
        request,
        "opendata/sitemap_index.xml",
        {"sitemaps": entries},
        content_type="application/xml",
        headers={"X-Robots-Tag": "noindex, noodp, noarchive"},
    )
