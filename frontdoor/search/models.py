"""What the search app keeps in the database: the index's identity, deletions still to apply
to the index, and the queries that found little (the gap signal for curators)."""

import uuid

from django.db import models


class IndexState(models.Model):
    """The generation of this database's search index (one row); a new one forces a rebuild."""

    generation = models.UUIDField(default=uuid.uuid4)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "search index state"

    def __str__(self):
        return f"Search index {self.generation}"

    @classmethod
    def current(cls):
        state, _ = cls.objects.get_or_create(pk=1)
        return state


class Tombstone(models.Model):
    """A listing deleted from the database, waiting to be removed from every process's index."""

    key = models.CharField(max_length=40, help_text="kind:pk, as the index names documents")
    deleted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key


class SearchGap(models.Model):
    """A search that found nothing or little: normalised text only, never personal data."""

    class Outcome(models.TextChoices):
        NONE = "none", "No results"
        FEW = "few", "Few results"

    query = models.CharField(max_length=100)
    outcome = models.CharField(max_length=4, choices=Outcome.choices)
    searches = models.PositiveIntegerField(default=0)
    last_results = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-searches", "query"]
        constraints = [
            models.UniqueConstraint(fields=["query", "outcome"], name="search_gap_unique_query"),
        ]

    def __str__(self):
        return self.query
