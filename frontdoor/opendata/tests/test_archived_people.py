"""A person whose listing is archived (they left the region, stepped down) leaves the open
data, even though they once consented: their page may stay for reference, but no API answer,
download, sitemap or Open Referral output keeps publishing them."""

import pytest

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import PersonFactory
from frontdoor.opendata.fields import KINDS
from frontdoor.opendata.tests.conftest import LISTED_NAME

pytestmark = pytest.mark.django_db

ARCHIVED_NAME = "Arlo Archived"


@pytest.fixture
def archived(records):
    """A person who consented once and whose listing is now archived."""
    return PersonFactory(
        name=ARCHIVED_NAME,
        headline="Former mentor 4b9e",
        organisation=records["org"],
        sectors=["ai"],
        roles=["mentor"],
        state=PublicationState.ARCHIVED,
    )


def open_outputs(records):
    """Every open-data address that could name a person: lists, downloads, sitemap, ORUK,
    and the JSON-LD on their organisation's page."""
    urls = ["/sitemap.xml", records["org"].get_absolute_url()]
    for name in KINDS:
        urls += [f"/api/v1/{name}?per_page=100", f"/{name}.csv", f"/{name}.json"]
        urls += [f"/sitemap-{name}.xml"]
    urls += [
        "/openreferral/services",
        "/openreferral/organizations",
        "/openreferral/service_at_locations",
    ]
    return urls


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_an_archived_person_is_in_no_open_output(client, records, archived):
    for url in open_outputs(records):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response).decode()
        if url == records["org"].get_absolute_url():
            # The HTML page is not open data; only its JSON-LD is.
            text = "".join(
                part.split("</script>")[0]
                for part in text.split('<script type="application/ld+json">')[1:]
            )
        assert ARCHIVED_NAME not in text, url
        assert archived.slug not in text, url
    assert client.get(f"/api/v1/people/{archived.slug}").status_code == 404
    # The rule picks out archived people only: a current, consenting person is still
    # published, and an archived organisation keeps its twin for reference.
    assert client.get(f"/api/v1/people/{records['listed'].slug}").status_code == 200
    assert LISTED_NAME in body(client.get("/people.csv")).decode()
    org = records["other"]
    org.state = PublicationState.ARCHIVED
    org.save()
    answer = client.get(f"/api/v1/organisations/{org.slug}")
    assert answer.status_code == 200 and answer.json()["result"]["archived"] is True


def test_an_archived_persons_page_names_no_machine_readable_twin(client, records, archived):
    page = client.get(archived.get_absolute_url())
    assert page.status_code == 200  # archived pages stay reachable for reference
    assert f"/api/v1/people/{archived.slug}" not in page.content.decode()
    # A current person's page still names theirs.
    listed = client.get(records["listed"].get_absolute_url()).content.decode()
    assert f'type="application/json" href="/api/v1/people/{records["listed"].slug}"' in listed
