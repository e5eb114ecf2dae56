"""The multi-agency case audit's working pages: rounds, their sample and team, each child's
audit and its moderation (under /dataset/audits/)."""

from django.urls import path

from . import audit_record_views, audit_views

urlpatterns: list = [
    path("", audit_views.audit_rounds, name="audit_rounds"),
    path("new/", audit_views.audit_round_add, name="audit_round_add"),
    path("mine/", audit_views.my_audits, name="my_audits"),
    path("<int:pk>/", audit_views.audit_round, name="audit_round"),
    path("<int:pk>/draw/", audit_views.audit_sample_draw, name="audit_sample_draw"),
    path("<int:pk>/pick/", audit_views.audit_sample_pick, name="audit_sample_pick"),
    path("<int:pk>/start/", audit_views.audit_round_start, name="audit_round_start"),
    path("<int:pk>/criteria/", audit_views.audit_criterion_add, name="audit_criterion_add"),
    path(
        "<int:pk>/criteria/<int:criterion>/remove/",
        audit_views.audit_criterion_remove,
        name="audit_criterion_remove",
    ),
    path("<int:pk>/close/", audit_views.audit_round_close, name="audit_round_close"),
    path("<int:pk>/children/<int:sample>/", audit_views.audit_form, name="audit_form"),
    path("<int:pk>/children/<int:sample>/team/", audit_views.audit_team, name="audit_team"),
    path(
        "<int:pk>/children/<int:sample>/chronology/",
        audit_record_views.audit_chronology,
        name="audit_chronology",
    ),
    path(
        "<int:pk>/children/<int:sample>/moderate/",
        audit_views.audit_moderate,
        name="audit_moderate",
    ),
    path(
        "<int:pk>/children/<int:sample>/history/",
        audit_views.audit_history,
        name="audit_history",
    ),
]
