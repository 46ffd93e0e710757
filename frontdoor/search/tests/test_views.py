"""The search page: facets as links and checkboxes, removable filters, htmx partial, the map,
the gap report, a fixed number of queries, and no 500 for any query string."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdoor.directory.factories import OrganisationFactory, PlaceFactory
from frontdoor.events.factories import EventFactory
from frontdoor.search import actions
from frontdoor.search.models import SearchGap

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings():
    OrganisationFactory(name="Protospace", kind="community", sectors=["ai"], postcode="MK9 3HS")
    OrganisationFactory(name="Kestrel Data", sectors=["ai", "fintech"], postcode="MK3 6EB")
    PlaceFactory(name="Protospace Workshop", kind="workspace", postcode="MK9 1LA")
    EventFactory(name="Protospace open evening")


def test_page_shows_results_facets_and_removable_filters(client, listings):
    page = client.get("/search/", {"q": "protospace", "type": "organisation"}).content.decode()
    assert "1 result for “protospace”" in page
    assert 'name="type" value="organisation"' in page and "checked" in page
    # The chosen kind is a chip whose link drops it and keeps the words.
    assert 'href="?q=protospace&amp;type="' in page or 'href="?q=protospace"' in page
    assert 'Places <span class="count">(1)</span>' in page


def test_htmx_gets_only_the_results(client, listings):
    response = client.get("/search/", {"q": "protospace"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "Protospace Workshop" in body
    # The same address gives the page or the results alone: caches must tell them apart.
    assert "HX-Request" in response["Vary"]
    assert "HX-Request" in client.get("/search/", {"q": "protospace"})["Vary"]


def test_map_draws_located_results_without_fetching_tiles(client, listings):
    page = client.get("/search/", {"near": "MK9 3HS"}).content.decode()
    assert "<svg" in page and 'aria-label="1. Protospace"' in page
    assert "<image" not in page and "km away" in page
    assert "Contains National Statistics data" in page


def test_map_tiles_come_from_the_setting(client, listings, settings):
    settings.SEARCH_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    page = client.get("/search/", {"near": "MK9 3HS"}).content.decode()
    assert '<image href="http://127.0.0.1:9/' in page


def test_zero_and_low_result_queries_are_kept_without_personal_data(client, listings, admin_client):
    client.get("/search/", {"q": "quantum  ring me on 07700 900123"})
    client.get("/search/", {"q": "Quantum ring me on"})
    client.get("/search/", {"q": "kestrel"})
    client.get("/search/", {"q": "protospace"})  # three results: not a gap
    gaps = {(g.query, g.outcome): g.searches for g in SearchGap.objects.all()}
    assert gaps == {("quantum ring me on", "none"): 2, ("kestrel", "few"): 1}
    report = admin_client.get("/admin/search/searchgap/").content.decode()
    assert "quantum ring me on" in report


def test_a_search_submitted_with_javascript_counts_but_not_the_words_typed_on_the_way(
    client, listings
):
    htmx = {"HX-Request": "true"}
    client.get("/search/", {"q": "quan"}, headers={**htmx, "HX-Trigger": "search-q"})
    client.get("/search/", {"q": "quantum"}, headers={**htmx, "HX-Trigger": "search-form"})
    assert list(SearchGap.objects.values_list("query", "searches")) == [("quantum", 1)]


def test_a_flood_of_distinct_searches_keeps_the_gap_table_bounded(client, listings, monkeypatch):
    monkeypatch.setattr(actions, "GAPS_KEPT", 3)
    for _ in range(2):
        client.get("/search/", {"q": "quantum"})
    for word in ["zephyr", "yodel", "xylem", "wombat"]:
        client.get("/search/", {"q": word})
    kept = set(SearchGap.objects.values_list("query", flat=True))
    # The one searched twice stays; of those searched once, the newest.
    assert kept == {"quantum", "xylem", "wombat"}


def test_fixed_query_count(client, listings):
    client.get("/search/", {"q": "protospace"})  # builds the index

    def count(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/search/", params).status_code == 200
        return len(captured)

    # Branding, sectors, stages, freshness check: four, whatever the page. (Open programmes
    # are read again only when the index state or the day changes.)
    assert count({"q": "protospace"}) == 4
    for n in range(30):
        OrganisationFactory(name=f"Protospace member {n}", sectors=["ai"])
    client.get("/search/", {"q": "protospace"})
    assert count({"q": "protospace", "sector": "ai", "per_page": "50"}) == 4


@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "q",
                "type",
                "subkind",
                "sector",
                "stage",
                "area",
                "open",
                "upcoming",
                "near",
                "within",
                "sort",
                "page",
                "per_page",
                "x",
            ]
        ),
        st.text(max_size=30),
        max_size=6,
    )
)
@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_query_string_gives_a_server_error(client, listings, params):
    response = client.get("/search/", params)
    assert response.status_code in (200, 400)


def test_going_back_gets_the_whole_page_and_is_not_a_new_search(client, listings):
    back = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = client.get("/search/", {"q": "quantum"}, headers=back)
    assert "<html" in response.content.decode()
    assert "HX-History-Restore-Request" in response["Vary"]
    assert not SearchGap.objects.exists()
