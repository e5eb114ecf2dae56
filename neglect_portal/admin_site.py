from functools import wraps

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .access import can_use_admin


class PortalAdminSite(admin.AdminSite):
    site_header = "Neglect Portal administration"
    site_title = "Neglect Portal administration"
    index_title = "Administration"

    def has_permission(self, request):
        return can_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        # Signed-in non-administrators get the portal's 403 at once, not a hop to login().
        admin_only = super().admin_view(view, cacheable)

        @wraps(admin_only)
        def inner(request, *args, **kwargs):
            if not self.has_permission(request):
                raise PermissionDenied
            return admin_only(request, *args, **kwargs)

        return inner

    def login(self, request, extra_context=None):
        # One sign-in page for the whole portal: the admin's login URL only forwards to it.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", request.path))
