"""Writes with side effects for search: the gap signal, and rebuilding the index."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from frontdoor.search.backend import search_index
from frontdoor.search.models import SearchGap
from frontdoor.search.query import FEW, gap_text


def gap_record(text, *, results):
    """Count a search that found nothing or little, keeping only its normalised text."""
    query = gap_text(text)
    if not query or results >= FEW:
        return None
    outcome = SearchGap.Outcome.NONE if results == 0 else SearchGap.Outcome.FEW
    values = {"searches": F("searches") + 1, "last_results": results, "last_seen": timezone.now()}
    if SearchGap.objects.filter(query=query, outcome=outcome).update(**values):
        return query
    try:
        with transaction.atomic():
            SearchGap.objects.create(query=query, outcome=outcome, searches=1, last_results=results)
    except IntegrityError:
        # Another process recorded the same query first: count this one on its row.
        SearchGap.objects.filter(query=query, outcome=outcome).update(**values)
    return query


def index_rebuild(*, progress=None):
    """Rebuild the search index from the database as a new generation; returns documents."""
    return search_index().rebuild(progress=progress)
