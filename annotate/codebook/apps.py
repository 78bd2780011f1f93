from django.apps import AppConfig


class CodebookConfig(AppConfig):
    name = "annotate.codebook"
    label = "codebook"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects them (Django's documented place for it)
