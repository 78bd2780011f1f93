from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "annotate.documents"
    label = "documents"
