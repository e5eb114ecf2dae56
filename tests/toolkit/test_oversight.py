"""Management oversight (shared/domain.md §7): a team manager of the author's agency records a
dated judgement on a completed tool or a chronology review; until then it awaits oversight."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from neglect_portal.dates import today
from neglect_portal.models import User
from tests.factories import CPPlanFactory, InvolvementFactory, UserFactory
from toolkit.models import AssessmentChecklist, DayInMyLife, Oversight, ParentChildObservation
from toolkit.selectors import awaiting_oversight_for
from toolkit.services import chronology_mark_reviewed, oversight_record, tool_reopen

pytestmark = pytest.mark.django_db
AWAITING = "Awaiting manager oversight"


@pytest.fixture
def child(health):
    # On a neglect plan, with the health visitor's agency involved.
    child = CPPlanFactory().referral.child
    InvolvementFactory(child=child, agency=health, start_date=date(2024, 1, 1))
    return child


@pytest.fixture
def health_manager(health):
    return UserFactory(username="health-manager", agency=health, role=User.Role.TEAM_MANAGER)


def completed(model, child, author, on=None, **extra):
    extra = {"day_version": "baby", **extra} if model is DayInMyLife else extra
    return model.objects.create(
        child=child,
        author=author,
        author_agency=author.agency,
        status="completed",
        completed_on=on or today() - timedelta(days=3),
        **extra,
    )


def tool_url(tool, kind="checklist"):
    return reverse("toolkit:tool", args=[kind, tool.pk])


def oversight_url(tool, kind="checklist"):
    return reverse("toolkit:tool_oversight", args=[kind, tool.pk])


AGREE = {"judgement": "agree", "reason": "The evidence supports the ratings"}


def post(client, tool, data, kind="checklist"):
    return client.post(oversight_url(tool, kind), {**data, "version": tool.version})


def test_a_completed_tool_awaits_oversight_on_its_page_and_the_childs_panel(
    client, child, health_visitor, health_manager
):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(health_manager)
    assert AWAITING in client.get(tool_url(tool)).content.decode()
    panel = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    row = panel[panel.index("Assessment checklist<span") :]
    assert AWAITING in row[: row.index("</tr>")]


def test_a_draft_does_not_await_oversight(client, child, health_visitor, health_manager):
    draft = AssessmentChecklist.objects.create(
        child=child, author=health_visitor, author_agency=health_visitor.agency
    )
    client.force_login(health_manager)
    assert AWAITING not in client.get(tool_url(draft)).content.decode()
    assert post(client, draft, AGREE).status_code == 403


def test_a_manager_of_the_authors_agency_records_oversight_and_the_tool_no_longer_awaits_it(
    client, child, health_visitor, health_manager
):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(health_manager)
    page = client.get(tool_url(tool)).content.decode()
    assert "Record oversight" in page
    response = post(client, tool, AGREE)
    assert response.status_code == 302 and response["Location"] == tool_url(tool)
    oversight = Oversight.objects.get()
    assert (oversight.tool_kind, oversight.tool_id, oversight.tool_version) == (
        "checklist",
        tool.pk,
        tool.version,
    )
    assert (oversight.manager, oversight.recorded_on) == (health_manager, today())
    assert oversight.completed_on == tool.completed_on
    page = client.get(tool_url(tool)).content.decode()
    assert AWAITING not in page
    assert "Agree: " in page and "The evidence supports the ratings" in page
    panel = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    assert AWAITING not in panel
    # History names who recorded it.
    assert oversight.history.get().history_user == health_manager


def test_agree_with_actions_needs_the_actions_and_keeps_what_was_typed(
    client, child, health_visitor, health_manager
):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(health_manager)
    data = {"judgement": "agree_with_actions", "reason": "Mostly sound, but see home conditions"}
    response = post(client, tool, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter the actions required" in html
    assert "Mostly sound, but see home conditions" in html  # kept
    assert not Oversight.objects.exists()
    post(client, tool, {**data, "actions": "Visit again within two weeks"})
    oversight = Oversight.objects.get()
    assert oversight.get_judgement_display() == "Agree with actions"
    assert oversight.actions == "Visit again within two weeks"


def test_the_reason_and_a_judgement_are_required(client, child, health_visitor, health_manager):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(health_manager)
    html = post(client, tool, {"judgement": "", "reason": " "}).content.decode()
    assert "Select whether you agree with the tool" in html
    assert "Enter the reason for your judgement" in html
    assert not Oversight.objects.exists()


def test_actions_are_not_kept_for_other_judgements(child, health_visitor, health_manager):
    tool = completed(AssessmentChecklist, child, health_visitor)
    oversight = oversight_record(
        kind="checklist",
        tool=tool,
        manager=health_manager,
        judgement="disagree",
        reason="The ratings do not match the evidence",
        actions="Typed, then disagree chosen",
        expected_version=tool.version,
    )
    assert oversight.actions == ""


def test_a_practitioner_cannot_record_oversight(client, child, health_visitor, health):
    tool = completed(AssessmentChecklist, child, UserFactory(agency=health))
    client.force_login(health_visitor)
    assert "Record oversight" not in client.get(tool_url(tool)).content.decode()
    assert post(client, tool, AGREE).status_code == 403
    assert not Oversight.objects.exists()


def test_a_manager_of_another_agency_who_sees_the_child_is_refused(
    client, child, health_visitor, csc_team_manager
):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(csc_team_manager)  # children's social care sees every child
    assert "Record oversight" not in client.get(tool_url(tool)).content.decode()
    assert post(client, tool, AGREE).status_code == 403


def test_a_manager_who_cannot_see_the_child_gets_404(client, child, health_visitor, voluntary):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(UserFactory(agency=voluntary, role=User.Role.TEAM_MANAGER))
    assert post(client, tool, AGREE).status_code == 404


def test_a_manager_does_not_oversee_their_own_work(client, child, health_manager):
    tool = completed(AssessmentChecklist, child, health_manager)
    client.force_login(health_manager)
    assert post(client, tool, AGREE).status_code == 403


def test_oversight_is_post_only(client, child, health_visitor, health_manager):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(health_manager)
    assert client.get(oversight_url(tool)).status_code == 405


def test_a_reopened_and_recompleted_tool_needs_fresh_oversight(
    client, child, health_visitor, health_manager
):
    tool = completed(AssessmentChecklist, child, health_visitor)
    oversight_record(
        kind="checklist",
        tool=tool,
        manager=health_manager,
        judgement="agree",
        reason="First reading",
        expected_version=tool.version,
    )
    tool = tool_reopen(tool, user=health_manager, reason="Evidence missing", expected_version=1)
    AssessmentChecklist.objects.filter(pk=tool.pk).update(
        status="completed", completed_on=today(), version=tool.version + 1
    )
    client.force_login(health_manager)
    page = client.get(tool_url(tool)).content.decode()
    assert AWAITING in page
    assert "First reading" in page and "an earlier completion" in page
    assert [row.pk for row in awaiting_oversight_for(health_manager)] == [tool.pk]


def test_oversight_of_a_page_opened_before_the_tool_was_recompleted_is_refused(
    client, child, health_visitor, health_manager
):
    tool = completed(AssessmentChecklist, child, health_visitor)
    opened_at = tool.version
    AssessmentChecklist.objects.filter(pk=tool.pk).update(version=opened_at + 2)
    client.force_login(health_manager)
    response = client.post(oversight_url(tool), {**AGREE, "version": opened_at})
    assert "reopened or completed again after you opened this page" in response.content.decode()
    assert not Oversight.objects.exists()


def test_a_chronology_review_awaits_oversight_until_a_manager_records_it(
    client, child, health_visitor, health_manager
):
    chronology = chronology_mark_reviewed(child=child, user=health_visitor)
    url = reverse("toolkit:chronology", args=[child.pk])
    client.force_login(health_manager)
    page = client.get(url).content.decode()
    assert AWAITING in page and "Record your oversight of this review" in page
    response = client.post(
        reverse("toolkit:chronology_oversight", args=[child.pk]),
        {**AGREE, "version": chronology.version},
    )
    assert response.status_code == 302
    oversight = Oversight.objects.get()
    assert (oversight.tool_kind, oversight.completed_on) == ("chronology", chronology.reviewed_on)
    page = client.get(url).content.decode()
    assert AWAITING not in page and "The review of" in page


def test_a_chronology_never_reviewed_has_nothing_to_oversee(client, child, health_manager):
    client.force_login(health_manager)
    page = client.get(reverse("toolkit:chronology", args=[child.pk])).content.decode()
    assert AWAITING not in page and "Record your oversight" not in page
    response = client.post(reverse("toolkit:chronology_oversight", args=[child.pk]), AGREE)
    assert response.status_code == 404


# What a manager has to oversee (for My tasks) ------------------------------------------


def test_awaiting_oversight_lists_their_agencys_unreviewed_work_oldest_first(
    child, health_visitor, health_manager, csc_social_worker, django_assert_num_queries
):
    newer = completed(DayInMyLife, child, health_visitor, on=today() - timedelta(days=1))
    older = completed(ParentChildObservation, child, health_visitor, on=today() - timedelta(9))
    overseen = completed(AssessmentChecklist, child, health_visitor)
    oversight_record(
        kind="checklist",
        tool=overseen,
        manager=health_manager,
        judgement="agree",
        reason="Fine",
        expected_version=overseen.version,
    )
    completed(AssessmentChecklist, child, csc_social_worker)  # another agency's
    completed(AssessmentChecklist, child, health_manager)  # their own
    chronology_mark_reviewed(child=child, user=health_visitor, on=today() - timedelta(days=5))
    with django_assert_num_queries(1):
        rows = awaiting_oversight_for(health_manager)
    assert [(row.kind, row.pk) for row in rows] == [
        ("observation", older.pk),
        ("chronology", child.chronology.pk),
        ("day", newer.pk),
    ]
    assert rows[0].url == reverse("toolkit:tool", args=["observation", older.pk])
    assert rows[1].url == reverse("toolkit:chronology", args=[child.pk])
    assert rows[2].author == str(health_visitor.get_full_name() or health_visitor.username)
    assert rows[2].child == str(child)
    since = awaiting_oversight_for(health_manager, since=today() - timedelta(days=2))
    assert [row.pk for row in since] == [newer.pk]


def test_only_team_managers_have_oversight_to_do(child, health_visitor):
    completed(DayInMyLife, child, UserFactory(agency=health_visitor.agency))
    assert awaiting_oversight_for(health_visitor) == []


def test_awaiting_oversight_leaves_out_children_the_manager_cannot_see(
    health_visitor, health_manager
):
    unseen = CPPlanFactory().referral.child  # health is not involved
    completed(DayInMyLife, unseen, health_visitor)
    assert awaiting_oversight_for(health_manager) == []


def test_the_tool_page_needs_the_same_queries_however_many_comments(
    client, child, health_visitor, health_manager, django_assert_max_num_queries
):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(health_manager)
    for count in (1, 10):
        for _ in range(count):
            Oversight.objects.create(
                child=child,
                tool_kind="checklist",
                tool_id=tool.pk,
                tool_version=tool.version - 1 or 1,
                completed_on=tool.completed_on,
                judgement="agree",
                reason="Earlier",
                manager=UserFactory(agency=health_manager.agency, role="team_manager"),
                manager_agency=health_manager.agency,
            )
        with django_assert_max_num_queries(12):
            assert client.get(tool_url(tool)).status_code == 200


def test_the_childs_panel_says_when_the_chronology_review_awaits_oversight(
    client, child, health_visitor, health_manager
):
    chronology = chronology_mark_reviewed(child=child, user=health_visitor)
    client.force_login(health_manager)
    url = reverse("cases:child_detail", args=[child.pk])
    assert "Review awaiting manager oversight" in client.get(url).content.decode()
    oversight_record(
        kind="chronology",
        tool=chronology,
        manager=health_manager,
        judgement="agree",
        reason="Clear",
        expected_version=chronology.version,
    )
    assert "Review awaiting manager oversight" not in client.get(url).content.decode()


def test_the_same_oversight_posted_twice_is_kept_once(
    client, child, health_visitor, health_manager
):
    tool = completed(AssessmentChecklist, child, health_visitor)
    client.force_login(health_manager)
    assert post(client, tool, AGREE).status_code == 302
    again = post(client, tool, AGREE)  # a double click, or the browser sending it again
    assert "You have already recorded oversight of this completion" in again.content.decode()
    assert Oversight.objects.filter(tool_id=tool.pk).count() == 1


def test_a_chronology_review_stays_with_the_reviewers_agency_after_they_move(
    client, child, csc, health, health_visitor, health_manager
):
    chronology_mark_reviewed(child=child, user=health_visitor)
    health_visitor.agency = csc  # moves to children's social care
    health_visitor.save()
    csc_manager = UserFactory(agency=csc, role=User.Role.TEAM_MANAGER)
    assert [row.kind for row in awaiting_oversight_for(health_manager)] == ["chronology"]
    assert awaiting_oversight_for(csc_manager) == []
    client.force_login(csc_manager)
    url = reverse("toolkit:chronology_oversight", args=[child.pk])
    version = child.chronology.version
    assert client.post(url, {**AGREE, "version": version}).status_code == 403
