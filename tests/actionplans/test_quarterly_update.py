"""Rating a quarter: drafts, the narrative rule, submission, locking and reopening."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from actionplans import selectors, services
from actionplans.models import ActionUpdate, QuarterlyReport
from neglect_portal import dates
from neglect_portal.quarters import Quarter

pytestmark = pytest.mark.django_db

Q1, Q2, Q3 = Quarter(2026, 1), Quarter(2026, 2), Quarter(2026, 3)


def _url(plan, quarter=Q2):
    return reverse("actionplans:quarter", args=[plan.pk, quarter])


def _answers(plan, *, rag="green", narrative="", version=0, action="draft", **report):
    data = {"version": version, "action": action, **report}
    for a in plan.actions.all():
        data[f"rag_{a.pk}"] = rag
        data[f"narrative_{a.pk}"] = narrative
        data[f"evidence_{a.pk}"] = ""
    return data


FULL_REPORT = {
    "what_we_did": "Trained 200 staff",
    "difference_for_children": "Earlier help",
    "how_we_know": "Audit",
    "next_steps": "More training",
}


def test_a_lead_saves_a_draft_with_nothing_complete(client, plan, health_lead):
    client.force_login(health_lead)
    action = plan.actions.first()
    response = client.post(
        _url(plan), {"version": 0, "action": "draft", f"rag_{action.pk}": "amber"}
    )
    assert response.status_code == 302
    report = QuarterlyReport.objects.get(plan=plan, quarter=Q2.slug)
    assert report.status == "draft"
    assert ActionUpdate.objects.get(action=action, quarter=Q2.slug).rag == "amber"


def test_a_change_of_rag_without_a_narrative_is_refused_and_names_the_action(
    client, plan, health_lead
):
    client.force_login(health_lead)
    response = client.post(_url(plan), _answers(plan, rag="red", action="submit", **FULL_REPORT))
    assert response.status_code == 200
    action = plan.actions.get(objective="recognise")
    page = response.content.decode()
    assert "There is a problem" in page
    assert (
        "Enter the progress on ‘Do the recognise work’: its rating changed from green to "
        "red" in page
    )
    assert f'href="#id_narrative_{action.pk}"' in page  # the summary links to the field
    report = QuarterlyReport.objects.get(plan=plan, quarter=Q2.slug)
    assert report.status == "draft"
    # Nothing typed was lost: the ratings were saved as a draft.
    assert ActionUpdate.objects.get(action=action, quarter=Q2.slug).rag == "red"


def test_an_unchanged_rating_needs_no_narrative_and_the_quarter_submits(client, plan, health_lead):
    client.force_login(health_lead)
    response = client.post(_url(plan), _answers(plan, rag="green", action="submit", **FULL_REPORT))
    assert response.status_code == 302
    report = QuarterlyReport.objects.get(plan=plan, quarter=Q2.slug)
    assert report.is_submitted and report.submitted_by == health_lead
    assert report.submitted_at is not None


def test_a_changed_rating_with_a_narrative_submits(client, plan, health_lead):
    client.force_login(health_lead)
    response = client.post(
        _url(plan),
        _answers(plan, rag="red", narrative="Lead post vacant", action="submit", **FULL_REPORT),
    )
    assert response.status_code == 302
    assert QuarterlyReport.objects.get(plan=plan, quarter=Q2.slug).is_submitted


def test_submitting_needs_every_action_rated_and_the_summary_report(client, plan, health_lead):
    client.force_login(health_lead)
    response = client.post(_url(plan), {"version": 0, "action": "submit"})
    page = response.content.decode()
    assert "Select a RAG rating for ‘Do the evaluate work’" in page
    assert "Enter what your agency did this quarter" in page
    assert "Enter how you know" in page
    assert not QuarterlyReport.objects.get(plan=plan, quarter=Q2.slug).is_submitted


def test_a_first_rating_is_not_a_change(plan, health_lead):
    # Nothing was submitted for the quarter before the plan's first.
    problems = services.quarter_problems(plan, Q1, QuarterlyReport(plan=plan, quarter=Q1.slug))
    assert not any(name.startswith("narrative_") for name in problems)
    assert selectors.previous_ratings(plan, Q1) == {}


def test_a_change_is_measured_against_the_last_submitted_rating_across_a_skipped_quarter(
    client, plan, health_lead
):
    # Q1 submitted all green (the fixture); Q2 never submitted; Q3 rated red, no narrative.
    client.force_login(health_lead)
    response = client.post(
        _url(plan, Q3), _answers(plan, rag="red", action="submit", **FULL_REPORT)
    )
    assert response.status_code == 200
    assert "its rating changed from green to red" in response.content.decode()
    assert not QuarterlyReport.objects.get(plan=plan, quarter=Q3.slug).is_submitted


def test_a_draft_rating_in_a_skipped_quarter_is_not_the_yardstick(plan, health_lead):
    action = plan.actions.get(objective="recognise")
    services.quarter_save_draft(
        plan=plan,
        quarter=Q2,
        ratings={action.pk: services.Rating("amber")},
        report_fields={},
        user=health_lead,
        expected_version=0,
    )
    assert selectors.previous_ratings(plan, Q3)[action.pk] == ("green", Q1.slug)


def test_the_hint_names_the_quarter_of_the_last_rating_when_it_was_not_the_last_quarter(
    client, plan, health_lead
):
    client.force_login(health_lead)
    assert "Last quarter: Green" in client.get(_url(plan, Q2)).content.decode()
    page = client.get(_url(plan, Q3)).content.decode()
    assert "Last rated: Green in 2026-27 Q1" in page
    assert "Last quarter: Green" not in page


def test_a_submitted_quarter_is_locked_even_for_its_lead(client, plan, health_lead):
    client.force_login(health_lead)
    response = client.get(_url(plan, Q1))
    assert response.status_code == 200
    assert b"Save as draft" not in response.content
    assert client.post(_url(plan, Q1), _answers(plan, rag="red")).status_code == 403
    assert set(ActionUpdate.objects.filter(quarter=Q1.slug).values_list("rag", flat=True)) == {
        "green"
    }
    with pytest.raises(services.QuarterLocked):
        services.quarter_save_draft(
            plan=plan,
            quarter=Q1,
            ratings={},
            report_fields={},
            user=health_lead,
            expected_version=1,
        )


def test_only_an_administrator_reopens_a_quarter_and_the_reason_is_kept(
    client, plan, health_lead, administrator
):
    report = QuarterlyReport.objects.get(plan=plan, quarter=Q1.slug)
    with pytest.raises(PermissionDenied):
        services.quarter_reopen(
            report, user=health_lead, reason="Typo", expected_version=report.version
        )
    client.force_login(administrator)
    url = reverse("actionplans:quarter_reopen", args=[plan.pk, Q1])
    response = client.post(url, {"reason": ""})
    assert b"Enter why the quarter is being reopened" in response.content
    client.post(url, {"reason": "Police figures were for the wrong quarter"})
    report.refresh_from_db()
    assert report.status == "draft"
    assert (
        report.history.first().history_change_reason
        == "Reopened: Police figures were for the wrong quarter"
    )
    client.force_login(health_lead)
    page = client.get(_url(plan, Q1)).content.decode()
    assert "Save as draft" in page  # the lead can correct it now
    assert "Reopened on" in page and "Police figures were for the wrong quarter" in page


def test_a_reopened_quarter_can_be_submitted_again(client, plan, health_lead, administrator):
    report = QuarterlyReport.objects.get(plan=plan, quarter=Q1.slug)
    services.quarter_reopen(
        report, user=administrator, reason="Correct a figure", expected_version=report.version
    )
    report.refresh_from_db()
    client.force_login(health_lead)
    response = client.post(
        _url(plan, Q1), _answers(plan, version=report.version, action="submit", **FULL_REPORT)
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_submitted


def test_a_stale_page_is_refused_and_keeps_what_was_typed(client, plan, health_lead):
    client.force_login(health_lead)
    client.post(_url(plan), _answers(plan, rag="amber"))  # someone saves first (version 1)
    response = client.post(_url(plan), _answers(plan, rag="red", narrative="Mine", version=0))
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this quarter after you opened it" in page
    assert "Mine" in page
    assert set(ActionUpdate.objects.filter(quarter=Q2.slug).values_list("rag", flat=True)) == {
        "amber"
    }


def test_saving_an_unchanged_rating_writes_no_new_version(plan, health_lead):
    action = plan.actions.first()
    rating = {action.pk: services.Rating("amber", "Slow", "")}
    services.quarter_save_draft(
        plan=plan,
        quarter=Q2,
        ratings=rating,
        report_fields={},
        user=health_lead,
        expected_version=0,
    )
    services.quarter_save_draft(
        plan=plan,
        quarter=Q2,
        ratings=rating,
        report_fields={},
        user=health_lead,
        expected_version=1,
    )
    update = ActionUpdate.objects.get(action=action, quarter=Q2.slug)
    assert update.version == 1 and update.history.count() == 1


def test_ratings_for_another_plans_actions_are_ignored(plan, health_lead, other_lead):
    from tests.actionplans.factories import ActionFactory

    stranger = ActionFactory(plan__agency=other_lead.agency)
    services.quarter_save_draft(
        plan=plan,
        quarter=Q2,
        ratings={stranger.pk: services.Rating("red")},
        report_fields={},
        user=health_lead,
        expected_version=0,
    )
    assert not ActionUpdate.objects.filter(action=stranger).exists()


def test_services_refuse_a_lead_of_another_agency(plan, other_lead):
    with pytest.raises(PermissionDenied):
        services.quarter_save_draft(
            plan=plan, quarter=Q2, ratings={}, report_fields={}, user=other_lead, expected_version=0
        )
    with pytest.raises(PermissionDenied):
        services.quarter_submit(plan=plan, quarter=Q2, user=other_lead, expected_version=0)


def test_the_submit_service_lists_every_gap(plan, health_lead):
    services.quarter_save_draft(
        plan=plan, quarter=Q2, ratings={}, report_fields={}, user=health_lead, expected_version=0
    )
    with pytest.raises(ValidationError) as raised:
        services.quarter_submit(plan=plan, quarter=Q2, user=health_lead, expected_version=1)
    assert len(raised.value.message_dict) == 4 + 4  # four actions, four report answers


def test_a_quarter_outside_the_plan_period_is_not_found(client, plan, health_lead):
    client.force_login(health_lead)
    assert client.get(_url(plan, Quarter(2025, 4))).status_code == 404


def test_a_quarter_that_has_not_started_cannot_be_opened_or_submitted(client, plan, health_lead):
    future = Quarter.containing(dates.today()).next()
    assert future in plan.quarters  # within the plan's period: only its start is the bar
    client.force_login(health_lead)
    assert client.get(_url(plan, future)).status_code == 404
    response = client.post(_url(plan, future), _answers(plan, action="submit", **FULL_REPORT))
    assert response.status_code == 404
    assert not QuarterlyReport.objects.filter(plan=plan, quarter=future.slug).exists()


def test_ratings_posted_after_the_session_ran_out_come_back_after_signing_in(
    client, plan, health_lead
):
    client.force_login(health_lead)
    client.post(reverse("logout"))  # signed out in another tab
    response = client.post(
        _url(plan),
        _answers(plan, rag="amber", narrative="Behind on audit", what_we_did="Ran two workshops"),
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not QuarterlyReport.objects.filter(plan=plan, quarter=Q2.slug).exists()
    client.force_login(health_lead)
    page = client.get(_url(plan)).content.decode()
    assert "You were signed out before your ratings were saved" in page
    assert "Behind on audit" in page and "Ran two workshops" in page


def test_a_long_reopening_reason_is_shown_whole_on_the_quarters_page(
    client, plan, health_lead, administrator
):
    client.force_login(administrator)
    reason = "The police return counted staff from the previous financial year twice. " * 3
    client.post(reverse("actionplans:quarter_reopen", args=[plan.pk, Q1]), {"reason": reason})
    client.force_login(health_lead)
    page = client.get(_url(plan, Q1)).content.decode()
    assert f"Reopened: {reason.strip()}" in page
