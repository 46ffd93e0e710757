"""Search: labels, text without words, the typo notice, trial statuses, the live count, the
names of the search landmarks, a deleted provider."""

import datetime
import re

import pytest
from django.utils import timezone

from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    TrialFactory,
)
from frontdoor.directory.models import Organisation, Programme
from frontdoor.search.query import Params, search

pytestmark = pytest.mark.django_db


def test_a_person_is_labelled_person():
    PersonFactory(name="Ada Mentor")
    assert search(Params(q="ada")).hits[0].kind_label == "Person"


@pytest.mark.parametrize("text", ["!!!", "🦀", "— –", "a" * 200])
def test_text_with_no_searchable_word_matches_nothing(text):
    OrganisationFactory(name="Zebra")
    OrganisationFactory(name="Yak")
    assert search(Params(q=text)).total == 0


def test_the_typo_notice_says_when_there_were_exact_matches(client):
    OrganisationFactory(name="Kestrel Data")
    for n in range(3):
        OrganisationFactory(name=f"Kestral Systems {n}")
    page = client.get("/search/", {"q": "kestrel"}).content.decode()
    assert "Only 1 exact match for “kestrel”, so close spellings are included." in page
    assert "No exact match" not in page


def test_trials_narrow_by_status(client):
    TrialFactory(name="Drone trial", status="live")
    TrialFactory(name="Drone trial two", status="completed")
    page = client.get("/search/", {"q": "drone", "subkind": "live"}).content.decode()
    assert re.search(r'id="results-title"[^>]*>1 result for', page)


def test_the_count_is_announced_from_outside_what_htmx_replaces(client):
    page = client.get("/search/?q=x").content.decode()
    assert '<p id="search-status" class="visually-hidden" role="status"></p>' in page
    update = client.get("/search/?q=x", headers={"HX-Request": "true"}).content.decode()
    assert re.search(r'<p id="search-status"[^>]*hx-swap-oob="innerHTML">0 results for', update)


def test_each_search_landmark_has_its_own_name(client):
    for url in ["/", "/search/", "/no-such-page/"]:
        forms = re.findall(r'<form[^>]*role="search"[^>]*>', client.get(url).content.decode())
        names = [re.search(r'aria-label="([^"]*)"', form)[1] for form in forms]
        assert len(forms) == 2 and len(set(names)) == 2, url


def test_a_deleted_provider_takes_its_place_off_its_programmes():
    provider = OrganisationFactory(name="Provider Co", postcode="MK9 3HS")
    ProgrammeFactory(name="Zebra grant", provider=provider)
    # Both last saved long before: only the deletion can tell the catch-up.
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    Programme.objects.update(updated=long_ago)
    Organisation.objects.update(updated=long_ago)
    assert search(Params(q="zebra")).hits[0].postcode == "MK9 3HS"
    provider.delete()
    assert search(Params(q="zebra")).hits[0].postcode == ""
