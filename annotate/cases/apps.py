from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "annotate.cases"
    label = "cases"
