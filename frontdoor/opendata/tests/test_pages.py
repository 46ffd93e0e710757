"""On the pages: schema.org JSON-LD, canonical and Open Graph tags, sitemap.xml, robots.txt."""

import datetime
import json
import re
import xml.etree.ElementTree as ET
import zoneinfo

import pytest
from django.db import connection
from django.db.models import Max
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import OrganisationFactory, PlaceFactory
from frontdoor.directory.models import Organisation
from frontdoor.events.factories import EventFactory
from frontdoor.opendata import jsonld
from frontdoor.opendata.sitemaps import SITEMAPS

pytestmark = pytest.mark.django_db
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def ld_json(client, url):
    html = client.get(url).content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(scripts) == 1, url
    return json.loads(scripts[0]), scripts[0]


def test_event_jsonld_has_what_search_engines_ask_for(client, records):
    data, raw = ld_json(client, records["event"].get_absolute_url())
    assert data["@type"] == "Event"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    place, online = data["location"]
    assert place["@type"] == "Place" and place["address"]["postalCode"] == "MK7 6BZ"
    assert online == {"@type": "VirtualLocation", "url": "https://meet.example/ai"}
    assert [o["name"] for o in data["organizer"]] == ["Protospace Labs"]  # not the draft one
    assert data["offers"]["url"] == "https://tickets.example/ai"
    assert data["offers"]["description"] == "£5" and data["isAccessibleForFree"] is False
    assert data["startDate"].startswith(records["event"].local_start.date().isoformat())
    # The event's name holds "</script><script>": escaped, so it cannot end the element early.
    assert "</script>" not in raw and "<" not in raw
    assert data["name"] == records["event"].name


def test_free_online_and_cancelled_events(client, records):
    event = EventFactory(
        name="Online only", online_url="https://meet.example/x", status="cancelled"
    )
    data, _ = ld_json(client, event.get_absolute_url())
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["location"]["@type"] == "VirtualLocation"
    assert data["offers"]["price"] == "0" and data["isAccessibleForFree"] is True


def test_an_all_day_event_ending_at_midnight_ends_the_day_before(client):
    # The model's convention, as on the page and in the .ics: an end at midnight closes the
    # day before, so a one-day event's endDate is its start date.
    start = datetime.datetime(2030, 6, 1, tzinfo=zoneinfo.ZoneInfo("Europe/London"))
    one_day = EventFactory(
        name="Tech Day", all_day=True, starts_at=start, ends_at=start + datetime.timedelta(days=1)
    )
    two_days = EventFactory(
        name="Tech Weekend",
        all_day=True,
        starts_at=start,
        ends_at=start + datetime.timedelta(days=2),
    )
    for event, end in [(one_day, "2030-06-01"), (two_days, "2030-06-02")]:
        data, _ = ld_json(client, event.get_absolute_url())
        assert (data["startDate"], data["endDate"]) == ("2030-06-01", end), event.name


def test_an_event_placed_only_in_words_still_has_a_location(client):
    where = "Bletchley Park, Sherwood Drive, MK3 6EB"
    hidden = PlaceFactory(name="Hidden Venue", state=PublicationState.DRAFT)
    for event in (
        EventFactory(name="Imported", location_text=where),
        EventFactory(name="At a draft venue", venue=hidden, location_text=where),
    ):
        data, _ = ld_json(client, event.get_absolute_url())
        assert data["location"] == {"@type": "Place", "name": where, "address": where}
        assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    mixed = EventFactory(name="Hybrid", location_text=where, online_url="https://meet.example/h")
    data, _ = ld_json(client, mixed.get_absolute_url())
    assert [place["@type"] for place in data["location"]] == ["Place", "VirtualLocation"]
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"


def test_jsonld_descriptions_are_plain_text(client):
    org = OrganisationFactory(summary="", description="<p>R&amp;D lab.</p><p>Open to all.</p>")
    data, _ = ld_json(client, org.get_absolute_url())
    assert data["description"] == "R&D lab.\nOpen to all."


def test_organisation_place_and_programme_jsonld(client, records):
    org, _ = ld_json(client, records["org"].get_absolute_url())
    assert org["@type"] == "Organization"
    assert org["identifier"]["value"] == "01234567"
    assert org["address"]["postalCode"] == "MK7 6BZ"
    place, _ = ld_json(client, records["place"].get_absolute_url())
    assert place["@type"] == "Place" and place["geo"]["latitude"] == 52.030166
    grant, _ = ld_json(client, records["grant"].get_absolute_url())
    assert grant["@type"] == "Service" and grant["provider"]["name"] == "Protospace Labs"
    assert grant["offers"]["priceSpecification"]["maxPrice"] == 5000


def test_script_tag_escapes_everything_html_could_read():
    tag = jsonld.script_tag({"name": "</script><!-- & \u2028"})
    inner = tag.removeprefix('<script type="application/ld+json">').removesuffix("</script>")
    assert "<" not in inner and ">" not in inner and "&" not in inner and "\u2028" not in inner
    assert json.loads(inner) == {"name": "</script><!-- & \u2028"}


def test_canonical_and_open_graph(client, records):
    html = client.get(records["org"].get_absolute_url() + "?utm_source=x").content.decode()
    url = "http://testserver" + records["org"].get_absolute_url()
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:url" content="{url}">' in html
    assert '<meta property="og:title" content="Protospace Labs">' in html
    listing = client.get("/organisations/?sector=ai&page=2").content.decode()
    assert 'rel="canonical" href="http://testserver/organisations/?page=2"' in listing
    with override_settings(FRONTDOOR_SITE_URL="https://tech.example.org"):
        html = client.get("/").content.decode()
    assert '<link rel="canonical" href="https://tech.example.org/">' in html


def test_list_pages_link_their_open_data_twins(client, records):
    html = client.get("/organisations/?sector=ai&page=1").content.decode()
    assert 'href="/organisations.csv?sector=ai"' in html
    assert 'href="/api/v1/organisations?sector=ai"' in html


def test_sitemap_index_and_sections(client, records):
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert "http://testserver/sitemap-organisations.xml" in sections
    urls = ET.fromstring(client.get("/sitemap-organisations.xml").content)
    locs = {loc.text for loc in urls.findall("s:url/s:loc", SITEMAP_NS)}
    assert "http://testserver" + records["org"].get_absolute_url() in locs
    assert not any(records["draft"].slug in loc for loc in locs)
    people = client.get("/sitemap-people.xml").content.decode()
    assert records["listed"].slug in people and "nadia" not in people.lower()


def test_the_sitemap_index_reads_one_aggregate_per_section_not_every_row(client, records):
    OrganisationFactory.create_batch(5)
    with CaptureQueriesContext(connection) as captured:
        index = ET.fromstring(client.get("/sitemap.xml").content)
    # Per section a count for the paging and a max for the lastmod, never the rows
    # themselves (the site's branding is the one other read, a single row).
    reads = [q["sql"].upper() for q in captured.captured_queries]
    unbounded = [sql for sql in reads if not re.search(r"COUNT\(|MAX\(|LIMIT 1$", sql)]
    assert sum("MAX(" in sql for sql in reads) == len(SITEMAPS) - 1 and not unbounded, unbounded
    # The same lastmod Django's max() over every row gave.
    latest = Organisation.objects.published().aggregate(latest=Max("updated"))["latest"]
    lastmods = {
        entry.find("s:loc", SITEMAP_NS).text: entry.find("s:lastmod", SITEMAP_NS).text
        for entry in index.findall("s:sitemap", SITEMAP_NS)
        if entry.find("s:lastmod", SITEMAP_NS) is not None
    }
    organisations = lastmods["http://testserver/sitemap-organisations.xml"]
    assert datetime.datetime.fromisoformat(organisations) == latest


def test_the_sitemap_index_names_the_site_url(client, records, settings):
    settings.FRONTDOOR_SITE_URL = "https://tech.example.org"
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.findall("s:sitemap/s:loc", SITEMAP_NS)]
    assert "https://tech.example.org/sitemap-organisations.xml" in sections
    assert all(loc.startswith("https://tech.example.org/") for loc in sections)


def test_sitemap_is_paged_past_its_limit(client, records, monkeypatch):
    # The protocol's limit is 50,000 URLs a file; a limit of 2 shows the paging.
    monkeypatch.setattr(SITEMAPS["organisations"], "limit", 2)
    for _ in range(3):
        OrganisationFactory()
    index = client.get("/sitemap.xml").content.decode()
    assert "sitemap-organisations.xml?p=3" in index
    page3 = ET.fromstring(client.get("/sitemap-organisations.xml?p=3").content)
    assert len(page3.findall("s:url", SITEMAP_NS)) == 1
    assert client.get("/sitemap-organisations.xml?p=4").status_code == 404


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /admin/" in text and "Sitemap: http://testserver/sitemap.xml" in text


def test_open_data_page_states_licence_and_promise(client, records):
    html = client.get("/open-data/").content.decode()
    assert "Open Government Licence v3.0" in html and 'id="stability"' in html
    assert 'href="/api/v1/openapi.json"' in html and 'href="/organisations.csv"' in html
    footer = client.get("/").content.decode()
    assert 'href="/open-data/"' in footer


def test_pages_name_their_machine_readable_twins(client, records):
    detail = client.get(records["org"].get_absolute_url()).content.decode()
    api = f"/api/v1/organisations/{records['org'].slug}"
    assert f'<link rel="alternate" type="application/json" href="{api}">' in detail
    assert client.get(api).status_code == 200
    person = client.get(records["listed"].get_absolute_url()).content.decode()
    assert f'href="/api/v1/people/{records["listed"].slug}"' in person
    listing = client.get("/events/?sector=ai").content.decode()
    assert '<link rel="alternate" type="text/csv" href="/events.csv?sector=ai">' in listing
