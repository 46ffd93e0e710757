from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from frontdoor.opendata import api, downloads, oruk, views
from frontdoor.opendata.fields import KINDS
from frontdoor.opendata.sitemaps import SITEMAPS, sitemap_index

app_name = "opendata"

urlpatterns = [
    path("open-data/", views.OpenDataIndex.as_view(), name="index"),
    path("api/v1/", api.ApiIndex.as_view(), name="api-index"),
    path("api/v1/openapi.json", api.SchemaView.as_view(), name="api-schema"),
    *[
        path(f"api/v1/{name}", api.term_view(name, model), name=f"api-{name}")
        for name, model in api.TAXONOMIES.items()
    ],
    *[
        p
        for name, kind in KINDS.items()
        for p in (
            path(f"api/v1/{name}", api.list_view(kind), name=f"api-{name}-list"),
            path(f"api/v1/{name}/<str:slug>", api.detail_view(kind), name=f"api-{name}-detail"),
        )
    ],
    *[
        path(
            f"{name}.{fmt}",
            downloads.Download.as_view(),
            {"kind": name, "fmt": fmt},
            name=f"download-{name}-{fmt}",
        )
        for name in KINDS
        for fmt in ("csv", "json")
    ],
    path("openreferral/", oruk.Root.as_view(), name="oruk-root"),
    path("openreferral/services", oruk.Services.as_view(), name="oruk-services"),
    path("openreferral/services/<str:id>", oruk.ServiceDetail.as_view(), name="oruk-service"),
    path("openreferral/organizations", oruk.Organizations.as_view(), name="oruk-organizations"),
    path("openreferral/taxonomies", oruk.Taxonomies.as_view(), name="oruk-taxonomies"),
    path("openreferral/taxonomy_terms", oruk.TaxonomyTerms.as_view(), name="oruk-terms"),
    path(
        "openreferral/service_at_locations",
        oruk.ServiceAtLocations.as_view(),
        name="oruk-service-at-locations",
    ),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS, "template_name": "opendata/sitemap.xml"},
        name="sitemap-section",
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]
