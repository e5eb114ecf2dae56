from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self):
        from neglect_portal.signals import person_moved

        from .allocations import end_allocations_of_moved_worker

        person_moved.connect(end_allocations_of_moved_worker, dispatch_uid="cases.allocations")
