import datetime

import factory
from django.utils import timezone

from frontdoor.directory.factories import ListingFactory
from frontdoor.events.models import Event


class EventFactory(ListingFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Event {n}")
    kind = Event.Kind.MEETUP
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
