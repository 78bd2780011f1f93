from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "annotate.core"
    label = "core"

    def ready(self) -> None:
        from annotate.core.api import strict

        strict.install()
