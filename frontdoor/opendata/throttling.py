"""Rate limiting for every open-data endpoint: 429 with Retry-After, counted per address."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class OpenDataRateThrottle(SimpleRateThrottle):
    """FRONTDOOR_API_RATE requests per client address, counted in Django's default cache."""

    scope = "opendata"

    def get_rate(self):
        # Read at request time (not import time) so a deployment or a test can change it.
        return settings.FRONTDOOR_API_RATE or None

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
