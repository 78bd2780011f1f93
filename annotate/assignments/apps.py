from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "annotate.assignments"
    label = "assignments"
