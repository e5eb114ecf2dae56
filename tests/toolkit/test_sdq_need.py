"""An SDQ recorded as needed, until one is completed; the SDQ's form follows the child's age on
the completion date; a completed SDQ shows its impact answers."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from neglect_portal import dates
from neglect_portal.models import User
from tests.factories import CPPlanFactory, InvolvementFactory, UserFactory
from toolkit.models import SDQ, SDQNeed
from toolkit.selectors import sdq_needs_open
from toolkit.services import sdq_need_record, tool_complete, tool_start

pytestmark = pytest.mark.django_db
TODAY = dates.today()


@pytest.fixture
def child(health):
    born = TODAY - relativedelta(years=9, days=10)
    return InvolvementFactory(agency=health, child__date_of_birth=born).child


def completed_sdq(child, author, on=None):
    sdq = tool_start(
        SDQ,
        child=child,
        author=author,
        informant="parent",
        age=child.age_on(on or TODAY),
        responses={str(item): 1 for item in range(1, 26)},
    )
    return tool_complete(sdq, user=author, expected_version=1, on=on)


def test_a_practitioner_records_that_an_sdq_is_needed_with_the_reason(
    client, child, health_visitor
):
    client.force_login(health_visitor)
    response = client.post(
        reverse("toolkit:sdq_need_add", args=[child.pk]),
        {"reason": "Withdrawn at school since the move"},
    )
    assert response["Location"] == reverse("cases:child_detail", args=[child.pk])
    need = SDQNeed.objects.get()
    assert (need.child, need.recorded_by, need.recorded_on) == (child, health_visitor, TODAY)
    assert need.reason == "Withdrawn at school since the move" and need.is_open
    assert need.history.get().history_user == health_visitor


def test_the_need_shows_in_the_tool_status_until_an_sdq_is_completed(client, child, health_visitor):
    sdq_need_record(child=child, user=health_visitor, reason="Withdrawn at school")
    client.force_login(health_visitor)
    url = reverse("cases:child_detail", args=[child.pk])
    html = client.get(url).content.decode()
    assert f"SDQ needed since {dates.long_date(TODAY)}, Withdrawn at school" in html
    sdq = completed_sdq(child, health_visitor)
    assert "SDQ needed since" not in client.get(url).content.decode()
    need = SDQNeed.objects.get()
    assert (need.met_by, need.met_on) == (sdq, TODAY)


def test_the_need_shows_among_the_mandatory_tools_of_a_child_on_a_neglect_plan(
    client, health, health_visitor
):
    child = CPPlanFactory(latest_category="NEG").referral.child
    InvolvementFactory(agency=health, child=child)
    sdq_need_record(child=child, user=health_visitor, reason="Low mood at home visits")
    client.force_login(health_visitor)
    html = client.get(reverse("cases:child_detail", args=[child.pk])).content.decode()
    tools = html[
        html.index("Mandatory neglect tools") : html.index("<h2", html.index("govuk-task-list"))
    ]
    assert "Low mood at home visits" in tools


def test_an_sdq_completed_before_the_need_was_recorded_does_not_meet_it(child, health_visitor):
    completed_sdq(child, health_visitor, on=TODAY - timedelta(days=1))
    sdq_need_record(child=child, user=health_visitor, reason="New worries")
    assert [need.reason for need in sdq_needs_open([child.pk])] == ["New worries"]


def test_a_draft_sdq_leaves_the_need_open(child, health_visitor):
    sdq_need_record(child=child, user=health_visitor, reason="Withdrawn")
    tool_start(SDQ, child=child, author=health_visitor, informant="parent", age=9)
    assert len(sdq_needs_open([child.pk])) == 1


def test_another_childs_sdq_does_not_meet_the_need(child, health, health_visitor):
    sdq_need_record(child=child, user=health_visitor, reason="Withdrawn")
    other = InvolvementFactory(agency=health, child__date_of_birth=child.date_of_birth).child
    completed_sdq(other, health_visitor)
    assert len(sdq_needs_open([child.pk])) == 1


@pytest.mark.parametrize("children", [2, 20])
def test_open_needs_for_many_children_are_one_query(
    child, health, health_visitor, children, django_assert_num_queries
):
    ids = []
    for n in range(children):
        kid = InvolvementFactory(agency=health).child
        sdq_need_record(child=kid, user=health_visitor, reason=f"Reason {n}")
        ids.append(kid.pk)
    with django_assert_num_queries(1):
        needs = sdq_needs_open(ids)
        assert {str(need.recorded_by) for need in needs} == {str(health_visitor)}
    assert len(needs) == children


def test_a_blank_reason_is_refused_with_a_govuk_error(client, child, health_visitor):
    client.force_login(health_visitor)
    response = client.post(reverse("toolkit:sdq_need_add", args=[child.pk]), {"reason": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Enter why the child needs an SDQ" in html
    assert not SDQNeed.objects.exists()


def test_sending_the_form_twice_records_one_need(client, child, health_visitor):
    client.force_login(health_visitor)
    url = reverse("toolkit:sdq_need_add", args=[child.pk])
    token = "a" * 43
    for _ in range(2):
        client.post(url, {"reason": "Withdrawn", "submission_token": token})
    assert SDQNeed.objects.count() == 1


def test_only_those_who_start_tools_record_a_need(child, health):
    lead = UserFactory(role=User.Role.AGENCY_LEAD, agency=health)
    with pytest.raises(PermissionDenied):
        sdq_need_record(child=child, user=lead, reason="Withdrawn")
    with pytest.raises(ValidationError):
        sdq_need_record(child=child, user=UserFactory(agency=health), reason=" ")


def test_an_outsider_cannot_record_a_need(client, child, voluntary):
    client.force_login(UserFactory(agency=voluntary))
    url = reverse("toolkit:sdq_need_add", args=[child.pk])
    assert client.post(url, {"reason": "Withdrawn"}).status_code == 404
    assert not SDQNeed.objects.exists()


# The SDQ's age version, on the page -------------------------------------------------------------


def _sdq_page(client, child, author):
    client.force_login(author)
    client.post(reverse("toolkit:tool_start", args=[child.pk, "sdq"]))
    sdq = SDQ.objects.get(child=child)
    return sdq, reverse("toolkit:tool", args=["sdq", sdq.pk])


def _answers(**overrides):
    data = {"version": 1, "informant": "teacher", "age": "3", "action": "complete"}
    data.update({f"item_{item}": "2" for item in range(1, 26)})
    data["impact_difficulties"] = "definite"
    return {**data, **overrides}


def test_a_mismatched_age_is_refused_on_the_age_field_and_nothing_is_lost(
    client, health, health_visitor
):
    born = TODAY - relativedelta(years=16, days=10)
    child = InvolvementFactory(agency=health, child__date_of_birth=born).child
    sdq, url = _sdq_page(client, child, health_visitor)
    html = client.post(url, _answers()).content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_age"' in html
    assert f"Enter 16: the child is 16 on {dates.long_date(TODAY)}" in html
    sdq.refresh_from_db()
    assert sdq.status == "draft" and sdq.total_band == ""
    assert sdq.responses["25"] == 2 and sdq.impact["difficulties"] == "definite"
    assert 'value="3"' in html  # what was typed is shown back


def test_a_completed_sdq_shows_the_impact_answers(client, health, health_visitor, child):
    sdq, url = _sdq_page(client, child, health_visitor)
    response = client.post(
        url,
        _answers(
            informant="parent",
            age="9",
            impact_distress="3",
            impact_home_life="2",
            impact_friendships="0",
            impact_classroom_learning="1",
            impact_leisure="0",
        ),
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    impact = html[html.index("Impact supplement") :]
    assert "Yes, definite difficulties" in impact
    distress = impact[impact.index("Upset or distressed by the difficulties") :]
    assert "A great deal" in distress[:200]
    home = impact[impact.index("Interference with home life") :]
    assert "Quite a lot" in home[:200]


def test_without_a_date_of_birth_the_read_page_says_the_recorded_age_was_used(
    client, health, health_visitor
):
    unborn = InvolvementFactory(
        agency=health,
        child__date_of_birth=None,
        child__expected_date_of_birth=TODAY + timedelta(days=20),
    ).child
    sdq = tool_start(SDQ, child=unborn, author=health_visitor, informant="parent", age=3)
    sdq.responses = {str(item): 1 for item in range(1, 26)}
    sdq.save()
    tool_complete(sdq, user=health_visitor, expected_version=1)
    client.force_login(health_visitor)
    html = client.get(reverse("toolkit:tool", args=["sdq", sdq.pk])).content.decode()
    assert "date of birth is not recorded, so the form and bands follow the age" in html
