from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "annotate.coding"
    label = "coding"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects them (Django's documented place for it)
