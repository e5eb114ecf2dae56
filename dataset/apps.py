from django.apps import AppConfig


class DatasetConfig(AppConfig):
    name = "dataset"
    verbose_name = "Dataset"

    def ready(self):
        from . import live

        live.connect_signals()
