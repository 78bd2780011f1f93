from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "annotate.assignments"
    label = "assignments"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects them (Django's documented place for it)
