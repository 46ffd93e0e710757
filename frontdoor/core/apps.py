from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "frontdoor.core"
    label = "core"
    verbose_name = "Site"
