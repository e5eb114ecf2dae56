from django.urls import path, register_converter

from . import views
from .quarters import Quarter


class QuarterConverter:
    """`<dataset_quarter:quarter>` matches 2024-25-Q1 and hands the view the dataset's Quarter
    (it knows its number of days, which the weekly mean needs)."""

    regex = r"\d{4}-\d{2}-Q[1-4]"

    def to_python(self, value: str) -> Quarter:
        return Quarter.parse(value)  # ValueError → the URL does not match → 404

    def to_url(self, value) -> str:
        return value.slug if hasattr(value, "slug") else Quarter.parse(value).slug


register_converter(QuarterConverter, "dataset_quarter")

app_name = "dataset"

urlpatterns = [
    path("", views.dashboard_latest, name="dashboard_latest"),
    path("choose/", views.choose_quarter, name="choose_quarter"),
    path("<dataset_quarter:quarter>/", views.dashboard, name="dashboard"),
    path("<dataset_quarter:quarter>/dataset.csv", views.dashboard_csv, name="dashboard_csv"),
    path("<dataset_quarter:quarter>/dataset.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("<dataset_quarter:quarter>/themes/", views.themes, name="themes"),
    path("<dataset_quarter:quarter>/indicators/<slug:code>/", views.indicator,
         name="indicator"),
    path("<dataset_quarter:quarter>/indicators/<slug:code>/<slug:which>/", views.members,
         name="members"),
    path("<dataset_quarter:quarter>/indicators/<slug:code>/<slug:which>.csv",
         views.members_csv, name="members_csv"),
]
