from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from . import views
from .quarters import QuarterConverter

# Before the apps' URLs, which name quarters in their paths: <quarter:quarter>.
register_converter(QuarterConverter, "quarter")

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/changed/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("health/", views.health, name="health"),
    path("", include("cases.urls")),
    path("", include("toolkit.urls")),
    path("action-plans/", include("actionplans.urls")),
    path("dataset/", include("dataset.urls")),
    path("admin/", admin.site.urls),
]
