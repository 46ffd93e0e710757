"""The licence, source and stability promise every open-data response carries."""

from django.conf import settings
from django.urls import reverse

from frontdoor.core.models import Branding
from frontdoor.opendata.fields import absolute_url

API_VERSION = "1"


def licence():
    return {
        "name": settings.FRONTDOOR_DATA_LICENCE_NAME,
        "url": settings.FRONTDOOR_DATA_LICENCE_URL,
    }


def response_meta(request, page_path):
    """Licence, attribution, the human page this data is the twin of, and the promise."""
    site = Branding.current().site_name
    return {
        "licence": licence(),
        "attribution": f"Contains data from {site}, published under the "
        f"{settings.FRONTDOOR_DATA_LICENCE_NAME}.",
        "source": {"name": site, "url": absolute_url(request, page_path)},
        "api_version": API_VERSION,
        "stability": absolute_url(request, reverse("opendata:index") + "#stability"),
    }


CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match",
    "Access-Control-Expose-Headers": "Retry-After, Link, Content-Disposition",
    "Access-Control-Max-Age": "86400",
}


class OpenDataViewMixin:
    """Open CORS for reads, on every answer including errors and 429s."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response
