from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    name = "toolkit"
    verbose_name = "Toolkit"

    def ready(self):
        # The cases app's plan and review forms offer the child's tools through its registry,
        # since cases may not import the toolkit (pyproject.toml's layers contract).
        from cases import informed_by

        from . import informed, tool_dates

        informed_by.register(
            choices=informed.tools_on, recorder=informed.record, reader=informed.informing
        )
        tool_dates.connect_signals()
