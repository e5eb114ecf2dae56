"""The multi-agency case audit's findings: results, learning and themes, agreed actions and
the export (under /dataset/audits/)."""

from django.urls import path

from . import audit_findings_views as views

urlpatterns = [
    path("<int:pk>/results/", views.audit_results, name="audit_results"),
    path("<int:pk>/results/audit-results.csv", views.audit_results_csv, name="audit_results_csv"),
    path(
        "<int:pk>/results/audit-results.xlsx", views.audit_results_xlsx, name="audit_results_xlsx"
    ),
    path("<int:pk>/learning/", views.audit_learning, name="audit_learning"),
    path(
        "<int:pk>/themes/<int:theme_pk>/agreed-action/",
        views.audit_agreed_action,
        name="audit_agreed_action",
    ),
]
