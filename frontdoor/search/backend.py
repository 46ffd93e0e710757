"""The tantivy index: derived from the database, rebuilt by one command, kept fresh by catch-up.

The database is the source of truth. A trigger on every searchable table notes each row
inserted, updated or deleted in the change log (changes.py, models.Change). Each server
process, before it answers a search, asks the database one cheap question (how many changes
the log holds past the index's horizon, and the index generation) and, if the index is
behind, catches it up under a file lock so that only one process writes at a time. Every
process then reloads its reader and sees the same index. Signal handlers (apps.py) only
touch records whose words change without a row of theirs being written (a sector renamed).

The horizon is what makes this sound when transactions commit out of order: on PostgreSQL
it is the oldest transaction still running when the index last looked, so a change saved
early and committed late (a long feed sync) is read when it commits, however many quicker
edits were indexed meanwhile. On SQLite one writer at a time makes the log's own ids serve.
"""

import datetime
import fcntl
import json
import logging
import os
import re
import shutil
import threading
import time
import unicodedata
import uuid
import zoneinfo
from contextlib import contextmanager
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import NamedTuple

import tantivy
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from frontdoor.core import geo
from frontdoor.core.models import PublicationState
from frontdoor.directory.models import Organisation, Person, Place, Programme, Sector, Stage, Trial
from frontdoor.events.models import Event
from frontdoor.search.models import Change, IndexState

log = logging.getLogger(__name__)

# Record kinds in the order they are offered as a facet.
KINDS = {
    "organisation": Organisation,
    "place": Place,
    "programme": Programme,
    "event": Event,
    "person": Person,
    "trial": Trial,
}
KIND_LABELS = {
    "organisation": "Organisations",
    "place": "Places",
    "programme": "Programmes",
    "event": "Events",
    "person": "People",
    "trial": "Smart-city trials",
}
# The second facet level: each kind's own kinds, and a trial's status (what it indexes).
SUBKIND_LABELS = {
    value: label
    for model in KINDS.values()
    for choices in [getattr(model, "Kind", None) or getattr(model, "Status", None)]
    if choices
    for value, label in choices.choices
}
NO_DAY, FAR_DAY = 0, 10**7  # programme dates as day numbers; no date means always open
ANALYZER = "fd_text"
SCHEMA_VERSION = 14  # bump when the schema or the documents change; the index then rebuilds
BATCH = 10_000  # rows read per query while building: large enough that per-query cost vanishes
# One writer thread with room for every document of a million-record build: the index is
# then one segment, so each search sets up and merges per-segment work once, not four times.
# (Python making the documents is the slower side: the build used 1.2 cores in all.)
BUILD_HEAP = 1_500_000_000


# Programming languages spelt with punctuation, each read as one word: without this "C++" and
# "C#" are both the letter c (and find every "Plan C"), ".NET" is "net" (and finds "Network").
# A spelling added here needs SCHEMA_VERSION bumped, so indexes are rebuilt reading it.
LANGUAGE_WORDS = (r"c\+\+", "c#", "f#", r"\.net\b")
# Chinese and Japanese put no spaces between words (nor do Korean names), so a whole run of
# them would be one word, found only whole. Each of their letters is a word instead: a few
# characters of a long name then find it, and a name holding them side by side ranks first
# (through name_pairs, like any phrase). Their punctuation (、。「」・) is no word at all.
_CJK = r"\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}"
# Otherwise a word is a run of letters and digits, as tantivy's simple tokenizer reads it.
# (Read by a regex, a word costs the writer's thread about a microsecond more than the simple
# tokenizer: 6 CPU-s more to rebuild 100,000 generated records, on the core beside Python's.)
WORD = "|".join(
    [
        f"(?i:{'|'.join(LANGUAGE_WORDS)})",
        rf"[[{_CJK}]&&[\p{{Alphabetic}}\p{{N}}]]",
        rf"[[\p{{Alphabetic}}\p{{N}}]--[{_CJK}]]+",
    ]
)


def text_analyzer():
    """How the index and the query both read text into words."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(WORD))
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


@lru_cache(maxsize=1)
def schema():
    b = tantivy.SchemaBuilder()
    # Frequencies for ranking but no word positions: nothing asks where a word is (phrases
    # go through name_pairs), and positions are a large part of the index.
    for name in ("name", "tags", "summary", "description"):
        b.add_text_field(name, stored=True, tokenizer_name=ANALYZER, index_option="freq")
    # Each pair of neighbouring name words ("kestrel data") as one term: a phrase bonus is
    # then a term lookup, not a check of word positions in every match (see query.text_query).
    b.add_text_field("name_pairs", tokenizer_name="raw", index_option="freq")
    # Every searched field's words again, without frequencies or positions: counting the
    # matches of a word then walks one list, not the union of four (see query.match_query).
    b.add_text_field("all", tokenizer_name=ANALYZER, index_option="basic")
    for name in ("key", "kind", "subkind", "point"):
        b.add_text_field(name, stored=True, fast=True, tokenizer_name="raw", index_option="basic")
    # Filters: kind, sector, stage and area values as "group:value" in one indexed field.
    b.add_text_field("facet", tokenizer_name="raw", index_option="basic")
    # Counts: single-valued columns are counted far faster than a multi-valued one, so the
    # sectors go in as one value per combination ("ai fintech"), split again after counting;
    # kind, subkind, stage and area go in as one "kind|subkind|stage|area" value, so that one
    # column rather than four is read per match (combinations number hundreds, not millions).
    for name in ("profile", "sector_set"):
        b.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_text_field("postcode", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("pk", stored=True, indexed=True, fast=True)
    b.add_float_field("lat", stored=True, indexed=True, fast=True)
    b.add_float_field("lon", stored=True, indexed=True, fast=True)
    # The name as it sorts (see name_order): the order of a name sort, and the term a
    # whole-name match looks up.
    b.add_text_field("name_order", fast=True, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("created", stored=True, indexed=True, fast=True)
    b.add_integer_field("starts", stored=True, indexed=True, fast=True)
    # An all-day event's own first day (a day number), which its start in the site's zone
    # may not be: midnight in Berlin is still the day before in London.
    b.add_integer_field("day", stored=True)
    # An event's status, so that a cancelled or postponed one is marked as on its page.
    b.add_text_field("status", stored=True, tokenizer_name="raw", index_option="basic")
    b.add_integer_field("ends", indexed=True, fast=True)
    b.add_integer_field("opens", indexed=True, fast=True)
    b.add_integer_field("closes", indexed=True, fast=True)
    return b.build()


_NOT_NAME_CHARACTERS = re.compile(r"[\W_]+")
# Letters that carry no separable accent, as the search analyzer's ASCII folding reads them.
_FOLDED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"}
)
_DIGITS = re.compile(r"\d+")


def name_order(name):
    """A name as it sorts and as a whole-name match compares it: case and accents ignored
    ("Éclair" among the E's), punctuation read as a space, numbers by value ("Lab 3" before
    "Lab 25")."""
    letters = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    )
    plain = _NOT_NAME_CHARACTERS.sub(" ", letters.casefold().translate(_FOLDED)).strip()
    # A number as its length then its digits: fewer digits sort first, like smaller values.
    return _DIGITS.sub(lambda m: f"{len(n := m[0].lstrip('0') or '0'):03d}{n}", plain)


def _epoch(value):
    return int(value.timestamp()) if value else 0


def _day(value, default):
    return value.toordinal() if value else default


@lru_cache(maxsize=64)
def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()  # the model refuses an unknown zone; the site's then


def _own_day(row):
    """An all-day event's first day in its own zone (Event.calendar_days), as a day number."""
    return row["starts_at"].astimezone(_zone(row["time_zone"])).date().toordinal()


# What each kind reads from the database besides the shared Listing fields.
EXTRA_FIELDS = {
    "organisation": [
        "kind",
        "stage__slug",
        "stage__name",
        "postcode",
        "latitude",
        "longitude",
        "local_authority_code",
    ],
    "place": ["kind", "postcode", "latitude", "longitude", "local_authority_code"],
    "programme": [
        "kind",
        "opens_on",
        "closes_on",
        "provider__postcode",
        "provider__latitude",
        "provider__longitude",
        "provider__local_authority_code",
        "provider__state",
    ],
    "event": [
        "kind",
        "status",
        "all_day",
        "time_zone",
        "starts_at",
        "ends_at",
        "venue__postcode",
        "venue__latitude",
        "venue__longitude",
        "venue__local_authority_code",
        "venue__state",
    ],
    "person": ["headline"],
    "trial": [
        "status",
        "test_bed__postcode",
        "test_bed__latitude",
        "test_bed__longitude",
        "test_bed__local_authority_code",
        "test_bed__state",
    ],
}
BASE_FIELDS = ["pk", "name", "slug", "summary", "description", "created"]
# Kinds whose place is another record's: the programme's provider, the event's venue.
LOCATED_BY = {"programme": "provider", "event": "venue", "trial": "test_bed"}


@lru_cache(maxsize=200_000)
def _postcode_location(postcode):
    return geo.postcode_lookup(postcode)


def _where(row):
    """Postcode, coordinates and local authority: stored ones first, else from the postcode.
    None from a draft provider, venue or test bed: its whereabouts are not public."""
    prefix = next((f"{r}__" for r in LOCATED_BY.values() if f"{r}__postcode" in row), "")
    if prefix and row.get(prefix + "state") != PublicationState.PUBLISHED:
        return "", None, None, ""
    postcode = row.get(prefix + "postcode") or ""
    lat, lon = row.get(prefix + "latitude"), row.get(prefix + "longitude")
    area = row.get(prefix + "local_authority_code") or ""
    if (lat is None or not area) and postcode:
        found = _postcode_location(postcode)
        if found:
            if lat is None:
                lat, lon = found.latitude, found.longitude
            area = area or found.local_authority_code
    return postcode, lat, lon, area


def _as_date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


# Columns read through a plain cursor come as the driver gives them (text on SQLite).
CONVERT = {
    "created": lambda v: _as_datetime(v),
    "starts_at": lambda v: _as_datetime(v),
    "ends_at": lambda v: _as_datetime(v),
    "opens_on": _as_date,
    "closes_on": _as_date,
}


def rows(kind, queryset):
    """Dicts of everything a kind's documents need, with sector ids (and roles) batched in.

    Read a batch at a time by primary key with a plain cursor: the ORM's per-value
    converters cost more than the rest of the row put together at a million rows.
    """
    model = KINDS[kind]
    fields = BASE_FIELDS + EXTRA_FIELDS[kind]
    converters = [(i, CONVERT[f]) for i, f in enumerate(fields) if f in CONVERT]
    sectors_through = model.sectors.through
    own = model.sectors.field.m2m_field_name() + "_id"
    roles = {}
    if kind == "person":
        roles = {r.pk: r.name for r in model.roles.field.related_model.objects.all()}
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        sql, params = page.values_list(*fields)[:BATCH].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            batch = cursor.fetchall()
        if not batch:
            return
        last = batch[-1][0]
        converted = []
        for values in batch:
            row = dict(zip(fields, values, strict=True))
            for i, convert in converters:
                row[fields[i]] = convert(values[i])
            converted.append(row)
        yield from _with_terms(converted, sectors_through, own, model, roles)
        if len(batch) < BATCH:
            return


def _with_terms(batch, through, own, model, roles):
    lo, hi = batch[0]["pk"], batch[-1]["pk"]
    links = {}
    # A pk range rather than a long IN list: fast on both databases, no parameter limits.
    for owner, sector_id in (
        through.objects.filter(**{f"{own}__gte": lo, f"{own}__lte": hi})
        .order_by(own, "sector_id")
        .values_list(own, "sector_id")
    ):
        links.setdefault(owner, []).append(sector_id)
    person_roles = {}
    if roles:
        role_through = model.roles.through
        for owner, role_id in role_through.objects.filter(
            person_id__gte=lo, person_id__lte=hi
        ).values_list("person_id", "role_id"):
            person_roles.setdefault(owner, []).append(roles[role_id])
    no_sectors, no_roles = (), []
    for row in batch:
        found = links.get(row["pk"])
        row["sectors"] = tuple(found) if found else no_sectors
        row["roles"] = person_roles.get(row["pk"], no_roles)
        yield row


@lru_cache(maxsize=16)
def _url_pattern(kind):
    # Reversing once per kind and filling in slugs is ten times faster than per record.
    return KINDS[kind](slug="slug-placeholder").get_absolute_url()


_sectors = {}


def _load_sectors():
    """Sector names and slugs by id, read once per build or catch-up."""
    _sectors.clear()
    _sectors.update(
        {pk: (name, slug) for pk, name, slug in Sector.objects.values_list("pk", "name", "slug")}
    )
    _sector_terms.cache_clear()


@lru_cache(maxsize=4_096)
def _sector_terms(sector_ids):
    """Tag words, facet values and the counting value for one combination of sectors (few
    combinations recur, so this runs a few hundred times for a million records)."""
    sectors = [_sectors[pk] for pk in sector_ids]
    words = [name for name, _ in sectors] + [slug.replace("-", " ") for _, slug in sectors]
    slugs = [slug for _, slug in sectors]
    return " ".join(words), [f"sector:{slug}" for slug in slugs], " ".join(sorted(slugs))


_name_words = text_analyzer().analyze


def word_pairs(words):
    """Neighbouring words as "first second" terms, for the name_pairs field."""
    return [f"{a} {b}" for a, b in pairwise(words)]


_encode = json.JSONEncoder(
    allow_nan=False
).encode  # made once: json.dumps(allow_nan=...) makes one per call


def document(kind, row):
    """One index document (as JSON for the writer) for a database row from rows()."""
    postcode, lat, lon, area = _where(row)
    subkind = row.get("kind") or row.get("status") or ""
    stage = row.get("stage__slug") or ""
    tag_words, sector_facets, sector_set = _sector_terms(row["sectors"])
    tags = [tag_words, SUBKIND_LABELS.get(subkind, subkind), row.get("stage__name") or ""]
    tags += row["roles"] + [row.get("headline") or ""]
    facets = [f"kind:{kind}", *sector_facets]
    if subkind:
        facets.append(f"subkind:{subkind}")
    if stage:
        facets.append(f"stage:{stage}")
    if area:
        tags.append(geo.local_authority_name(area))
        facets.append(f"area:{area}")
    name = row["name"]
    tags = " ".join(t for t in tags if t)
    summary = row["summary"] or ""
    # Long descriptions add little to ranking; the first part is enough and keeps it small.
    description = (row["description"] or "")[:2_000]
    doc = {
        "key": f"{kind}:{row['pk']}",
        "kind": kind,
        "subkind": subkind,
        "pk": row["pk"],
        "name": name,
        "name_pairs": word_pairs(_name_words(name)),
        "all": [name, tags, summary, description],
        "name_order": name_order(name),
        "tags": tags,
        "summary": summary,
        "description": description,
        "facet": facets,
        "profile": f"{kind}|{subkind}|{stage}|{area}",
        "sector_set": sector_set,
        "url": _url_pattern(kind).replace("slug-placeholder", row["slug"]),
        "postcode": postcode,
        # Microseconds, so records made in the same second still sort newest first.
        "created": int(row["created"].timestamp() * 1_000_000),
    }
    if lat is not None and lon is not None:
        doc.update(lat=float(lat), lon=float(lon), point=f"{lat:.4f},{lon:.4f}")
    if kind == "event":
        doc.update(
            starts=_epoch(row["starts_at"]), ends=_epoch(row["ends_at"]), status=row["status"]
        )
        if row["all_day"]:
            doc["day"] = _own_day(row)
    if kind == "programme":
        doc.update(opens=_day(row["opens_on"], NO_DAY), closes=_day(row["closes_on"], FAR_DAY))
    return _encode(doc)


def published(kind):
    return KINDS[kind].objects.published()


def _as_datetime(value):
    """An aware datetime from a raw column value. SQLite's driver may give a naive datetime
    (Django stores UTC there): read as local time, an event would move by the UTC offset."""
    if value is None:
        return value
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.fromisoformat(str(value))
    return value if timezone.is_aware(value) else value.replace(tzinfo=datetime.UTC)


class Position(NamedTuple):
    """What the database holds, as one statement saw it (see database_position)."""

    generation: str | None
    horizon: int  # every change of a transaction below this had committed (or rolled back)
    since: int  # changes logged at or past the `since` horizon asked about
    past: int  # changes logged at or past `horizon`


def _horizon_sql(vendor):
    """SQL for the horizon, and the change log column compared with it.

    PostgreSQL: the oldest transaction still running (its own, inside one). Every change
    below it is visible now; one at or past it may commit later, so it is read again until
    the horizon passes it. SQLite: the next id the log will give. One writer at a time, from
    its BEGIN (IMMEDIATE) to its commit, means a change not yet visible gets a larger id."""
    if vendor == "postgresql":
        return "pg_snapshot_xmin(pg_current_snapshot())::text::bigint", "txid"
    q = connection.ops.quote_name
    sequence = f"SELECT seq FROM sqlite_sequence WHERE name = '{Change._meta.db_table}'"
    return f"COALESCE(({sequence}), 0) + 1", q("id")


def database_position(since=None):
    """The freshness check, in one query: the generation, the horizon, and how many changes
    the log holds at or past `since` (the horizon the index was caught up to) and at or past
    the horizon now. All from one statement, so from one snapshot of the database: every
    change it counts is one a catch-up that reads the log afterwards sees."""
    q = connection.ops.quote_name
    horizon, column = _horizon_sql(connection.vendor)
    log = q(Change._meta.db_table)
    sql = (
        f"SELECT h.h,"
        f" (SELECT COUNT(*) FROM {log} WHERE {column} >= COALESCE(%s, h.h)),"
        f" (SELECT COUNT(*) FROM {log} WHERE {column} >= h.h),"
        f" (SELECT {q('generation')} FROM {q(IndexState._meta.db_table)} WHERE {q('id')} = 1)"
        f" FROM (SELECT {horizon} AS h) AS h"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [since])
        horizon, counted_since, counted_past, generation = cursor.fetchone()
    generation = str(uuid.UUID(str(generation))) if generation else None
    return Position(generation, horizon, counted_since, counted_past)


def changes_since(horizon):
    """The change log from a horizon on (see database_position)."""
    return Change.objects.filter(**{f"{_log_column()}__gte": horizon})


def _log_column():
    return "txid" if connection.vendor == "postgresql" else "id"


class SearchIndex:
    """This process's handle on the index of the current database generation."""

    def __init__(self, root=None):
        self.root = Path(root or settings.SEARCH_INDEX_DIR)
        self.mutex = threading.Lock()
        self.generation = None
        self.index = None
        # (horizon, changes counted past it) this process knows the index holds
        self.seen = None

    def path(self, generation):
        return self.root / f"{generation}-v{SCHEMA_VERSION}"

    @contextmanager
    def writing(self, generation):
        """The single-writer lock, shared by every process on this machine."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / f"{generation}.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _open(self, path):
        index = tantivy.Index(schema(), path=str(path), reuse=True)
        index.register_tokenizer(ANALYZER, text_analyzer())
        return index

    def _read_state(self, path):
        try:
            data = json.loads((path / "frontdoor-state.json").read_text())
            return data["horizon"], data["counted"]
        except (FileNotFoundError, ValueError, KeyError):
            return None

    def _write_state(self, path, horizon, counted):
        tmp = path / "frontdoor-state.json.tmp"
        tmp.write_text(json.dumps({"horizon": horizon, "counted": counted}))
        os.replace(tmp, path / "frontdoor-state.json")

    def ready(self):
        """Make the index current with the database, then return a fresh searcher."""
        seen = self.seen
        position = database_position(seen[0] if seen else None)
        generation = position.generation
        if generation is None:
            with transaction.atomic():
                generation = str(IndexState.current().generation)
        with self.mutex:
            if generation != self.generation:
                self._switch(generation)
            path = self.path(generation)
            # Nothing logged past the horizon since it was counted: the index holds it all.
            # A horizon never goes back, unless the log started again below it (its table
            # remade, a backup restored): then the index is built afresh.
            went_back = seen is not None and position.horizon < seen[0]
            if self.seen is None or self.seen != seen or position.since != seen[1] or went_back:
                with self.writing(generation):
                    state = self._read_state(path)
                    if state is not None:
                        position = database_position(state[0])
                    if state is None or position.horizon < state[0]:
                        self._build(path)
                        state = self._read_state(path)
                        position = database_position(state[0])
                    if position.since != state[1]:
                        state = self._catch_up(path, state, position)
                self.seen = state
                self.index.reload()
                self._searcher = self.index.searcher()
            # Unchanged since the last search: the same reader is current (and saves a reload).
            return self._searcher

    def state(self):
        """What this process's reader holds: (generation, horizon, changes counted), or None."""
        return (self.generation, *self.seen) if self.seen else None

    def _switch(self, generation):
        path = self.path(generation)
        path.mkdir(parents=True, exist_ok=True)
        self.index = self._open(path)
        self.generation = generation
        self.seen = None
        self._searcher = None

    def _build(self, path, progress=None):
        """Write every published record into an empty index; caller holds the lock.
        Returns the number of documents and the horizon the index holds everything below."""
        started = time.monotonic()
        # Taken before the rows are read: a change the build might miss is at or past it,
        # and the first catch-up reads it.
        position = database_position()
        writer = self.index.writer(heap_size=BUILD_HEAP, num_threads=1)
        writer.delete_all_documents()
        _load_sectors()
        count = 0
        for kind in KINDS:
            for row in rows(kind, published(kind)):
                writer.add_json(document(kind, row))
                count += 1
                if progress and count % 10_000 == 0:
                    progress(10_000)
        writer.commit()
        writer.wait_merging_threads()
        if progress:
            progress(count % 10_000)
        self._write_state(path, position.horizon, position.past)
        log.info("search index built: %s documents in %.1fs", count, time.monotonic() - started)
        return count, position.horizon

    def _catch_up(self, path, state, position):
        """Re-index the records the log names from the index's horizon on (deleted ones just
        leave); lock held. Returns the new state: the horizon and count `position` saw."""
        changed = changes_since(state[0])
        writer = self.index.writer(heap_size=15_000_000, num_threads=1)
        _load_sectors()
        for kind, model in KINDS.items():
            logged = changed.filter(kind=kind)
            recent = Q(pk__in=logged.values("record"))
            if kind in LOCATED_BY:  # a provider published, moved or hidden moves its programmes
                field = LOCATED_BY[kind]
                related = model._meta.get_field(field).related_model
                related_kind = next(k for k, m in KINDS.items() if m is related)
                recent |= Q(**{f"{field}__in": changed.filter(kind=related_kind).values("record")})
            gone = set(logged.values_list("record", flat=True))
            gone.update(model.objects.filter(recent).values_list("pk", flat=True))
            for pk in gone:
                writer.delete_documents_by_term("key", f"{kind}:{pk}")
            for row in rows(kind, published(kind).filter(recent)):
                writer.add_json(document(kind, row))
        writer.commit()
        writer.wait_merging_threads()
        new_state = (position.horizon, position.past)
        self._write_state(path, *new_state)
        return new_state

    def rebuild(self, progress=None):
        """A new generation built from the database; every process switches to it."""
        new = uuid.uuid4()
        path = self.path(new)
        with self.mutex, self.writing(new):
            path.mkdir(parents=True, exist_ok=True)
            self.index = self._open(path)
            self.generation = str(new)
            count, horizon = self._build(path, progress=progress)
            self.seen = self._read_state(path)
            self.index.reload()
            self._searcher = self.index.searcher()
            with transaction.atomic():
                state = IndexState.current()
                old = state.generation
                state.generation = new
                state.rebuilt_at = timezone.now()
                state.save()
            # Every process builds the new generation from the tables, at a later horizon:
            # no index needs the changes before this build's.
            Change.objects.filter(**{f"{_log_column()}__lt": horizon}).delete()
        self._remove_old(keep={str(new), str(old)})
        return count

    def _remove_old(self, keep):
        """Delete index folders of generations no database has used for a day."""
        cutoff = time.time() - 86_400
        for child in self.root.iterdir():
            generation = child.name.split("-v")[0].removesuffix(".lock")
            if generation not in keep and child.stat().st_mtime < cutoff:
                if child.is_dir():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)


_shared = {}


def search_index():
    """The process-wide index handle for the configured folder."""
    root = str(settings.SEARCH_INDEX_DIR)
    if root not in _shared:
        _shared[root] = SearchIndex(root)
    return _shared[root]


def stages():
    return {s.slug: s.name for s in Stage.objects.all()}
