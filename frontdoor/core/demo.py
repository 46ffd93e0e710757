"""Load the Milton Keynes demo data in data/demo.json, idempotently, as published records."""

import datetime
import json
import zoneinfo
from pathlib import Path

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from frontdoor.core.models import PublicationState
from frontdoor.directory.models import (
    Organisation,
    Person,
    Place,
    Programme,
    Trial,
)
from frontdoor.directory.taxonomy import by_starting_slug, taxonomy_seed
from frontdoor.events.models import Event

DATA_PATH = Path(__file__).parent / "data" / "demo.json"
SOURCE = "demo"
LONDON = zoneinfo.ZoneInfo("Europe/London")

# In load order, so every relation points at something already loaded:
# (key in the file, model, {foreign key: namespace}, {many-to-many: namespace}).
PLAN = [
    ("organisations", Organisation, {"stage": "stages"}, {}),
    ("places", Place, {"operator": "organisations"}, {}),
    ("programmes", Programme, {"provider": "organisations"}, {"stages": "stages"}),
    (
        "trials",
        Trial,
        {"lead": "organisations", "test_bed": "places"},
        {"partners": "organisations"},
    ),
    ("people", Person, {"organisation": "organisations"}, {"roles": "roles"}),
    ("events", Event, {"venue": "places"}, {"organisers": "organisations"}),
]
# Keys the loader turns into field values itself; any other key must name a plain model field.
COMMON_KEYS = {"id", "sources", "last_verified", "description", "sectors"}
SPECIAL_KEYS = {
    "people": {"fictional", "consent_recorded_on"},
    "events": set("start end date_precision offset_days duration_days start_time end_time".split()),
}
# Fields the loader owns: the file may not set them.
OWNED_FIELDS = {"id", "slug", "state", "source", "source_id", "created", "updated"}

ILLUSTRATIVE = (
    "The date shown is illustrative: the demo sets it a fixed number of days after the data "
    "was loaded, so the calendar always has upcoming events. It is not an announced date."
)
PRECISION_NOTES = {
    "month": "Only the month is known, so the date shown is the 1st of that month.",
    "year": "Only the year is known, so the date shown is 1 January of that year.",
}


class DemoDataError(ValueError):
    """A record in the demo file that cannot be loaded; the message names it."""


def demo_load(*, today=None):
    """Upsert demo.json as published source="demo" records and return the count per kind."""
    today = today or timezone.localdate(timezone=LONDON)
    data = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    with transaction.atomic():
        taxonomy_seed()  # the demo's records are filed under the starting terms
        return _Loader(data, today).run()


class _Loader:
    def __init__(self, data, today):
        self.data = data
        self.today = today
        self.citations = data.get("sources", {})
        self.refs = {
            "sectors": by_starting_slug("Sector"),
            "stages": by_starting_slug("Stage"),
            "roles": by_starting_slug("Role"),
        }

    def run(self):
        counts = {}
        for kind, model, fks, m2ms in PLAN:
            self.refs[kind] = {}
            for record in self.data.get(kind, []):
                record_id = record.get("id") if isinstance(record, dict) else None
                try:
                    self.load(kind, model, fks, m2ms, record)
                except (ValidationError, ValueError, KeyError, TypeError) as exc:
                    detail = exc.message_dict if hasattr(exc, "error_dict") else exc
                    raise DemoDataError(f"demo {kind} record {record_id!r}: {detail}") from exc
            counts[kind] = len(self.refs[kind])
            # A record taken out of the file leaves the site with it.
            # (`updated` moved by hand: update() skips auto_now, and search and the API's
            # modified_after follow it.)
            gone = model.objects.filter(source=SOURCE).exclude(source_id__in=self.refs[kind])
            gone.exclude(state=PublicationState.ARCHIVED).update(
                state=PublicationState.ARCHIVED, updated=timezone.now()
            )
        return counts

    def load(self, kind, model, fks, m2ms, record):
        record_id = record["id"]
        if not record_id or record_id in self.refs[kind]:
            raise ValueError("every record needs an id that is unique within its kind")
        special = COMMON_KEYS | fks.keys() | m2ms.keys() | SPECIAL_KEYS.get(kind, set())
        values = {key: value for key, value in record.items() if key not in special}
        for name in values:
            self.check_plain_field(model, name)
        values["last_verified"] = record["last_verified"]
        for name, namespace in fks.items():
            key = record.get(name)
            values[name] = self.ref(namespace, key) if key else None
        extra_notes = []
        if kind == "people":
            values.update(self.person_values(record))
        if kind == "events":
            times, extra_notes = self.event_times(record)
            values.update(times)
        values["description"] = self.describe(record, extra_notes)

        obj = model.objects.filter(source=SOURCE, source_id=record_id).first()
        obj = obj or model(source=SOURCE, source_id=record_id)
        # The file is the whole truth for a demo row: a field dropped from it returns to its
        # default rather than keeping a stale value.
        for field in model._meta.concrete_fields:
            if field.name in OWNED_FIELDS or not field.editable or field.is_relation:
                continue
            setattr(obj, field.attname, values.pop(field.name, field.get_default()))
        for name, value in values.items():  # the foreign keys
            setattr(obj, name, value)
        obj.state = PublicationState.PUBLISHED
        obj.slug = unique_slug(model, obj.name, obj.pk)
        obj.full_clean()
        obj.save()
        for name, namespace in {"sectors": "sectors", **m2ms}.items():
            getattr(obj, name).set([self.ref(namespace, key) for key in record.get(name, [])])
        self.refs[kind][record_id] = obj

    def check_plain_field(self, model, name):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise ValueError(f"unknown key {name!r}") from None
        if name in OWNED_FIELDS or field.is_relation or not field.concrete:
            raise ValueError(f"key {name!r} cannot be set from the demo file")

    def ref(self, namespace, key):
        try:
            return self.refs[namespace][key]
        except KeyError:
            raise ValueError(f"no {namespace} record with id or slug {key!r}") from None

    def describe(self, record, extra_notes):
        sources = record["sources"]
        if not sources:
            raise ValueError("name at least one source")
        unknown = [key for key in sources if key not in self.citations]
        if unknown:
            raise ValueError(f"unknown sources {unknown}")
        citations = "; ".join(self.citations[key] for key in sources)
        paragraphs = [record.get("description", ""), *extra_notes, f"Source: {citations}."]
        return "\n\n".join(p for p in paragraphs if p)

    def person_values(self, record):
        # The demo must never list a real person: refuse any profile not plainly fictional.
        if record.get("fictional") is not True or not all(
            "fictional" in record.get(field, "").lower() for field in ("name", "summary")
        ):
            raise ValueError('people in the demo must be "fictional": true and say so')
        if record.get("public_email"):
            raise ValueError("people in the demo have no email address")
        day = datetime.date.fromisoformat(record["consent_recorded_on"])
        return {"consent_recorded_at": datetime.datetime.combine(day, datetime.time(), LONDON)}

    def event_times(self, record):
        """Aware start and end times, all_day, and the notes the description must carry."""
        if ("start" in record) == ("offset_days" in record):
            raise ValueError('give either "start" (a real date) or "offset_days" (illustrative)')
        notes = []
        if "start" in record:
            start, end = record["start"], record.get("end", record["start"])
            all_day = "T" not in start
            if all_day != ("T" not in end):
                raise ValueError('"start" and "end" must both be dates or both date-times')
            first, last = (datetime.date.fromisoformat(v[:10]) for v in (start, end))
            start_time, end_time = start[11:] or None, end[11:] or None
            precision = record.get("date_precision", "day")
            if precision not in ("day", *PRECISION_NOTES):
                raise ValueError(f"unknown date_precision {precision!r}")
            if first.day != 1 and precision != "day" or precision == "year" and first.month != 1:
                raise ValueError(f"a date known only to the {precision} must be its first day")
            if precision != "day":
                notes.append(PRECISION_NOTES[precision])
        else:
            first = self.today + datetime.timedelta(days=record["offset_days"])
            last = first + datetime.timedelta(days=record.get("duration_days", 1) - 1)
            start_time, end_time = record.get("start_time"), record.get("end_time")
            all_day = start_time is None
            notes.append(ILLUSTRATIVE)
        if all_day:
            # An all-day event ends at the last second of its last day, so pages that show
            # local_end's date show the right last day.
            start_time, end_time = "00:00", "23:59:59"
        return {
            "starts_at": _london(first, start_time),
            "ends_at": _london(last, end_time),
            "all_day": all_day,
            "time_zone": "Europe/London",
        }, notes


def _london(day, clock):
    return datetime.datetime.combine(day, datetime.time.fromisoformat(clock), LONDON)


def unique_slug(model, name, pk):
    """The name's slug, numbered when another row has it; a row keeps the slug it holds."""
    base = slugify(name)[:200] or model._meta.model_name
    slug, n = base, 2
    while model.objects.filter(slug=slug).exclude(pk=pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
