import datetime

import factory
from django.utils import timezone

from frontdoor.directory.factories import ListingFactory, OrganisationFactory
from frontdoor.events.models import Event, Feed, Festival, PitchApplication


class EventFactory(ListingFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Event {n}")
    kind = Event.Kind.MEETUP
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))


class FestivalFactory(ListingFactory):
    class Meta:
        model = Festival
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Tech Week {n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=4))


class FeedFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feed

    name = factory.Sequence(lambda n: f"Test Feed {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    url = factory.Sequence(lambda n: f"https://calendar.example/{n}.ics")


class PitchApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PitchApplication

    event = factory.SubFactory(EventFactory, kind=Event.Kind.PITCH)
    company_name = factory.Sequence(lambda n: f"Start-up {n}")
    founder_name = "A Founder"
    email = factory.Sequence(lambda n: f"founder{n}@startup.example")
    pitch = "Software that helps councils plan charging points."
