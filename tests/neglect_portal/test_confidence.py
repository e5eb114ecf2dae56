"""Practitioner confidence before and after neglect training (issue 15, item 5): the survey,
who may complete, enter and read one, the anonymous aggregates and CONFIDENCE_CHANGE."""

import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from dataset import confidence as aggregates
from dataset import indicators
from dataset.charts import chart
from dataset.computation import compute, confidence_change
from dataset.movements import change, format_value
from neglect_portal import access
from neglect_portal.confidence import FEWEST_SHOWN, QUESTIONS, mean_score
from neglect_portal.dates import today
from neglect_portal.demo import load_demo_data
from neglect_portal.demo_confidence import demo_respondent_usernames
from neglect_portal.models import Agency, ConfidenceSurvey, User
from neglect_portal.quarters import Quarter
from neglect_portal.records.once import FIELD
from neglect_portal.services import confidence_survey_add
from tests.factories import PASSWORD, AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024
S, E = Q1.start, Q1.end
DAY = timedelta(days=1)
BEFORE, AFTER = ConfidenceSurvey.Stage.BEFORE, ConfidenceSurvey.Stage.AFTER


def scores(recognising, responding=None, using_tools=None):
    responding = recognising if responding is None else responding
    using_tools = recognising if using_tools is None else using_tools
    return {"recognising": recognising, "responding": responding, "using_tools": using_tools}


def survey(person, stage, day, score=5, *, entered_by=None, **each):
    return ConfidenceSurvey.objects.create(
        respondent=person,
        agency=person.agency,
        stage=stage,
        completed_on=day,
        entered_by=entered_by or person,
        **(each or scores(score)),
    )


def trained(person, before_on, after_on, before=4, after=6):
    survey(person, BEFORE, before_on, before)
    return survey(person, AFTER, after_on, after)


def text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def answers(**overrides):
    data = {"stage": "before", "recognising": "3", "responding": "7", "using_tools": "9"}
    return {**data, **overrides}


def practitioners(agency, count):
    return [UserFactory(agency=agency) for _ in range(count)]


# The survey and its mean score ----------------------------------------------------------------


def test_a_surveys_mean_score_is_the_mean_of_its_three_answers_to_one_decimal(health_visitor):
    found = survey(health_visitor, BEFORE, S, **scores(3, 7, 9))
    assert found.score_total == 19
    assert found.mean_score == Decimal("6.3")  # 6.333…
    assert survey(health_visitor, AFTER, S, **scores(4, 4, 5)).mean_score == Decimal("4.3")


def test_the_one_mean_rule_rounds_halves_away_from_zero_so_a_fall_mirrors_a_rise():
    # Three over 20 surveys of three questions is 0.05 exactly.
    assert mean_score(3, 20) == Decimal("0.1")
    assert mean_score(-3, 20) == Decimal("-0.1")
    assert mean_score(2, 20) == Decimal("0.0")
    assert mean_score(-1, 1) == Decimal("-0.3")
    with pytest.raises(ValueError, match="at least one"):
        mean_score(0, 0)


@pytest.mark.parametrize("bad", [0, 11])
def test_scores_are_from_1_to_10_in_the_form_rules_and_the_database(health_visitor, bad):
    unsaved = ConfidenceSurvey(
        respondent=health_visitor,
        agency=health_visitor.agency,
        entered_by=health_visitor,
        stage=BEFORE,
        completed_on=S,
        **scores(5, bad, 5),
    )
    with pytest.raises(ValidationError) as refused:
        unsaved.full_clean()
    assert "responding" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        unsaved.save()


def test_a_survey_stays_with_the_agency_its_respondent_was_in(health_visitor, voluntary):
    found = survey(health_visitor, BEFORE, S)
    health = health_visitor.agency
    health_visitor.agency = voluntary
    health_visitor.save()
    found.refresh_from_db()
    assert found.agency == health


def test_the_same_survey_saved_twice_is_refused_with_a_clear_message(health_visitor):
    kwargs = {
        "respondent": health_visitor,
        "entered_by": health_visitor,
        "stage": BEFORE,
        "completed_on": S,
        "scores": scores(5),
    }
    confidence_survey_add(**kwargs)
    with pytest.raises(ValidationError, match="already been saved"):
        confidence_survey_add(**kwargs)
    assert ConfidenceSurvey.objects.count() == 1
    # The other stage on the same day is another survey (a one-day course).
    confidence_survey_add(**{**kwargs, "stage": AFTER})
    assert ConfidenceSurvey.objects.count() == 2


def test_a_survey_keeps_its_history(health_visitor):
    found = confidence_survey_add(
        respondent=health_visitor,
        entered_by=health_visitor,
        stage=BEFORE,
        completed_on=S,
        scores=scores(5),
    )
    assert found.history.count() == 1


# Who completes, enters and reads a survey ---------------------------------------------------


def test_practitioners_and_team_managers_complete_surveys_and_no_one_else(
    csc_social_worker, csc_team_manager, health_lead, working_group_member, administrator
):
    assert access.completes_confidence_survey(csc_social_worker)
    assert access.completes_confidence_survey(csc_team_manager)
    for user in (health_lead, working_group_member, administrator):
        assert not access.completes_confidence_survey(user)


def test_an_agency_lead_enters_paper_surveys_only_for_their_own_agencys_practitioners(
    health_lead, health_visitor, csc_social_worker, health
):
    colleague_lead = UserFactory(agency=health, role=User.Role.AGENCY_LEAD)
    left = UserFactory(agency=health, is_active=False)
    assert access.enters_paper_survey(health_lead, health_visitor)
    assert not access.enters_paper_survey(health_lead, csc_social_worker)
    assert not access.enters_paper_survey(health_lead, colleague_lead)
    assert not access.enters_paper_survey(health_lead, left)
    assert not access.enters_paper_survey(health_visitor, health_visitor)
    assert list(access.paper_survey_respondents(health_lead)) == [health_visitor]
    with pytest.raises(PermissionDenied):
        confidence_survey_add(
            respondent=csc_social_worker,
            entered_by=health_lead,
            stage=BEFORE,
            completed_on=S,
            scores=scores(5),
        )


def test_nobody_but_the_respondent_reads_a_surveys_answers(
    client, health_visitor, health_lead, health, administrator, working_group_member
):
    paper = survey(health_visitor, BEFORE, S, entered_by=health_lead)
    manager = UserFactory(agency=health, role=User.Role.TEAM_MANAGER)
    url = reverse("confidence:survey", args=[paper.pk])
    for someone in (health_lead, manager, administrator, working_group_member):
        client.force_login(someone)
        assert client.get(url).status_code == 404, someone
        assert not access.confidence_surveys_visible_to(someone).exists()
    client.force_login(health_visitor)
    page = text(client.get(url))
    assert "From your paper survey, by" in page
    assert all(question in page for question in QUESTIONS.values())


def test_the_lead_who_entered_a_paper_survey_sees_who_and_when_but_never_the_answers(
    client, health_lead, health_visitor
):
    client.force_login(health_lead)
    response = client.post(
        reverse("confidence:paper_survey_add"),
        {
            "respondent": health_visitor.pk,
            "completed_on_0": "3",
            "completed_on_1": "6",
            "completed_on_2": "2024",
            **answers(recognising="2", responding="2", using_tools="2"),
        },
        follow=True,
    )
    saved = ConfidenceSurvey.objects.get()
    assert (saved.respondent, saved.entered_by, saved.completed_on) == (
        health_visitor,
        health_lead,
        date(2024, 6, 3),
    )
    page = text(response)
    assert "Paper survey saved" in page and "3 June 2024" in page
    assert f"You will not see its answers again: only {health_visitor}" in page
    assert "2 out of 10" not in page and "Mean score" not in page
    assert client.get(reverse("confidence:survey", args=[saved.pk])).status_code == 404
    assert client.get(reverse("confidence:my_surveys")).status_code == 403
    # The respondent finds it among their own.
    client.force_login(health_visitor)
    listed = text(client.get(reverse("confidence:my_surveys")))
    assert "3 June 2024" in listed and f"From paper, by {health_lead}" in listed


def test_a_paper_survey_for_someone_of_another_agency_is_refused(
    client, health_lead, csc_social_worker
):
    client.force_login(health_lead)
    response = client.post(
        reverse("confidence:paper_survey_add"),
        {
            "respondent": csc_social_worker.pk,
            "completed_on_0": "3",
            "completed_on_1": "6",
            "completed_on_2": "2024",
            **answers(),
        },
    )
    assert response.status_code == 200
    assert "Select someone from your agency" in text(response)
    assert not ConfidenceSurvey.objects.exists()


def test_a_paper_survey_cannot_be_dated_in_the_future(client, health_lead, health_visitor):
    client.force_login(health_lead)
    tomorrow = today() + DAY
    response = client.post(
        reverse("confidence:paper_survey_add"),
        {
            "respondent": health_visitor.pk,
            "completed_on_0": str(tomorrow.day),
            "completed_on_1": str(tomorrow.month),
            "completed_on_2": str(tomorrow.year),
            **answers(),
        },
    )
    assert "Date the survey was completed must be today or in the past" in text(response)
    assert not ConfidenceSurvey.objects.exists()


def test_the_confirmation_is_for_the_lead_who_entered_it_only(
    client, health_lead, health_visitor, health
):
    paper = survey(health_visitor, BEFORE, S, entered_by=health_lead)
    url = reverse("confidence:paper_survey_saved", args=[paper.pk])
    for someone in (UserFactory(agency=health, role=User.Role.AGENCY_LEAD), health_visitor):
        client.force_login(someone)
        assert client.get(url).status_code == 404
    own = survey(health_visitor, AFTER, S)
    client.force_login(health_visitor)
    own_url = reverse("confidence:paper_survey_saved", args=[own.pk])
    assert client.get(own_url).status_code == 404


# Completing a survey online -------------------------------------------------------------------


def test_a_practitioner_completes_a_survey_dated_today_and_reads_it_back(client, csc_social_worker):
    client.force_login(csc_social_worker)
    form = client.get(reverse("confidence:survey_add"))
    html = form.content.decode()
    assert all(question in html for question in QUESTIONS.values())
    assert "govuk-radios--inline" in html and 'value="10"' in html
    response = client.post(reverse("confidence:survey_add"), answers(), follow=True)
    saved = ConfidenceSurvey.objects.get()
    assert (saved.respondent, saved.entered_by, saved.completed_on, saved.stage) == (
        csc_social_worker,
        csc_social_worker,
        today(),
        BEFORE,
    )
    assert saved.agency == csc_social_worker.agency
    page = text(response)
    assert "Your survey has been saved" in page
    assert "3 out of 10" in page and "9 out of 10" in page and "6.3" in page


def test_a_survey_with_missing_answers_says_what_is_missing(client, csc_social_worker):
    client.force_login(csc_social_worker)
    response = client.post(reverse("confidence:survey_add"), {"recognising": "4"})
    page = text(response)
    assert "There is a problem" in page
    assert "Select before or after training" in page
    assert "Select how confident you are in responding to neglect" in page
    assert "Select how confident you are in using the neglect toolkit" in page
    assert not ConfidenceSurvey.objects.exists()


def test_a_survey_sent_twice_is_saved_once_and_lands_on_the_first(client, csc_social_worker):
    client.force_login(csc_social_worker)
    token = client.get(reverse("confidence:survey_add")).context["form"][FIELD].value()
    first = client.post(reverse("confidence:survey_add"), {**answers(), FIELD: token})
    again = client.post(reverse("confidence:survey_add"), {**answers(), FIELD: token})
    assert ConfidenceSurvey.objects.count() == 1
    assert first["Location"] == again["Location"]


def test_a_second_survey_at_the_same_stage_today_is_refused_on_the_form(client, csc_social_worker):
    client.force_login(csc_social_worker)
    client.post(reverse("confidence:survey_add"), answers())
    response = client.post(reverse("confidence:survey_add"), answers())
    assert "already been saved for this person on this date" in text(response)
    assert ConfidenceSurvey.objects.count() == 1


def _opened_then_signed_out(client, person, url):
    """The form as `person` opened it, then their session ending before they save."""
    client.force_login(person)
    client.get(url)
    client.post(reverse("logout"))  # signed out in another tab


def test_answers_posted_after_the_session_ran_out_come_back_after_signing_in(
    client, csc_social_worker
):
    url = reverse("confidence:survey_add")
    _opened_then_signed_out(client, csc_social_worker, url)
    response = client.post(url, answers(recognising="8"))
    assert response["Location"].startswith(reverse("login"))
    assert not ConfidenceSurvey.objects.exists()
    client.post(
        reverse("login"),
        {"username": csc_social_worker.username, "password": PASSWORD, "next": url},
    )
    back = client.get(url)
    assert "You were signed out before your survey was saved" in text(back)
    form = back.context["form"]
    assert form["recognising"].value() == "8" and form["stage"].value() == "before"
    assert client.get(url).context["form"]["recognising"].value() is None  # handed back once


@pytest.mark.parametrize("owner_known", [True, False])
def test_answers_kept_through_a_sign_in_go_to_nobody_but_who_typed_them(
    client, csc_social_worker, health_visitor, owner_known
):
    # A shared computer: her session ends as she saves; a colleague signs in next. A post
    # from a browser whose session is not known here is kept for nobody.
    url = reverse("confidence:survey_add")
    if owner_known:
        _opened_then_signed_out(client, csc_social_worker, url)
    client.post(url, answers(recognising="8"))
    client.post(
        reverse("login"),
        {"username": health_visitor.username, "password": PASSWORD, "next": url},
    )
    page = client.get(url)
    assert "You were signed out before your survey was saved" not in text(page)
    assert page.context["form"]["recognising"].value() is None
    assert not page.context["form"].is_bound


def test_a_paper_survey_kept_through_a_sign_in_goes_to_no_other_lead(client, health):
    lead, other_lead = (UserFactory(agency=health, role=User.Role.AGENCY_LEAD) for _ in "ab")
    url = reverse("confidence:paper_survey_add")
    _opened_then_signed_out(client, lead, url)
    client.post(url, answers(recognising="8"))
    client.force_login(other_lead)
    assert client.get(url).context["form"]["recognising"].value() is None


def test_a_practitioners_list_shows_only_their_own_surveys_in_constant_queries(
    client, csc_social_worker, health_visitor, django_assert_max_num_queries
):
    survey(health_visitor, BEFORE, date(2024, 5, 2))
    for n in range(30):
        survey(csc_social_worker, BEFORE, S + n * DAY)
    client.force_login(csc_social_worker)
    # The session, the user, the count, the page (with who entered each).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("confidence:my_surveys"))
    page = text(response)
    assert "2 May 2024" not in page
    assert page.count("By you") == 25  # a page of 25; the rest on page 2
    assert 'aria-label="Pagination"' in response.content.decode()


def test_the_home_pages_link_to_the_surveys(
    client, csc_social_worker, csc_team_manager, health_lead
):
    for person, url in (
        (csc_social_worker, reverse("confidence:my_surveys")),
        (csc_team_manager, reverse("confidence:my_surveys")),
        (health_lead, reverse("confidence:paper_survey_add")),
    ):
        client.force_login(person)
        assert url in client.get(reverse("home")).content.decode(), person


# CONFIDENCE_CHANGE ------------------------------------------------------------------------------


def test_an_after_survey_counts_on_s_and_e_and_not_the_days_outside(health):
    inside = [UserFactory(agency=health) for _ in range(2)]
    outside = [UserFactory(agency=health) for _ in range(2)]
    trained(inside[0], S - 30 * DAY, S)
    trained(inside[1], S - 30 * DAY, E)
    trained(outside[0], S - 30 * DAY, S - DAY)
    trained(outside[1], S - 30 * DAY, E + DAY)
    assert aggregates.partnership(aggregates.totals_by_agency(Q1)).respondents == 2


def test_a_practitioner_without_a_before_survey_up_to_the_after_is_not_counted(health):
    never, too_late, same_day = practitioners(health, 3)
    survey(never, AFTER, date(2024, 5, 1))
    survey(too_late, AFTER, date(2024, 5, 1))
    survey(too_late, BEFORE, date(2024, 5, 2))
    trained(same_day, date(2024, 5, 1), date(2024, 5, 1))
    counted = aggregates.counted_surveys(Q1)
    assert [found.respondent for found in counted] == [same_day]


def test_the_latest_after_in_the_quarter_counts_against_the_latest_before_up_to_it(health):
    person = UserFactory(agency=health)
    survey(person, BEFORE, date(2024, 1, 10), 2)
    survey(person, BEFORE, date(2024, 4, 10), 4)  # the latest before the counted after
    survey(person, AFTER, date(2024, 4, 20), 9)
    survey(person, AFTER, date(2024, 6, 1), 7)  # the latest after in the quarter
    survey(person, BEFORE, date(2024, 6, 15), 1)  # after it: the baseline of later training
    survey(person, AFTER, date(2024, 7, 1), 10)  # next quarter's
    (counted,) = aggregates.counted_surveys(Q1)
    assert counted.completed_on == date(2024, 6, 1)
    assert counted.before_total == 12
    totals = aggregates.totals_by_agency(Q1)
    assert totals == {health.pk: aggregates.Totals(1, 12, 21)}
    assert totals[health.pk].mean_change == Decimal("3.0")


def test_the_mean_change_is_the_mean_of_each_practitioners_change_per_agency_and_in_total(
    health, csc
):
    for before, after in [(4, 6), (5, 5), (3, 7), (6, 5), (2, 3)]:
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1), before, after)
    for _ in range(5):
        trained(UserFactory(agency=csc), date(2024, 3, 1), date(2024, 5, 1), 5, 6)
    totals = aggregates.totals_by_agency(Q1)
    # Changes of 2, 0, 4, -1 and 1 points: a mean of 1.2.
    assert totals[health.pk].mean_change == Decimal("1.2")
    assert totals[health.pk].mean_before == Decimal("4.0")
    assert totals[csc.pk].mean_change == Decimal("1.0")
    figure = confidence_change(Q1)
    assert (figure.numerator, figure.denominator, figure.value) == (10, None, Decimal("1.1"))


def test_a_practitioner_counts_with_the_agency_of_their_after_survey(health, voluntary):
    person = UserFactory(agency=health)
    survey(person, BEFORE, date(2024, 3, 1))
    person.agency = voluntary
    person.save()
    survey(person, AFTER, date(2024, 5, 1))
    assert set(aggregates.totals_by_agency(Q1)) == {voluntary.pk}


def test_the_measure_is_one_query_however_many_practitioners(health, django_assert_num_queries):
    for _ in range(12):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1))
    with django_assert_num_queries(1):
        compute(Q1, ["CONFIDENCE_CHANGE"])


def test_the_partnerships_figure_is_empty_below_5_practitioners(health):
    for _ in range(FEWEST_SHOWN - 1):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1))
    assert compute(Q1)["CONFIDENCE_CHANGE"].as_json() == {
        "numerator": 4,
        "denominator": None,
        "value": None,
    }
    trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1))
    assert compute(Q1)["CONFIDENCE_CHANGE"].value == Decimal("2.0")


def test_the_kpis_command_includes_confidence_change(health):
    for _ in range(5):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1), 4, 5)
    out = io.StringIO()
    call_command("kpis", "--quarter", Q1.slug, stdout=out)
    output = json.loads(out.getvalue())["indicators"]
    assert output["CONFIDENCE_CHANGE"] == {
        "numerator": 5,
        "denominator": None,
        "value": 1.0,
        "target": None,
        "target_met": None,
    }


# The anonymous aggregates -------------------------------------------------------------------


def group(table, name):
    return next(row for row in table.agencies if row.label == name)


def test_an_agency_with_fewer_than_5_respondents_shows_no_scores(health, csc):
    for _ in range(FEWEST_SHOWN):
        trained(UserFactory(agency=csc), date(2024, 3, 1), date(2024, 5, 1))
    for _ in range(FEWEST_SHOWN):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1))
    small = AgencyFactory(name="Small agency")
    for _ in range(FEWEST_SHOWN - 1):
        trained(UserFactory(agency=small), date(2024, 3, 1), date(2024, 5, 1))
    table = aggregates.confidence_by_agency(Q1)
    row = group(table, "Small agency")
    assert (row.respondents, row.shown, row.mean_change, row.mean_before) == (4, False, None, None)
    assert "fewer than 5 responses" in row.why_not_shown
    assert group(table, health.name).mean_change == Decimal("2.0")
    assert table.total.shown and table.total.respondents == 14


def test_a_shown_agency_is_hidden_too_when_the_total_would_reveal_a_small_group(health, csc):
    for _ in range(6):
        trained(UserFactory(agency=csc), date(2024, 3, 1), date(2024, 5, 1), 5, 6)
    for _ in range(5):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1), 5, 7)
    alone = AgencyFactory(name="One person")
    trained(UserFactory(agency=alone), date(2024, 3, 1), date(2024, 5, 1), 1, 10)
    table = aggregates.confidence_by_agency(Q1)
    # Total less CSC would be health and the one person together: 6 people, not 1.
    assert group(table, csc.name).shown
    assert not group(table, health.name).shown
    assert "cannot reveal" in group(table, health.name).why_not_shown
    assert not group(table, "One person").shown
    assert table.total.shown


def test_the_total_is_not_shown_below_5_respondents(health):
    for _ in range(3):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1))
    table = aggregates.confidence_by_agency(Q1)
    assert not table.total.shown and table.total.mean_change is None


def test_agencies_with_no_respondents_say_so(health):
    table = aggregates.confidence_by_agency(Q1)
    row = group(table, health.name)
    assert (row.respondents, row.shown, row.why_not_shown) == (0, False, None)


# The pages that show the aggregates ----------------------------------------------------------


@pytest.fixture
def surveyed(health, csc):
    for _ in range(5):
        trained(UserFactory(agency=csc), date(2024, 3, 1), date(2024, 5, 1), 4, 6)
    for _ in range(3):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1), 2, 9)
    for _ in range(2):
        trained(UserFactory(agency=AgencyFactory(name="Pair")), date(2024, 3, 1), date(2024, 5, 1))


def confidence_row(response, agency) -> str:
    html = response.content.decode()
    start = html.index(">", html.index(f'data-confidence-agency="{agency.pk}"')) + 1
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</tr>", start)]))


def test_the_training_coverage_page_shows_confidence_by_agency_anonymously(
    client, working_group_member, surveyed, csc, health
):
    client.force_login(working_group_member)
    response = client.get(reverse("dataset:training_coverage", args=[Q1.slug]))
    assert "Practitioner confidence before and after training" in text(response)
    assert confidence_row(response, csc).split()[-4:] == ["5", "4.0", "6.0", "+2.0"]
    assert "fewer than 5 responses: not shown" in confidence_row(response, health).lower()
    assert "9.0" not in confidence_row(response, health)  # 2 → 9, a change of +7.0
    assert "+7.0" not in confidence_row(response, health)
    assert reverse("dataset:indicator", args=[Q1.slug, "CONFIDENCE_CHANGE"]) in (
        response.content.decode()
    )


def test_the_indicator_page_breaks_down_by_agency_and_lists_no_one(
    client, administrator, surveyed, csc
):
    client.force_login(administrator)
    url = reverse("dataset:indicator", args=[Q1.slug, "CONFIDENCE_CHANGE"])
    response = client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "Practitioner confidence by agency" in page
    assert "the confidence survey is anonymous" in page
    assert confidence_row(response, csc).split()[-1] == "+2.0"
    for which in ("numerator", "denominator"):
        members = reverse("dataset:members", args=[Q1.slug, "CONFIDENCE_CHANGE", which])
        assert members not in response.content.decode()
        assert client.get(members).status_code == 404
        csv = reverse("dataset:members_csv", args=[Q1.slug, "CONFIDENCE_CHANGE", which])
        assert client.get(csv).status_code == 404


def test_the_indicator_page_takes_the_same_queries_however_many_respondents(
    client, working_group_member, health, django_assert_max_num_queries
):
    client.force_login(working_group_member)
    url = reverse("dataset:indicator", args=[Q1.slug, "CONFIDENCE_CHANGE"])
    for batch in (2, 12):
        for _ in range(batch):
            trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1))
        # Eight quarters' stored figures, the published snapshots, the table's query and its
        # agencies, the targets in force, when the figures were calculated, the session, the
        # user and their agency: 10 measured.
        client.get(url)  # the worker has stored the figures
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_the_dashboard_shows_a_change_in_points_and_too_few_as_not_shown(
    client, working_group_member, health
):
    client.force_login(working_group_member)
    assert "no responses" in text(client.get(reverse("dataset:dashboard", args=[Q1.slug])))
    for _ in range(2):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1))
    page = text(client.get(reverse("dataset:dashboard", args=[Q1.slug])))
    assert "not shown (fewer than 5 practitioners, to keep answers anonymous)" in page
    for _ in range(3):
        trained(UserFactory(agency=health), date(2024, 3, 1), date(2024, 5, 1))
    assert "+2.0 points" in text(client.get(reverse("dataset:dashboard", args=[Q1.slug])))


def test_a_change_in_confidence_reads_in_points_with_its_sign():
    unit = indicators.Unit.MEAN_CHANGE
    assert format_value(Decimal("1.5"), unit) == "+1.5 points"
    assert format_value(Decimal("-0.3"), unit) == "-0.3 points"
    assert format_value(Decimal("0.0"), unit) == "0.0 points"
    assert format_value(None, unit).startswith("not shown (fewer than 5 practitioners")
    moved = change(indicators.get("CONFIDENCE_CHANGE"), Decimal("1.0"), Decimal("1.5"), "Q4")
    assert moved.words == "up 0.5 from +1.0 points to +1.5 points"
    assert moved.better is True


def test_a_fall_in_confidence_is_drawn_inside_the_chart():
    drawn = chart([Decimal("-1.0"), None, Decimal("2.0")], width=100, height=50, from_zero=True)
    assert drawn.low == Decimal("-1.0")
    assert all(0 <= y <= 50 for _, y in drawn.dots)


# Demo ---------------------------------------------------------------------------------------------


def test_the_demo_has_surveys_that_show_for_at_least_two_agencies_and_loads_once(settings):
    settings.DEBUG = True
    load_demo_data()
    count = ConfidenceSurvey.objects.count()
    people = User.objects.count()
    load_demo_data()
    assert (ConfidenceSurvey.objects.count(), User.objects.count()) == (count, people)
    assert set(demo_respondent_usernames()) <= set(User.objects.values_list("username", flat=True))
    table = aggregates.confidence_by_agency(Quarter.latest_complete())
    shown = [row.label for row in table.agencies if row.shown]
    hidden = [row.label for row in table.agencies if row.respondents and not row.shown]
    assert len(shown) >= 2 and hidden and table.total.shown
    assert aggregates.confidence_by_agency(Quarter.latest_complete().previous()).total.shown
    # The demo sign-ins see their own; the demo lead typed in some for her agency.
    practitioner = User.objects.get(username="practitioner")
    assert access.confidence_surveys_visible_to(practitioner).count() == 4
    assert ConfidenceSurvey.objects.filter(entered_by__username="lead").exists()
    assert all(
        survey.entered_by.agency_id == survey.respondent.agency_id
        for survey in ConfidenceSurvey.objects.select_related("entered_by", "respondent")
    )
    assert not Agency.objects.filter(name__startswith="survey").exists()
