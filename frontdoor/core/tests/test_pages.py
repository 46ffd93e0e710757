"""Every public page renders, filters narrow, and junk input never causes a server error."""

import re
from itertools import pairwise

import pytest
from django.urls import reverse

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    ProgrammeFactory,
    TrialFactory,
)
from frontdoor.directory.models import Organisation, Stage
from frontdoor.events.factories import EventFactory, FestivalFactory

pytestmark = pytest.mark.django_db

LIST_URLS = ["/organisations/", "/places/", "/programmes/", "/people/", "/trials/", "/events/"]


@pytest.fixture
def ecosystem():
    seed = Stage.objects.get(slug="seed")
    org = OrganisationFactory(name="Protospace", kind="community", sectors=["ai", "smart-city"])
    OrganisationFactory(
        name="Red Bull Advanced Technologies", kind="anchor", stage=seed, sectors=["engineering"]
    )
    OrganisationFactory(name="Hidden Draft Ltd", state=PublicationState.DRAFT)
    place = PlaceFactory(name="5G Research Network", kind="network", operator=org)
    ProgrammeFactory(name="MK Tech Fund", kind="fund", provider=org)
    PersonFactory(name="Sample Mentor", roles=["mentor"])
    TrialFactory(name="StreetCAV", lead=org, test_bed=place)
    event = EventFactory(name="Milton Keynes Tech Week", venue=place)
    event.organisers.add(org)
    return {"org": org, "place": place, "event": event}


def test_home_is_the_front_door(client, ecosystem):
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="search"' in page
    assert "Milton Keynes Tech Week" in page  # upcoming events
    assert "Protospace" in page  # newest listings
    for title in [
        "Brand and place",
        "Talent and skills",
        "Entrepreneurship and innovation",
        "Relocating here",
    ]:
        assert title in page
    assert "Hidden Draft Ltd" not in page


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_pages_render(client, ecosystem, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "Hidden Draft Ltd" not in response.content.decode()


def test_detail_pages_render(client, ecosystem):
    for obj in [ecosystem["org"], ecosystem["place"], ecosystem["event"]]:
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert obj.name in response.content.decode()
    page = client.get(ecosystem["org"].get_absolute_url()).content.decode()
    assert "5G Research Network" in page and "MK Tech Fund" in page and "StreetCAV" in page
    assert "Last verified" in page


def test_drafts_and_unknown_slugs_are_404(client, ecosystem):
    draft = Organisation.objects.get(name="Hidden Draft Ltd")
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/organisations/no-such-thing/").status_code == 404
    assert client.get("/events/%E2%98%83/").status_code == 404


def test_archived_pages_stay_reachable_with_a_notice(client, ecosystem):
    org = ecosystem["org"]
    org.state = PublicationState.ARCHIVED
    org.save()
    response = client.get(org.get_absolute_url())
    assert response.status_code == 200
    assert "archived" in response.content.decode()
    assert org.name not in client.get("/organisations/").content.decode()


def test_filters_narrow(client, ecosystem):
    names = lambda r: r.content.decode()  # noqa: E731
    by_kind = names(client.get("/organisations/?kind=anchor"))
    assert "Red Bull Advanced Technologies" in by_kind and "Protospace" not in by_kind
    by_sector = names(client.get("/organisations/?sector=smart-city"))
    assert "Protospace" in by_sector and "Red Bull" not in by_sector
    by_stage = names(client.get("/organisations/?stage=seed"))
    assert "Red Bull Advanced Technologies" in by_stage and "Protospace" not in by_stage
    either = names(client.get("/organisations/?sector=smart-city&sector=engineering"))
    assert "Protospace" in either and "Red Bull Advanced Technologies" in either
    by_text = names(client.get("/organisations/?q=proto"))
    assert "Protospace" in by_text and "Red Bull" not in by_text


def test_active_filters_can_be_removed(client, ecosystem):
    page = client.get("/organisations/?kind=anchor&sector=engineering").content.decode()
    assert "Kind: Anchor employer" in page
    assert 'href="?sector=engineering"' in page  # the link that drops the kind filter


def test_unknown_filter_values_get_a_friendly_400(client, ecosystem):
    response = client.get("/organisations/?sector=not-a-sector")
    assert response.status_code == 400
    assert "filters in this link don’t exist" in response.content.decode()
    assert client.get("/events/?kind=rave").status_code == 400
    # Unknown parameter names are ignored, as links from other sites often carry them.
    assert client.get("/organisations/?utm_source=newsletter").status_code == 200


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999", "1.5"])
def test_bad_page_numbers_are_404(client, ecosystem, page):
    assert client.get(f"/organisations/?page={page}").status_code == 404


def test_nul_bytes_and_overlong_queries_are_400(client, ecosystem):
    assert client.get("/organisations/?q=a%00b").status_code == 400
    assert client.get("/organisations/?q=" + "x" * 5000).status_code == 400


def test_events_upcoming_by_default_and_past_browsable(client, ecosystem):
    import datetime

    from django.utils import timezone

    past_start = timezone.now() - datetime.timedelta(days=400)
    EventFactory(
        name="Skymagic drone show",
        starts_at=past_start,
        ends_at=past_start + datetime.timedelta(hours=1),
    )
    upcoming = client.get("/events/").content.decode()
    assert "Milton Keynes Tech Week" in upcoming and "Skymagic" not in upcoming
    past = client.get("/events/?when=past").content.decode()
    assert "Skymagic" in past and "Milton Keynes Tech Week" not in past


def test_search_spans_kinds(client, ecosystem):
    page = client.get(reverse("search"), {"q": "tech"}).content.decode()
    assert "MK Tech Fund" in page and "Milton Keynes Tech Week" in page
    assert "Nothing matches" in client.get(reverse("search"), {"q": "zzzqqq"}).content.decode()


def test_pathways(client, ecosystem):
    page = client.get("/for/entrepreneurship-and-innovation/").content.decode()
    assert "MK Tech Fund" in page
    assert client.get("/for/nowhere/").status_code == 404


@pytest.mark.parametrize(
    "make",
    [
        OrganisationFactory,
        PersonFactory,
        PlaceFactory,
        ProgrammeFactory,
        TrialFactory,
        EventFactory,
        FestivalFactory,
    ],
)
def test_headings_in_a_description_do_not_skip_a_level(client, make):
    # A description may hold h3 and h4 only: the page gives it an h2 to sit under.
    listing = make(description="<h3>What we do</h3><p>Things.</p><h4>For whom</h4><p>All.</p>")
    page = client.get(listing.get_absolute_url()).content.decode()
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", page)]
    assert levels[0] == 1 and 3 in levels
    assert all(b <= a + 1 for a, b in pairwise(levels)), levels
