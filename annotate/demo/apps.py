from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "annotate.demo"
    label = "demo"
