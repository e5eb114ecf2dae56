from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Exists, OuterRef
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, Team, User
from .two_factor import two_factor_reset

# django-otp's own pages would show and change keys and recovery codes with no history:
# an administrator's one way in is the recorded reset on the user list.
for device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device):
        admin.site.unregister(device)


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "agency", "locality"]
    list_filter = ["agency", "locality"]
    list_select_related = ["agency"]
    search_fields = ["name", "locality"]


@admin.register(User)
class PortalUserAdmin(UserAdmin, SimpleHistoryAdmin):
    list_display = [
        "username",
        "first_name",
        "last_name",
        "agency",
        "team",
        "role",
        "is_active",
        "two_factor",
    ]
    list_filter = ["role", "is_chair", "agency", "team", "is_active"]
    list_select_related = ["agency", "team"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Personal details", {"fields": ["first_name", "last_name", "email"]}),
        ("Agency and role", {"fields": ["agency", "team", "role", "is_chair", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2"]}),
        (
            "Agency and role",
            {
                "fields": [
                    "first_name",
                    "last_name",
                    "email",
                    "agency",
                    "team",
                    "role",
                    "is_chair",
                ]
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    actions = ["reset_two_factor"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(has_two_factor=Exists(confirmed))

    @admin.display(boolean=True, description="Two-factor set up", ordering="has_two_factor")
    def two_factor(self, user):
        return user.has_two_factor

    @admin.action(description="Reset two-factor authentication (they set it up again)")
    def reset_two_factor(self, request, queryset):
        people = list(queryset)
        for user in people:
            two_factor_reset(user=user, by=request.user)
        self.message_user(
            request,
            f"Two-factor authentication reset for {len(people)} "
            f"{'person' if len(people) == 1 else 'people'}: their sessions have ended, and "
            "they set it up again when they next sign in.",
            messages.SUCCESS,
        )
