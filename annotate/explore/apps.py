from django.apps import AppConfig


class ExploreConfig(AppConfig):
    name = "annotate.explore"
    label = "explore"
