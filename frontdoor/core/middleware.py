"""Turn away addresses and query strings no page could use, before they reach a view or the
database."""

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.shortcuts import render

MAX_QUERY_LENGTH = 2000
MAX_VALUES = 100


class RejectMalformedQueryMiddleware:
    """Answer 400 with a friendly page for NUL bytes in the path or the query, and for huge
    or overlong query strings.

    PostgreSQL refuses NUL characters in text, so letting them through would turn a junk
    link into a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raw = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path:  # /api/v1/organisations/%00 reached the database
            return render(
                request, "400.html", {"reason": "The link’s address is unreadable."}, status=400
            )
        if len(raw) > MAX_QUERY_LENGTH or self._has_bad_values(request):
            return render(
                request,
                "400.html",
                {"reason": "The link’s search terms are too long or unreadable."},
                status=400,
            )
        return self.get_response(request)

    @staticmethod
    def _has_bad_values(request):
        try:
            items = list(request.GET.lists())
        except SuspiciousOperation:  # e.g. more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS
            return True
        count = 0
        for key, values in items:
            count += len(values)
            if "\x00" in key or any("\x00" in v for v in values):
                return True
        return count > MAX_VALUES


class ContentSecurityPolicyMiddleware:
    """Tell browsers to run only this site's own scripts, so text that ever slipped past the
    sanitiser could not run as code. See `CONTENT_SECURITY_POLICY` in settings."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
