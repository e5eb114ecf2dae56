import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from cases.models import AccessLog, Child, ChildProtectionPlan, Involvement, Referral
from neglect_portal import dates
from tests.factories import (
    AllocationFactory,
    AssessmentFactory,
    ChildFactory,
    CINPlanFactory,
    CINPlanReviewFactory,
    CPPlanFactory,
    CPReviewFactory,
    InvolvementFactory,
    ReferralFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db
TODAY = dates.today()


def date_fields(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


@pytest.fixture
def worker_client(client, csc_social_worker):
    client.force_login(csc_social_worker)
    return client


@pytest.fixture
def rich_child(health):
    referral = ReferralFactory(referral_date=date(2024, 5, 1))
    AssessmentFactory(referral=referral, start_date=date(2024, 5, 2))
    CINPlanFactory(referral=referral, start_date=date(2024, 5, 3), end_date=date(2024, 6, 1))
    plan = CPPlanFactory(referral=referral, start_date=date(2024, 6, 1))
    CPReviewFactory(plan=plan, review_date=date(2024, 9, 1))
    InvolvementFactory(child=referral.child, agency=health)
    return referral.child


# Search ------------------------------------------------------------------------------------


def search(client, **criteria):
    response = client.post(reverse("cases:child_list"), criteria)
    assert response.status_code == 302
    return response, client.get(response["Location"]).content.decode()


def test_search_terms_stay_out_of_the_url(worker_client):
    ChildFactory(given_name="Amelia", family_name="Zebedee")
    response, html = search(worker_client, query="Zebedee")
    assert response["Location"] == reverse("cases:child_list")
    assert "Amelia Zebedee" in html


@pytest.mark.parametrize("query", ["Zeb", "amelia zebedee", "DfEX7654321", "14/2/2016"])
def test_search_finds_a_child_by_name_la_id_or_date_of_birth(worker_client, query):
    ChildFactory(
        given_name="Amelia",
        family_name="Zebedee",
        la_child_id="DfEX7654321",
        date_of_birth=date(2016, 2, 14),
    )
    ChildFactory(given_name="Bob", family_name="Other", date_of_birth=date(2015, 1, 1))
    _, html = search(worker_client, query=query)
    assert "Amelia Zebedee" in html
    assert "Bob Other" not in html


def test_filters_narrow_the_list(worker_client, health):
    on_plan = CPPlanFactory(referral__child__given_name="Planned").referral.child
    ChildFactory(given_name="Unplanned")
    InvolvementFactory(child=on_plan, agency=health)
    _, html = search(worker_client, on_cp_plan="on")
    assert "Planned" in html and "Unplanned" not in html
    _, html = search(worker_client, agency=health.pk)
    assert "Planned" in html and "Unplanned" not in html
    _, html = search(worker_client, on_neglect_plan="on")
    assert "Planned" in html and "Unplanned" not in html and "Neglect plan" in html
    _, html = search(worker_client, clear="1")
    assert "Unplanned" in html


def test_the_list_shows_only_children_the_viewer_may_see(client, health_visitor, health):
    InvolvementFactory(agency=health, child__given_name="Ours")
    ChildFactory(given_name="Theirs")
    client.force_login(health_visitor)
    html = client.get(reverse("cases:child_list")).content.decode()
    assert "Ours" in html and "Theirs" not in html


def test_the_list_is_paginated(worker_client):
    ChildFactory.create_batch(27)
    child_links = re.compile(r'href="/children/\d+/"')
    page1 = worker_client.get(reverse("cases:child_list")).content.decode()
    page2 = worker_client.get(reverse("cases:child_list") + "?page=2").content.decode()
    assert len(child_links.findall(page1)) == 25
    assert len(child_links.findall(page2)) == 2
    assert "27 children" in page1


# Child page --------------------------------------------------------------------------------


def test_the_child_page_shows_the_statutory_picture(worker_client, rich_child):
    html = worker_client.get(reverse("cases:child_detail", args=[rich_child.pk])).content.decode()
    assert "Child protection plan since 1 June 2024: Neglect" in html
    assert "Community Health Trust" in html
    for event in [
        "Referral",
        "Assessment completed",
        "Child in need plan started",
        "Child in need plan ended",
        "Child protection plan started",
        "Child protection review",
    ]:
        assert event in html


def test_opening_a_child_is_logged(worker_client, csc_social_worker, rich_child):
    worker_client.get(reverse("cases:child_detail", args=[rich_child.pk]))
    entry = AccessLog.objects.get()
    assert (entry.user, entry.child) == (csc_social_worker, rich_child)


def test_the_access_log_is_append_only(worker_client, rich_child):
    worker_client.get(reverse("cases:child_detail", args=[rich_child.pk]))
    entry = AccessLog.objects.get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_administrators_read_the_access_log(client, administrator, csc_social_worker, rich_child):
    client.force_login(csc_social_worker)
    client.get(reverse("cases:child_detail", args=[rich_child.pk]))
    client.force_login(administrator)
    html = client.get(reverse("cases:access_log", args=[rich_child.pk])).content.decode()
    assert str(csc_social_worker) in html


@pytest.mark.parametrize("count", [5, 50])
def test_child_page_queries_do_not_grow_with_records(
    worker_client, csc_social_worker, count, django_assert_max_num_queries
):
    child = ChildFactory()
    for i in range(count):
        referral = ReferralFactory(child=child, referral_date=date(2020, 1, 1) + timedelta(i * 20))
        AssessmentFactory(referral=referral)
        plan = CPPlanFactory(referral=referral, end_date=referral.referral_date + timedelta(5))
        CPReviewFactory(plan=plan)
        CINPlanReviewFactory(plan=CINPlanFactory(referral=referral))
        InvolvementFactory(child=child)
        AllocationFactory(
            child=child,
            started_on=referral.referral_date,
            ended_on=referral.referral_date + timedelta(10),
            worker__team=TeamFactory(agency=csc_social_worker.agency),
        )
    # Issue 16: the case record and the toolkit's panel in one UNION query each.
    with django_assert_max_num_queries(10):
        response = worker_client.get(reverse("cases:child_detail", args=[child.pk]))
    assert response.status_code == 200
    assert (
        response.content.decode().count(
            'History<span class="govuk-visually-hidden"> of the allocation'
        )
        == count
    )


@pytest.mark.parametrize("count", [5, 50])
def test_children_list_queries_do_not_grow_with_children(
    client, health_visitor, health, count, django_assert_max_num_queries
):
    for _ in range(count):
        InvolvementFactory(agency=health, child=CPPlanFactory().referral.child)
    client.force_login(health_visitor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("cases:child_list"))
    assert response.status_code == 200


# Forms -------------------------------------------------------------------------------------


def _history_rows():
    return sum(
        model.history.count() for model in [Child, Referral, ChildProtectionPlan, Involvement]
    )


def test_get_never_changes_anything(worker_client, rich_child):
    referral = rich_child.referrals.get()
    plan = ChildProtectionPlan.objects.get()
    before = _history_rows()
    for url in [
        reverse("cases:child_edit", args=[rich_child.pk]),
        reverse("cases:referral_add", args=[rich_child.pk]),
        reverse("cases:referral_edit", args=[referral.pk]),
        reverse("cases:cp_plan_start", args=[referral.pk]),
        reverse("cases:cp_plan_end", args=[plan.pk]),
        reverse("cases:cp_plan_category", args=[plan.pk]),
        reverse("cases:involvement_end", args=[rich_child.involvements.get().pk]),
    ]:
        assert worker_client.get(url).status_code == 200
    assert _history_rows() == before


def test_starting_a_cp_plan(worker_client, csc_social_worker):
    referral = ReferralFactory(referral_date=date(2024, 1, 5))
    response = worker_client.post(
        reverse("cases:cp_plan_start", args=[referral.pk]),
        {**date_fields("start_date", date(2024, 2, 1)), "initial_category": "NEG"},
    )
    assert response["Location"] == reverse("cases:child_detail", args=[referral.child.pk])
    plan = ChildProtectionPlan.objects.get()
    assert (plan.latest_category, plan.start_date) == ("NEG", date(2024, 2, 1))
    assert plan.history.get().history_user == csc_social_worker


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the start date"),
        ({**date_fields("start_date", date(2024, 2, 1))}, "Select the category of abuse"),
        (
            {
                "start_date_0": "1",
                "start_date_1": "13",
                "start_date_2": "2024",
                "initial_category": "NEG",
            },
            "Start date must be a real date",
        ),
        (
            {**date_fields("start_date", TODAY + timedelta(days=2)), "initial_category": "NEG"},
            "Start date must be today or in the past",
        ),
        (
            {**date_fields("start_date", date(2024, 3, 1)), "initial_category": "NEG"},
            "This child already has a child protection plan in these dates",
        ),
    ],
)
def test_bad_cp_plan_input_is_answered_and_nothing_is_saved(worker_client, data, message):
    # A fixed date for the first episode: a random one could fall on 3 January 2024 too.
    existing = CPPlanFactory(
        start_date=date(2024, 2, 15), referral__referral_date=date(2024, 2, 10)
    )
    referral = ReferralFactory(child=existing.referral.child, referral_date=date(2024, 1, 3))
    response = worker_client.post(reverse("cases:cp_plan_start", args=[referral.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert ChildProtectionPlan.objects.count() == 1


@pytest.mark.parametrize(
    ("url_name", "target", "data", "message"),
    [
        ("cases:child_add", None, {"la_child_id": "", "sex": "F"}, "Enter the LA child ID"),
        (
            "cases:child_add",
            None,
            {"la_child_id": "X1", "sex": "F"},
            "Enter a date of birth, or an expected date of birth",
        ),
        (
            "cases:referral_add",
            "child",
            {
                **date_fields("referral_date", date(2024, 5, 1)),
                **date_fields("closure_date", date(2024, 4, 1)),
            },
            "Closure date must be on or after the referral date",
        ),
        (
            "cases:assessment_add",
            "referral",
            {
                **date_fields("start_date", date(2024, 5, 3)),
                **date_fields("authorised_date", date(2024, 5, 2)),
            },
            "Authorised date must be on or after the start date",
        ),
        (
            "cases:cin_plan_end",
            "cin_plan",
            {**date_fields("end_date", date(2024, 1, 1)), "version": 1},
            "End date must be on or after the start date",
        ),
        (
            "cases:involvement_add",
            "child",
            {**date_fields("start_date", date(2024, 5, 3))},
            "Select the agency",
        ),
        (
            "cases:cp_review_add",
            "cp_plan",
            {**date_fields("review_date", date(2020, 1, 1))},
            "Review date must be on or after the plan&#x27;s start date",
        ),
    ],
)
def test_each_form_answers_bad_input(worker_client, rich_child, url_name, target, data, message):
    referral = rich_child.referrals.get()
    targets = {
        "child": rich_child,
        "referral": referral,
        "cin_plan": referral.cin_plans.get(),
        "cp_plan": referral.cp_plans.get(),
    }
    args = [targets[target].pk] if target else []
    before = _history_rows()
    response = worker_client.post(reverse(url_name, args=args), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert message in html
    assert _history_rows() == before


def test_changing_the_category_is_in_history_and_on_the_timeline(
    worker_client, rich_child, csc_social_worker
):
    plan = ChildProtectionPlan.objects.get()
    worker_client.post(
        reverse("cases:cp_plan_category", args=[plan.pk]),
        {"latest_category": "EMO", "version": plan.version},
    )
    plan.refresh_from_db()
    assert (plan.latest_category, plan.version) == ("EMO", 2)
    html = worker_client.get(reverse("cases:child_detail", args=[rich_child.pk])).content.decode()
    assert "Category of abuse changed" in html and "Neglect to Emotional abuse" in html
    history = worker_client.get(reverse("cases:history", args=["cp-plan", plan.pk]))
    text = history.content.decode()
    assert "Latest category" in text and "Neglect" in text and "Emotional abuse" in text
    assert str(csc_social_worker) in text


def test_a_stale_save_is_refused_and_the_input_kept(worker_client, rich_child):
    opened_version = rich_child.version
    rich_child.given_name = "Changed By Someone Else"
    rich_child.version += 1
    rich_child.save()
    response = worker_client.post(
        reverse("cases:child_edit", args=[rich_child.pk]),
        {
            "la_child_id": rich_child.la_child_id,
            "given_name": "Typed By Me",
            "family_name": rich_child.family_name,
            "sex": "F",
            **date_fields("date_of_birth", rich_child.date_of_birth),
            "version": opened_version,
        },
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "Your changes have not been saved" in html
    assert "Changed By Someone Else" in html
    assert 'value="Typed By Me"' in html
    assert f'name="version" value="{opened_version + 1}"' in html
    rich_child.refresh_from_db()
    assert rich_child.given_name == "Changed By Someone Else"


def test_ending_an_involvement(worker_client, rich_child):
    involvement = rich_child.involvements.get()
    worker_client.post(
        reverse("cases:involvement_end", args=[involvement.pk]),
        {**date_fields("end_date", TODAY), "version": involvement.version},
    )
    involvement.refresh_from_db()
    assert involvement.end_date == TODAY


def test_read_only_viewers_get_403_on_a_change(client, health_lead, rich_child):
    client.force_login(health_lead)  # the child's agency is involved: they may read
    url = reverse("cases:child_edit", args=[rich_child.pk])
    assert client.get(reverse("cases:child_detail", args=[rich_child.pk])).status_code == 200
    assert client.post(url, {"given_name": "Nope"}).status_code == 403


# A partner's referral ----------------------------------------------------------------------


def test_a_partner_refers_a_new_child_but_sees_it_only_once_involved(
    client, health_visitor, health
):
    client.force_login(health_visitor)
    response = client.post(
        reverse("cases:refer_new_child"),
        {
            "given_name": "Nia",
            "family_name": "Referred",
            "sex": "F",
            **date_fields("date_of_birth", date(2019, 4, 2)),
            **date_fields("referral_date", TODAY),
            "source": "3B",
            "presenting_factors": ["neglect"],
        },
    )
    html = response.content.decode()
    assert "Referral sent" in html and "Go to the child" not in html
    referral = Referral.objects.get()
    assert referral.neglect_presenting and referral.recorded_by == health_visitor
    child_url = reverse("cases:child_detail", args=[referral.child.pk])
    assert client.get(child_url).status_code == 404
    InvolvementFactory(child=referral.child, agency=health)
    assert client.get(child_url).status_code == 200


def test_a_referral_without_a_worry_is_answered(client, health_visitor):
    client.force_login(health_visitor)
    html = client.post(reverse("cases:refer_new_child"), {"given_name": "Nia"}).content.decode()
    for message in [
        "Enter the child&#x27;s family name",
        "Enter the referral date",
        "Select what you are worried about",
    ]:
        assert message in html
    assert not Child.objects.exists()


@pytest.mark.parametrize(
    ("url_name", "target", "data", "message"),
    [
        (
            "cases:referral_add",
            "child",
            date_fields("referral_date", date(2024, 5, 1)),
            "This child already has a referral on this date",
        ),
        (
            "cases:assessment_add",
            "referral",
            date_fields("start_date", date(2024, 5, 2)),
            "This episode already has an assessment starting on this date",
        ),
        (
            "cases:cin_plan_start",
            "referral",
            date_fields("start_date", date(2024, 5, 3)),
            "This episode already has a child in need plan starting on this date",
        ),
        (
            "cases:cp_review_add",
            "cp_plan",
            date_fields("review_date", date(2024, 9, 1)),
            "A review on this date is already recorded for this plan",
        ),
    ],
)
def test_a_duplicate_date_is_answered_not_refused_by_the_database(
    worker_client, rich_child, url_name, target, data, message
):
    referral = rich_child.referrals.get()
    targets = {"child": rich_child, "referral": referral, "cp_plan": referral.cp_plans.get()}
    response = worker_client.post(reverse(url_name, args=[targets[target].pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_error_summary_links_reach_the_first_input_of_each_question(worker_client):
    referral = ReferralFactory()
    html = worker_client.post(
        reverse("cases:cp_plan_start", args=[referral.pk]), {}
    ).content.decode()
    assert 'href="#id_start_date_0"' in html and 'id="id_start_date_0"' in html
    assert 'href="#id_initial_category_1"' in html and 'id="id_initial_category_1"' in html


def test_category_questions_offer_only_the_census_categories(worker_client):
    referral = ReferralFactory()
    html = worker_client.get(reverse("cases:cp_plan_start", args=[referral.pk])).content.decode()
    assert html.count('name="initial_category"') == 5
    assert "---------" not in html


def test_a_child_on_a_neglect_plan_shows_the_mandatory_tools(
    worker_client, rich_child, csc_social_worker, django_assert_max_num_queries
):
    from toolkit.models import DayInMyLife

    DayInMyLife.objects.create(
        child=rich_child,
        author=csc_social_worker,
        author_agency=csc_social_worker.agency,
        status="completed",
        completed_on=TODAY - timedelta(days=10),
        day_version="baby",
    )
    # As above: whether the current tools informed the latest review costs nothing more.
    with django_assert_max_num_queries(10):
        html = worker_client.get(
            reverse("cases:child_detail", args=[rich_child.pk])
        ).content.decode()
    assert "Mandatory neglect tools" in html
    day = html[html.index("Day in my life") :]
    assert "Current" in day[:600]
    checklist = html[html.index("Assessment checklist") :]
    assert "Never completed" in checklist[:400]


def test_a_child_not_on_a_neglect_plan_has_no_tool_status(worker_client):
    child = CPPlanFactory(initial_category="PHY").referral.child
    html = worker_client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "Mandatory neglect tools" not in html


# Adding records, and the rules found in review ------------------------------------------


def test_adding_a_child_a_referral_and_an_assessment(worker_client, csc_social_worker):
    response = worker_client.post(
        reverse("cases:child_add"),
        {
            "la_child_id": "DfEX1234567",
            "given_name": "Ava",
            "family_name": "New",
            "sex": "F",
            **date_fields("date_of_birth", date(2019, 3, 4)),
            "version": 1,
        },
    )
    child = Child.objects.get(la_child_id="DfEX1234567")
    assert response["Location"] == reverse("cases:child_detail", args=[child.pk])
    worker_client.post(
        reverse("cases:referral_add", args=[child.pk]),
        {
            **date_fields("referral_date", date(2024, 5, 1)),
            "presenting_factors": ["neglect"],
            "version": 1,
        },
    )
    referral = child.referrals.get()
    assert referral.neglect_presenting and referral.recorded_by == csc_social_worker
    worker_client.post(
        reverse("cases:assessment_add", args=[referral.pk]),
        {**date_fields("start_date", date(2024, 5, 2)), "factors": ["16A"], "version": 1},
    )
    assert referral.assessments.get().neglect_identified


def test_ending_a_plan_so_that_it_overlaps_the_next_is_answered(worker_client):
    first = CPPlanFactory(
        referral__referral_date=date(2023, 1, 1),
        start_date=date(2023, 1, 1),
        end_date=date(2023, 6, 1),
    )
    later = ReferralFactory(child=first.referral.child, referral_date=date(2023, 7, 1))
    CPPlanFactory(referral=later, start_date=date(2023, 7, 1))
    response = worker_client.post(
        reverse("cases:cp_plan_end", args=[first.pk]),
        {**date_fields("end_date", date(2023, 8, 1)), "version": first.version},
    )
    assert response.status_code == 200
    assert (
        "This child already has a child protection plan in these dates" in response.content.decode()
    )


def test_a_huge_number_in_a_date_is_answered(worker_client):
    referral = ReferralFactory()
    response = worker_client.post(
        reverse("cases:cp_plan_start", args=[referral.pk]),
        {
            "start_date_0": "9" * 20,
            "start_date_1": "1",
            "start_date_2": "2024",
            "initial_category": "NEG",
        },
    )
    assert response.status_code == 200
    assert "Start date must be a real date" in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "target", "data", "message"),
    [
        (
            "cases:cin_plan_start",
            "referral",
            date_fields("start_date", date(2024, 4, 1)),
            "Start date must be on or after the referral date, 1 May 2024",
        ),
        (
            "cases:assessment_add",
            "referral",
            date_fields("start_date", date(2024, 4, 30)),
            "Start date must be on or after the referral date, 1 May 2024",
        ),
        (
            "cases:involvement_end",
            "involvement",
            date_fields("end_date", TODAY + timedelta(days=3)),
            "End date must be today or in the past",
        ),
    ],
)
def test_records_stay_within_their_episode_and_the_past(
    worker_client, rich_child, url_name, target, data, message
):
    referral = rich_child.referrals.get()
    targets = {"referral": referral, "involvement": rich_child.involvements.get()}
    record = targets[target]
    response = worker_client.post(
        reverse(url_name, args=[record.pk]), {**data, "version": getattr(record, "version", 1)}
    )
    assert response.status_code == 200
    assert message in response.content.decode()


def test_an_episode_with_an_open_plan_cannot_be_closed(worker_client, rich_child):
    referral = rich_child.referrals.get()
    response = worker_client.post(
        reverse("cases:referral_edit", args=[referral.pk]),
        {
            **date_fields("referral_date", referral.referral_date),
            **date_fields("closure_date", TODAY),
            "closure_reason": "RC7",
            "version": referral.version,
        },
    )
    assert "End the episode&#x27;s plans before closing it" in response.content.decode()


def test_a_form_without_its_version_says_the_page_is_out_of_date(worker_client, rich_child):
    html = worker_client.post(
        reverse("cases:child_edit", args=[rich_child.pk]),
        {
            "la_child_id": rich_child.la_child_id,
            "sex": "F",
            **date_fields("date_of_birth", rich_child.date_of_birth),
        },
    ).content.decode()
    assert "This page is out of date" in html


def test_a_partner_records_only_its_own_agencys_involvement(
    client, health_visitor, health, csc_social_worker
):
    child = InvolvementFactory(agency=health).child
    client.force_login(health_visitor)
    page = client.get(reverse("cases:involvement_add", args=[child.pk])).content.decode()
    assert "Community Health Trust" in page and "Children&#x27;s Social Care" not in page
    response = client.post(
        reverse("cases:involvement_add", args=[child.pk]),
        {
            "agency": health.pk,
            **date_fields("start_date", TODAY),
            "lead_worker": csc_social_worker.pk,
        },
    )
    assert "Select a valid choice" in response.content.decode()  # not health's worker


def test_the_childs_details_no_longer_change_the_allocated_worker(worker_client, rich_child):
    """Allocation has its own page, which asks the date and reason (test_allocations.py)."""
    html = worker_client.get(reverse("cases:child_edit", args=[rich_child.pk])).content.decode()
    assert 'name="allocated_worker"' not in html


def test_history_and_edit_pages_are_logged_as_opening_the_child(worker_client, rich_child):
    worker_client.get(reverse("cases:history", args=["child", rich_child.pk]))
    worker_client.get(reverse("cases:child_edit", args=[rich_child.pk]))
    assert AccessLog.objects.filter(child=rich_child).count() == 2


def test_the_partner_referral_preselects_nothing(client, health_visitor):
    client.force_login(health_visitor)
    html = client.get(reverse("cases:refer_new_child")).content.decode()
    assert "Select the referral source</option>" in html
    assert " checked" not in html


def test_a_deceased_child_shows_the_age_at_death(worker_client):
    child = ChildFactory(date_of_birth=date(2015, 1, 10), date_of_death=date(2017, 6, 1))
    html = worker_client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert "(died aged 2)" in html
