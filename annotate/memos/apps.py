from django.apps import AppConfig


class MemosConfig(AppConfig):
    name = "annotate.memos"
    label = "memos"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects them (Django's documented place for it)
