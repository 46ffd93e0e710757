"""The read API: same filters as the pages, licence and source in every answer, CORS, limits."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdoor.directory.factories import OrganisationFactory
from frontdoor.opendata.fields import KINDS

pytestmark = pytest.mark.django_db


def html_slugs(client, path, query=""):
    response = client.get(f"{path}?{query}&per_page=100")
    assert response.status_code == 200
    return [obj.slug for obj in response.context["object_list"]]


def api_slugs(client, name, query=""):
    response = client.get(f"/api/v1/{name}?{query}&per_page=100")
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "name, query",
    [
        ("organisations", ""),
        ("organisations", "sector=ai"),
        ("organisations", "sector=ai&sector=fintech&kind=startup"),
        ("organisations", "q=fintech"),
        ("places", "sector=ai"),
        ("programmes", "stage=seed"),
        ("programmes", "kind=mentoring"),
        ("events", ""),
        ("events", "when=past"),
        ("events", "sector=ai&free=on"),
        ("trials", "sector=ai"),
        ("people", "role=mentor"),
    ],
)
def test_api_lists_match_the_html_lists_for_the_same_query_string(client, records, name, query):
    page = KINDS[name]
    from django.urls import reverse

    expected = html_slugs(client, reverse(page.html_list_url_name), query)
    assert sorted(api_slugs(client, name, query)) == sorted(expected)


def test_every_response_carries_licence_source_and_the_stability_promise(client, records):
    body = client.get("/api/v1/organisations?sector=ai").json()
    meta = body["meta"]
    assert meta["licence"]["name"] == "Open Government Licence v3.0"
    assert meta["licence"]["url"].startswith("https://")
    assert meta["source"]["url"] == "http://testserver/organisations/?sector=ai"
    assert meta["stability"].endswith("/open-data/#stability")
    assert "Open Government Licence" in meta["attribution"]
    detail = client.get(f"/api/v1/organisations/{records['org'].slug}").json()
    assert detail["meta"]["source"]["url"].endswith(records["org"].get_absolute_url())
    assert detail["result"]["company_number"] == "01234567"


@override_settings(
    FRONTDOOR_DATA_LICENCE_NAME="Creative Commons Attribution 4.0",
    FRONTDOOR_DATA_LICENCE_URL="https://creativecommons.org/licenses/by/4.0/",
)
def test_the_licence_is_a_setting(client, records):
    meta = client.get("/api/v1/events").json()["meta"]
    assert meta["licence"] == {
        "name": "Creative Commons Attribution 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
    }


def test_detail_hides_drafts_and_shows_related_public_records_only(client, records):
    assert client.get(f"/api/v1/organisations/{records['draft'].slug}").status_code == 404
    event = client.get(f"/api/v1/events/{records['event'].slug}").json()["result"]
    assert event["organisers"] == [records["org"].slug]  # the draft organiser is left out
    assert event["venue"] == records["place"].slug
    grant = client.get(f"/api/v1/programmes/{records['grant'].slug}").json()["result"]
    assert grant["stages"] == ["seed"] and grant["provider"] == records["org"].slug


def test_pagination_and_page_size(client, records):
    body = client.get("/api/v1/organisations?per_page=1").json()
    assert (body["count"], body["per_page"], body["total_pages"], body["page"]) == (2, 1, 2, 1)
    assert "page=2" in body["next"] and body["previous"] is None
    assert client.get(body["next"]).json()["page"] == 2
    assert client.get("/api/v1/organisations?per_page=5000").json()["per_page"] == 100
    assert client.get("/api/v1/organisations?page=99").status_code == 404


@override_settings(FRONTDOOR_SITE_URL="https://tech.example.org")
def test_next_and_previous_links_use_the_site_url(client, records):
    # Behind a proxy the request's own host is an internal one: paging must not lead there.
    OrganisationFactory(name="Third Org")
    body = client.get("/api/v1/organisations?per_page=1&page=2").json()
    next_link, previous_link = urlsplit(body["next"]), urlsplit(body["previous"])
    assert next_link.netloc == previous_link.netloc == "tech.example.org"
    assert parse_qs(next_link.query) == {"per_page": ["1"], "page": ["3"]}
    assert parse_qs(previous_link.query) == {"per_page": ["1"]}


@pytest.mark.parametrize("path", ["/api/v1/organisations", "/openreferral/services"])
def test_format_json_is_accepted_and_other_formats_are_a_bad_request(client, records, path):
    assert client.get(path, {"format": "json"}).status_code == 200
    # HSDS defines ?format= (ndjson among others); we serve JSON only, and say so.
    for other in ("ndjson", "csv"):
        refused = client.get(path, {"format": other})
        assert refused.status_code == 400
        assert refused.json()["detail"] == "format must be json."


def test_bad_filters_get_a_400_that_names_them(client, records):
    response = client.get("/api/v1/organisations?sector=no-such-sector&kind=spaceship")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"sector", "kind"}


def test_cors_is_open_for_reads_including_errors(client, records):
    for url in ["/api/v1/organisations", "/api/v1/organisations/nope", "/organisations.csv"]:
        response = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
        assert response["Access-Control-Allow-Origin"] == "*", url
    preflight = client.options(
        "/api/v1/events",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    "url, status",
    [
        ("/openreferral/services?search=%00", 400),  # the site-wide query-string guard
        ("/api/v1/organisations?q=%00", 400),
        ("/api/v1/organisations/%00", 400),  # on PostgreSQL it reached the database: 500
        ("/openreferral", 301),  # the added slash
        ("/api/v1", 301),
        ("/openreferral/organizations/abc", 404),  # no view at all
        ("/api/v1/no-such-kind/x", 404),
    ],
)
def test_cors_is_open_on_answers_no_view_gives(client, url, status):
    response = client.get(url, HTTP_ORIGIN="https://elsewhere.example")
    assert response.status_code == status
    assert response["Access-Control-Allow-Origin"] == "*"


def test_other_pages_do_not_open_cors(client):
    assert "Access-Control-Allow-Origin" not in client.get("/organisations/?q=%00")


@override_settings(FRONTDOOR_API_RATE="3/minute")
def test_too_many_requests_get_429_with_retry_after(client, records):
    statuses = [client.get("/api/v1/places").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/openreferral/services")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= 60
    assert limited["Access-Control-Allow-Origin"] == "*"
    assert (
        "Access-Control-Expose-Headers" in limited
        and "Retry-After" in limited["Access-Control-Expose-Headers"]
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def many(records):
    from frontdoor.directory.factories import OrganisationFactory, PersonFactory, TrialFactory
    from frontdoor.events.factories import EventFactory

    for _ in range(30):
        org = OrganisationFactory(sectors=["ai", "fintech"])
        PersonFactory(organisation=org, roles=["mentor"], sectors=["ai"])
        event = EventFactory(venue=records["place"], sectors=["ai"])
        event.organisers.set([org])
        TrialFactory(lead=org, test_bed=records["place"], sectors=["ai"]).partners.set([org])


# Branding, count, the page, then one per prefetched relation (sectors, stages, roles,
# organisers, partners). Pinned so an extra lookup per request shows up here first.
PINNED = {"organisations": 4, "places": 4, "programmes": 5, "events": 5, "trials": 5, "people": 5}


@pytest.mark.parametrize("name", list(KINDS))
def test_api_lists_keep_a_fixed_query_count_whatever_the_page_size(client, many, name):
    counts = {size: _queries(client, f"/api/v1/{name}?per_page={size}") for size in (1, 10, 50)}
    assert set(counts.values()) == {PINNED[name]}, counts


@pytest.mark.parametrize("name", ["organisations", "events", "people", "trials"])
def test_downloads_run_no_query_per_row(client, many, name):
    """One matching row or thirty: the same queries (relations are prefetched per chunk)."""

    def run(query):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/{name}.csv?{query}")
            rows = b"".join(response.streaming_content).count(b"\r\n") - 1
        return len(captured), rows

    one, one_rows = run(
        "q="
        + {
            "organisations": "Protospace Labs",
            "events": "AI Meetup",
            "people": "Lena",
            "trials": "Autonomous",
        }[name]
    )
    everything, all_rows = run("")
    assert one_rows == 1 and all_rows > 1
    assert one == everything


junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    url=st.sampled_from(
        [f"/api/v1/{n}" for n in KINDS]
        + [f"/{n}.csv" for n in KINDS]
        + ["/openreferral/services", "/openreferral/service_at_locations", "/sitemap.xml"]
    ),
    params=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "q",
                    "kind",
                    "sector",
                    "stage",
                    "page",
                    "per_page",
                    "when",
                    "free",
                    "postcode",
                    "proximity",
                    "taxonomy_id",
                    "modified_after",
                    "organization_id",
                    "search",
                ]
            )
            | junk,
            junk,
        ),
        max_size=5,
    ),
)
def test_junk_query_strings_never_give_a_server_error(client, records, url, params):
    response = client.get(url, params)
    assert response.status_code in {200, 400, 404, 429}, (url, params, response.status_code)


@override_settings(FRONTDOOR_API_RATE="2/minute")
def test_a_forged_forwarded_for_header_does_not_dodge_the_limit(client, records):
    statuses = [
        client.get("/api/v1/places", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    "name, filter_name", [("sectors", "sector"), ("stages", "stage"), ("roles", "role")]
)
def test_taxonomies_list_the_values_filters_accept(client, records, name, filter_name):
    body = client.get(f"/api/v1/{name}").json()
    assert body["count"] == len(body["results"]) > 0
    assert body["meta"]["licence"]["name"] == "Open Government Licence v3.0"
    kind = {"sector": "organisations", "stage": "programmes", "role": "people"}[filter_name]
    for term in body["results"]:
        assert client.get(f"/api/v1/{kind}?{filter_name}={term['slug']}").status_code == 200
    index = client.get("/api/v1/").json()
    assert index["taxonomies"][name].endswith(f"/api/v1/{name}")
