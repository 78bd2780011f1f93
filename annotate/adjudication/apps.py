from django.apps import AppConfig


class AdjudicationConfig(AppConfig):
    name = "annotate.adjudication"
    label = "adjudication"
