"""The licence, source and stability promise every open-data response carries."""

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import DefaultContentNegotiation

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
    """Open CORS for reads, on every answer including errors and 429s.

    Under /api/ and /openreferral/ the middleware adds it too, but the downloads live elsewhere.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in CORS_HEADERS.items():
            response[header] = value
        return response


class FormatNegotiation(DefaultContentNegotiation):
    """?format=json is accepted; a format we don't serve is a 400 that says so.

    DRF answers 404 there, which reads as if the endpoint did not exist; and Open Referral
    clients send format= (HSDS defines it, with json the default).
    """

    def filter_renderers(self, renderers, format):
        try:
            return super().filter_renderers(renderers, format)
        except Http404:
            served = " or ".join(sorted({renderer.format for renderer in renderers}))
            raise ParseError(f"format must be {served}.") from None
