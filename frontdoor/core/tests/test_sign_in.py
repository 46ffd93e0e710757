"""The admin's sign-in stops password guessing, per username and per address."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from frontdoor.core.admin import SIGN_IN_FAILURES_ALLOWED

pytestmark = pytest.mark.django_db
PASSWORD = "a long test passphrase"


@pytest.fixture
def curators(django_user_model, settings):
    # A fast hash: these tests sign in some thirty times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    for name in ("curator", "other"):
        django_user_model.objects.create_user(name, password=PASSWORD, is_staff=True)
    yield
    cache.clear()


def sign_in(client, username, password, address="192.0.2.1"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_after_ten_failures_even_the_right_password_waits(client, curators):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(SIGN_IN_FAILURES_ALLOWED):
            assert sign_in(client, "curator", "guess").status_code == 200
        refused = sign_in(client, "Curator", PASSWORD, address="198.51.100.7")
        assert refused.status_code == 200
        assert "Too many failed sign-ins" in refused.content.decode()
        # Another curator, from another address, is not held up.
        assert sign_in(client, "other", PASSWORD, address="198.51.100.8").status_code == 302
        client.logout()
        clock.shift(datetime.timedelta(minutes=16))
        assert sign_in(client, "curator", PASSWORD).status_code == 302


def test_one_address_guessing_many_usernames_is_stopped(client, curators):
    for number in range(SIGN_IN_FAILURES_ALLOWED):
        sign_in(client, f"guess{number}", "guess")
    refused = sign_in(client, "other", PASSWORD)
    assert "Too many failed sign-ins" in refused.content.decode()
    assert sign_in(client, "other", PASSWORD, address="198.51.100.9").status_code == 302


def test_a_few_mistakes_do_not_lock_anyone_out(client, curators):
    for _ in range(SIGN_IN_FAILURES_ALLOWED - 1):
        sign_in(client, "curator", "guess")
    assert sign_in(client, "curator", PASSWORD).status_code == 302
