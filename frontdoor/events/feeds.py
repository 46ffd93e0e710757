"""Events out: iCalendar (RFC 5545) for subscriptions and Atom for "what's new"."""

import datetime
import html
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.contrib.syndication.views import Feed as SyndicationFeed
from django.http import HttpResponse
from django.http.request import split_domain_port
from django.utils.feedgenerator import Atom1Feed

from frontdoor.core.text import plain_text, printable

PRODID = "-//Frontdoor//Frontdoor events//EN"
STATUS = {"scheduled": "CONFIRMED", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}


def calendar(events, *, name, build_absolute_uri, description=""):
    """An iCalendar document for these events, with the VTIMEZONEs their times use."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # X- properties are written as given, unescaped: keep them to one plain line.
    cal.add("x-wr-calname", " ".join(name.split())[:120])
    if description:
        cal.add("x-wr-caldesc", " ".join(description.split())[:300])
    # Clients poll subscriptions at this interval when they honour it (Apple, Outlook).
    cal.add("refresh-interval", datetime.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    days = []
    for event in events:
        cal.add_component(vevent(event, build_absolute_uri))
        days += [event.starts_at.date(), event.ends_at.date()]
    if days:
        # Each zone's rules over the events' own years (by default only 1970 to 2038, and a
        # client that reads the VTIMEZONE would put a 2040 summer event at GMT).
        day = datetime.timedelta(days=1)
        cal.add_missing_timezones(first_date=min(days) - day, last_date=max(days) + day)
    return cal.to_ical()


def vevent(event, build_absolute_uri):
    """One event as a VEVENT: stable UID, SEQUENCE, and STATUS kept when cancelled."""
    component = icalendar.Event()
    component.add("uid", event.ical_uid)
    component.add("dtstamp", event.updated.astimezone(datetime.UTC))
    component.add("created", event.created.astimezone(datetime.UTC))
    component.add("last-modified", event.updated.astimezone(datetime.UTC))
    component.add("sequence", event.sequence)
    component.add("summary", event.name)
    if event.all_day:
        component.add("dtstart", event.local_start.date())
        component.add("dtend", event.last_day + datetime.timedelta(days=1))
    else:
        component.add("dtstart", _unambiguous(event.local_start))
        component.add("dtend", _unambiguous(event.local_end))
    url = build_absolute_uri(event.get_absolute_url())
    component.add("url", url)
    text = plain_text(event.description) or event.summary
    component.add("description", f"{text}\n\n{url}".strip())
    if event.location_line:
        component.add("location", event.location_line)
    component.add("status", STATUS.get(event.status, "CONFIRMED"))
    component.add("categories", [event.get_kind_display()])
    component.add("transp", "TRANSPARENT")  # a listing, not a meeting: don't block time
    return component


def _unambiguous(local):
    """Local time with its zone, or UTC in the hour the clocks go back.

    1:30 on the night the clocks go back happens twice, and RFC 5545 (3.3.5) reads such a
    time as the first one: the second can only be written in UTC.
    """
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return local.astimezone(datetime.UTC)
    return local


class NewEventsAtom(SyndicationFeed):
    """Atom feed of the newest events, with the list page's filters.

    Keeps the request it answers: make one per request, never share one between threads.
    """

    feed_type = Atom1Feed
    limit = 50

    def __call__(self, request, *args, **kwargs):
        from frontdoor.core.models import Branding

        self.request = request
        # Forms refuse control characters, but text stored before must not break the feed
        # (XML 1.0 cannot hold them): hence printable() here and in the items.
        self.site_name = printable(Branding.current().site_name)
        filterset = self._filters(request)
        if not filterset.is_valid():
            # As for the calendar: a subscription with a typo must not stay empty for ever.
            return HttpResponse(filterset.errors_text(), status=400, content_type="text/plain")
        return super().__call__(request, *args, **kwargs)

    def _filters(self, request):
        from frontdoor.events.filters import EventFilterSet
        from frontdoor.events.models import Event

        queryset = Event.objects.published().select_related("venue")
        return EventFilterSet(request.GET, queryset=queryset, request=request)

    def get_object(self, request):
        return self._filters(request).qs.order_by("-created", "-pk")

    def title(self, obj):
        return f"New events on {self.site_name}"

    def link(self, obj):
        return "/events/"

    def subtitle(self, obj):
        return "Events as they are added to the shared calendar."

    def items(self, obj):
        return obj[: self.limit]

    def item_title(self, item):
        prefix = "Cancelled: " if item.is_cancelled else ""
        first_day, _ = item.calendar_days()  # the day every page gives
        return f"{prefix}{printable(item.name)} ({first_day:%a %d %b %Y})"

    def author_name(self):
        return self.site_name

    def item_description(self, item):
        # Django's Atom feed declares the summary as HTML; this is text, so escape it.
        return html.escape(printable(item.summary or plain_text(item.description)[:300]))

    def item_pubdate(self, item):
        return item.created

    def item_updateddate(self, item):
        return item.updated

    def item_guid(self, item):
        # An Atom id must be an IRI that never changes: a tag URI (RFC 4151) on the site's
        # published domain (else the request's), with the event's number.
        site = urlsplit(settings.FRONTDOOR_SITE_URL).hostname
        domain = site or split_domain_port(self.request.get_host())[0]
        return f"tag:{domain},2026:event-{item.pk}"

    item_guid_is_permalink = False
