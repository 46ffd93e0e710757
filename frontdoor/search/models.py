"""What the search app keeps in the database: the index's identity, the changes every index
catches up with, and the queries that found little (the gap signal for curators)."""

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


class Change(models.Model):
    """A searchable row inserted, updated or deleted: noted by a database trigger (see the
    0003 migration), read by every index's catch-up, emptied by a rebuild."""

    kind = models.CharField(max_length=20, help_text="The record's kind, as the index names it")
    record = models.BigIntegerField(help_text="The record's primary key")
    # On PostgreSQL, the writing transaction's id: a catch-up re-reads every change of a
    # transaction that was still running when it last looked (see backend.database_position).
    # Empty on SQLite, where one writer at a time makes the row's own id serve.
    txid = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["txid"],
                condition=models.Q(txid__isnull=False),
                name="search_change_by_txid",
            )
        ]

    def __str__(self):
        return f"{self.kind}:{self.record}"


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
