"""Records for the open-data tests: a little of every kind, and people with and without consent."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    ProgrammeFactory,
    TrialFactory,
)
from frontdoor.directory.models import Stage
from frontdoor.events.factories import EventFactory

# A person who never agreed to be listed: none of this may ever leave the site.
SECRET_NAME = "Nadia Unlisted"
SECRET_EMAIL = "nadia.unlisted@example.org"
SECRET_HEADLINE = "Private headline 7f3a"
# A person who agreed to a public listing, but whose email stays off bulk open data.
LISTED_NAME = "Lena Listed"
LISTED_EMAIL = "lena.listed@example.org"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # The throttle counts in the cache; each test starts with a clean count.
    cache.clear()
    yield
    cache.clear()


# Coordinates are the ONS Postcode Directory's for these postcodes, so proximity tests give
# the same answers whether a postcode is resolved by core/geo.py or from our own records.
@pytest.fixture
def records(db):
    """A small published ecosystem, plus drafts and unconsented people that must stay hidden."""
    org = OrganisationFactory(
        name="Protospace Labs",
        sectors=["ai"],
        company_number="01234567",
        public_email="hello@protospace.example",
        address="Kents Hill Park, Milton Keynes",
        postcode="MK7 6BZ",
        latitude=52.030166,
        longitude=-0.702424,
        description='=HYPERLINK("http://evil.example","click") makes spreadsheets run code',
    )
    other = OrganisationFactory(
        name="Fintech Partners",
        sectors=["fintech"],
        postcode="MK9 3HS",
        latitude=52.038943,
        longitude=-0.755881,
        address="1 Midsummer Boulevard, Milton Keynes",
    )
    draft = OrganisationFactory(name="Secret Draft Org", state=PublicationState.DRAFT)
    place = PlaceFactory(
        name="Kents Hill Hub",
        operator=org,
        sectors=["ai"],
        address="Kents Hill Park",
        postcode="MK7 6BZ",
        latitude=52.030166,
        longitude=-0.702424,
        capacity=80,
    )
    grant = ProgrammeFactory(
        name="AI Seed Grant",
        provider=org,
        sectors=["ai"],
        amount_min=1000,
        amount_max=5000,
        apply_url="https://apply.example/ai",
        how_to_apply="<p>Fill in the form.</p>",
    )
    grant.stages.set([Stage.objects.get(slug="seed")])
    ProgrammeFactory(
        name="Fintech Mentoring", provider=other, sectors=["fintech"], kind="mentoring"
    )
    ProgrammeFactory(name="Drafted Fund", provider=draft)
    event = EventFactory(
        name="AI Meetup </script><script>alert(1)</script>",
        venue=place,
        sectors=["ai"],
        online_url="https://meet.example/ai",
        is_free=False,
        price="£5",
        ticket_url="https://tickets.example/ai",
    )
    event.organisers.set([org, draft])
    EventFactory(
        name="Past Fintech Social",
        sectors=["fintech"],
        starts_at=timezone.now() - datetime.timedelta(days=30),
        ends_at=timezone.now() - datetime.timedelta(days=30, hours=-2),
    )
    TrialFactory(name="Autonomous Pods", lead=org, test_bed=place, sectors=["ai"])
    listed = PersonFactory(
        name=LISTED_NAME,
        public_email=LISTED_EMAIL,
        organisation=org,
        sectors=["ai"],
        roles=["mentor"],
    )
    PersonFactory(
        name=SECRET_NAME,
        public_email=SECRET_EMAIL,
        headline=SECRET_HEADLINE,
        organisation=org,
        state=PublicationState.DRAFT,
        consent_recorded_at=None,
        sectors=["ai"],
    )
    PersonFactory(
        name="Archived Unconsented",
        state=PublicationState.ARCHIVED,
        consent_recorded_at=None,
        public_email="archived.unconsented@example.org",
    )
    return {
        "org": org,
        "other": other,
        "draft": draft,
        "place": place,
        "grant": grant,
        "event": event,
        "listed": listed,
    }
