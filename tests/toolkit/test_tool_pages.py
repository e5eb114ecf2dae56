import pytest
from django.urls import reverse

from neglect_portal.models import User
from tests.factories import InvolvementFactory, UserFactory
from toolkit.content import CHECKLIST_DOMAINS
from toolkit.models import AssessmentChecklist, Tool

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(health):
    return InvolvementFactory(agency=health).child


@pytest.fixture
def draft(client, child, health_visitor):
    client.force_login(health_visitor)
    response = client.post(reverse("toolkit:tool_start", args=[child.pk, "checklist"]))
    checklist = AssessmentChecklist.objects.get()
    assert response["Location"] == reverse("toolkit:tool", args=["checklist", checklist.pk])
    return checklist


def answers(version, **overrides):
    data = {"version": version, "overall_judgement": "Care is not consistently good enough"}
    for key in CHECKLIST_DOMAINS:
        data[f"{key}_concern"] = "some_concern"
        data[f"{key}_evidence"] = f"Seen on visit ({key})"
    return {**data, **overrides}


def test_starting_a_checklist_makes_a_draft_by_the_author(draft, health_visitor, client, child):
    assert (draft.author, draft.status) == (health_visitor, Tool.Status.DRAFT)
    url = reverse("toolkit:tool_start", args=[child.pk, "checklist"])
    assert client.get(url).status_code == 405


def test_a_draft_keeps_whatever_was_typed(client, draft):
    client.post(
        reverse("toolkit:tool", args=["checklist", draft.pk]),
        {"version": 1, "nutrition_concern": "very_concerned", "action": "draft"},
    )
    draft.refresh_from_db()
    assert draft.ratings["nutrition"]["concern"] == "very_concerned"
    assert draft.status == Tool.Status.DRAFT


def test_completing_with_gaps_shows_them_and_loses_nothing(client, draft):
    response = client.post(
        reverse("toolkit:tool", args=["checklist", draft.pk]),
        answers(1, nutrition_evidence="", home_conditions_concern="", action="complete"),
    )
    html = response.content.decode()
    assert "Enter the evidence for your concern about nutrition" in html
    assert "Select a level of concern for home conditions" in html
    assert 'href="#id_nutrition_evidence"' in html
    draft.refresh_from_db()
    assert draft.status == Tool.Status.DRAFT
    assert draft.ratings["physical_care"]["evidence"] == "Seen on visit (physical_care)"


def test_completing_locks_the_checklist(client, draft, health_visitor):
    url = reverse("toolkit:tool", args=["checklist", draft.pk])
    client.post(url, answers(1, action="complete"))
    draft.refresh_from_db()
    assert draft.status == Tool.Status.COMPLETED
    html = client.get(url).content.decode()
    assert "Seen on visit (nutrition)" in html and "Complete checklist" not in html
    assert client.post(url, answers(draft.version, action="draft")).status_code == 403


def test_a_colleague_reads_but_cannot_edit_a_draft(client, draft, health):
    colleague = UserFactory(role=User.Role.PRACTITIONER, agency=health)
    client.force_login(colleague)
    url = reverse("toolkit:tool", args=["checklist", draft.pk])
    assert "Save as draft" not in client.get(url).content.decode()
    assert client.post(url, answers(1, action="draft")).status_code == 403


def test_a_team_manager_reopens_with_a_reason(client, draft, health):
    url = reverse("toolkit:tool", args=["checklist", draft.pk])
    client.post(url, answers(1, action="complete"))
    manager = UserFactory(role=User.Role.TEAM_MANAGER, agency=health)
    client.force_login(manager)
    reopen = reverse("toolkit:tool_reopen", args=["checklist", draft.pk])
    assert "Enter why the tool is being reopened" in client.post(reopen, {}).content.decode()
    client.post(reopen, {"reason": "Evidence belongs to a sibling"})
    draft.refresh_from_db()
    assert draft.status == Tool.Status.DRAFT
    assert draft.history.first().history_change_reason == "Reopened: Evidence belongs to a sibling"


def test_a_stale_save_is_refused_and_the_answers_kept(client, draft):
    url = reverse("toolkit:tool", args=["checklist", draft.pk])
    client.post(url, {"version": 1, "overall_judgement": "First", "action": "draft"})
    html = client.post(url, answers(1, overall_judgement="Second", action="draft")).content.decode()
    assert "Someone else saved this tool after you opened it" in html
    assert "Second" in html
    draft.refresh_from_db()
    assert draft.overall_judgement == "First"
