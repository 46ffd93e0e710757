"""A published record never names, places or answers for a draft it is linked to: not on
pages, cards, calendars, search results, nor through the filters of the open APIs."""

import pytest

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    ProgrammeFactory,
    TrialFactory,
)
from frontdoor.events.factories import EventFactory, FestivalFactory
from frontdoor.opendata.oruk import hsds_id
from frontdoor.search import backend

pytestmark = pytest.mark.django_db
SECRET = "Hidden Draft"


@pytest.fixture
def drafts(db):
    return (
        OrganisationFactory(name="Hidden Draft Org", state=PublicationState.DRAFT),
        PlaceFactory(name="Hidden Draft Place", state=PublicationState.DRAFT),
    )


def text(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_programme_page_and_card_leave_out_a_draft_provider(client, drafts):
    programme = ProgrammeFactory(name="Open Grant", provider=drafts[0])
    assert "Open Grant" in text(client, "/programmes/")
    assert SECRET not in text(client, programme.get_absolute_url())
    assert SECRET not in text(client, "/programmes/")
    drafts[0].state = PublicationState.PUBLISHED
    drafts[0].save()
    assert SECRET in text(client, programme.get_absolute_url())


def test_place_page_and_card_leave_out_a_draft_operator(client, drafts):
    place = PlaceFactory(name="Open Place", operator=drafts[0])
    assert SECRET not in text(client, place.get_absolute_url())
    assert SECRET not in text(client, "/places/")


def test_trial_page_and_card_leave_out_a_draft_lead_and_test_bed(client, drafts):
    trial = TrialFactory(name="Open Trial", lead=drafts[0], test_bed=drafts[1])
    assert SECRET not in text(client, trial.get_absolute_url())
    assert SECRET not in text(client, "/trials/")


def test_person_page_leaves_out_a_draft_organisation(client, drafts):
    person = PersonFactory(name="Open Person", organisation=drafts[0])
    assert SECRET not in text(client, person.get_absolute_url())


def test_event_page_list_and_calendars_leave_out_draft_organisers_and_venue(client, drafts):
    event = EventFactory(name="Open Event", venue=drafts[1])
    event.organisers.set([drafts[0]])
    for url in (event.get_absolute_url(), "/events/", "/events.ics", f"/events/{event.slug}.ics"):
        assert SECRET not in text(client, url)


def test_event_page_leaves_out_a_draft_festival(client):
    festival = FestivalFactory(name="Hidden Draft Festival", state=PublicationState.DRAFT)
    event = EventFactory(name="Open Event", festival=festival)
    assert SECRET not in text(client, event.get_absolute_url())


def test_festival_page_leaves_out_draft_organisers_and_venues(client, drafts):
    festival = FestivalFactory(name="Open Festival")
    festival.organisers.set([drafts[0]])
    EventFactory(name="Open Event", festival=festival, venue=drafts[1]).organisers.set([drafts[0]])
    assert SECRET not in text(client, festival.get_absolute_url())


@pytest.fixture
def index_dir(tmp_path, settings):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    yield
    backend._shared.clear()


def test_search_takes_no_place_from_a_draft_provider(client, index_dir):
    draft = OrganisationFactory(
        name="Hidden",
        state=PublicationState.DRAFT,
        postcode="MK7 6BZ",
        latitude=52.030166,
        longitude=-0.702424,
    )
    ProgrammeFactory(name="Zebra Grant", provider=draft)
    page = text(client, "/search/?q=Zebra+Grant")
    assert "Zebra Grant" in page and "MK7 6BZ" not in page
    # Once the provider is published, the catch-up re-indexes its programmes too.
    draft.state = PublicationState.PUBLISHED
    draft.save()
    assert "MK7 6BZ" in text(client, "/search/?q=Zebra+Grant")


def test_open_referral_places_no_postcode_by_a_draft(client, records):
    # ZE9 is not a real postcode district, so only our own rows could place it.
    OrganisationFactory(
        name="Hidden",
        state=PublicationState.DRAFT,
        postcode="ZE9 9ZZ",
        latitude=60.1,
        longitude=-1.2,
    )
    response = client.get("/openreferral/service_at_locations", {"postcode": "ZE9 9ZZ"})
    assert response.status_code == 400  # as for any postcode no public record is at


def test_open_referral_organization_id_of_a_draft_matches_nothing(client, records):
    organisation = hsds_id("organization", records["draft"].pk)
    response = client.get("/openreferral/services", {"organization_id": organisation})
    assert response.json()["contents"] == []


def test_events_of_a_draft_organiser_are_not_listed_by_it(client):
    draft = OrganisationFactory(name="Hidden", state=PublicationState.DRAFT)
    EventFactory(name="Public Event").organisers.set([draft])
    assert client.get(f"/api/v1/events?organiser={draft.slug}").json()["count"] == 0


def test_a_draft_festival_filters_like_an_unknown_one(client):
    festival = FestivalFactory(name="Hidden Week", slug="hidden-week", state=PublicationState.DRAFT)
    EventFactory(name="Embargoed Keynote", festival=festival)
    EventFactory(name="Public Event")
    assert client.get("/api/v1/events?festival=hidden-week").json()["count"] == 0
    download = client.get("/events.json?festival=hidden-week")
    assert b"".join(download.streaming_content).count(b"Embargoed") == 0
    assert "Embargoed" not in text(client, "/events/?festival=hidden-week")


def test_a_draft_venue_puts_its_events_in_no_area_and_not_in_person(client, drafts):
    drafts[1].local_authority_code = "E06000042"
    drafts[1].save()
    EventFactory(name="At Hidden Venue", venue=drafts[1])
    assert client.get("/api/v1/events?area=E06000042").json()["count"] == 0
    assert client.get("/api/v1/events?attendance=in_person").json()["count"] == 0


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"])
def test_an_out_of_range_modified_after_is_a_bad_request(client, records, value):
    client.raise_request_exception = False
    response = client.get("/openreferral/services", {"modified_after": value})
    assert response.status_code == 400
