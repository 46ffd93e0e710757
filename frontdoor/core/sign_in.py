"""The admin's sign-in, which stops password guessing without letting anyone lock a curator
out. Failures are counted in Django's cache for 15 minutes (per server process with the
default memory cache):

- 10 for one username from one address pause that username there;
- 50 from one address, whatever the usernames, pause that address;
- 100 for one username, from anywhere, pause it at each address only after 3 failures for
  it there: a guesser spread over many addresses gets three tries at each, while the curator
  (a typo or two included) still gets in.

An address is an IPv4 address or an IPv6 /64 (what one machine is usually given).
"""

import ipaddress
import unicodedata

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

PAUSE_MINUTES = 15
PER_USERNAME_AT_ADDRESS = 10
PER_ADDRESS = 50
PER_USERNAME = 100
PER_USERNAME_AT_ADDRESS_WHEN_TARGETED = 3


class ThrottledSignInForm(AdminAuthenticationForm):
    def clean(self):
        # As Django reads a username before looking it up: "ｃｕｒａｔｏｒ" is "curator".
        username = unicodedata.normalize("NFKC", self.data.get("username") or "").strip()
        address = _network(self.request.META.get("REMOTE_ADDR", "") if self.request else "")
        pair, place, user = (
            f"sign-in-failures:{kind}:{value}"
            for kind, value in [
                ("pair", f"{address}|{username}"),
                ("address", address),
                ("username", username),
            ]
        )
        failed_pair = cache.get(pair, 0)
        if (
            failed_pair >= PER_USERNAME_AT_ADDRESS
            or cache.get(place, 0) >= PER_ADDRESS
            or (
                failed_pair >= PER_USERNAME_AT_ADDRESS_WHEN_TARGETED
                and cache.get(user, 0) >= PER_USERNAME
            )
        ):
            raise ValidationError(
                f"Too many failed sign-ins. Try again in {PAUSE_MINUTES} minutes.",
                code="throttled",
            )
        try:
            return super().clean()
        except ValidationError:
            for key in (pair, place, user):
                _count(key)
            raise


def _network(address):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:  # an IPv4 visitor, as a dual-stack server sees one
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _count(key):
    # The pause runs from the first failure counted, not the last.
    cache.add(key, 0, PAUSE_MINUTES * 60)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, PAUSE_MINUTES * 60)
