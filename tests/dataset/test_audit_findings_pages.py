"""The audit's findings through its pages: the results against the previous round, learning
grouped into themes, an agreed action that lands in health's plan and links back, and an
export for the Working Group that names no child."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse

from actionplans.models import Action, ActionPlan
from cases.models import Child
from dataset import audit_services
from dataset.audit_models import AuditAgreedAction, AuditLearningPoint, AuditRound, AuditTheme
from neglect_portal.dates import long_date, today
from neglect_portal.records import once
from tests.actionplans.factories import ActionFactory, ActionPlanFactory
from tests.dataset.audit_builders import audit_round, running_round
from tests.dataset.test_audit_results import RI, audited, four_agency_round

pytestmark = pytest.mark.django_db


def _url(name, round, *args):
    return reverse(f"dataset:{name}", args=[round.pk, *args])


def _named(round):
    """Give the round's children names and LA ids no page may show."""
    names = []
    for n, sample in enumerate(round.samples.select_related("child"), start=1):
        Child.objects.filter(pk=sample.child_id).update(
            given_name=f"Zephyrine{n}", family_name=f"Quillfeather{n}", la_child_id=f"LAQZ{n:05d}"
        )
        names += [f"Zephyrine{n}", f"Quillfeather{n}", f"LAQZ{n:05d}"]
    return names


@pytest.fixture
def round(administrator, csc_social_worker, health, voluntary):
    return four_agency_round(administrator, csc_social_worker, health, voluntary)


@pytest.fixture
def health_plan(health):
    return ActionPlanFactory(
        agency=health,
        period_start=today() - timedelta(days=100),
        period_end=today() + timedelta(days=600),
    )


def _theme(round, user, title="Chronologies"):
    return audit_services.theme_add(round=round, user=user, title=title)


def _agreed(theme, user, agency, description="Health visitors add to the chronology"):
    return audit_services.agreed_action_add(
        theme=theme,
        user=user,
        new=audit_services.NewAgreedAction(
            agency=agency,
            objective="recognise",
            description=description,
            owner_name="Named nurse",
            due_date=today() + timedelta(days=90),
        ),
    )


# The results page ------------------------------------------------------------------------


def test_the_results_page_shows_each_criterion_overall_and_by_agency(
    client, round, health_lead, health, voluntary
):
    names = _named(round)
    client.force_login(health_lead)

    page = client.get(_url("audit_results", round)).content.decode()

    assert "Promptness of identification" in page and "Voice of the child" in page
    assert 'id="not-yet-moderated">1<' in page
    assert "1 of 5 children's audits is not yet moderated" in page
    assert "50.0% (2 of 4)" in page  # promptness, good or better overall
    assert "75.0% (3 of 4)" in page  # voice, with the grade changed at moderation
    assert health.name in page and voluntary.name in page
    assert "100.0%" in page  # the voluntary sector's two children
    assert "no previous round to compare with" not in page  # nothing before: not offered
    assert all(name not in page for name in names)


def test_the_results_page_compares_with_the_previous_round(
    client, round, administrator, csc_social_worker, working_group_member
):
    before = running_round(
        administrator,
        lead=csc_social_worker,
        size=2,
        title="Autumn audit",
        starts_on=today() - timedelta(days=20),
    )
    for sample in before.samples.all():
        audited(sample, RI, lead=csc_social_worker)
    client.force_login(working_group_member)

    page = client.get(_url("audit_results", round)).content.decode()

    assert "Autumn audit" in page
    assert "Distance travelled since Autumn audit" in page
    assert "up 50.0 points from 0.0% to 50.0%" in page
    assert "portal-change--better" in page  # and in words, never colour alone
    previous = client.get(_url("audit_results", before)).content.decode()
    assert "No earlier round" in previous


def test_practitioners_cannot_read_the_results_and_a_missing_round_is_404(
    client, round, csc_social_worker, health_lead
):
    client.force_login(csc_social_worker)
    assert client.get(_url("audit_results", round)).status_code == 403
    client.force_login(health_lead)
    assert client.get(reverse("dataset:audit_results", args=[round.pk + 99])).status_code == 404


@pytest.mark.parametrize("themes", [1, 6])
def test_the_results_page_takes_the_same_queries_for_any_number_of_themes_and_rounds(
    client,
    administrator,
    csc_social_worker,
    health,
    voluntary,
    health_plan,
    working_group_member,
    django_assert_max_num_queries,
    themes,
):
    for n in range(themes):  # earlier rounds too: only the previous one is read
        earlier = audit_round(
            administrator, title=f"Round {n}", starts_on=today() - timedelta(days=40 + n)
        )
        AuditRound.objects.filter(pk=earlier.pk).update(status=AuditRound.Status.CLOSED)
    round = four_agency_round(administrator, csc_social_worker, health, voluntary)
    for n in range(themes):
        theme = _theme(round, administrator, f"Theme {n}")
        for _ in range(2):
            point = audit_services.learning_add(
                round=round, user=administrator, text="Chronology not used", sample=None
            )
            audit_services.learning_group(point=point, user=administrator, theme=theme)
        _agreed(theme, administrator, health)
    client.force_login(working_group_member)
    # Session, user, round; the results' six; themes counted and read, their points and
    # agreed actions; points not grouped.
    with django_assert_max_num_queries(15):
        assert client.get(_url("audit_results", round)).status_code == 200


# Learning and themes ---------------------------------------------------------------------


def test_a_runner_adds_a_point_about_a_child_a_theme_and_groups_the_point(
    client, round, administrator
):
    names = _named(round)
    sample = round.samples.get(number=2)
    client.force_login(administrator)
    url = _url("audit_learning", round)

    page = client.get(url).content.decode()
    assert "Child 2" in page and all(name not in page for name in names)

    response = client.post(
        url,
        {
            "step": "learning",
            "text": "Chronologies were not read",
            "sample": sample.pk,
            once.FIELD: once.new_token(),
        },
    )
    assert response.status_code == 302
    point = AuditLearningPoint.objects.get()
    assert (point.sample, point.written_by) == (sample, administrator)

    client.post(
        url, {"step": "theme", "title": "Use of chronologies", once.FIELD: once.new_token()}
    )
    theme = AuditTheme.objects.get()

    response = client.post(
        url, {"step": "group", "point": point.pk, f"point-{point.pk}-theme": theme.pk}
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.theme == theme

    results = client.get(_url("audit_results", round)).content.decode()
    assert "Use of chronologies" in results and "Chronologies were not read" in results
    assert "about Child 2" in results


def test_a_learning_point_sent_twice_is_added_once(client, round, working_group_member):
    client.force_login(working_group_member)
    data = {"step": "learning", "text": "Fathers not seen", once.FIELD: once.new_token()}
    client.post(_url("audit_learning", round), data)

    again = client.post(_url("audit_learning", round), data, follow=True)

    assert AuditLearningPoint.objects.count() == 1
    assert once.ALREADY_SAVED in again.content.decode()


def test_an_empty_point_and_a_repeated_theme_are_refused_with_an_error_summary(
    client, round, administrator
):
    _theme(round, administrator, "Voice of the child")
    client.force_login(administrator)
    url = _url("audit_learning", round)
    sample = round.samples.get(number=1)

    empty = client.post(url, {"step": "learning", "text": "", "sample": sample.pk})
    page = empty.content.decode()
    assert empty.status_code == 200
    assert "govuk-error-summary" in page and "Enter the learning point" in page
    assert f'value="{sample.pk}" selected' in page  # nothing chosen is lost

    repeated = client.post(url, {"step": "theme", "title": "voice of the child"})
    assert "This round already has a theme with that title" in repeated.content.decode()
    assert AuditTheme.objects.count() == 1


def test_no_learning_before_the_round_starts(client, administrator):
    planning = audit_round(administrator)
    client.force_login(administrator)
    url = _url("audit_learning", planning)

    assert "Learning is added once the round has started" in client.get(url).content.decode()
    refused = client.post(url, {"step": "learning", "text": "Too soon"})
    assert "Learning is added once the round has started" in refused.content.decode()
    assert not AuditLearningPoint.objects.exists()


def test_agency_leads_read_the_learning_on_the_results_but_cannot_add_it(
    client, round, health_lead
):
    client.force_login(health_lead)
    assert client.get(_url("audit_learning", round)).status_code == 403
    assert (
        client.post(_url("audit_learning", round), {"step": "theme", "title": "X"}).status_code
        == 403
    )
    assert not AuditTheme.objects.exists()


@pytest.mark.parametrize("points", [3, 30])
def test_the_learning_page_is_paginated_and_constant_in_queries(
    client, round, administrator, django_assert_max_num_queries, points
):
    theme = _theme(round, administrator)
    for n in range(points):
        audit_services.learning_add(round=round, user=administrator, text=f"Point {n}")
    AuditLearningPoint.objects.update(theme=theme)
    client.force_login(administrator)
    # Session, user, round, themes, samples for the "about" list, points counted and read.
    with django_assert_max_num_queries(8):
        page = client.get(_url("audit_learning", round)).content.decode()
    assert ("govuk-pagination" in page) is (points > 25)


# Agreed actions --------------------------------------------------------------------------


def _agreed_data(agency, **changes):
    due = today() + timedelta(days=120)
    return {
        "agency": agency.pk,
        "objective": "respond",
        "description": "Health visitors add every visit to the chronology",
        "owner_name": "Named nurse for safeguarding",
        "due_date_0": due.day,
        "due_date_1": due.month,
        "due_date_2": due.year,
        once.FIELD: once.new_token(),
        **changes,
    }


def test_an_agreed_action_appears_in_healths_plan_and_links_back(
    client, round, administrator, working_group_member, health_lead, health, health_plan
):
    theme = _theme(round, administrator)
    client.force_login(working_group_member)

    response = client.post(_url("audit_agreed_action", round, theme.pk), _agreed_data(health))

    link = AuditAgreedAction.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#agreed-{link.pk}")
    assert link.action.plan == health_plan and link.theme == theme
    assert link.action.objective == "respond"
    results = client.get(_url("audit_results", round)).content.decode()
    assert "Health visitors add every visit to the chronology" in results
    assert reverse("actionplans:plan_detail", args=[health_plan.pk]) in results

    client.force_login(health_lead)
    plan_page = client.get(reverse("actionplans:plan_detail", args=[health_plan.pk]))
    text = plan_page.content.decode()
    results_link = f'href="{_url("audit_results", round)}#theme-{theme.pk}">{round.title}</a>'
    assert f'Agreed at audit: <a class="govuk-link" {results_link}, theme Chronologies' in text


def test_a_practitioner_owning_the_action_sees_the_finding_without_the_link(
    client, round, administrator, health_visitor, health, health_plan
):
    link = _agreed(_theme(round, administrator), administrator, health)
    Action.objects.filter(pk=link.action_id).update(owner=health_visitor)
    client.force_login(health_visitor)

    text = client.get(reverse("actionplans:plan_detail", args=[health_plan.pk])).content.decode()

    assert f"Agreed at audit: {round.title}, theme Chronologies" in text
    assert _url("audit_results", round) not in text


def test_an_agreed_action_sent_twice_is_added_once(
    client, round, administrator, health, health_plan
):
    theme = _theme(round, administrator)
    client.force_login(administrator)
    data = _agreed_data(health)
    url = _url("audit_agreed_action", round, theme.pk)
    first = client.post(url, data)

    again = client.post(url, data)

    assert AuditAgreedAction.objects.count() == 1 and health_plan.actions.count() == 1
    assert again["Location"] == first["Location"]


def test_an_agency_with_no_active_plan_is_refused_and_nothing_typed_is_lost(
    client, round, administrator, voluntary
):
    ActionPlanFactory(agency=voluntary, status=ActionPlan.Status.CLOSED)
    theme = _theme(round, administrator)
    client.force_login(administrator)

    response = client.post(_url("audit_agreed_action", round, theme.pk), _agreed_data(voluntary))

    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert f"{voluntary} has no active plan to add the action to" in page
    assert "Health visitors add every visit to the chronology" in page
    assert "Named nurse for safeguarding" in page
    assert not Action.objects.exists()


def test_an_agreed_action_form_with_gaps_says_what_is_missing(client, round, administrator, health):
    theme = _theme(round, administrator)
    client.force_login(administrator)

    response = client.post(
        _url("audit_agreed_action", round, theme.pk),
        _agreed_data(health, objective="", due_date_0="", due_date_1="", due_date_2=""),
    )

    page = response.content.decode()
    assert "Select the objective the action is under" in page
    assert "Enter the due date" in page
    assert not Action.objects.exists()


def test_a_theme_of_another_round_is_404(client, round, administrator):
    other = audit_round(administrator, title="Another")
    theme = _theme(other, administrator)
    client.force_login(administrator)
    assert client.get(_url("audit_agreed_action", round, theme.pk)).status_code == 404


def test_the_plan_page_stays_within_its_budget_with_agreed_actions(
    client, round, administrator, health, health_plan, health_lead, django_assert_max_num_queries
):
    theme = _theme(round, administrator)
    for n in range(5):
        _agreed(theme, administrator, health, description=f"Agreed {n}")
    for _ in range(5):
        ActionFactory(plan=health_plan)
    client.force_login(health_lead)
    # tests/actionplans/test_plans.py's budget for the plan page, with the findings' query.
    with django_assert_max_num_queries(10):
        page = client.get(reverse("actionplans:plan_detail", args=[health_plan.pk]))
    assert page.content.decode().count("Agreed at audit:") == 5


# The export ------------------------------------------------------------------------------


@pytest.fixture
def findings(round, administrator, health, health_plan):
    names = _named(round)
    theme = _theme(round, administrator)
    point = audit_services.learning_add(
        round=round,
        user=administrator,
        text="The chronology was not read",
        sample=round.samples.get(number=3),
    )
    audit_services.learning_group(point=point, user=administrator, theme=theme)
    _agreed(theme, administrator, health)
    return names


def test_the_csv_has_results_learning_and_actions_and_names_no_child(
    client, round, findings, working_group_member, health
):
    client.force_login(working_group_member)

    response = client.get(_url("audit_results_csv", round))

    body = response.content.decode()
    assert all(name not in body for name in findings)
    rows = list(csv.reader(io.StringIO(body)))
    header = rows[0]
    assert header[:3] == ["Section", "Criterion", "Scope"]
    results = [row for row in rows if row[0] == "Results"]
    promptness = [row for row in results if row[1] == "Promptness of identification"]
    assert promptness[0][2:9] == ["Overall", "1", "1", "1", "1", "4", "50.0"]
    assert {row[2] for row in promptness} == {
        "Overall",
        health.name,
        "Voluntary and Community Sector",
    }
    text = header.index("Text")
    assert [row[text] for row in rows if row[0] == "Round"][-2:] == [
        "Audits not yet moderated (not counted): 1",
        "Compared with: No previous round",
    ]
    assert f"Starts: {long_date(round.starts_on)}" in body
    learning = [row for row in rows if row[0] == "Learning point"]
    assert learning[0][header.index("Text")] == "The chronology was not read"
    assert learning[0][header.index("About")] == "Child 3"
    actions = [row for row in rows if row[0] == "Agreed action"]
    assert actions[0][header.index("Agency")] == health.name
    child_ids = {str(pk) for pk in round.samples.values_list("child_id", flat=True)}
    assert not any(f"/children/{pk}/" in body for pk in child_ids)


def test_the_excel_export_names_no_child(client, round, findings, working_group_member):
    client.force_login(working_group_member)

    response = client.get(_url("audit_results_xlsx", round))

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        text = "".join(book.read(name).decode() for name in book.namelist())
    assert all(name not in text for name in findings)
    assert "The chronology was not read" in text and "Child 3" in text
    assert "Promptness of identification" in text and "Agreed actions" in text


def test_partners_practitioners_cannot_download_the_results(client, round, health_visitor):
    client.force_login(health_visitor)
    assert client.get(_url("audit_results_csv", round)).status_code == 403
    assert client.get(_url("audit_results_xlsx", round)).status_code == 403
