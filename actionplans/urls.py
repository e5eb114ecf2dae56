from django.urls import path

from . import views

app_name = "actionplans"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("mine/", views.my_plan, name="my_plan"),
    path("add/", views.plan_add, name="plan_add"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/actions/add/", views.action_add, name="action_add"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("<int:pk>/history/", views.plan_history, name="plan_history"),
    path("actions/<int:pk>/history/", views.action_history, name="action_history"),
    path("<int:pk>/quarters/<quarter:quarter>/", views.quarter_page, name="quarter"),
    path(
        "<int:pk>/quarters/<quarter:quarter>/reopen/", views.quarter_reopen, name="quarter_reopen"
    ),
    path("overview/", views.overview_latest, name="overview_latest"),
    path("overview/<quarter:quarter>/", views.overview, name="overview"),
    path("overview/<quarter:quarter>/print/", views.overview_print, name="overview_print"),
    path(
        "overview/<quarter:quarter>/submissions.csv", views.submissions_csv, name="submissions_csv"
    ),
    path(
        "overview/<quarter:quarter>/submissions.xlsx",
        views.submissions_xlsx,
        name="submissions_xlsx",
    ),
]
