from django.urls import path

from . import import_views

app_name = "cases"

urlpatterns = [
    path("census/import/", import_views.census_upload, name="census_upload"),
]
