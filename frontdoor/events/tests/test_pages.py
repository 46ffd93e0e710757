"""Calendar pages, festivals and pitch sessions; fixed query counts; junk never gives a 500."""

import datetime
from urllib.parse import quote_from_bytes

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdoor.directory.factories import OrganisationFactory, PlaceFactory
from frontdoor.events.factories import EventFactory, FestivalFactory, PitchApplicationFactory
from frontdoor.events.models import Event, PitchApplication

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def october(frozen):
    """Events around the clock change, seen from 1 October 2026."""
    mk = PlaceFactory(name="MK Gallery", local_authority_code="E06000042")
    brum = PlaceFactory(name="Millennium Point", local_authority_code="E08000025")
    return {
        "talk": EventFactory(
            name="Evening talk",
            starts_at=at(2026, 10, 13, 17, 30),
            ends_at=at(2026, 10, 13, 19),
            venue=mk,
            sectors=["ai"],
        ),
        "late": EventFactory(
            # 23:30 BST on the 20th is 22:30 UTC: it belongs on the 20th, not the 21st.
            name="Late hack",
            starts_at=at(2026, 10, 20, 22, 30),
            ends_at=at(2026, 10, 20, 23),
            venue=brum,
            is_free=False,
            price="£5",
        ),
        "webinar": EventFactory(
            name="Webinar",
            starts_at=at(2026, 10, 27, 12),
            ends_at=at(2026, 10, 27, 13),
            online_url="https://meet.example/x",
        ),
        "festival": EventFactory(
            name="Three-day festival",
            all_day=True,
            starts_at=at(2026, 10, 30),
            ends_at=at(2026, 11, 1, 23, 59, 59),
        ),
    }


def names(response):
    return {e.name for e in response.context["events"]}


def test_month_view_places_events_on_local_days(client, october):
    response = client.get("/events/calendar/2026/10/")
    assert response.status_code == 200
    days = dict(response.context["days"])
    assert [e.name for e in days[datetime.date(2026, 10, 20)]] == ["Late hack"]
    assert days[datetime.date(2026, 10, 21)] == []
    # A multi-day event shows on each of its days in the month (and November's on theirs).
    assert [e.name for e in days[datetime.date(2026, 10, 31)]] == ["Three-day festival"]
    november = dict(client.get("/events/calendar/2026/11/").context["days"])
    assert [e.name for e in november[datetime.date(2026, 11, 1)]] == ["Three-day festival"]
    assert len(response.context["weeks"]) == 5  # 1 October 2026 is a Thursday
    html = response.content.decode()
    assert 'href="/events/calendar/2026/9/"' in html and 'href="/events/calendar/2026/11/"' in html


def test_day_and_week_views(client, october):
    assert names(client.get("/events/calendar/2026/10/20/")) == {"Late hack"}
    week = client.get("/events/calendar/2026/week/44/")  # 26 October to 1 November
    assert names(week) == {"Webinar", "Three-day festival"}
    assert "Week of 26 October 2026 to 1 November 2026" in week.content.decode()
    assert client.get("/events/calendar/").context["title"] == "October 2026"


def test_filters_apply_to_calendar_views_and_the_list(client, october):
    month = "/events/calendar/2026/10/"
    assert names(client.get(month + "?attendance=online")) == {"Webinar"}
    assert names(client.get(month + "?attendance=in_person")) == {"Evening talk", "Late hack"}
    assert names(client.get(month + "?area=E08000025")) == {"Late hack"}
    assert names(client.get(month + "?free=on&sector=ai")) == {"Evening talk"}
    listed = client.get("/events/?area=E06000042")
    assert [e.name for e in listed.context["object_list"]] == ["Evening talk"]
    assert client.get(month + "?area=nowhere").status_code == 400


def test_bad_dates_are_not_found(client, frozen):
    for path in ["2026/13/", "2026/2/30/", "2026/week/60/", "0/1/", "99999/1/"]:
        assert client.get(f"/events/calendar/{path}").status_code == 404, path


def test_past_events_are_browsable(client, october):
    with_past = client.get("/events/?when=past")
    assert with_past.status_code == 200
    assert "Browse past events" in client.get("/events/").content.decode()


def test_festival_programme_by_day_with_tracks_venues_and_organisers(client, frozen):
    festival = FestivalFactory(name="Milton Keynes Tech Week 2026")
    venue = PlaceFactory(name="The Ridgeway Centre")
    orgs = [OrganisationFactory(name="MK AI"), OrganisationFactory(name="Protospace")]
    first = EventFactory(
        name="Opening keynote",
        festival=festival,
        track="Main stage",
        venue=venue,
        starts_at=at(2026, 10, 12, 9),
        ends_at=at(2026, 10, 12, 10),
    )
    first.organisers.add(orgs[0])
    second = EventFactory(
        name="Maker workshop",
        festival=festival,
        track="Makers",
        starts_at=at(2026, 10, 13, 14),
        ends_at=at(2026, 10, 13, 16),
    )
    second.organisers.add(orgs[1])
    response = client.get(festival.get_absolute_url())
    assert response.status_code == 200
    programme = response.context["programme"]
    assert [(day, [e.name for e in events]) for day, events in programme] == [
        (datetime.date(2026, 10, 12), ["Opening keynote"]),
        (datetime.date(2026, 10, 13), ["Maker workshop"]),
    ]
    assert response.context["tracks"] == ["Main stage", "Makers"]
    assert [o.name for o in response.context["organisers"]] == ["MK AI", "Protospace"]
    makers = client.get(festival.get_absolute_url() + "?track=Makers")
    assert [e.name for _, events in makers.context["programme"] for e in events] == [
        "Maker workshop"
    ]
    html = response.content.decode()
    assert f"webcal://testserver/events.ics?festival={festival.slug}" in html
    assert festival.name in client.get("/festivals/").content.decode()
    assert festival.name in client.get(first.get_absolute_url()).content.decode()
    ics = client.get(f"/events.ics?festival={festival.slug}").content.decode()
    assert "Opening keynote" in ics and "Maker workshop" in ics


def test_founders_apply_to_pitch_and_investors_see_who_is_pitching(client, frozen):
    session = EventFactory(name="Pitch night", kind=Event.Kind.PITCH)
    page = client.get(session.get_absolute_url())
    assert "Apply to pitch" in page.content.decode()

    incomplete = client.post(f"/events/{session.slug}/pitch/", {"company_name": "Voltly"})
    assert incomplete.status_code == 400
    assert "This field is required." in incomplete.content.decode()

    data = {
        "company_name": "Voltly",
        "founder_name": "Sam Founder",
        "email": "sam@voltly.example",
        "pitch": "Charging points that councils can plan.",
        "stage": "Seed",
        "asking": "£500k",
        "website": "voltly.example",
        "consent": "on",
    }
    applied = client.post(f"/events/{session.slug}/pitch/", data)
    assert applied.status_code == 302 and applied["Location"].endswith("?applied=1#pitch")
    application = PitchApplication.objects.get()
    assert application.status == PitchApplication.Status.SUBMITTED
    # A website typed without its scheme is taken to be https.
    assert application.website == "https://voltly.example"
    # What they agreed to is kept in the words they ticked, which name all that is shown.
    assert application.consent == (
        "List our company name, website, pitch, stage and asking on this page if we are accepted"
    )
    # Not listed until the organisers accept it; then listed without the founder's email.
    assert "Voltly" not in client.get(session.get_absolute_url()).content.decode()
    application.status = PitchApplication.Status.ACCEPTED
    application.save()
    html = client.get(session.get_absolute_url()).content.decode()
    assert "Voltly" in html and "£500k" in html and "sam@voltly.example" not in html


def test_pitch_applications_only_for_upcoming_pitch_sessions(client, frozen):
    meetup = EventFactory(kind=Event.Kind.MEETUP)
    assert client.post(f"/events/{meetup.slug}/pitch/", {}).status_code == 404
    assert client.get(f"/events/{meetup.slug}/pitch/").status_code == 405
    done = PitchApplicationFactory(
        event__starts_at=at(2026, 9, 1, 18), event__ends_at=at(2026, 9, 1, 20)
    ).event
    response = client.post(f"/events/{done.slug}/pitch/", {"company_name": "Late"})
    assert response.status_code == 400 and "applications are closed" in response.content.decode()


@pytest.fixture
def many_events(frozen):
    venue = PlaceFactory(local_authority_code="E06000042")
    festival = FestivalFactory()
    for n in range(40):
        start = at(2026, 10, 1 + n % 28, 18)
        event = EventFactory(
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            venue=venue,
            sectors=["ai"],
            festival=festival,
            track=f"Track {n % 3}",
        )
        event.organisers.add(OrganisationFactory())
    return festival


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url", "pinned"),
    [
        ("/events/calendar/2026/10/", 3),  # branding, the events, sector choices
        ("/events/calendar/2026/week/42/", 3),
        ("/events/calendar/2026/10/14/", 3),
        ("/events.ics", 2),  # branding for the calendar's name, the events
        ("/events.atom", 2),
    ],
)
def test_calendar_pages_run_a_fixed_number_of_queries(client, many_events, url, pinned):
    assert count_queries(client, url) == pinned
    EventFactory(starts_at=at(2026, 10, 14, 9), ends_at=at(2026, 10, 14, 10))
    assert count_queries(client, url) == pinned


def test_festival_page_runs_a_fixed_number_of_queries(client, many_events):
    url = many_events.get_absolute_url()
    before = count_queries(client, url)
    EventFactory(festival=many_events).organisers.add(OrganisationFactory())
    assert count_queries(client, url) == before <= 6


CALENDAR_URLS = [
    "/events/calendar/",
    "/events/calendar/2026/10/",
    "/events/calendar/2026/week/42/",
    "/events/calendar/2026/10/14/",
    "/events.ics",
    "/events.atom",
    "/festivals/",
]
PARAMS = ["q", "kind", "sector", "free", "attendance", "area", "organiser", "festival", "when"]
junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    url=st.sampled_from(CALENDAR_URLS),
    params=st.lists(st.tuples(st.sampled_from(PARAMS) | junk, junk), max_size=6),
)
def test_fuzzed_query_strings_never_give_a_server_error(client, url, params):
    assert client.get(url, params).status_code in {200, 400, 404}, (url, params)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=80), url=st.sampled_from(CALENDAR_URLS))
def test_raw_bytes_in_the_query_string_never_give_a_server_error(client, raw, url):
    response = client.get(url, QUERY_STRING=quote_from_bytes(raw, safe="=&%+"))
    assert response.status_code in {200, 400, 404}, raw


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.text(alphabet="0123456789/week-", max_size=20))
def test_fuzzed_calendar_paths_never_give_a_server_error(client, path):
    assert client.get("/events/calendar/" + path).status_code in {200, 301, 404}, path
