from django.apps import AppConfig
from django.db.models.signals import post_delete


class SearchConfig(AppConfig):
    name = "frontdoor.search"
    label = "search"
    verbose_name = "Search"

    def ready(self):
        from frontdoor.search.backend import KINDS

        # Index upkeep only: a deleted row leaves no `updated` behind for the catch-up to
        # see, so note its key. No domain rule lives here.
        for kind, model in KINDS.items():
            post_delete.connect(
                _tombstone(kind), sender=model, weak=False, dispatch_uid=f"search-{kind}"
            )


def _tombstone(kind):
    def receiver(sender, instance, **kwargs):
        from frontdoor.search.models import Tombstone

        Tombstone.objects.create(key=f"{kind}:{instance.pk}")

    return receiver
