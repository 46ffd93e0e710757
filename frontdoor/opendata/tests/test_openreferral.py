"""Open Referral UK 3.0: the output validates against the HSDS 3.0 schemas, filters work."""

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from frontdoor.directory.factories import OrganisationFactory, ProgrammeFactory
from frontdoor.directory.models import Programme
from frontdoor.opendata.oruk import hsds_id, parse_hsds_id

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "hsds_schema"
REGISTRY = Registry().with_resources(
    (path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
    for path in SCHEMAS.glob("*.json")
)
# The page envelope of the HSDS API (openapi.json, "Page"): every list answers in it.
PAGE = {
    "type": "object",
    "required": [
        "total_items",
        "total_pages",
        "page_number",
        "size",
        "first_page",
        "last_page",
        "empty",
        "contents",
    ],
    "properties": {
        "total_items": {"type": "integer"},
        "total_pages": {"type": "integer"},
        "page_number": {"type": "integer"},
        "size": {"type": "integer"},
        "first_page": {"type": "boolean"},
        "last_page": {"type": "boolean"},
        "empty": {"type": "boolean"},
        "contents": {"type": "array"},
    },
}


def validate(instance, schema_file):
    """Validate against one vendored HSDS schema, with formats (uri, email) checked."""
    schema = {"$ref": schema_file}
    validator = Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    # location.json at the vendored commit spells its address list "addresss" (see README):
    # check our "addresses" against address.json directly so none go unvalidated.
    for located in _locations(instance):
        for address in located.get("addresses", []):
            validate(address, "address.json")


def _locations(value):
    if isinstance(value, dict):
        if value.get("location_type"):
            yield value
        for child in value.values():
            yield from _locations(child)
    elif isinstance(value, list):
        for child in value:
            yield from _locations(child)


def page_of(client, url, schema_file):
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    Draft202012Validator(PAGE).validate(body)
    for item in body["contents"]:
        validate(item, schema_file)
    return body


def test_the_validator_is_not_a_rubber_stamp():
    with pytest.raises(AssertionError):
        validate({"id": "x", "name": "No status"}, "service.json")
    with pytest.raises(AssertionError):
        validate({"id": "x", "name": "n", "status": "open"}, "service.json")
    with pytest.raises(AssertionError):  # a nested organisation without its description
        validate(
            {"id": "x", "name": "n", "status": "active", "organization": {"id": "o", "name": "O"}},
            "service.json",
        )


def test_root_names_the_profile(client):
    body = client.get("/openreferral/").json()
    assert body["version"] == "HSDS-UK-3.0"
    assert body["openapi_url"].startswith("https://") and body["profile"].startswith("https://")


def test_services_validate_and_are_fully_nested(client, records):
    body = page_of(client, "/openreferral/services", "service.json")
    names = [s["name"] for s in body["contents"]]
    assert names == ["AI Seed Grant", "Drafted Fund", "Fintech Mentoring"]
    grant, orphan = body["contents"][0], body["contents"][1]
    # A published programme whose provider is a draft: listed, the provider left out.
    assert "organization" not in orphan and "organization_id" not in orphan
    assert grant["organization"]["name"] == "Protospace Labs"
    assert grant["organization"]["organization_identifiers"][0]["identifier"] == "01234567"
    location = grant["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "MK7 6BZ"
    terms = {a["taxonomy_term"]["code"] for a in grant["attributes"]}
    assert terms == {"ai", "seed"}
    one = client.get(f"/openreferral/services/{grant['id']}").json()
    validate(one, "service.json")
    assert one == grant


def test_service_detail_404s_for_other_ids(client, records):
    org_id = hsds_id("organization", records["org"].pk)
    for bad in [org_id, "not-a-uuid", hsds_id("service", 999_999)]:
        assert client.get(f"/openreferral/services/{bad}").status_code == 404


def test_services_filters(client, records):
    def names(query):
        body = page_of(client, f"/openreferral/services?{query}", "service.json")
        return [s["name"] for s in body["contents"]]

    ai = hsds_id("term-sector", records["grant"].sectors.get().pk)
    assert names(f"taxonomy_term_id={ai}") == ["AI Seed Grant"]
    assert names(f"organization_id={hsds_id('organization', records['other'].pk)}") == [
        "Fintech Mentoring"
    ]
    assert names("search=mentoring") == ["Fintech Mentoring"]
    assert names(f"taxonomy_id={hsds_id('taxonomy', 2)}") == ["AI Seed Grant"]  # has a stage
    assert len(names("modified_after=2000-01-01")) == 3
    assert names("modified_after=2999-01-01T00:00:00Z") == []
    for bad in ["modified_after=yesterday", "taxonomy_term_id=nope", "page=0", "per_page=x"]:
        assert client.get(f"/openreferral/services?{bad}").status_code == 400, bad


def test_modified_after_includes_a_record_modified_at_that_very_moment(client, records):
    records["grant"].refresh_from_db()
    moment = records["grant"].updated.isoformat()
    body = page_of(client, f"/openreferral/services?modified_after={quote(moment)}", "service.json")
    assert "AI Seed Grant" in [s["name"] for s in body["contents"]]


def test_the_page_envelope(client, records):
    first = page_of(client, "/openreferral/services?per_page=1", "service.json")
    assert (first["total_items"], first["total_pages"], first["page_number"], first["size"]) == (
        3,
        3,
        1,
        1,
    )
    assert (first["first_page"], first["last_page"], first["empty"]) == (True, False, False)
    second = page_of(client, "/openreferral/services?per_page=1&page=3", "service.json")
    assert (second["first_page"], second["last_page"]) == (False, True)
    # size counts what this page holds: a short last page holds fewer than per_page.
    short = page_of(client, "/openreferral/services?per_page=2&page=2", "service.json")
    assert short["size"] == len(short["contents"]) == 1
    beyond = page_of(client, "/openreferral/services?per_page=1&page=9", "service.json")
    assert beyond["empty"] and beyond["contents"] == [] and beyond["size"] == 0


def test_organizations_taxonomies_and_terms_validate(client, records):
    orgs = page_of(client, "/openreferral/organizations", "organization.json")
    assert {o["name"] for o in orgs["contents"]} == {"Protospace Labs", "Fintech Partners"}
    taxonomies = page_of(client, "/openreferral/taxonomies", "taxonomy.json")
    assert taxonomies["total_items"] == 2
    terms = page_of(client, "/openreferral/taxonomy_terms?per_page=200", "taxonomy_term.json")
    assert {"ai", "seed"} <= {t["code"] for t in terms["contents"]}
    stages = page_of(
        client,
        f"/openreferral/taxonomy_terms?per_page=200&taxonomy_id={hsds_id('taxonomy', 2)}",
        "taxonomy_term.json",
    )
    assert "ai" not in {t["code"] for t in stages["contents"]}
    children = page_of(
        client,
        f"/openreferral/taxonomy_terms?parent_id={terms['contents'][0]['id']}",
        "taxonomy_term.json",
    )
    assert children["empty"]  # both taxonomies are flat


def test_service_at_locations_by_postcode_and_proximity(client, records):
    every = page_of(client, "/openreferral/service_at_locations", "service_at_location.json")
    assert every["total_items"] == 2
    # From the grant provider's own postcode: it is nearest, the other about 4 km away.
    near = page_of(
        client, "/openreferral/service_at_locations?postcode=mk76bz", "service_at_location.json"
    )
    ids = [sal["service_id"] for sal in near["contents"]]
    assert ids[0] == hsds_id("service", records["grant"].pk)
    assert near["contents"][0]["distance"] < near["contents"][1]["distance"]
    close = page_of(
        client,
        "/openreferral/service_at_locations?postcode=MK7%206BZ&proximity=1000",
        "service_at_location.json",
    )
    assert [sal["service_id"] for sal in close["contents"]] == ids[:1]
    for bad in [
        "postcode=nowhere",
        "postcode=MK7 6BZ&proximity=far",
        "proximity=5",
        "postcode=MK7 6BZ&proximity=-1",
        "postcode=MK7 6BZ&proximity=nan",
    ]:
        assert client.get(f"/openreferral/service_at_locations?{bad}").status_code == 400, bad


def test_service_at_locations_place_providers_by_postcode_and_keep_the_unplaced(client):
    by_postcode = OrganisationFactory(name="Postcode only", postcode="MK9 3HS")
    unplaced = OrganisationFactory(name="Address only", address="1 Somewhere Street")
    ProgrammeFactory(name="Placed grant", provider=by_postcode)
    ProgrammeFactory(name="Unplaced grant", provider=unplaced)
    url = "/openreferral/service_at_locations?postcode=MK9%203HS"
    listed = page_of(client, url, "service_at_location.json")["contents"]
    assert [sal["location"]["name"] for sal in listed] == ["Postcode only", "Address only"]
    assert listed[0]["distance"] < 100 and "distance" not in listed[1]
    near = page_of(client, url + "&proximity=500", "service_at_location.json")["contents"]
    assert [sal["location"]["name"] for sal in near] == ["Postcode only"]


def test_service_at_locations_take_the_services_filters(client, records):
    def services(query):
        url = f"/openreferral/service_at_locations?postcode=MK7%206BZ&{query}"
        body = page_of(client, url, "service_at_location.json")
        return [sal["service_id"] for sal in body["contents"]]

    grant = hsds_id("service", records["grant"].pk)
    mentoring = hsds_id("service", Programme.objects.get(name="Fintech Mentoring").pk)
    ai = hsds_id("term-sector", records["grant"].sectors.get().pk)
    assert services(f"taxonomy_term_id={ai}") == [grant]
    assert services(f"organization_id={hsds_id('organization', records['other'].pk)}") == [
        mentoring
    ]
    assert services("search=mentoring") == [mentoring]
    assert services("modified_after=2999-01-01") == []
    bad = "/openreferral/service_at_locations?postcode=MK7%206BZ&taxonomy_term_id=nope"
    assert client.get(bad).status_code == 400


def test_organizations_filter_by_taxonomy(client, records):
    def names(query):
        body = page_of(client, f"/openreferral/organizations?{query}", "organization.json")
        return [o["name"] for o in body["contents"]]

    fintech = hsds_id("term-sector", records["other"].sectors.get().pk)
    assert names(f"taxonomy_term_id={fintech}") == ["Fintech Partners"]
    assert names(f"taxonomy_id={hsds_id('taxonomy', 1)}") == ["Fintech Partners", "Protospace Labs"]
    assert client.get("/openreferral/organizations?taxonomy_id=nope").status_code == 400


def test_taxonomy_terms_search_names_and_descriptions(client, records):
    body = page_of(client, "/openreferral/taxonomy_terms?search=fintech", "taxonomy_term.json")
    assert [t["code"] for t in body["contents"]] == ["fintech"]


def test_html_descriptions_become_readable_plain_text(client):
    org = OrganisationFactory(summary="", description="<p>R&amp;D lab.</p><p>Open to all.</p>")
    programme = ProgrammeFactory(
        provider=org,
        summary="",
        description="<h2>About</h2><div>First.</div>Second.<br>Third.",
        how_to_apply="<ol><li>Register</li><li>Apply</li></ol>",
    )
    body = client.get(f"/openreferral/services/{hsds_id('service', programme.pk)}").json()
    validate(body, "service.json")
    assert body["organization"]["description"] == "R&D lab.\nOpen to all."
    assert body["description"] == "About\nFirst.\nSecond.\nThird."
    assert body["application_process"] == "Register\nApply"


def test_ids_are_stable_uuids_that_read_back():
    made = hsds_id("service", 42)
    assert made == hsds_id("service", 42)
    assert parse_hsds_id("service", made) == 42
    assert parse_hsds_id("organization", made) is None
    assert parse_hsds_id("service", "junk") is None


def test_a_huge_page_number_is_just_an_empty_page(client, records):
    body = page_of(client, "/openreferral/services?page=99999999999999999999", "service.json")
    assert body["empty"] and body["page_number"] == 99999999999999999999


def test_a_belfast_postcode_finds_a_belfast_service(client):
    # Northern Ireland's postcodes are on the Irish Grid: read as British National Grid,
    # BT1 5GS was placed near Chester and nothing in Belfast was within 5 km of it.
    provider = OrganisationFactory(
        name="Belfast Hub",
        address="City Hall, Belfast",
        postcode="BT1 5GS",
        latitude=54.5966,
        longitude=-5.9301,
    )
    ProgrammeFactory(name="NI Grant", provider=provider)
    near = page_of(
        client,
        "/openreferral/service_at_locations?postcode=BT1%205GS&proximity=5000",
        "service_at_location.json",
    )
    assert near["total_items"] == 1
    assert near["contents"][0]["distance"] < 100
