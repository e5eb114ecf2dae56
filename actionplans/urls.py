from django.urls import path

from . import challenge_views, meeting_views, overview_views, quarter_views, views

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
    path("challenges/", challenge_views.challenge_list, name="challenge_list"),
    path("challenges/raise/", challenge_views.challenge_raise, name="challenge_raise"),
    path("challenges/<int:pk>/", challenge_views.challenge_detail, name="challenge_detail"),
    path(
        "challenges/<int:pk>/history/",
        challenge_views.challenge_history,
        name="challenge_history",
    ),
    path("working-group/", meeting_views.meeting_latest, name="meeting_latest"),
    path("working-group/<quarter:quarter>/", meeting_views.meeting, name="meeting"),
    path(
        "working-group/decisions/<int:pk>/history/",
        meeting_views.decision_history,
        name="decision_history",
    ),
]
