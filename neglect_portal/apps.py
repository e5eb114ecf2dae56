from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class NeglectPortalConfig(AppConfig):
    default = True
    name = "neglect_portal"
    verbose_name = "People and agencies"

    def ready(self):
        # The sign-in receivers must be connected before anyone signs in; the checks registered.
        from . import checks, second_step, sessions  # noqa: F401


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "neglect_portal.admin_site.PortalAdminSite"
