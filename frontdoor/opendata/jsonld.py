"""schema.org JSON-LD for the detail pages of organisations, places, programmes and events.

Only public fields go in; people are never described here (an organisation's JSON-LD names
no members). Rendered into each page's <head> by the {% jsonld %} tag.
"""

import json

from django.utils.safestring import mark_safe

from frontdoor.core.models import PublicationState
from frontdoor.core.text import plain_text
from frontdoor.opendata.fields import absolute_url

# Inside <script>, "</" could close the tag early and "<!--" open a comment: JSON allows
# these characters escaped, so the data reads the same and the HTML parser sees no markup.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
_SCRIPT_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


def script_tag(data):
    """A <script type="application/ld+json"> element that is safe whatever the data holds."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above


def _clean(data):
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}


def postal_address(located):
    if not (located.address or located.postcode):
        return None
    return _clean(
        {
            "@type": "PostalAddress",
            "streetAddress": located.address,
            "postalCode": located.postcode,
            "addressCountry": "GB",
        }
    )


def geo(located):
    if located.latitude is None:
        return None
    return {"@type": "GeoCoordinates", "latitude": located.latitude, "longitude": located.longitude}


def _public(related):
    return related is not None and related.state == PublicationState.PUBLISHED


def organisation_ref(org, request):
    return _clean(
        {
            "@type": "Organization",
            "@id": absolute_url(request, org.get_absolute_url()) + "#organization",
            "name": org.name,
            "url": org.website or absolute_url(request, org.get_absolute_url()),
        }
    )


def organisation(org, request):
    page = absolute_url(request, org.get_absolute_url())
    return _clean(
        {
            "@context": "https://schema.org",
            "@type": "Organization",
            "@id": page + "#organization",
            "name": org.name,
            "description": org.summary or plain_text(org.description)[:300],
            "url": org.website or page,
            "mainEntityOfPage": page,
            "email": org.public_email,
            "address": postal_address(org),
            "location": _clean({"@type": "Place", "geo": geo(org)}) if org.latitude else None,
            "sameAs": list(org.social_links or []),
            "foundingDate": str(org.founded_year) if org.founded_year else None,
            "identifier": (
                {"@type": "PropertyValue", "propertyID": "GB-COH", "value": org.company_number}
                if org.company_number
                else None
            ),
            "knowsAbout": [s.name for s in org.sectors.all()],
        }
    )


def place_node(place, request):
    page = absolute_url(request, place.get_absolute_url())
    return _clean(
        {
            "@type": "Place",
            "@id": page + "#place",
            "name": place.name,
            "url": page,
            "address": postal_address(place),
            "geo": geo(place),
        }
    )


def place(place, request):
    page = absolute_url(request, place.get_absolute_url())
    return _clean(
        {
            "@context": "https://schema.org",
            **place_node(place, request),
            "description": place.summary or plain_text(place.description)[:300],
            "sameAs": [place.website] if place.website else None,
            "maximumAttendeeCapacity": place.capacity,
            "mainEntityOfPage": page,
            "additionalProperty": (
                {
                    "@type": "PropertyValue",
                    "name": "Accessibility",
                    "value": place.accessibility_notes,
                }
                if place.accessibility_notes
                else None
            ),
        }
    )


def programme(programme, request):
    page = absolute_url(request, programme.get_absolute_url())
    offers = None
    if programme.amount_min or programme.amount_max:
        offers = _clean(
            {
                "@type": "Offer",
                "priceSpecification": _clean(
                    {
                        "@type": "PriceSpecification",
                        "priceCurrency": "GBP",
                        "minPrice": programme.amount_min,
                        "maxPrice": programme.amount_max,
                    }
                ),
                "validFrom": programme.opens_on.isoformat() if programme.opens_on else None,
                "validThrough": programme.closes_on.isoformat() if programme.closes_on else None,
                "url": programme.apply_url or None,
            }
        )
    return _clean(
        {
            "@context": "https://schema.org",
            "@type": "Service",
            "@id": page + "#service",
            "name": programme.name,
            "serviceType": programme.get_kind_display(),
            "description": programme.summary or plain_text(programme.description)[:300],
            "url": programme.website or page,
            "mainEntityOfPage": page,
            "provider": (
                organisation_ref(programme.provider, request)
                if _public(programme.provider)
                else None
            ),
            "audience": _clean(
                {
                    "@type": "BusinessAudience",
                    "audienceType": ", ".join(s.name for s in programme.stages.all()),
                }
            )
            if programme.stages.all()
            else None,
            "offers": offers,
            "potentialAction": (
                {"@type": "ApplyAction", "target": programme.apply_url}
                if programme.apply_url
                else None
            ),
        }
    )


EVENT_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "postponed": "https://schema.org/EventPostponed",
    "cancelled": "https://schema.org/EventCancelled",
}


def event(event, request):
    page = absolute_url(request, event.get_absolute_url())
    venue = event.venue if _public(event.venue) else None
    locations = []
    if venue:
        locations.append(place_node(venue, request))
    elif event.location_text:
        # Feed imports name a place no venue matches; search engines take a text address.
        text = event.location_text
        locations.append({"@type": "Place", "name": text, "address": text})
    in_person = bool(locations)
    if event.online_url:
        locations.append({"@type": "VirtualLocation", "url": event.online_url})
    if in_person and event.online_url:
        mode = "https://schema.org/MixedEventAttendanceMode"
    elif event.online_url:
        mode = "https://schema.org/OnlineEventAttendanceMode"
    else:
        mode = "https://schema.org/OfflineEventAttendanceMode"
    if event.all_day:
        # An end at midnight closes the day before, as on the page and in the .ics.
        start, end = event.local_start.date().isoformat(), event.last_day.isoformat()
    else:
        start, end = event.local_start.isoformat(), event.local_end.isoformat()
    offer = _clean(
        {
            "@type": "Offer",
            "url": event.ticket_url or page,
            "price": "0" if event.is_free else None,
            "priceCurrency": "GBP" if event.is_free else None,
            "description": None if event.is_free else event.price,
            "isAccessibleForFree": event.is_free,
            "availability": "https://schema.org/InStock" if not event.is_cancelled else None,
        }
    )
    return _clean(
        {
            "@context": "https://schema.org",
            "@type": "Event",
            "@id": page + "#event",
            "name": event.name,
            "description": event.summary or plain_text(event.description)[:300],
            "url": page,
            "startDate": start,
            "endDate": end,
            "eventStatus": EVENT_STATUS.get(event.status, EVENT_STATUS["scheduled"]),
            "eventAttendanceMode": mode,
            "location": locations[0] if len(locations) == 1 else locations or None,
            "organizer": [
                organisation_ref(o, request) for o in event.organisers.all() if _public(o)
            ],
            "isAccessibleForFree": event.is_free,
            "offers": offer,
            "sameAs": [event.website] if event.website else None,
        }
    )


BUILDERS = {
    "organisation": organisation,
    "place": place,
    "programme": programme,
    "event": event,
}


def for_object(obj, request):
    """The JSON-LD for a record, or None for kinds that have none (people, trials)."""
    builder = BUILDERS.get(obj._meta.model_name)
    return builder(obj, request) if builder else None
