"""Tools that inform plans (shared/domain.md §7): a CP review, a CIN plan review or a new plan
records which completed tools informed it, the current ones ticked by default; the plan and
review pages list them, and the child's page says whether each current tool informed the
latest review."""

from datetime import timedelta

import pytest
from django.urls import reverse

from cases import informed_by
from cases.models import ChildInNeedPlan, ChildProtectionPlan, CINPlanReview, CPReview
from neglect_portal.dates import today
from tests.factories import (
    AssessmentFactory,
    CINPlanFactory,
    CPPlanFactory,
    CPReviewFactory,
    InvolvementFactory,
    ReferralFactory,
)
from toolkit.models import (
    AssessmentChecklist,
    ChronologyEntry,
    DayInMyLife,
    ParentChildObservation,
    ToolInformed,
)
from toolkit.services import chronology_entry_add

pytestmark = pytest.mark.django_db
TODAY = today()


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture
def worker_client(client, csc_social_worker):
    client.force_login(csc_social_worker)
    return client


@pytest.fixture
def plan():
    referral = ReferralFactory(referral_date=TODAY - timedelta(days=400))
    AssessmentFactory(referral=referral, start_date=referral.referral_date)
    return CPPlanFactory(referral=referral, start_date=TODAY - timedelta(days=300))


def completed(model, child, author, days_ago, **extra):
    extra = {"day_version": "baby", **extra} if model is DayInMyLife else extra
    return model.objects.create(
        child=child,
        author=author,
        author_agency=author.agency,
        status="completed",
        completed_on=TODAY - timedelta(days=days_ago),
        **extra,
    )


@pytest.fixture
def tools(plan, csc_social_worker):
    """A current day in my life and checklist, an observation more than six months old, a
    draft, and a chronology entry recorded today."""
    child = plan.child
    entry = chronology_entry_add(
        child=child,
        entry=ChronologyEntry(
            author=csc_social_worker,
            source_agency=csc_social_worker.agency,
            event_date=TODAY,
            what_happened="Home visit",
            impact="neutral",
            impact_description="None seen",
        ),
    )
    return {
        "day": completed(DayInMyLife, child, csc_social_worker, 10),
        "checklist": completed(AssessmentChecklist, child, csc_social_worker, 20),
        "old_observation": completed(ParentChildObservation, child, csc_social_worker, 200),
        "draft": AssessmentChecklist.objects.create(
            child=child, author=csc_social_worker, author_agency=csc_social_worker.agency
        ),
        "chronology": entry.chronology,
    }


def key(kind, tool):
    return f"{kind}:{tool.pk}"


def test_the_review_form_offers_completed_tools_with_the_current_ones_ticked(
    worker_client, plan, tools
):
    html = worker_client.get(reverse("cases:cp_review_add", args=[plan.pk])).content.decode()
    assert "Which completed tools informed the review?" in html

    def box(value):
        start = html.index(f'value="{value}"')
        return html[html.rindex("<input", 0, start) : html.index(">", start)]

    assert "checked" in box(key("day", tools["day"]))
    assert "checked" in box(key("checklist", tools["checklist"]))
    assert "checked" in box(key("chronology", tools["chronology"]))
    assert "checked" not in box(key("observation", tools["old_observation"]))
    assert key("checklist", tools["draft"]) not in html


def test_recording_a_review_records_the_tools_ticked_and_its_page_lists_them(
    worker_client, plan, tools
):
    ticked = [key("day", tools["day"]), key("chronology", tools["chronology"])]
    response = worker_client.post(
        reverse("cases:cp_review_add", args=[plan.pk]),
        {**date_fields("review_date", TODAY), "informed_by": ticked},
    )
    review = CPReview.objects.get(plan=plan)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:review", args=["cp-review", review.pk])
    links = ToolInformed.objects.filter(cp_review=review)
    assert {(link.tool_kind, link.tool_id, link.completed_on) for link in links} == {
        ("day", tools["day"].pk, tools["day"].completed_on),
        ("chronology", tools["chronology"].pk, TODAY),
    }
    html = worker_client.get(response["Location"]).content.decode()
    assert "Tools that informed the review" in html
    assert reverse("toolkit:tool", args=["day", tools["day"].pk]) in html
    assert "Impact chronology" in html
    assert "Assessment checklist" not in html


def test_a_tool_completed_after_the_review_date_is_refused(worker_client, plan, tools):
    review_day = TODAY - timedelta(days=15)
    late = completed(AssessmentChecklist, plan.child, tools["day"].author, 5)
    response = worker_client.post(
        reverse("cases:cp_review_add", args=[plan.pk]),
        {**date_fields("review_date", review_day), "informed_by": [key("checklist", late)]},
    )
    assert response.status_code == 200
    assert "was completed after" in response.content.decode()
    assert not CPReview.objects.exists()


def test_a_tool_of_another_child_cannot_be_recorded(worker_client, plan, csc_social_worker):
    other = completed(DayInMyLife, CPPlanFactory().referral.child, csc_social_worker, 3)
    response = worker_client.post(
        reverse("cases:cp_review_add", args=[plan.pk]),
        {**date_fields("review_date", TODAY), "informed_by": [key("day", other)]},
    )
    assert response.status_code == 200
    assert not CPReview.objects.exists() and not ToolInformed.objects.exists()


def test_a_cin_plan_review_is_recorded_with_its_tools_and_has_a_page_and_history(
    worker_client, plan, tools
):
    cin = CINPlanFactory(referral=plan.referral, start_date=plan.start_date)
    response = worker_client.post(
        reverse("cases:cin_review_add", args=[cin.pk]),
        {**date_fields("review_date", TODAY), "informed_by": [key("day", tools["day"])]},
    )
    review = CINPlanReview.objects.get()
    assert response["Location"] == reverse("cases:review", args=["cin-review", review.pk])
    assert ToolInformed.objects.get().cin_review == review
    html = worker_client.get(response["Location"]).content.decode()
    assert "Child in need plan review" in html and "Day in my life" in html
    history = worker_client.get(reverse("cases:history", args=["cin-review", review.pk]))
    assert "Created" in history.content.decode()


def test_a_cin_review_before_the_plan_started_is_refused(worker_client, plan):
    cin = CINPlanFactory(referral=plan.referral, start_date=plan.start_date)
    response = worker_client.post(
        reverse("cases:cin_review_add", args=[cin.pk]),
        date_fields("review_date", plan.start_date - timedelta(days=1)),
    )
    assert "Review date must be on or after the plan&#x27;s start date" in response.content.decode()


def test_a_new_cp_plan_records_the_tools_that_informed_it(worker_client, plan, tools):
    plan.end_date = TODAY - timedelta(days=2)
    plan.save()
    response = worker_client.post(
        reverse("cases:cp_plan_start", args=[plan.referral.pk]),
        {
            **date_fields("start_date", TODAY),
            "initial_category": "NEG",
            "informed_by": [key("checklist", tools["checklist"])],
        },
    )
    assert response.status_code == 302
    new = ChildProtectionPlan.objects.get(start_date=TODAY)
    assert ToolInformed.objects.get().cp_plan == new
    html = worker_client.get(reverse("cases:plan", args=["cp-plan", new.pk])).content.decode()
    assert "Tools that informed the plan" in html and "Assessment checklist" in html


def test_a_new_cin_plan_records_the_tools_that_informed_it(worker_client, plan, tools):
    worker_client.post(
        reverse("cases:cin_plan_start", args=[plan.referral.pk]),
        {**date_fields("start_date", TODAY), "informed_by": [key("day", tools["day"])]},
    )
    cin = ChildInNeedPlan.objects.get()
    assert ToolInformed.objects.get().cin_plan == cin


def test_the_plan_page_lists_each_reviews_tools(
    worker_client, plan, tools, csc_social_worker, django_assert_max_num_queries
):
    CPReviewFactory(plan=plan, review_date=TODAY - timedelta(days=30))
    review = CPReviewFactory(plan=plan, review_date=TODAY - timedelta(days=1))
    informed_by.record(
        review, keys=[key("day", tools["day"])], on=review.review_date, user=csc_social_worker
    )
    with django_assert_max_num_queries(10):
        html = worker_client.get(reverse("cases:plan", args=["cp-plan", plan.pk])).content.decode()
    assert html.count("Day in my life") == 1  # only the later review was informed by it
    assert "No tools were recorded as informing it." in html


def test_the_review_page_needs_few_queries(
    worker_client, plan, tools, csc_social_worker, django_assert_max_num_queries
):
    review = CPReviewFactory(plan=plan, review_date=TODAY)
    keys = [key("day", tools["day"]), key("checklist", tools["checklist"])]
    informed_by.record(review, keys=keys, on=TODAY, user=csc_social_worker)
    with django_assert_max_num_queries(8):
        response = worker_client.get(reverse("cases:review", args=["cp-review", review.pk]))
    assert response.status_code == 200


def test_the_child_page_says_whether_each_current_tool_informed_the_latest_review(
    worker_client, plan, tools, csc_social_worker
):
    review = CPReviewFactory(plan=plan, review_date=TODAY - timedelta(days=12))
    informed_by.record(
        review,
        keys=[key("checklist", tools["checklist"])],
        on=review.review_date,
        user=csc_social_worker,
    )
    html = worker_client.get(reverse("cases:child_detail", args=[plan.child.pk])).content.decode()
    block = html[html.index("The latest review") :]
    block = block[: block.index("</ul>")]
    assert "Assessment checklist: informed the review" in block
    # Completed 10 days ago, and the chronology's entry today: both after the review.
    assert "Day in my life: completed since the review" in block
    assert "Impact chronology: completed since the review" in block
    assert "Parent–child observation" not in block  # not current


def test_a_current_tool_left_unticked_did_not_inform_the_latest_review(
    worker_client, plan, tools, csc_social_worker
):
    review = CPReviewFactory(plan=plan, review_date=TODAY)
    informed_by.record(review, keys=[key("day", tools["day"])], on=TODAY, user=csc_social_worker)
    html = worker_client.get(reverse("cases:child_detail", args=[plan.child.pk])).content.decode()
    block = html[html.index("The latest review") :]
    assert "Day in my life: informed the review" in block
    assert "Assessment checklist: not recorded as informing the review" in block


def test_a_partner_cannot_record_a_review(client, plan, health_visitor):
    client.force_login(health_visitor)
    InvolvementFactory(child=plan.child, agency=health_visitor.agency)
    assert client.get(reverse("cases:cp_review_add", args=[plan.pk])).status_code == 403
    page = client.get(reverse("cases:plan", args=["cp-plan", plan.pk]))
    assert page.status_code == 200 and "Record a review" not in page.content.decode()


def test_the_second_button_ticks_the_tools_current_on_the_date_entered_and_saves_nothing(
    worker_client, plan, tools
):
    # 150 days ago, the observation (200 days ago) was current; the day in my life and the
    # checklist were not yet completed.
    day = TODAY - timedelta(days=150)
    response = worker_client.post(
        reverse("cases:cp_review_add", args=[plan.pk]),
        {
            **date_fields("review_date", day),
            "informed_by": [key("day", tools["day"])],
            "tick_for_date": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and not CPReview.objects.exists()

    def box(value):
        start = html.index(f'value="{value}"')
        return html[html.rindex("<input", 0, start) : html.index(">", start)]

    assert "checked" in box(key("observation", tools["old_observation"]))
    assert "checked" not in box(key("day", tools["day"]))
    assert f'value="{day.year}"' in html  # the date typed is kept


def test_the_second_button_without_a_date_asks_for_it(worker_client, plan, tools):
    response = worker_client.post(
        reverse("cases:cp_review_add", args=[plan.pk]), {"tick_for_date": ""}
    )
    assert "There is a problem" in response.content.decode()
    assert not CPReview.objects.exists()


def test_a_backdated_review_keeps_the_chronology_as_it_stood_on_its_date(
    worker_client, plan, tools, csc_social_worker
):
    # An entry 60 days ago as well as today's: on a review 30 days ago the chronology stood
    # at the older one, and ticking it is right, although its latest entry is later.
    ChronologyEntry.objects.filter(chronology=tools["chronology"]).update(
        recorded_on=TODAY - timedelta(days=60), event_date=TODAY - timedelta(days=60)
    )
    chronology_entry_add(
        child=plan.child,
        entry=ChronologyEntry(
            author=csc_social_worker,
            source_agency=csc_social_worker.agency,
            event_date=TODAY,
            what_happened="Another visit",
            impact="neutral",
            impact_description="None seen",
        ),
    )
    review_day = TODAY - timedelta(days=30)
    response = worker_client.post(
        reverse("cases:cp_review_add", args=[plan.pk]),
        {
            **date_fields("review_date", review_day),
            "informed_by": [key("chronology", tools["chronology"])],
        },
    )
    assert response.status_code == 302, response.content.decode()
    (link,) = ToolInformed.objects.filter(cp_review__plan=plan)
    assert (link.tool_kind, link.completed_on) == ("chronology", TODAY - timedelta(days=60))
