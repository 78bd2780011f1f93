from django.apps import AppConfig


class CodingLoopConfig(AppConfig):
    name = "annotate.coding_loop"
    label = "coding_loop"
