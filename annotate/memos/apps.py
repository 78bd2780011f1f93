from django.apps import AppConfig


class MemosConfig(AppConfig):
    name = "annotate.memos"
    label = "memos"
