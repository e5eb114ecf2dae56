from django.urls import path

from . import overview_views, quarter_views, views

app_name = "actionplans"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("mine/", views.my_plan, name="my_plan"),
    path("add/", views.PlanAdd.as_view(), name="plan_add"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.PlanEdit.as_view(), name="plan_edit"),
    path("<int:pk>/actions/add/", views.ActionAdd.as_view(), name="action_add"),
    path("actions/<int:pk>/edit/", views.ActionEdit.as_view(), name="action_edit"),
    path("<int:pk>/history/", views.plan_history, name="plan_history"),
    path("actions/<int:pk>/history/", views.action_history, name="action_history"),
    path("<int:pk>/quarters/<quarter:quarter>/", quarter_views.quarter_page, name="quarter"),
    path(
        "<int:pk>/quarters/<quarter:quarter>/reopen/",
        quarter_views.quarter_reopen,
        name="quarter_reopen",
    ),
    path("overview/", overview_views.overview_latest, name="overview_latest"),
    path("overview/<quarter:quarter>/", overview_views.overview, name="overview"),
    path(
        "overview/<quarter:quarter>/print/",
        overview_views.overview_print,
        name="overview_print",
    ),
    path(
        "overview/<quarter:quarter>/submissions.csv",
        overview_views.submissions_csv,
        name="submissions_csv",
    ),
    path(
        "overview/<quarter:quarter>/submissions.xlsx",
        overview_views.submissions_xlsx,
        name="submissions_xlsx",
    ),
]
