"""Open CORS on every answer under /api/ and /openreferral/, whatever gives the answer."""

from frontdoor.opendata.meta import CORS_HEADERS

OPEN_PATHS = {"api", "openreferral"}


class OpenDataCorsMiddleware:
    """Add the open-data CORS headers to every answer under the API and Open Referral.

    The views add them themselves, but the query-string guard's 400, Django's 404 for an
    unknown path and the added-slash redirect never reach a view; a browser reads an answer
    without the header as a network error, and won't follow such a redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.split("/")[1] in OPEN_PATHS:
            for header, value in CORS_HEADERS.items():
                response.setdefault(header, value)
        return response
