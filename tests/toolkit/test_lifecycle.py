from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError

from neglect_portal.dates import today
from neglect_portal.models import User
from neglect_portal.records.versions import StaleEdit
from tests.factories import ChildFactory, UserFactory
from toolkit.content import CHECKLIST_DOMAINS
from toolkit.models import SDQ, AssessmentChecklist, Tool
from toolkit.services import tool_complete, tool_reopen, tool_save_draft, tool_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def checklist(health_visitor):
    return tool_start(AssessmentChecklist, child=ChildFactory(), author=health_visitor)


def complete_ratings(checklist):
    checklist.ratings = {
        key: {"concern": "some_concern", "evidence": "Seen at home visit"}
        for key in CHECKLIST_DOMAINS
    }
    checklist.overall_judgement = "Needs are not consistently met"


def test_a_tool_starts_as_a_draft_with_the_authors_agency(checklist, health_visitor):
    assert checklist.status == Tool.Status.DRAFT
    assert checklist.author_agency == health_visitor.agency


def test_the_author_saves_a_draft_with_anything_missing(checklist, health_visitor):
    checklist.overall_judgement = "Half written"
    saved = tool_save_draft(checklist, user=health_visitor, expected_version=1)
    assert saved.version == 2 and saved.status == Tool.Status.DRAFT


@pytest.mark.parametrize(
    ("role", "same_agency", "allowed"),
    [
        (User.Role.PRACTITIONER, True, False),
        (User.Role.TEAM_MANAGER, True, True),
        (User.Role.TEAM_MANAGER, False, False),
        (User.Role.AGENCY_LEAD, True, False),
    ],
)
def test_only_the_author_or_their_team_manager_edits_a_draft(
    checklist, health, role, same_agency, allowed
):
    editor = UserFactory(role=role, **({"agency": health} if same_agency else {}))
    if allowed:
        tool_save_draft(checklist, user=editor, expected_version=1)
    else:
        with pytest.raises(PermissionDenied):
            tool_save_draft(checklist, user=editor, expected_version=1)


def test_completing_lists_every_gap_and_changes_nothing(checklist, health_visitor):
    checklist.ratings = {"nutrition": {"concern": "very_concerned", "evidence": ""}}
    with pytest.raises(ValidationError) as error:
        tool_complete(checklist, user=health_visitor, expected_version=1)
    problems = error.value.message_dict
    assert problems["nutrition_evidence"] == ["Enter the evidence for your concern about nutrition"]
    assert problems["home_conditions_concern"] == ["Select a level of concern for home conditions"]
    assert problems["overall_judgement"] == ["Enter your overall judgement"]
    checklist.refresh_from_db()
    assert (checklist.status, checklist.version) == (Tool.Status.DRAFT, 1)


def test_a_completed_tool_is_locked(checklist, health_visitor):
    complete_ratings(checklist)
    tool_complete(checklist, user=health_visitor, expected_version=1, on=date(2025, 5, 1))
    checklist.refresh_from_db()
    assert (checklist.status, checklist.completed_on) == (Tool.Status.COMPLETED, date(2025, 5, 1))
    with pytest.raises(PermissionDenied):
        tool_save_draft(checklist, user=health_visitor, expected_version=checklist.version)


def test_a_team_manager_of_the_authors_agency_reopens_with_a_reason(
    checklist, health_visitor, health
):
    complete_ratings(checklist)
    tool_complete(checklist, user=health_visitor, expected_version=1)
    manager = UserFactory(role=User.Role.TEAM_MANAGER, agency=health)
    with pytest.raises(PermissionDenied):
        tool_reopen(checklist, user=health_visitor, reason="typo", expected_version=2)
    with pytest.raises(ValidationError):
        tool_reopen(checklist, user=manager, reason=" ", expected_version=2)
    tool_reopen(
        checklist,
        user=manager,
        reason="Evidence was recorded against the wrong child",
        expected_version=2,
    )
    checklist.refresh_from_db()
    assert checklist.status == Tool.Status.DRAFT and checklist.completed_on is None
    latest = checklist.history.first()
    assert latest.history_change_reason == "Reopened: Evidence was recorded against the wrong child"


def test_a_stale_completion_is_refused(checklist, health_visitor):
    complete_ratings(checklist)
    with pytest.raises(StaleEdit):
        tool_complete(checklist, user=health_visitor, expected_version=0)


def child_aged(years):
    """A child `years` old today, their birthday a month ago."""
    return ChildFactory(date_of_birth=today() - relativedelta(years=years, months=1))


def test_completing_an_sdq_stores_its_score_and_band(health_visitor):
    sdq = tool_start(
        SDQ,
        child=child_aged(9),
        author=health_visitor,
        informant="parent",
        age=9,
        responses={str(item): 1 for item in range(1, 26)},
    )
    tool_complete(sdq, user=health_visitor, expected_version=1)
    sdq.refresh_from_db()
    assert (sdq.total_difficulties, sdq.total_band) == (20, "Very high")


def test_an_sdq_needs_an_age_its_form_covers_when_the_date_of_birth_is_unknown(health_visitor):
    unborn = ChildFactory(date_of_birth=None, expected_date_of_birth=today() + timedelta(30))
    sdq = tool_start(
        SDQ, child=unborn, author=health_visitor, informant="self", age=9, responses={"1": 0}
    )
    with pytest.raises(ValidationError) as error:
        tool_complete(sdq, user=health_visitor, expected_version=1)
    assert "11 to 17 for self-report" in error.value.message_dict["age"][0]


def test_without_a_date_of_birth_the_recorded_age_picks_the_form(health_visitor):
    unknown = ChildFactory(date_of_birth=None, expected_date_of_birth=today() + timedelta(30))
    sdq = tool_start(
        SDQ,
        child=unknown,
        author=health_visitor,
        informant="parent",
        age=3,
        responses={str(item): 1 for item in range(1, 26)},
    )
    tool_complete(sdq, user=health_visitor, expected_version=1)
    assert sdq.scores().version == "2-4"


def test_a_sixteen_year_old_cannot_be_scored_on_the_2_to_4_teacher_bands(health_visitor):
    sdq = tool_start(
        SDQ,
        child=child_aged(16),
        author=health_visitor,
        informant="teacher",
        age=3,
        responses={str(item): 1 for item in range(1, 26)},
    )
    with pytest.raises(ValidationError) as error:
        tool_complete(sdq, user=health_visitor, expected_version=1)
    assert list(error.value.message_dict) == ["age"]
    assert "Enter 16: the child is 16 on" in error.value.message_dict["age"][0]
    assert "4–17 form" in error.value.message_dict["age"][0]
    sdq.refresh_from_db()
    assert sdq.status == Tool.Status.DRAFT and sdq.total_band == ""


def test_the_sdq_form_follows_the_age_on_the_completion_date_not_today(health_visitor):
    # Born 10 June 2021: 4 on 9 June 2026 (the 2–4 form), 5 the next day (4–17).
    child = ChildFactory(date_of_birth=date(2021, 6, 10))
    sdq = tool_start(
        SDQ,
        child=child,
        author=health_visitor,
        informant="parent",
        age=4,
        responses={str(item): 1 for item in range(1, 26)},
    )
    with pytest.raises(ValidationError):
        tool_complete(sdq, user=health_visitor, expected_version=1, on=date(2026, 6, 10))
    tool_complete(sdq, user=health_visitor, expected_version=1, on=date(2026, 6, 9))
    assert sdq.scores().version == "2-4"


def test_self_report_for_a_child_under_11_is_refused_on_who_filled_it_in(health_visitor):
    sdq = tool_start(SDQ, child=child_aged(9), author=health_visitor, informant="self", age=9)
    sdq.responses = {str(item): 1 for item in range(1, 26)}
    with pytest.raises(ValidationError) as error:
        tool_complete(sdq, user=health_visitor, expected_version=1)
    assert list(error.value.message_dict) == ["informant"]
    assert "aged 11 to 17, and the child is 9" in error.value.message_dict["informant"][0]


def test_a_child_over_17_cannot_have_an_sdq_completed(health_visitor):
    sdq = tool_start(
        SDQ,
        child=child_aged(18),
        author=health_visitor,
        informant="parent",
        age=17,
        responses={str(item): 1 for item in range(1, 26)},
    )
    with pytest.raises(ValidationError) as error:
        tool_complete(sdq, user=health_visitor, expected_version=1)
    assert "aged 2 to 17, and the child is 18" in error.value.message_dict["age"][0]


def test_day_in_my_life_and_observation_list_what_is_missing(health_visitor):
    from toolkit.models import DayInMyLife, ParentChildObservation

    day = DayInMyLife(
        child=ChildFactory(),
        author=health_visitor,
        day_version="baby",
        sections={
            "feeding": {"parent": "", "child": ""},
            "changing": {"parent": "Twice a day"},
            "sleep": {"child": "Settles in the cot"},
            "soothing": {"parent": "", "child": "", "not_known": True},
            "stimulation": {"parent": "Plays on the mat"},
            "night": {"parent": "   ", "child": "", "not_known": False},
        },
        strengths="Loving",
    )
    assert day.completion_problems() == {
        "feeding_parent": "Record the parent's or the child's account of feeding, or select not "
        "known",
        "night_parent": "Record the parent's or the child's account of night time: sleep and "
        "who is in the home, or select not known",
        "weekends_parent": "Record the parent's or the child's account of weekends and "
        "holidays, or select not known",
        "childs_words": "Enter the child's own words",
        "worries": "Enter the worries",
        "impact_on_child": "Enter the impact on the child",
    }
    observation = ParentChildObservation(
        child=ChildFactory(), author=health_visitor, setting="Family home"
    )
    problems = observation.completion_problems()
    assert problems["observed_on"] == "Enter the date of the observation"
    assert problems["who_was_present"] == "Enter who was present"
    assert problems["warmth_quality"] == "Select what you observed for warmth and affection"
    assert "setting" not in problems


def test_a_long_reopening_reason_is_kept_whole_on_the_tool_and_shortened_in_history(
    checklist, health_visitor, health
):
    # The history row holds 100 characters; PostgreSQL would refuse a longer one outright.
    complete_ratings(checklist)
    tool_complete(checklist, user=health_visitor, expected_version=1)
    manager = UserFactory(role=User.Role.TEAM_MANAGER, agency=health)
    reason = "The observation was of a sibling, not this child. " * 6
    tool_reopen(checklist, user=manager, reason=reason, expected_version=2)
    checklist.refresh_from_db()
    assert checklist.reopen_reason == reason.strip()
    latest = checklist.history.first().history_change_reason
    assert (
        len(latest) == 100 and latest.startswith("Reopened: The observation") and latest[-1] == "…"
    )
