from django.urls import path

from . import duplicate_views, import_views, views

app_name = "cases"

urlpatterns = [
    path("children/", views.child_list, name="child_list"),
    path("children/add/", views.ChildAdd.as_view(), name="child_add"),
    path("children/refer/", views.refer_new_child, name="refer_new_child"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/edit/", views.ChildEdit.as_view(), name="child_edit"),
    path("children/<int:pk>/referrals/add/", views.ReferralAdd.as_view(), name="referral_add"),
    path(
        "children/<int:pk>/involvements/add/",
        views.InvolvementAdd.as_view(),
        name="involvement_add",
    ),
    path(
        "children/<int:pk>/allocation/", views.AllocationChange.as_view(), name="allocation_change"
    ),
    path("children/<int:pk>/access-log/", views.access_log, name="access_log"),
    path("referrals/<int:pk>/edit/", views.ReferralEdit.as_view(), name="referral_edit"),
    path(
        "referrals/<int:pk>/assessments/add/", views.AssessmentAdd.as_view(), name="assessment_add"
    ),
    path("referrals/<int:pk>/cin-plans/add/", views.CINPlanStart.as_view(), name="cin_plan_start"),
    path("referrals/<int:pk>/cp-plans/add/", views.CPPlanStart.as_view(), name="cp_plan_start"),
    path("assessments/<int:pk>/edit/", views.AssessmentEdit.as_view(), name="assessment_edit"),
    path("cin-plans/<int:pk>/end/", views.CINPlanEnd.as_view(), name="cin_plan_end"),
    path("cp-plans/<int:pk>/end/", views.CPPlanEnd.as_view(), name="cp_plan_end"),
    path("cp-plans/<int:pk>/category/", views.CPPlanCategory.as_view(), name="cp_plan_category"),
    path("cp-plans/<int:pk>/reviews/add/", views.CPReviewAdd.as_view(), name="cp_review_add"),
    path("involvements/<int:pk>/end/", views.InvolvementEnd.as_view(), name="involvement_end"),
    path("history/<slug:kind>/<int:pk>/", views.record_history, name="history"),
    path("census/import/", import_views.census_upload, name="census_upload"),
    path("duplicates/", duplicate_views.duplicate_list, name="duplicate_list"),
    path("duplicates/<int:pk>/", duplicate_views.duplicate_detail, name="duplicate_detail"),
    path(
        "duplicates/<int:pk>/not-the-same/",
        duplicate_views.duplicate_not_the_same,
        name="duplicate_not_the_same",
    ),
    path("duplicates/<int:pk>/merge/", duplicate_views.duplicate_merge, name="duplicate_merge"),
    path("census/runs/", import_views.census_runs_list, name="census_runs"),
    path("census/runs/<int:pk>/", import_views.census_run, name="census_run"),
    path(
        "cin-plans/<int:pk>/reviews/add/",
        views.CINPlanReviewAdd.as_view(),
        name="cin_review_add",
    ),
    path("plans/<slug:kind>/<int:pk>/", views.plan_detail, name="plan"),
    path("reviews/<slug:kind>/<int:pk>/", views.review_detail, name="review"),
]
