from django.urls import path

from . import views

app_name = "toolkit"

urlpatterns = [
    path("my-children/", views.my_children, name="my_children"),
    path("children/<int:pk>/chronology/", views.chronology, name="chronology"),
    path("children/<int:pk>/chronology/print/", views.chronology, name="chronology_print"),
    path("children/<int:pk>/chronology/add/", views.chronology_add, name="chronology_add"),
    path(
        "chronology-entries/<int:pk>/change/",
        views.ChronologyEntryChange.as_view(),
        name="chronology_entry_change",
    ),
    path("children/<int:pk>/chronology/review/", views.chronology_review, name="chronology_review"),
    path("children/<int:pk>/chronology.csv", views.chronology_csv, name="chronology_csv"),
]

urlpatterns += [
    path("children/<int:pk>/tools/<slug:kind>/start/", views.tool_start, name="tool_start"),
    path("tools/<slug:kind>/<int:pk>/", views.tool_page, name="tool"),
    path("tools/<slug:kind>/<int:pk>/reopen/", views.tool_reopen_page, name="tool_reopen"),
]
