"""Writes with side effects for events: syncing feeds, pitch applications."""

import hashlib
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from frontdoor.core.demo import unique_slug
from frontdoor.core.models import PublicationState
from frontdoor.directory.models import Place
from frontdoor.events import importers
from frontdoor.events.models import Event, Feed, FeedEntry, FeedSync, PitchApplication

logger = logging.getLogger(__name__)


@dataclass
class Counts:
    """What one sync did, for its FeedSync row."""

    added: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    merged: int = 0
    warnings: list = field(default_factory=list)
    changes: list = field(default_factory=list)

    def log(self, verb, event):
        self.changes.append(f"{verb}: {event.name} ({event.local_start:%a %d %b %Y %H:%M})")


def feed_read(feed, *, timeout=importers.FETCH_TIMEOUT, max_bytes=importers.MAX_BYTES):
    """The feed's bytes, from its URL or its uploaded file."""
    if feed.url:
        return importers.fetch(feed.url, timeout=timeout, max_bytes=max_bytes)
    try:
        with feed.upload.open("rb") as upload:
            data = upload.read(max_bytes + 1)
    except OSError as error:
        raise importers.FeedError(f"Could not open the uploaded file: {error}.") from None
    if len(data) > max_bytes:
        raise importers.FeedError(f"The file is larger than {max_bytes:,} bytes, the most we read.")
    return data


def feed_sync(feed, *, now=None, timeout=importers.FETCH_TIMEOUT, max_bytes=importers.MAX_BYTES):
    """Bring a feed's events in step with its calendar; a broken feed changes no event."""
    started = timezone.now()
    now = now or started
    try:
        data = feed_read(feed, timeout=timeout, max_bytes=max_bytes)
        parsed = importers.parse(data, default_time_zone=feed.time_zone, now=now)
    except importers.FeedError as error:
        return _record(feed, started, now, Counts(), error=str(error))
    except Exception as error:  # a malformation nobody foresaw: still a failed sync, recorded
        logger.exception("Reading feed %s failed", feed.pk)
        return _record(
            feed, started, now, Counts(), error=f"Could not read the calendar: {error!r}"
        )
    if parsed.empty and (listed := _upcoming(feed, now)):
        return _record(feed, started, now, Counts(), error=_emptied(listed))
    try:
        counts = _apply(feed, parsed, now)
    except Exception as error:
        # Rolled back: the feed keeps its last good events. Record it, then let it surface.
        _record(feed, started, now, Counts(), error=f"Could not save the events: {error}")
        raise
    return _record(feed, started, now, counts)


def _upcoming(feed, now):
    """How many events this feed lists that are still to come and not cancelled."""
    entries = feed.entries.filter(present=True, event__ends_at__gte=now)
    return entries.exclude(event__status=Event.Status.CANCELLED).count()


def _emptied(listed):
    events = f"{listed} upcoming event{'s' if listed != 1 else ''}"
    return (
        f"The calendar has no events at all, though this feed listed {events}; they are kept "
        "as they were. An empty calendar is more often a fault (a login page, a link that "
        "expired or was made private) than every event called off: check the link. If the "
        "organiser did remove them all, cancel them in the admin or deactivate the feed; once "
        "the calendar lists any event again, the ones it dropped are cancelled as usual."
    )


@transaction.atomic
def _record(feed, started, now, counts, *, error=""):
    if error:
        outcome = Feed.Outcome.FAILED
    elif counts.warnings:
        outcome = Feed.Outcome.WARNINGS
    else:
        outcome = Feed.Outcome.OK
    sync = FeedSync.objects.create(
        feed=feed,
        started_at=started,
        finished_at=timezone.now(),
        outcome=outcome,
        added=counts.added,
        updated=counts.updated,
        cancelled=counts.cancelled,
        unchanged=counts.unchanged,
        merged=counts.merged,
        messages=_lines([error, *counts.warnings] if error else counts.warnings),
        changes=_lines(counts.changes),
    )
    feed.last_synced_at = now
    feed.last_outcome = outcome
    feed.last_error = sync.messages
    if not error:
        feed.last_success_at = now
        feed.last_added, feed.last_updated = counts.added, counts.updated
        feed.last_cancelled = counts.cancelled
    feed.save()
    return sync


def _lines(lines, limit=500):
    """One per line, at most `limit` of them: a broken feed can give thousands."""
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more."]
    return "\n".join(lines)


@transaction.atomic
def _apply(feed, parsed, now):
    # One sync of a feed at a time (cron and a curator's "sync now" may overlap); SQLite
    # serialises writers anyway.
    Feed.objects.select_for_update().filter(pk=feed.pk).first()
    counts = Counts(warnings=list(parsed.warnings))
    entries = {entry.key: entry for entry in feed.entries.select_related("event")}
    places = {
        place.name.casefold(): place for place in Place.objects.published().only("pk", "name")
    }
    known = _known_events([item for item in parsed.events if item.key not in entries])
    untouched = []
    seen = set()
    for item in parsed.events:
        if item.key in seen:
            counts.warnings.append(f"Line {item.line}: {item.key} is listed twice; kept the first.")
            continue
        seen.add(item.key)
        venue = places.get(item.location.split(",")[0].strip().casefold())
        entry = entries.get(item.key)
        if entry is None:
            _add(feed, item, venue, now, counts, known)
            continue
        event = entry.event
        if _older(item, entry):
            counts.warnings.append(
                f"Line {item.line}: {item.key} is older (SEQUENCE {item.sequence}, "
                f"LAST-MODIFIED {_stamp(item.last_modified)}) than the version already seen "
                f"(SEQUENCE {entry.sequence}, LAST-MODIFIED {_stamp(entry.last_modified)}); "
                "kept the newer one."
            )
            entry.present = True
            entry.last_seen = now
            entry.save(update_fields=["present", "last_seen"])
            counts.unchanged += 1
            continue
        if entry.fingerprint == item.fingerprint and entry.present:
            entry.last_seen = now
            entry.sequence, entry.last_modified = item.sequence, item.last_modified
            untouched.append(entry)  # saved together below: most of a feed is unchanged
            counts.unchanged += 1
            continue
        was_cancelled = event.is_cancelled
        changed = True
        if event.feed_id == feed.pk:
            _copy(item, event, venue)
            event.sequence += 1
            event.save()
        elif event.is_cancelled and not item.cancelled and _may_reinstate(feed, event):
            # Withdrawn by its own feed but still listed here: it is still on.
            event.status, event.status_note = Event.Status.SCHEDULED, ""
            event.sequence += 1
            event.save()
        else:
            changed = False  # the feed that brought the event in decides its details
        entry.fingerprint, entry.sequence = item.fingerprint, item.sequence
        entry.last_modified = item.last_modified
        entry.present, entry.last_seen = True, now
        entry.save()
        if not changed:
            counts.unchanged += 1
        elif event.is_cancelled and not was_cancelled:
            counts.cancelled += 1
            counts.log("Cancelled", event)
        else:
            counts.updated += 1
            counts.log("Updated", event)

    FeedEntry.objects.bulk_update(
        untouched, ["last_seen", "sequence", "last_modified"], batch_size=500
    )
    window_start, window_end = parsed.window or (None, None)
    for key, entry in entries.items():
        if key in seen or not entry.present:
            continue
        series = key.rsplit("/", 1)[0]  # the UID, for an occurrence of a repeating event
        if key in parsed.skipped or series in parsed.skipped:
            continue  # still in the calendar, only unreadable this time: keep the last good copy
        event = entry.event
        if window_start and event.ends_at < window_start:
            continue  # outside the window we read: the feed may simply have trimmed its past
        if window_end and event.starts_at >= window_end:
            continue  # beyond where reading stopped (see importers._expand)
        if event.ends_at < now and series not in parsed.private:
            # Over already: Meetup and Eventbrite list only what is to come, so an event
            # leaves their feed once it has happened. Made private is still a withdrawal.
            continue
        entry.present = False
        entry.save(update_fields=["present"])
        if event.feed_id != feed.pk and (event.feed_id is None or feed.requires_approval):
            continue  # a curator's event, or a feed not yet trusted: only the link goes
        if event.feed_entries.filter(present=True).exists():
            continue  # another feed still lists it
        if series in parsed.private:
            if event.state != PublicationState.DRAFT:
                # A draft: no page, feed or API shows it, where an archived event keeps its
                # page. A curator still finds it in the admin.
                event.state = PublicationState.DRAFT
                event.save()
                counts.log("Now marked private in the feed, so withdrawn", event)
        elif not event.is_cancelled:
            event.status = Event.Status.CANCELLED
            event.status_note = f"Removed from {feed.name}’s calendar on {now:%d %B %Y}."
            event.sequence += 1
            event.save()
            counts.cancelled += 1
            counts.log("Removed from the feed, so marked cancelled", event)
    return counts


def _older(item, entry):
    """A copy older than the one we hold: lower SEQUENCE, or same and older LAST-MODIFIED."""
    if item.sequence != entry.sequence:
        return item.sequence < entry.sequence
    return bool(
        item.last_modified and entry.last_modified and item.last_modified < entry.last_modified
    )


def _stamp(value):
    return f"{value:%Y-%m-%d %H:%M:%S}Z" if value else "none"


def _copy(item, event, venue):
    event.name = item.name
    event.description = item.description
    event.summary = item.summary
    event.starts_at, event.ends_at = item.starts_at, item.ends_at
    event.all_day, event.time_zone = item.all_day, item.time_zone
    event.location_text = "" if venue else item.location
    event.venue = venue
    event.online_url = item.online_url
    event.website = item.website
    event.dedupe_key = item.dedupe_key
    if item.cancelled:
        event.status, event.status_note = Event.Status.CANCELLED, "Cancelled by the organiser."
    else:
        event.status, event.status_note = Event.Status.SCHEDULED, ""


def _known_events(items, batch=500):
    """Events already here with these items' UIDs or dedupe keys, in a few queries."""
    known = {}
    for name, values in (
        ("uid", [item.key for item in items]),
        ("dedupe_key", [item.dedupe_key for item in items]),
    ):
        for start in range(0, len(values), batch):
            chunk = values[start : start + batch]
            matches = Event.objects.filter(**{f"{name}__in": chunk}).order_by("starts_at", "pk")
            for event in matches:
                known.setdefault((name, getattr(event, name)), event)
    return known


def _add(feed, item, venue, now, counts, known):
    uid = item.key
    existing = known.get(("uid", uid))
    if existing is not None and item.local_uid:
        # Another calendar's "1" is another event, unless named and timed alike (the match
        # by dedupe key below): merging two would lose one.
        if existing.dedupe_key != item.dedupe_key:
            counts.warnings.append(
                f"Line {item.line}: event {item.key}: another feed gives this UID to a "
                f"different event (“{existing.name}”, {existing.local_start:%d %b %Y}); "
                "listed on its own."
            )
        uid = _feed_uid(feed, item.key)
        existing = Event.objects.filter(uid=uid).first()
    existing = existing or known.get(("dedupe_key", item.dedupe_key))
    if existing is not None:
        # Another organiser's feed lists the same event: one event, both organisers.
        event = existing
        counts.merged += 1
        counts.log("Already listed, now also by this feed", event)
        if event.is_cancelled and not item.cancelled and _may_reinstate(feed, event):
            # Withdrawn by the feed that brought it in, but listed here: it is still on.
            event.status, event.status_note = Event.Status.SCHEDULED, ""
            event.sequence += 1
            event.save()
    else:
        event = Event(
            uid=uid,
            kind=feed.default_kind,
            feed=feed,
            festival=feed.festival,
            track=feed.track,
            sequence=item.sequence,
            source=feed.source,
            source_id=_source_id(item.key),
            state=PublicationState.DRAFT if feed.requires_approval else PublicationState.PUBLISHED,
        )
        _copy(item, event, venue)
        event.slug = unique_slug(Event, f"{item.name} {item.starts_at:%Y-%m-%d}", None)
        event.save()
        known[("uid", event.uid)] = event
        known.setdefault(("dedupe_key", event.dedupe_key), event)
        counts.cancelled += item.cancelled
        counts.added += not item.cancelled
        counts.log("Added, cancelled" if item.cancelled else "Added", event)
    if feed.organisation_id and (existing is None or not feed.requires_approval):
        event.organisers.add(feed.organisation_id)
    FeedEntry.objects.create(
        feed=feed,
        key=item.key,
        event=event,
        sequence=item.sequence,
        last_modified=item.last_modified,
        fingerprint=item.fingerprint,
        first_seen=now,
        last_seen=now,
    )


def _feed_uid(feed, key):
    """A UID for a feed's event whose own UID another feed's different event holds."""
    uid = f"feed-{feed.pk}:{key}"
    return uid if len(uid) <= 255 else f"feed-{feed.pk}:{importers.uid_hash(key)}"


def _may_reinstate(feed, event):
    """Whether this feed listing a cancelled event it did not bring in puts it back on: only
    a trusted feed (not one whose events await approval), and never over a curator's own
    event (the feed has no say in it; a curator may have cancelled it)."""
    return event.feed_id not in (None, feed.pk) and not feed.requires_approval


def feeds_sync_due(*, now=None, feeds=None, progress=None):
    """Sync every due feed (or the given ones), each in its own transaction."""
    now = now or timezone.now()
    feeds = Feed.objects.due(now) if feeds is None else feeds
    results = []
    for feed in feeds:
        try:
            results.append(feed_sync(feed, now=now))
        except Exception:
            # Already recorded on the feed as failed; one feed must not stop the others.
            logger.exception("Syncing feed %s failed", feed.pk)
            results.append(feed.syncs.first())
        if progress:
            progress(feed, results[-1])
    return results


def _source_id(key):
    """A feed key as a source id (at most 200 characters): a longer key (a repeating event
    with a long UID) is cut and ends with its hash, so its occurrences stay apart."""
    if len(key) <= 200:
        return key
    return f"{key[:159]}#{hashlib.sha1(key.encode()).hexdigest()}"


@transaction.atomic
def pitch_apply(event, *, data):
    """Record a founder's application to pitch; organisers accept or decline it."""
    if event.kind != Event.Kind.PITCH:
        raise ValueError("Only pitch sessions take applications.")
    return PitchApplication.objects.create(event=event, **data)


def event_edited(event, *, changed_fields):
    """Bump SEQUENCE when a change subscribers would see is saved (RFC 5545 3.8.7.4)."""
    visible = {"name", "starts_at", "ends_at", "all_day", "status", "venue", "online_url"}
    visible |= {"description", "summary", "location_text", "time_zone"}
    if visible & set(changed_fields):
        event.sequence += 1
    return event
