from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "frontdoor.search"
    label = "search"
    verbose_name = "Search"
