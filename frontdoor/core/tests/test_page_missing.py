"""A list page past its end is still a 404, but says how many pages there are and links to the
last, with the filters kept."""

from urllib.parse import parse_qs, urlsplit

import pytest

from frontdoor.core.tests.htmltree import parse
from frontdoor.directory.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_page_past_the_end_says_how_many_pages_there_are(client):
    OrganisationFactory.create_batch(25, kind="startup")
    response = client.get("/organisations/", {"kind": "startup", "per_page": 10, "page": 9})
    assert response.status_code == 404
    page = parse(response.content.decode())
    assert page.find("title").text().startswith("Page not found")
    assert "There is no page 9: the list has 3 pages." in page.find("main").text()
    last = next(a for a in page.find("main").find_all("a") if "last page" in a.text())
    query = parse_qs(urlsplit(last.attrs["href"]).query)
    # The filters and page size are kept: the last page is of the same list.
    assert query == {"kind": ["startup"], "per_page": ["10"], "page": ["3"]}
    assert client.get(last.attrs["href"].replace("?", "/organisations/?")).status_code == 200


def test_an_empty_list_past_its_end_and_a_page_that_is_no_number(client):
    response = client.get("/events/?page=4")
    assert response.status_code == 404
    assert "There is no page 4: the list has 1 page." in response.content.decode()
    # Not a number at all: the site's own page not found, with nothing to count.
    response = client.get("/organisations/?page=abc")
    assert response.status_code == 404
    assert "There is no page" not in response.content.decode()
