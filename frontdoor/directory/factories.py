"""Factories for tests: published, valid records with believable values."""

import datetime

import factory
from django.utils import timezone
from django.utils.text import slugify

from frontdoor.core.models import PublicationState
from frontdoor.directory.models import Organisation, Person, Place, Programme, Role, Sector, Trial


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True
        skip_postgeneration_save = True

    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    summary = factory.Faker("sentence")
    state = PublicationState.PUBLISHED
    source = "test"
    last_verified = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))

    @factory.post_generation
    def sectors(self, create, slugs):
        if create and slugs:
            self.sectors.set(Sector.objects.filter(slug__in=slugs))


class OrganisationFactory(ListingFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Organisation {n}")
    kind = Organisation.Kind.STARTUP


class PlaceFactory(ListingFactory):
    class Meta:
        model = Place
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Place {n}")
    kind = Place.Kind.WORKSPACE


class ProgrammeFactory(ListingFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Programme {n}")
    kind = Programme.Kind.GRANT


class PersonFactory(ListingFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Sample Person {n}")
    consent_recorded_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def roles(self, create, slugs):
        if create and slugs:
            self.roles.set(Role.objects.filter(slug__in=slugs))


class TrialFactory(ListingFactory):
    class Meta:
        model = Trial
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Trial {n}")
