from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "frontdoor.directory"
    label = "directory"
    verbose_name = "Directory"
