"""No export, API answer or JSON-LD carries a person's name, email or details unless that
person consented to a public listing; even then their email stays out of open data."""

import pytest
from django.urls import reverse

from frontdoor.opendata.fields import KINDS
from frontdoor.opendata.tests.conftest import (
    LISTED_EMAIL,
    LISTED_NAME,
    SECRET_EMAIL,
    SECRET_HEADLINE,
    SECRET_NAME,
)

pytestmark = pytest.mark.django_db

NEVER = [SECRET_NAME, SECRET_EMAIL, SECRET_HEADLINE, "Archived Unconsented", "archived.unconsented"]


def everything(client, records):
    """Every open-data output the site has, as text."""
    urls = ["/api/v1/", "/api/v1/openapi.json", "/sitemap.xml", "/robots.txt"]
    for name in KINDS:
        urls += [f"/api/v1/{name}?per_page=100", f"/{name}.csv", f"/{name}.json"]
        urls += [f"/sitemap-{name}.xml", f"/api/v1/{name}?when=past&per_page=100"]
    urls += [
        "/openreferral/services",
        "/openreferral/organizations",
        "/openreferral/service_at_locations",
        "/openreferral/taxonomy_terms",
    ]
    for key in ("org", "place", "grant", "event", "listed"):
        obj = records[key]
        kind = {"org": "organisations", "place": "places", "grant": "programmes"}.get(
            key, {"event": "events", "listed": "people"}.get(key)
        )
        urls += [f"/api/v1/{kind}/{obj.slug}", obj.get_absolute_url()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        yield url, body.decode()


def test_people_without_consent_appear_nowhere(client, records):
    for url, text in everything(client, records):
        for secret in NEVER:
            assert secret not in text, (secret, url)


def test_people_without_consent_have_no_detail_anywhere(client, records):
    from frontdoor.directory.models import Person

    for person in Person.objects.filter(consent_recorded_at__isnull=True):
        assert client.get(f"/api/v1/people/{person.slug}").status_code == 404


def test_a_consenting_person_is_listed_but_their_email_is_not(client, records):
    texts = dict(everything(client, records))
    assert LISTED_NAME in texts["/api/v1/people?per_page=100"]
    assert LISTED_NAME in texts["/people.csv"]
    for url, text in texts.items():
        if not url.startswith("/people/"):  # their own page shows it, as they asked
            assert LISTED_EMAIL not in text, url


def test_the_allow_list_names_no_consent_or_private_fields():
    for kind in KINDS.values():
        fields = set(kind.serializer().fields)
        assert not fields & {"consent_recorded_at", "consent_note", "state", "source_id"}
    assert "public_email" not in KINDS["people"].serializer().fields


def test_jsonld_of_an_organisation_names_none_of_its_people(client, records):
    page = client.get(reverse("directory:organisation-detail", args=[records["org"].slug]))
    script = page.content.decode().split('<script type="application/ld+json">')[1]
    script = script.split("</script>")[0]
    assert LISTED_NAME not in script and SECRET_NAME not in script
