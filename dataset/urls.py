from django.urls import include, path

from . import (
    challenge_views,
    impact_views,
    pack_views,
    partner_views,
    publish_views,
    return_views,
    target_views,
    views,
)

app_name = "dataset"

urlpatterns = [
    path("", views.dashboard_latest, name="dashboard_latest"),
    path("choose/", views.choose_quarter, name="choose_quarter"),
    path("pack/", pack_views.pack_latest, name="pack_latest"),
    path("impact/", impact_views.impact_latest, name="impact_latest"),
    path("my-return/", return_views.my_return, name="my_return"),
    path("agency-indicators/", partner_views.partner_indicators, name="partner_indicators"),
    path(
        "agency-indicators/add/",
        partner_views.partner_indicator_add,
        name="partner_indicator_add",
    ),
    path(
        "agency-indicators/<int:pk>/",
        partner_views.partner_indicator_edit,
        name="partner_indicator_edit",
    ),
    path(
        "agency-indicators/<int:pk>/history/",
        partner_views.partner_indicator_history,
        name="partner_indicator_history",
    ),
    path(
        "training-coverage/", return_views.training_coverage_latest, name="training_coverage_latest"
    ),
    path("audits/", include("dataset.audit_urls")),
    path("audits/", include("dataset.audit_findings_urls")),
    path("targets/", target_views.targets_list, name="targets"),
    path("targets/<slug:code>/set/", target_views.target_set, name="target_set"),
    path("targets/<slug:code>/history/", target_views.target_history, name="target_history"),
    path("<quarter:quarter>/", views.dashboard, name="dashboard"),
    path("<quarter:quarter>/dataset.csv", views.dashboard_csv, name="dashboard_csv"),
    path("<quarter:quarter>/dataset.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("<quarter:quarter>/themes/", views.themes, name="themes"),
    path("<quarter:quarter>/pack/", pack_views.pack, name="pack"),
    path("<quarter:quarter>/impact/", impact_views.impact, name="impact"),
    path("<quarter:quarter>/pack/meeting-pack.csv", pack_views.pack_csv, name="pack_csv"),
    path("<quarter:quarter>/pack/meeting-pack.xlsx", pack_views.pack_xlsx, name="pack_xlsx"),
    path("<quarter:quarter>/indicators/<slug:code>/", views.indicator, name="indicator"),
    path("<quarter:quarter>/indicators/<slug:code>/<slug:which>/", views.members, name="members"),
    path(
        "<quarter:quarter>/indicators/<slug:code>/<slug:which>.csv",
        views.members_csv,
        name="members_csv",
    ),
    path(
        "<quarter:quarter>/training-coverage/",
        return_views.training_coverage,
        name="training_coverage",
    ),
    path(
        "<quarter:quarter>/returns/<int:agency_id>/",
        return_views.agency_return,
        name="agency_return",
    ),
    path(
        "<quarter:quarter>/challenge/indicator/<slug:code>/",
        challenge_views.challenge_indicator,
        name="challenge_indicator",
    ),
    path(
        "<quarter:quarter>/challenge/theme/<slug:code>/",
        challenge_views.challenge_theme,
        name="challenge_theme",
    ),
    path("<quarter:quarter>/publish/", publish_views.publish, name="publish"),
    path("<quarter:quarter>/republish/", publish_views.republish, name="republish"),
    path("<quarter:quarter>/restatements/", publish_views.restatements, name="restatements"),
    path("<quarter:quarter>/recalculate/", publish_views.refresh, name="refresh"),
]
