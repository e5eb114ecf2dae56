from django.urls import path

from . import views

app_name = "dataset"

urlpatterns = [
    path("", views.dashboard_latest, name="dashboard_latest"),
    path("choose/", views.choose_quarter, name="choose_quarter"),
    path("<quarter:quarter>/", views.dashboard, name="dashboard"),
    path("<quarter:quarter>/dataset.csv", views.dashboard_csv, name="dashboard_csv"),
    path("<quarter:quarter>/dataset.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("<quarter:quarter>/themes/", views.themes, name="themes"),
    path("<quarter:quarter>/indicators/<slug:code>/", views.indicator,
         name="indicator"),
    path("<quarter:quarter>/indicators/<slug:code>/<slug:which>/", views.members,
         name="members"),
    path("<quarter:quarter>/indicators/<slug:code>/<slug:which>.csv",
         views.members_csv, name="members_csv"),
]
