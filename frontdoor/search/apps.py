from django.apps import AppConfig
from django.db.models.signals import post_delete, pre_delete


class SearchConfig(AppConfig):
    name = "frontdoor.search"
    label = "search"
    verbose_name = "Search"

    def ready(self):
        from frontdoor.search.backend import KINDS, LOCATED_BY

        # Index upkeep only: a deleted row leaves no `updated` behind for the catch-up to
        # see, so note its key. No domain rule lives here.
        for kind, model in KINDS.items():
            post_delete.connect(
                _tombstone(kind), sender=model, weak=False, dispatch_uid=f"search-{kind}"
            )
        # Deleting a provider, venue or test bed empties its dependants' link without touching
        # their `updated`: touch it, so the catch-up drops the place they took from it.
        for kind, field in LOCATED_BY.items():
            model = KINDS[kind]
            pre_delete.connect(
                _touch(model, field),
                sender=model._meta.get_field(field).related_model,
                weak=False,
                dispatch_uid=f"search-{kind}-{field}",
            )


def _tombstone(kind):
    def receiver(sender, instance, **kwargs):
        from frontdoor.search.models import Tombstone

        Tombstone.objects.create(key=f"{kind}:{instance.pk}")

    return receiver


def _touch(model, field):
    def receiver(sender, instance, **kwargs):
        from django.utils import timezone

        model.objects.filter(**{field: instance}).update(updated=timezone.now())

    return receiver
