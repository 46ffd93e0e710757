"""Fixed query counts on list pages, and fuzzed query strings that must never cause a 500."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    ProgrammeFactory,
    TrialFactory,
)
from frontdoor.events.factories import EventFactory

LIST_URLS = ["/organisations/", "/places/", "/programmes/", "/people/", "/trials/", "/events/"]
# Branding, count, the page, one per prefetched relation, one per filter with choices.
PINNED = {
    "/organisations/": 6,
    "/places/": 5,
    "/programmes/": 7,
    "/people/": 7,
    "/trials/": 5,
    "/events/": 5,
}
PARAMS = [
    "q",
    "kind",
    "sector",
    "stage",
    "role",
    "status",
    "when",
    "free",
    "page",
    "per_page",
    "sort",
]


@pytest.fixture
def many_listings(db):
    for _ in range(60):
        org = OrganisationFactory(sectors=["ai", "fintech"])
        place = PlaceFactory(operator=org, sectors=["ai", "smart-city"])
        ProgrammeFactory(provider=org, sectors=["ai"])
        PersonFactory(organisation=org, roles=["mentor", "speaker"], sectors=["ai"])
        TrialFactory(lead=org, test_bed=place, sectors=["ai", "mobility"])
        EventFactory(venue=place, sectors=["ai"])


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_run_a_fixed_number_of_queries(client, many_listings, url):
    counts = {size: _queries(client, f"{url}?per_page={size}") for size in (10, 20, 50)}
    filtered = {size: _queries(client, f"{url}?per_page={size}&sector=ai") for size in (10, 50)}
    assert len(set(counts.values())) == 1, counts
    assert len(set(filtered.values())) == 1, filtered
    # Pinned so an added lookup per row, or per request, shows up here first. A filter adds
    # two: checking the chosen slugs exist, and naming them in the "remove" links.
    assert counts[10] == PINNED[url], counts
    assert filtered[10] == PINNED[url] + 2, filtered


junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    url=st.sampled_from(LIST_URLS + ["/", "/search/", "/for/talent-and-skills/"]),
    params=st.lists(st.tuples(st.sampled_from(PARAMS) | junk, junk), max_size=6),
)
def test_fuzzed_query_strings_never_give_a_server_error(client, url, params):
    response = client.get(url, params)
    assert response.status_code in {200, 400, 404}, (url, params)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=80))
def test_raw_bytes_in_the_query_string_never_give_a_server_error(client, raw):
    from urllib.parse import quote_from_bytes

    response = client.get("/organisations/", QUERY_STRING=quote_from_bytes(raw, safe="=&%+"))
    assert response.status_code in {200, 400, 404}, raw
