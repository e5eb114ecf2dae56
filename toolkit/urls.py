from django.urls import path

from . import chronology_views, oversight_views, task_views, views

app_name = "toolkit"

urlpatterns = [
    path("my-children/", views.my_children, name="my_children"),
    path("tasks/", task_views.my_tasks, name="my_tasks"),
    path("tasks/caseload/", task_views.caseload, name="caseload"),
    path("tasks/email/", task_views.reminder_settings, name="reminder_settings"),
    path("children/<int:pk>/chronology/", chronology_views.chronology, name="chronology"),
    path(
        "children/<int:pk>/chronology/print/",
        chronology_views.chronology,
        name="chronology_print",
    ),
    path(
        "children/<int:pk>/chronology/add/",
        chronology_views.ChronologyAdd.as_view(),
        name="chronology_add",
    ),
    path(
        "chronology-entries/<int:pk>/change/",
        chronology_views.ChronologyEntryChange.as_view(),
        name="chronology_entry_change",
    ),
    path(
        "children/<int:pk>/chronology/review/",
        chronology_views.chronology_review,
        name="chronology_review",
    ),
    path(
        "children/<int:pk>/chronology.csv",
        chronology_views.chronology_csv,
        name="chronology_csv",
    ),
    path("children/<int:pk>/tools/<slug:kind>/start/", views.tool_start, name="tool_start"),
    path("tools/<slug:kind>/<int:pk>/", views.tool_page, name="tool"),
    path("tools/<slug:kind>/<int:pk>/reopen/", views.tool_reopen_page, name="tool_reopen"),
    path("tools/<slug:kind>/<int:pk>/history/", views.tool_history, name="tool_history"),
    path(
        "chronology-entries/<int:pk>/history/",
        chronology_views.chronology_entry_history,
        name="chronology_entry_history",
    ),
    path("children/<int:pk>/sdq-needed/", views.sdq_need_add, name="sdq_need_add"),
    path("next-steps/<int:pk>/status/", views.NextStepStatus.as_view(), name="next_step_status"),
    path("next-steps/<int:pk>/history/", views.next_step_history, name="next_step_history"),
    path(
        "tools/<slug:kind>/<int:pk>/oversight/",
        oversight_views.tool_oversight,
        name="tool_oversight",
    ),
    path(
        "children/<int:pk>/chronology/oversight/",
        oversight_views.chronology_oversight,
        name="chronology_oversight",
    ),
]
