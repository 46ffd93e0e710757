"""The rules a single record must keep, in clean() and in the database."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from frontdoor.core.models import PublicationState, normalise_postcode
from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    ProgrammeFactory,
    TrialFactory,
)
from frontdoor.directory.models import Organisation, Person, Programme, normalise_company_number

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw, clean", [("mk93hs", "MK9 3HS"), (" mk3 6eb ", "MK3 6EB"), ("B11AA", "B1 1AA"), ("", "")]
)
def test_postcodes_are_normalised(raw, clean):
    assert normalise_postcode(raw) == clean


@pytest.mark.parametrize("raw", ["12345", "MK9", "not a postcode"])
def test_bad_postcodes_are_refused(raw):
    with pytest.raises(ValidationError):
        normalise_postcode(raw)


@pytest.mark.parametrize("raw, clean", [("1234567", "01234567"), ("sc123456", "SC123456")])
def test_company_numbers_are_normalised(raw, clean):
    assert normalise_company_number(raw) == clean


def test_bad_company_numbers_are_refused():
    with pytest.raises(ValidationError):
        normalise_company_number("123456789")


def test_company_number_is_unique_when_present():
    OrganisationFactory(company_number="01234567")
    OrganisationFactory(company_number="")
    OrganisationFactory(company_number="")  # blanks don't collide
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(company_number="01234567")


def test_source_id_is_unique_per_source():
    OrganisationFactory(source="feed", source_id="42")
    OrganisationFactory(source="other-feed", source_id="42")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(source="feed", source_id="42")


def test_social_links_must_be_web_addresses():
    org = Organisation(name="X", slug="x", kind="sme", social_links=["javascript:alert(1)"])
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "social_links" in error.value.message_dict


def test_person_cannot_be_published_without_consent():
    person = Person(name="Someone", slug="someone", state=PublicationState.PUBLISHED)
    with pytest.raises(ValidationError) as raised:
        person.full_clean()
    assert raised.value.messages == ["Record the person's consent before publishing their profile."]
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()


def test_people_without_consent_never_show():
    PersonFactory(name="Consented")
    Person.objects.create(name="Draft", slug="draft", consent_recorded_at=None)
    assert list(Person.objects.published().values_list("name", flat=True)) == ["Consented"]


def test_programme_ranges_are_checked_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeFactory(amount_min=5000, amount_max=100)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgrammeFactory(opens_on=datetime.date(2026, 5, 1), closes_on=datetime.date(2026, 4, 1))


def test_trial_dates_are_checked_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        TrialFactory(started_on=datetime.date(2025, 6, 1), ended_on=datetime.date(2020, 1, 1))
    TrialFactory(started_on=datetime.date(2025, 6, 1), ended_on=datetime.date(2025, 6, 1))


def test_codes_are_normalised_when_a_record_is_cleaned():
    org = Organisation(
        name="X", slug="x", kind="sme", company_number="sc 123456", postcode="sw1a  1aa"
    )
    org.full_clean()
    assert (org.company_number, org.postcode) == ("SC123456", "SW1A 1AA")
    org.company_number = 1234567  # as unquoted JSON data gives it
    org.full_clean()
    assert org.company_number == "01234567"


def test_programme_open_on():
    day = datetime.date(2026, 6, 1)
    ProgrammeFactory(name="Open", opens_on=datetime.date(2026, 1, 1), closes_on=day)
    ProgrammeFactory(name="Rolling")
    ProgrammeFactory(name="Closed", closes_on=datetime.date(2026, 5, 31))
    ProgrammeFactory(name="Not yet", opens_on=datetime.date(2026, 6, 2))
    names = set(Programme.objects.open_on(day).values_list("name", flat=True))
    assert names == {"Open", "Rolling"}


def test_founded_year_cannot_be_in_the_future():
    org = OrganisationFactory.build(founded_year=timezone.now().year + 1, slug="future")
    with pytest.raises(ValidationError):
        org.full_clean()
