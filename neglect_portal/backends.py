"""Signing in against the portal's users (after django-axes' lockout check)."""

from django.contrib.auth.backends import ModelBackend

from .models import User


class PortalModelBackend(ModelBackend):
    """Django's ModelBackend, reading the signed-in person with their agency and team: nearly
    every page asks for the agency (neglect_portal.access), so one query rather than two."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("agency", "team").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
