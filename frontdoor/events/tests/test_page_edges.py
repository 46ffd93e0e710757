"""Event pages: drafts unnamed in day lines, archived pitch nights, festival tracks, Atom."""

import pytest
from django.utils import timezone

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import OrganisationFactory, PlaceFactory
from frontdoor.events.factories import EventFactory, FestivalFactory

pytestmark = pytest.mark.django_db


def test_day_lines_do_not_name_a_draft_venue(client):
    draft = PlaceFactory(name="Secret Draft Venue", state=PublicationState.DRAFT)
    organiser = OrganisationFactory(name="Host Org")
    event = EventFactory(name="Open Meetup", venue=draft)
    event.organisers.add(organiser)
    day = timezone.localtime(event.starts_at).date()
    for url in ["/", organiser.get_absolute_url(), f"/events/calendar/{day:%Y/%-m/%-d}/"]:
        page = client.get(url).content.decode()
        assert "Open Meetup" in page and "Secret Draft Venue" not in page, url


def test_an_archived_pitch_night_offers_no_application_form(client):
    event = EventFactory(name="Pitch Night", kind="pitch", state=PublicationState.ARCHIVED)
    assert "Apply to pitch</button>" not in client.get(event.get_absolute_url()).content.decode()


def test_an_unknown_festival_track_shows_the_whole_programme(client):
    festival = FestivalFactory(name="Fest")
    EventFactory(name="Talk on AI", festival=festival, track="AI")
    page = client.get(f"{festival.get_absolute_url()}?track=Nope").content.decode()
    assert "Talk on AI" in page and "has not been published yet" not in page


def test_a_bad_atom_filter_is_a_bad_request_like_the_calendar(client):
    for url in ("/events.ics?kind=zz", "/events.atom?kind=zz"):
        response = client.get(url)
        assert response.status_code == 400
        assert response.content.decode().startswith("Some filters in this link don't exist")
