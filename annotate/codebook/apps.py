from django.apps import AppConfig


class CodebookConfig(AppConfig):
    name = "annotate.codebook"
    label = "codebook"
