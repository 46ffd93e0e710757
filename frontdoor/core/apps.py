from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "frontdoor.core"
    label = "core"
    verbose_name = "Site"

    def ready(self):
        from frontdoor.core import checks  # noqa: F401  (registers them)

        connection_created.connect(_add_sqlite_functions, dispatch_uid="frontdoor-sqlite")


def _add_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        # SQLite's LIKE and LOWER() fold only ASCII letters (see ListingQuerySet.matching).
        connection.connection.create_function(
            "casefold", 1, lambda v: v.casefold() if isinstance(v, str) else v, deterministic=True
        )
