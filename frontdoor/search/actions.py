"""Writes with side effects for search: the gap signal, and rebuilding the index."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from frontdoor.search.backend import search_index
from frontdoor.search.models import SearchGap
from frontdoor.search.query import FEW, gap_text

# Anyone may search, so a flood of distinct queries must not grow the table without end:
# past this many rows, the least searched (and, among those, the longest unseen) make room.
GAPS_KEPT = 5000


def gap_record(text, *, results):
    """Count a search that found nothing or little, keeping only its normalised text."""
    query = gap_text(text)
    if not query or results >= FEW:
        return None
    outcome = SearchGap.Outcome.NONE if results == 0 else SearchGap.Outcome.FEW
    values = {"searches": F("searches") + 1, "last_results": results, "last_seen": timezone.now()}
    if SearchGap.objects.filter(query=query, outcome=outcome).update(**values):
        return query
    _make_room()
    try:
        with transaction.atomic():
            SearchGap.objects.create(query=query, outcome=outcome, searches=1, last_results=results)
    except IntegrityError:
        # Another process recorded the same query first: count this one on its row.
        SearchGap.objects.filter(query=query, outcome=outcome).update(**values)
    return query


def _make_room():
    excess = SearchGap.objects.count() - GAPS_KEPT + 1
    if excess > 0:
        weakest = SearchGap.objects.order_by("searches", "last_seen", "pk")[:excess]
        SearchGap.objects.filter(pk__in=list(weakest.values_list("pk", flat=True))).delete()


def index_rebuild(*, progress=None):
    """Rebuild the search index from the database as a new generation; returns documents."""
    return search_index().rebuild(progress=progress)
