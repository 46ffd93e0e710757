"""CSV and JSON downloads: RFC 4180, UTF-8, ISO 8601, the pages' filters, no formulas."""

import csv
import datetime
import io
import json

import pytest

from frontdoor.opendata.downloads import csv_cell
from frontdoor.opendata.fields import KINDS

pytestmark = pytest.mark.django_db


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content)


def test_csv_is_rfc_4180_utf8_with_a_header_row(client, records):
    response, body = download(client, "/organisations.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"].startswith('attachment; filename="organisations-')
    assert 'rel="license"' in response["Link"]
    text = body.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # CRLF records
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == list(KINDS["organisations"].serializer().fields)
    protospace = next(r for r in rows if r["name"] == "Protospace Labs")
    assert protospace["sectors"] == "ai"
    assert protospace["company_number"] == "01234567"  # leading zero kept
    datetime.date.fromisoformat(protospace["last_verified"])
    datetime.datetime.fromisoformat(protospace["updated"])
    assert protospace["latitude"] == "52.030166" and protospace["longitude"] == "-0.702424"


def test_cells_that_would_run_as_formulas_are_neutralised(client, records):
    _, body = download(client, "/organisations.csv")
    cells = [cell for row in csv.reader(io.StringIO(body.decode(), newline="")) for cell in row]
    assert '\'=HYPERLINK("http://evil.example","click") makes spreadsheets run code' in cells
    risky = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    negative_numbers = [c for c in cells if c.startswith("-")]
    assert risky == []
    assert all(float(c) < 0 for c in negative_numbers)  # only longitudes start with "-"


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+44 1908", "'+44 1908"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (-0.7, "-0.7"),
        (None, ""),
        (True, "true"),
        (["ai", "fintech"], "ai; fintech"),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize(
    "name, query",
    [("organisations", "sector=fintech"), ("events", "when=past"), ("people", "role=mentor")],
)
def test_downloads_take_the_pages_query_string(client, records, name, query):
    _, body = download(client, f"/{name}.csv?{query}")
    csv_slugs = [row["slug"] for row in csv.DictReader(io.StringIO(body.decode(), newline=""))]
    api = client.get(f"/api/v1/{name}?{query}&per_page=100").json()
    assert csv_slugs == [row["slug"] for row in api["results"]]
    _, body = download(client, f"/{name}.json?{query}")
    data = json.loads(body)
    assert data["count"] == len(csv_slugs)
    assert [row["slug"] for row in data["results"]] == csv_slugs
    assert data["results"] == api["results"]
    assert data["meta"]["licence"]["name"] == "Open Government Licence v3.0"


def test_bad_filters_on_downloads_get_400(client, records):
    assert client.get("/organisations.csv?sector=nope").status_code == 400
    assert client.get("/events.json?when=someday").status_code == 400


def test_csv_downloads_whatever_the_accept_header(client, records):
    response = client.get("/places.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
