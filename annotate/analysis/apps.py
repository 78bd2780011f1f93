from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "annotate.analysis"
    label = "analysis"
