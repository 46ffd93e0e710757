"""Paging through the directory lists: records that share a name each appear exactly once,
and bad filters give the same 400 page on any page number."""

import pytest

from frontdoor.directory.factories import (
    OrganisationFactory,
    PersonFactory,
    PlaceFactory,
    ProgrammeFactory,
    TrialFactory,
)

pytestmark = pytest.mark.django_db

LISTS = [
    (OrganisationFactory, "/organisations/"),
    (PlaceFactory, "/places/"),
    (ProgrammeFactory, "/programmes/"),
    (PersonFactory, "/people/"),
    (TrialFactory, "/trials/"),
]


@pytest.mark.parametrize(("factory", "url"), LISTS)
def test_records_sharing_a_name_each_appear_on_exactly_one_page(client, factory, url):
    # Names repeat (branches, namesakes): ordered by name alone, PostgreSQL may return ties
    # in a different order for each page, so a record shows twice and another never.
    records = [factory(name="Same Name", slug=f"same-name-{n}") for n in range(25)]
    seen = []
    for number in (1, 2, 3):
        response = client.get(url, {"page": number, "per_page": 10})
        page = response.context["page_obj"]
        seen += [record.pk for record in page.object_list]
        # The order paged through must be total (ending with the unique pk), so that every
        # database gives each page the same rows whatever its sort does with ties.
        ordering = page.object_list.query.order_by or factory._meta.model._meta.ordering
        assert ordering[-1] in ("pk", "-pk")
    assert sorted(seen) == sorted(record.pk for record in records)


@pytest.mark.parametrize(("factory", "url"), LISTS)
def test_bad_filters_on_a_later_page_get_the_same_400_page(client, factory, url):
    factory.create_batch(25)
    first = client.get(url, {"sector": "no-such-sector", "per_page": 10})
    later = client.get(url, {"sector": "no-such-sector", "per_page": 10, "page": 2})
    assert first.status_code == later.status_code == 400
    assert "no-such-sector" in later.content.decode()
    assert later.context["filterset"].errors == first.context["filterset"].errors
