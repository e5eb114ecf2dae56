from django.contrib import admin
from django.urls import include, path, register_converter

from . import two_factor_views, views
from .quarters import QuarterConverter
from .second_step import before_second_step

# Before the apps' URLs, which name quarters in their paths: <quarter:quarter>.
register_converter(QuarterConverter, "quarter")

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", two_factor_views.sign_in_code, name="sign_in_code"),
    path(
        "sign-in/recovery-code/",
        two_factor_views.sign_in_recovery_code,
        name="sign_in_recovery_code",
    ),
    path("sign-out/", before_second_step(views.SignOutView.as_view()), name="logout"),
    path("account/session/", views.session_status, name="session_status"),
    path(
        "account/two-factor/set-up/",
        two_factor_views.two_factor_set_up,
        name="two_factor_set_up",
    ),
    path(
        "account/two-factor/recovery-codes/",
        two_factor_views.recovery_codes_new,
        name="recovery_codes_new",
    ),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/changed/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("health/", views.health, name="health"),
    path("confidence/", include("neglect_portal.confidence_urls")),
    path("", include("cases.urls")),
    path("", include("toolkit.urls")),
    path("action-plans/", include("actionplans.urls")),
    path("dataset/", include("dataset.urls")),
    path("admin/", admin.site.urls),
]
