from django.urls import path

from . import admin_views, views

app_name = "dataset"

urlpatterns = [
    path("", views.dashboard_latest, name="dashboard_latest"),
    path("choose/", views.choose_quarter, name="choose_quarter"),
    path("my-return/", admin_views.my_return, name="my_return"),
    path(
        "training-coverage/", admin_views.training_coverage_latest, name="training_coverage_latest"
    ),
    path("<quarter:quarter>/", views.dashboard, name="dashboard"),
    path("<quarter:quarter>/dataset.csv", views.dashboard_csv, name="dashboard_csv"),
    path("<quarter:quarter>/dataset.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("<quarter:quarter>/themes/", views.themes, name="themes"),
    path("<quarter:quarter>/indicators/<slug:code>/", views.indicator, name="indicator"),
    path("<quarter:quarter>/indicators/<slug:code>/<slug:which>/", views.members, name="members"),
    path(
        "<quarter:quarter>/indicators/<slug:code>/<slug:which>.csv",
        views.members_csv,
        name="members_csv",
    ),
    path(
        "<quarter:quarter>/training-coverage/",
        admin_views.training_coverage,
        name="training_coverage",
    ),
    path(
        "<quarter:quarter>/returns/<int:agency_id>/",
        admin_views.agency_return,
        name="agency_return",
    ),
    path("<quarter:quarter>/publish/", admin_views.publish, name="publish"),
    path("<quarter:quarter>/republish/", admin_views.republish, name="republish"),
    path("<quarter:quarter>/restatements/", admin_views.restatements, name="restatements"),
]
