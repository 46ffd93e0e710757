"""The events list with bad filters on a later page, what "free=false" and its spellings
mean on the page and in the feeds, a "free" that is neither yes nor no, and Atom feeds that
don't share one request's state."""

import html
import xml.etree.ElementTree as ET

import icalendar
import pytest

from frontdoor.events import feeds
from frontdoor.events.factories import EventFactory

pytestmark = pytest.mark.django_db
ATOM = {"a": "http://www.w3.org/2005/Atom"}


def test_bad_filters_on_a_later_page_get_the_same_400_page(client, frozen):
    EventFactory.create_batch(25)
    first = client.get("/events/", {"kind": "zz", "per_page": 10})
    later = client.get("/events/", {"kind": "zz", "per_page": 10, "page": 2})
    assert first.status_code == later.status_code == 400
    assert "zz" in later.content.decode()
    assert later.context["filterset"].errors == first.context["filterset"].errors


def listed(client, url, free):
    """The names of the events `url` gives for ?free=<free>, from the page or a feed."""
    response = client.get(url, {"free": free})
    assert response.status_code == 200, (url, free)
    if url.endswith(".ics"):
        calendar = icalendar.Calendar.from_ical(response.content)
        return {str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT")}
    if url.endswith(".atom"):
        feed = ET.fromstring(response.content)
        return {title.text.split(" (")[0] for title in feed.findall("a:entry/a:title", ATOM)}
    return {event.name for event in response.context["page_obj"].object_list}


@pytest.mark.parametrize("url", ["/events/", "/events.ics", "/events.atom"])
@pytest.mark.parametrize(
    ("free", "expected"),
    [
        *[(value, {"Free talk"}) for value in ("on", "true", "True", "1", "yes")],
        *[(value, {"Free talk", "Paid dinner"}) for value in ("false", "False", "0", "no", "off")],
    ],
)
def test_free_is_a_yes_or_no_and_no_means_every_event(client, frozen, url, free, expected):
    # A ticked box sends "on", an API client a boolean ("true"/"false", or "1"/"0"): "no"
    # in any spelling asks for nothing, as an unticked box does, never for free events only.
    EventFactory(name="Free talk", is_free=True)
    EventFactory(name="Paid dinner", is_free=False, price="£40")
    assert listed(client, url, free) == expected


@pytest.mark.parametrize(
    "url", ["/events/", "/events/calendar/", "/events.ics", "/events.atom", "/api/v1/events"]
)
@pytest.mark.parametrize("free", ["maybe", "2", "nope"])
def test_free_that_is_neither_yes_nor_no_is_a_bad_filter(client, frozen, url, free):
    # Read as "no", ?free=maybe listed paid events too, and a subscription with the typo
    # never said why: like ?kind=zz, it is a 400 naming the filter and the value.
    EventFactory(name="Paid dinner", is_free=False, price="£40")
    response = client.get(url, {"free": free})
    assert response.status_code == 400
    reason = f"“{free}” is not a yes or no: use true or false (or 1/0, yes/no, on/off)."
    if url.startswith("/api/"):
        assert response.json()["errors"] == {"free": [reason]}
    elif url.endswith("/"):
        page = html.unescape(response.content.decode())
        assert f"<li>Free only: {reason}</li>" in page and "Paid dinner" not in page
        # The form shown with the error leaves the box unticked: "maybe" is not a yes.
        box = str(response.context["filterset"].form["free"])
        assert "checked" not in box
        # Ticked and applied, it sends a yes, not the same unreadable value again.
        assert "value=" not in box
    else:
        assert response.content.decode().endswith(f"free: {reason}")


def test_concurrent_atom_requests_keep_their_own_host(client, frozen, settings, monkeypatch):
    # Waitress serves each request in a thread; one that is part way through must not pick
    # up the next one's request (the entry ids are on the request's host when no site URL).
    settings.FRONTDOOR_SITE_URL = ""
    settings.ALLOWED_HOSTS = ["first.example", "second.example"]
    event = EventFactory(name="Web talk")
    get_object = feeds.NewEventsAtom.get_object
    other = {}

    def another_request_arrives(self, request):
        # The second request runs start to finish while the first is between its steps.
        if request.get_host() == "first.example" and not other:
            other["response"] = client.get("/events.atom", headers={"host": "second.example"})
        return get_object(self, request)

    monkeypatch.setattr(feeds.NewEventsAtom, "get_object", another_request_arrives)
    first = client.get("/events.atom", headers={"host": "first.example"})
    for response, host in [(first, "first.example"), (other["response"], "second.example")]:
        entry_id = ET.fromstring(response.content).find("a:entry/a:id", ATOM).text
        assert entry_id == f"tag:{host},2026:event-{event.pk}"
