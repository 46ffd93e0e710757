import uuid

from django.apps import AppConfig
from django.db import connections, transaction
from django.db.models.signals import (
    m2m_changed,
    post_migrate,
    post_save,
    pre_delete,
    pre_save,
)


class SearchConfig(AppConfig):
    name = "frontdoor.search"
    label = "search"
    verbose_name = "Search"

    def ready(self):
        from frontdoor.directory.models import Organisation, Person, Role, Sector, Stage
        from frontdoor.search.backend import KINDS, LOCATED_BY

        # Index upkeep only: a database trigger notes every row written to a searchable
        # table (see the 0003 migration), so changes that write no such row touch the records
        # they change here (their `updated` moves too). No domain rule lives here.
        for kind, model in KINDS.items():
            # Sectors added to or taken from a record after it was saved.
            m2m_changed.connect(
                _touch_linked(model, "sectors"),
                sender=model.sectors.through,
                weak=False,
                dispatch_uid=f"search-{kind}-sectors",
            )
        m2m_changed.connect(
            _touch_linked(Person, "roles"),
            sender=Person.roles.through,
            weak=False,
            dispatch_uid="search-person-roles",
        )
        # Deleting a provider, venue or test bed empties its dependants' link.
        for kind, field in LOCATED_BY.items():
            model = KINDS[kind]
            pre_delete.connect(
                _touch([(model, field)]),
                sender=model._meta.get_field(field).related_model,
                weak=False,
                dispatch_uid=f"search-{kind}-{field}",
            )
        # A renamed or deleted sector, stage or role changes the words and facets of every
        # record filed under it.
        filed_under = {
            Sector: [(model, "sectors") for model in KINDS.values()],
            Stage: [(Organisation, "stage")],
            Role: [(Person, "roles")],
        }
        for term, links in filed_under.items():
            touch, uid = _touch(links), f"search-{term.__name__}"
            pre_save.connect(_note_renaming, sender=term, dispatch_uid=uid)
            post_save.connect(_if_renamed(touch), sender=term, weak=False, dispatch_uid=uid)
            pre_delete.connect(touch, sender=term, weak=False, dispatch_uid=uid)
        post_migrate.connect(_restore_triggers, sender=self, dispatch_uid="search-triggers")


def _restore_triggers(using, **kwargs):
    """Put back change triggers a migration dropped (SQLite remakes a table to alter it). What
    was written meanwhile went unnoted, so every index is then rebuilt: a new generation."""
    from frontdoor.search import changes
    from frontdoor.search.backend import KINDS
    from frontdoor.search.models import IndexState

    connection = connections[using]
    tables = {kind: model._meta.db_table for kind, model in KINDS.items()}
    existing = set(connection.introspection.table_names())
    if not {changes.CHANGE_TABLE, *tables.values()} <= existing:
        return  # migrated part of the way, or back: the triggers come with the log
    if not changes.missing(connection, tables):
        return
    with transaction.atomic(using=using):
        changes.install(connection, tables)
        IndexState.objects.using(using).filter(pk=1).update(generation=uuid.uuid4())


def _now():
    from django.utils import timezone

    return timezone.now()


def _touch(links):
    """A receiver touching the records that link to the instance, as (model, field) pairs."""

    def receiver(sender, instance, **kwargs):
        for model, field in links:
            model.objects.filter(**{field: instance}).update(updated=_now())

    return receiver


def _touch_linked(model, field):
    """For m2m_changed: touch the records on `model`'s side of the change."""

    def receiver(sender, instance, action, reverse, pk_set, **kwargs):
        if reverse and action == "pre_clear":
            # Cleared from the term's side: which records lose it is known only before.
            model.objects.filter(**{field: instance}).update(updated=_now())
        elif reverse and action in {"post_add", "post_remove"}:
            model.objects.filter(pk__in=pk_set).update(updated=_now())
        elif not reverse and action in {"post_add", "post_remove", "post_clear"}:
            model.objects.filter(pk=instance.pk).update(updated=_now())

    return receiver


def _note_renaming(sender, instance, **kwargs):
    old = sender.objects.filter(pk=instance.pk).values_list("name", "slug").first()
    instance._search_renamed = old is not None and old != (instance.name, instance.slug)


def _if_renamed(touch):
    def receiver(sender, instance, **kwargs):
        if getattr(instance, "_search_renamed", False):
            touch(sender, instance)

    return receiver
