"""Open Referral UK 3.0 (a profile of HSDS 3.0) under /openreferral/.

Programmes (funds, grants, accelerators, training, mentoring ...) are published as services,
their providers as organizations, sectors and stages as two taxonomies. HSDS wants UUIDs:
ours are derived from each kind and primary key (see hsds_id), so they are stable, need no
stored column, and read back to the record they came from.
"""

import datetime
import math
import uuid

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from frontdoor.core.geo import distance_km, postcode_lookup
from frontdoor.core.models import PublicationState, normalise_postcode
from frontdoor.core.text import plain_text
from frontdoor.directory.filters import ProgrammeFilterSet
from frontdoor.directory.models import Organisation, Place, Programme, Sector, Stage
from frontdoor.opendata.fields import absolute_url
from frontdoor.opendata.meta import OpenDataViewMixin

VERSION = "HSDS-UK-3.0"
PROFILE_URL = "https://openreferraluk.org/specifications/3.0"
OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
NAMESPACE = uuid.UUID("6f1d7a52-8a0e-4d6b-9c53-2f0b1c3e4a57")  # Frontdoor's own, fixed forever


def _prefix(kind):
    return uuid.uuid5(NAMESPACE, kind).hex[:20]


def hsds_id(kind, number):
    """A UUID for (kind, number): 20 hex digits naming the kind, 12 holding the number."""
    return str(uuid.UUID(_prefix(kind) + f"{number:012x}"))


def parse_hsds_id(kind, value):
    """The number inside an id made by hsds_id for this kind, or None for anything else."""
    try:
        hex_value = uuid.UUID(str(value)).hex
    except ValueError:
        return None
    if hex_value[:20] != _prefix(kind):
        return None
    return int(hex_value[20:], 16)


class BadQuery(Exception):
    """A query parameter Open Referral clients sent that we cannot use (answered with 400)."""


# The two taxonomies, numbered for hsds_id.
TAXONOMIES = {
    1: ("Frontdoor sectors", "Technology sectors the hub files listings under.", Sector, "sector"),
    2: ("Frontdoor stages", "Stages of a firm's growth, from idea to established.", Stage, "stage"),
}


def taxonomy(number, request):
    name, description, _, slug = TAXONOMIES[number]
    return {
        "id": hsds_id("taxonomy", number),
        "name": name,
        "description": description,
        "uri": absolute_url(request, reverse("opendata:oruk-taxonomies") + f"#{slug}"),
    }


def taxonomy_term(term, request):
    number = 1 if isinstance(term, Sector) else 2
    kind = TAXONOMIES[number][3]
    return {
        "id": hsds_id(f"term-{kind}", term.pk),
        "code": term.slug,
        "name": term.name,
        "description": term.description or term.name,
        "taxonomy_id": hsds_id("taxonomy", number),
        "taxonomy": taxonomy(number, request),
        "language": "en",
    }


def attribute(programme, term, request):
    kind = "sector" if isinstance(term, Sector) else "stage"
    return {
        "id": hsds_id(f"attribute-{kind}", (programme.pk << 20) | term.pk),
        "link_id": hsds_id("service", programme.pk),
        "link_type": kind,
        "link_entity": "service",
        "taxonomy_term_id": hsds_id(f"term-{kind}", term.pk),
        "taxonomy_term": taxonomy_term(term, request),
    }


def organization(org, request):
    data = {
        "id": hsds_id("organization", org.pk),
        "name": org.name,
        "description": plain_text(org.description) or org.summary or org.name,
        "website": org.website or None,
        "email": org.public_email or None,
        "year_incorporated": org.founded_year,
        "uri": absolute_url(request, org.get_absolute_url()),
        "organization_identifiers": [],
    }
    if org.company_number:
        data["organization_identifiers"].append(
            {
                "id": hsds_id("organization-identifier", org.pk),
                "organization_id": data["id"],
                "identifier_scheme": "GB-COH",
                "identifier_type": "Company number",
                "identifier": org.company_number,
            }
        )
    return _drop_empty(data)


def location(org, request):
    data = {
        "id": hsds_id("location", org.pk),
        "location_type": "physical",
        "organization_id": hsds_id("organization", org.pk),
        "name": org.name,
        "latitude": org.latitude,
        "longitude": org.longitude,
        "addresses": [],
    }
    if org.address or org.postcode:
        parts = [p.strip() for p in org.address.split(",") if p.strip()]
        data["addresses"].append(
            {
                "id": hsds_id("address", org.pk),
                "location_id": data["id"],
                "address_1": ", ".join(parts[:-1] if len(parts) > 1 else parts),
                "city": parts[-1] if len(parts) > 1 else "",
                "state_province": "",
                "postal_code": org.postcode,
                "country": "GB",
                "address_type": "physical",
            }
        )
    return _drop_empty(data)


def has_location(org):
    return bool(org and (org.address or org.postcode or org.latitude is not None))


def service_at_location(programme, request, distance=None):
    org = programme.provider
    data = {
        "id": hsds_id("service-at-location", programme.pk),
        "service_id": hsds_id("service", programme.pk),
        "location_id": hsds_id("location", org.pk),
        "location": location(org, request),
    }
    if distance is not None:
        data["distance"] = round(distance)  # metres from the postcode asked about
    return data


def service(programme, request, today):
    org = programme.provider if _published(programme.provider) else None
    stages = list(programme.stages.all())
    data = {
        "id": hsds_id("service", programme.pk),
        "organization_id": hsds_id("organization", org.pk) if org else None,
        "name": programme.name,
        "description": plain_text(programme.description) or programme.summary,
        "url": programme.apply_url or programme.website or None,
        "status": "active" if programme.is_open(today) else "inactive",
        "application_process": plain_text(programme.how_to_apply) or None,
        "eligibility_description": (
            "Stages: " + ", ".join(s.name for s in stages) if stages else "Any stage"
        ),
        "assured_date": programme.last_verified.isoformat() if programme.last_verified else None,
        "last_modified": programme.updated.isoformat(),
        "organization": organization(org, request) if org else None,
        "service_at_locations": (
            [service_at_location(programme, request)] if has_location(org) else []
        ),
        "attributes": [
            *(attribute(programme, s, request) for s in programme.sectors.all()),
            *(attribute(programme, s, request) for s in stages),
        ],
    }
    return _drop_empty(data, keep=("service_at_locations", "attributes"))


def _published(org):
    return org is not None and org.state == PublicationState.PUBLISHED


def _drop_empty(data, keep=()):
    # HSDS types its fields as plain strings and numbers: leave out what we don't know
    # rather than send null.
    return {k: v for k, v in data.items() if v is not None and (v != [] or k in keep)}


def programmes():
    return (
        Programme.objects.published()
        .select_related("provider")
        .prefetch_related("sectors", "stages")
        .order_by("name", "pk")
    )


def page_envelope(items, request, serialise):
    """HSDS's page: total_items, total_pages, page_number, size, first/last/empty, contents."""
    page, size = (
        _int(request, "page", 1, 1, None),
        _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )
    total = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    total_pages = math.ceil(total / size)
    # Past the end, don't ask the database: a huge page number would overflow its OFFSET.
    chosen = list(items[(page - 1) * size : page * size]) if page <= total_pages else []
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(chosen),  # HSDS: the number of entities on this page, not per_page
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not chosen,
        "contents": [serialise(item) for item in chosen],
    }


def _int(request, name, default, low, high):
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"{name} must be a whole number.") from None
    if value < low or (high is not None and value > high):
        raise BadQuery(f"{name} must be between {low} and {high or 'any'}.")
    return value


def _uuid_param(request, name, kinds):
    """(kind, number) for an id parameter naming one of kinds; BadQuery if it names none."""
    raw = request.GET.get(name)
    if not raw:
        return None
    for kind in kinds:
        number = parse_hsds_id(kind, raw)
        if number is not None:
            return kind, number
    raise BadQuery(f"{name} is not an id this service published.")


def _position(org):
    """Where a provider is: its own coordinates, else its postcode's."""
    if org.latitude is not None:
        return org.latitude, org.longitude
    found = postcode_lookup(org.postcode) if org.postcode else None
    return (found.latitude, found.longitude) if found else None


def resolve_postcode(postcode):
    """(latitude, longitude) for a postcode, or None.

    The ONS Postcode Directory (core/geo.py, falling back to the postcode district's centre);
    then, for postcodes it doesn't know, our own published listings with that postcode and
    coordinates (a draft's would tell where it is).
    """
    found = postcode_lookup(postcode)
    if found is not None:
        return found.latitude, found.longitude
    for model in (Organisation, Place):
        hit = (
            model.objects.published()
            .filter(postcode=postcode, latitude__isnull=False)
            .values_list("latitude", "longitude")
            .first()
        )
        if hit:
            return hit
    return None


def metres_between(a, b):
    """Distance in metres between two (latitude, longitude) pairs."""
    return distance_km(*a, *b) * 1000


class OrukView(OpenDataViewMixin, APIView):
    """Base for the Open Referral endpoints: JSON, open CORS, rate limited, 400 on bad input."""

    def handle_exception(self, exc):
        if isinstance(exc, BadQuery):
            return Response({"detail": str(exc)}, status=400)
        return super().handle_exception(exc)


@extend_schema(exclude=True)
class Root(OrukView):
    """The required root: which profile this is and where its OpenAPI description lives."""

    def get(self, request):
        return Response({"version": VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


@extend_schema(exclude=True)
class Services(OrukView):
    """Programmes as services, with search, taxonomy, organization and modified filters."""

    def get(self, request):
        queryset = filter_services(programmes(), request)
        today = timezone.localdate()
        return Response(page_envelope(queryset, request, lambda p: service(p, request, today)))


def filter_services(queryset, request):
    """The HSDS filters /services and /service_at_locations share."""
    queryset = _search(queryset, request)
    queryset = filter_by_terms(queryset, request, {"sector": "sectors", "stage": "stages"})
    org = _uuid_param(request, "organization_id", ("organization",))
    if org:
        # Only a published provider: a draft's id must match nothing, as if unknown.
        queryset = queryset.filter(provider_id=org[1], provider__state=PublicationState.PUBLISHED)
    modified = request.GET.get("modified_after")
    if modified:
        queryset = queryset.filter(updated__gte=_moment(modified))  # HSDS: "on or after"
    return queryset


def filter_by_terms(queryset, request, fields):
    """taxonomy_term_id (filed under that term; for a programme's stage, open to it) and
    taxonomy_id (under any of its terms).

    fields names the records' field for each taxonomy, as {"sector": ..., "stage": ...}.
    """
    model = queryset.model
    term = _uuid_param(request, "taxonomy_term_id", ("term-sector", "term-stage"))
    if term:
        taxonomy_name = term[0].removeprefix("term-")
        if model is Programme and taxonomy_name == "stage":
            queryset = programmes_for_stage(queryset, term[1])
        else:
            field = fields[taxonomy_name]
            queryset = queryset.filter(pk__in=model.objects.filter(**{field: term[1]}).values("pk"))
    tax = _uuid_param(request, "taxonomy_id", ("taxonomy",))
    if tax:
        if tax[1] not in TAXONOMIES:
            raise BadQuery("taxonomy_id is not an id this service published.")
        field = fields[TAXONOMIES[tax[1]][3]]
        queryset = queryset.filter(
            pk__in=model.objects.filter(**{f"{field}__isnull": False}).values("pk")
        )
    return queryset


def programmes_for_stage(queryset, stage_pk):
    """Programmes a firm at this stage can apply to, by the programmes page's own filter: a
    programme that names no stage is open to any stage, so it suits every one."""
    stage = Stage.objects.filter(pk=stage_pk).first()
    if stage is None:
        return queryset.none()
    return ProgrammeFilterSet({"stage": [stage.slug]}, queryset=queryset).qs


def _search(queryset, request):
    search = request.GET.get("search", "").strip()
    return queryset.matching(search) if search else queryset


def _moment(value):
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = day and datetime.datetime.combine(day, datetime.time())
    except ValueError:
        moment = None
    if moment is None:
        raise BadQuery("modified_after must be an ISO 8601 date or date-time.")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        moment.astimezone(datetime.UTC)  # as the database will: years 1 and 9999 overflow
    except OverflowError:
        raise BadQuery("modified_after is out of range.") from None
    return moment


@extend_schema(exclude=True)
class ServiceDetail(OrukView):
    """One service, fully nested: organization, locations with addresses, taxonomy terms."""

    def get(self, request, id):
        number = parse_hsds_id("service", id)
        programme = get_object_or_404(programmes(), pk=number if number is not None else -1)
        return Response(service(programme, request, timezone.localdate()))


@extend_schema(exclude=True)
class Organizations(OrukView):
    """Published organisations, with search and taxonomy filters."""

    def get(self, request):
        queryset = _search(Organisation.objects.published().order_by("name", "pk"), request)
        queryset = filter_by_terms(queryset, request, {"sector": "sectors", "stage": "stage"})
        return Response(page_envelope(queryset, request, lambda o: organization(o, request)))


@extend_schema(exclude=True)
class Taxonomies(OrukView):
    """The two taxonomies: sectors and stages."""

    def get(self, request):
        return Response(
            page_envelope(list(TAXONOMIES), request, lambda number: taxonomy(number, request))
        )


@extend_schema(exclude=True)
class TaxonomyTerms(OrukView):
    """Sectors and stages, by taxonomy or search; both are flat, so every term is a top term."""

    def get(self, request):
        tax = _uuid_param(request, "taxonomy_id", ("taxonomy",))
        parent = request.GET.get("parent_id")
        search = request.GET.get("search", "").strip()
        terms = []
        if not parent:  # flat taxonomies: no term has a parent
            for number, (_, _, model, _) in TAXONOMIES.items():
                if tax is None or tax[1] == number:
                    found = model.objects.all()
                    if search:
                        found = found.filter(
                            Q(name__icontains=search) | Q(description__icontains=search)
                        )
                    terms += list(found)
        return Response(page_envelope(terms, request, lambda t: taxonomy_term(t, request)))


@extend_schema(exclude=True)
class ServiceAtLocations(OrukView):
    """Services at their providers' addresses, filtered as /services are; with postcode,
    nearest first within proximity."""

    def get(self, request):
        # Before the postcode: a bad id answers 400 with or without one.
        queryset = filter_services(programmes(), request).filter(
            Q(provider__state=PublicationState.PUBLISHED)
            & (
                ~Q(provider__address="")
                | ~Q(provider__postcode="")
                | Q(provider__latitude__isnull=False)
            )
        )
        raw_postcode = request.GET.get("postcode", "")
        proximity = request.GET.get("proximity")
        if not raw_postcode:
            if proximity:
                raise BadQuery("proximity needs a postcode to measure from.")
            return Response(
                page_envelope(queryset, request, lambda p: service_at_location(p, request))
            )
        try:
            postcode = normalise_postcode(raw_postcode)
        except ValidationError:
            raise BadQuery("postcode is not a UK postcode.") from None
        origin = resolve_postcode(postcode)
        if origin is None:
            raise BadQuery(f"We don't know where {postcode} is.")
        limit = None
        if proximity:
            try:
                limit = float(proximity)
            except ValueError:
                raise BadQuery("proximity must be a distance in metres.") from None
            if not math.isfinite(limit) or limit < 0:
                raise BadQuery("proximity must be a distance in metres.")
        placed, unplaced = [], []
        for programme in queryset:
            where = _position(programme.provider)
            if where is None:
                unplaced.append((None, programme))
            else:
                placed.append((metres_between(origin, where), programme))
        ranked = sorted(placed, key=lambda pair: (pair[0], pair[1].name, pair[1].pk))
        if limit is not None:
            ranked = [pair for pair in ranked if pair[0] <= limit]
        else:
            # Nowhere to measure from: listed last, without a distance, rather than lost.
            ranked += sorted(unplaced, key=lambda pair: (pair[1].name, pair[1].pk))
        return Response(
            page_envelope(
                ranked, request, lambda pair: service_at_location(pair[1], request, pair[0])
            )
        )
