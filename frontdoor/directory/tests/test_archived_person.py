"""An archived person's page stays for reference, but no longer offers a way to reach them."""

import pytest

from frontdoor.core.models import PublicationState
from frontdoor.directory.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOINDEX = '<meta name="robots" content="noindex">'


def page_of(client, **kwargs):
    person = PersonFactory(
        name="Arlo Mentor",
        public_email="arlo@example.com",
        website="https://arlo.example.com/",
        **kwargs,
    )
    page = client.get(person.get_absolute_url())
    assert page.status_code == 200
    return page.content.decode()


def test_an_archived_persons_page_hides_contact_details_and_is_not_indexed(client):
    current = page_of(client)
    assert 'href="mailto:arlo@example.com"' in current
    assert 'href="https://arlo.example.com/"' in current
    assert NOINDEX not in current

    archived = page_of(client, slug="arlo-archived", state=PublicationState.ARCHIVED)
    assert "Arlo Mentor" in archived and "This listing is archived" in archived
    assert "arlo@example.com" not in archived
    assert "arlo.example.com" not in archived
    assert NOINDEX in archived
