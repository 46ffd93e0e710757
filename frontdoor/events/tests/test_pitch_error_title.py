"""A pitch application sent back with errors is titled "Error:", as other pages with errors are."""

import pytest
from django.urls import reverse

from frontdoor.core.tests.htmltree import parse
from frontdoor.events.factories import EventFactory
from frontdoor.events.models import Event

pytestmark = pytest.mark.django_db


def test_a_failed_application_titles_the_page_error(client):
    pitch = EventFactory(name="Pitch night", kind=Event.Kind.PITCH)
    response = client.post(reverse("events:pitch-apply", args=[pitch.slug]), {"email": "x"})
    assert response.status_code == 400
    assert parse(response.content.decode()).find("title").text().startswith("Error: Pitch night")
    page = parse(client.get(pitch.get_absolute_url()).content.decode())
    assert page.find("title").text().startswith("Pitch night")
