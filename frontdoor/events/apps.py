from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "frontdoor.events"
    label = "events"
    verbose_name = "Events"
