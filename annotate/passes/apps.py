from django.apps import AppConfig


class PassesConfig(AppConfig):
    name = "annotate.passes"
    label = "passes"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects them (Django's documented place for it)
