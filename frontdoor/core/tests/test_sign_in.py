"""The admin's sign-in stops password guessing, and cannot be used to lock a curator out."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from frontdoor.core.sign_in import (
    PER_ADDRESS,
    PER_USERNAME,
    PER_USERNAME_AT_ADDRESS,
    PER_USERNAME_AT_ADDRESS_WHEN_TARGETED,
)

pytestmark = pytest.mark.django_db
PASSWORD = "a long test passphrase"
PAUSED = "Too many failed sign-ins"


@pytest.fixture
def curators(django_user_model, settings):
    # A fast hash: these tests sign in a few hundred times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    for name in ("curator", "other"):
        django_user_model.objects.create_user(name, password=PASSWORD, is_staff=True)
    yield
    cache.clear()


def sign_in(client, username, password, address="192.0.2.1"):
    client.logout()
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )
    return "signed in" if response.status_code == 302 else response.content.decode()


def test_guesses_from_one_address_pause_that_username_there_for_a_while(client, curators):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(PER_USERNAME_AT_ADDRESS):
            assert PAUSED not in sign_in(client, "curator", "guess")
        assert PAUSED in sign_in(client, "curator", PASSWORD)
        # The same username another way: Django reads "ｃｕｒａｔｏｒ" as "curator".
        assert PAUSED in sign_in(client, "ｃｕｒａｔｏｒ", PASSWORD)
        # The curator elsewhere, and another curator here, are not held up.
        assert sign_in(client, "curator", PASSWORD, address="198.51.100.8") == "signed in"
        assert sign_in(client, "other", PASSWORD) == "signed in"
        clock.shift(datetime.timedelta(minutes=16))
        assert sign_in(client, "curator", PASSWORD) == "signed in"


def test_one_address_guessing_many_usernames_is_paused(client, curators):
    for number in range(PER_ADDRESS):
        sign_in(client, f"guess{number}", "guess", address="2001:db8::1")
    # One machine's IPv6 network is one address.
    assert PAUSED in sign_in(client, "other", PASSWORD, address="2001:db8::2")
    assert sign_in(client, "other", PASSWORD, address="2001:db8:0:1::1") == "signed in"


def test_guesses_spread_over_many_addresses_do_not_lock_the_curator_out(client, curators):
    tries = PER_USERNAME_AT_ADDRESS_WHEN_TARGETED
    for number in range(PER_USERNAME // tries + 1):
        for _ in range(tries):
            sign_in(client, "curator", "guess", address=f"203.0.113.{number}")
    # Each guessing address is paused now; the curator's own is not, typos and all.
    assert PAUSED in sign_in(client, "curator", PASSWORD, address="203.0.113.7")
    for _ in range(tries - 1):
        sign_in(client, "curator", "typo", address="198.51.100.8")
    assert sign_in(client, "curator", PASSWORD, address="198.51.100.8") == "signed in"


def test_ipv4_visitors_seen_through_ipv6_are_told_apart(client, curators):
    for number in range(PER_ADDRESS):
        sign_in(client, f"guess{number}", "guess", address="::ffff:203.0.113.5")
    assert PAUSED in sign_in(client, "other", PASSWORD, address="::ffff:203.0.113.5")
    assert PAUSED in sign_in(client, "other", PASSWORD, address="203.0.113.5")
    assert sign_in(client, "other", PASSWORD, address="::ffff:198.51.100.8") == "signed in"


def test_a_few_mistakes_do_not_pause_anyone(client, curators):
    for _ in range(PER_USERNAME_AT_ADDRESS - 1):
        sign_in(client, "curator", "guess")
    assert sign_in(client, "curator", PASSWORD) == "signed in"
