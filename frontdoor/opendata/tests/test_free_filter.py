"""The events API's "free" filter: a boolean, as the OpenAPI document declares, where false
in any spelling asks for every event, not only free ones."""

import pytest

from frontdoor.events.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("free", "expected"),
    [
        ("true", {"Free talk"}),
        ("1", {"Free talk"}),
        ("on", {"Free talk"}),
        ("false", {"Free talk", "Paid dinner"}),
        ("0", {"Free talk", "Paid dinner"}),
        ("no", {"Free talk", "Paid dinner"}),
    ],
)
def test_free_false_lists_every_event(client, free, expected):
    EventFactory(name="Free talk", is_free=True)
    EventFactory(name="Paid dinner", is_free=False, price="£40")
    body = client.get("/api/v1/events", {"free": free}).json()
    assert {event["name"] for event in body["results"]} == expected


def test_the_openapi_document_says_what_free_true_and_false_mean(client):
    schema = client.get("/api/v1/openapi.json").json()
    parameters = schema["paths"]["/api/v1/events"]["get"]["parameters"]
    free = next(p for p in parameters if p["name"] == "free")
    assert free["schema"]["type"] == "boolean"
    assert "false" in free["description"] and "lists all events" in free["description"]
