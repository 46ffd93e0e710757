from django.apps import AppConfig


class OpendataConfig(AppConfig):
    name = "frontdoor.opendata"
    label = "opendata"
    verbose_name = "Open data"
