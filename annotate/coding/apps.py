from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "annotate.coding"
    label = "coding"
