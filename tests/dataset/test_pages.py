"""The dataset pages: the dashboard, an indicator with its drill-down, emerging themes and
the exports, against hand-built records whose figures are worked out by hand."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dataset.indicators import INDICATORS
from neglect_portal.quarters import Quarter
from tests.actionplans.factories import (
    ActionFactory,
    ActionPlanFactory,
    ActionUpdateFactory,
    QuarterlyReportFactory,
)
from tests.dataset.builders import cp_plan, tool
from tests.factories import ChildFactory, InvolvementFactory, UserFactory
from toolkit.models import SDQ

pytestmark = pytest.mark.django_db

Q1 = Quarter(2024, 1)  # 1 April to 30 June 2024; the previous quarter ends 31 March 2024
SLUG = Q1.slug


def text(response) -> str:
    """The page's visible words with markup and runs of spaces removed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def card(response, code) -> str:
    html = response.content.decode()
    start = html.index(f'id="card-{code}"')
    end = html.find('class="portal-dataset-card"', start)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : end if end > 0 else None]))


@pytest.fixture
def wg_client(client, working_group_member):
    client.force_login(working_group_member)
    return client


def dashboard(client, quarter=Q1):
    return client.get(reverse("dataset:dashboard", args=[quarter.slug]))


# The dashboard -----------------------------------------------------------------------------


def test_a_card_shows_the_value_its_numerator_and_denominator(wg_client, plans):
    shown = card(dashboard(wg_client), "CP_NEGLECT_SHARE")
    assert "Child protection plans for neglect" in shown
    assert "62.5%" in shown
    assert "5 of 8 children" in shown


def test_a_card_shows_the_change_against_the_previous_quarter_in_words(wg_client, plans):
    shown = card(dashboard(wg_client), "CP_NEGLECT_SHARE")
    assert "Since 2023-24 Q4" in shown
    assert "up 5.4 points from 57.1% to 62.5%" in shown


def test_a_card_compares_with_the_same_quarter_last_year(wg_client, plans):
    shown = card(dashboard(wg_client), "CP_NEGLECT_SHARE")
    # No plan was open on 30 June 2023, so that quarter has no cases to compare with.
    assert "Since 2023-24 Q1" in shown
    assert "not comparable: no cases in 2023-24 Q1" in shown


def test_a_zero_denominator_is_shown_as_no_cases_never_as_zero(wg_client, plans):
    shown = card(dashboard(wg_client), "CP_ENDED_2Y")  # no plan ended in the quarter
    assert "no cases" in shown
    assert "0.0%" not in shown and "0%" not in shown


def test_the_sparkline_has_a_text_alternative_with_every_quarter(wg_client, plans):
    html = dashboard(wg_client).content.decode()
    start = html.index('id="card-CP_NEGLECT_SHARE"')
    label = re.search(
        r'<svg class="portal-sparkline" role="img" aria-label="([^"]+)"', html[start:]
    )[1]
    assert label.startswith("Last 8 quarters, oldest first: 2022-23 Q2 no cases;")
    assert label.endswith("2023-24 Q4 57.1%; 2024-25 Q1 62.5%")


def test_training_coverage_says_no_returns_yet_rather_than_zero(wg_client, plans):
    shown = card(dashboard(wg_client), "TRAINING_COVERAGE")
    assert "No agency returns yet" in shown
    assert " 0 " not in shown and "0%" not in shown


def test_actions_by_rag_counts_each_actions_latest_submitted_rating(wg_client, health):
    plan = ActionPlanFactory(
        agency=health, period_start=date(2024, 4, 1), period_end=date(2026, 3, 31)
    )
    QuarterlyReportFactory(plan=plan, quarter="2024-25-Q1")
    red, green, unrated = ActionFactory.create_batch(3, plan=plan)
    ActionUpdateFactory(action=red, quarter="2024-25-Q1", rag="red")
    ActionUpdateFactory(action=green, quarter="2024-25-Q1", rag="green")
    # A rating for a later quarter is not the position at the end of this one.
    QuarterlyReportFactory(plan=plan, quarter="2024-25-Q2")
    ActionUpdateFactory(action=unrated, quarter="2024-25-Q2", rag="complete")
    response = dashboard(wg_client)
    shown = card(response, "ACTIONS_BY_RAG")
    assert "Red 1 " in shown and "Amber 0 " in shown and "Green 1 " in shown
    assert "Complete 0 " in shown and "Not rated 1 " in shown
    assert reverse("actionplans:overview", args=[SLUG]) in response.content.decode()


def test_actions_by_rag_is_broken_down_by_objective_and_agency(wg_client, health, csc):
    for agency, rag in ((health, "red"), (csc, "green")):
        plan = ActionPlanFactory(
            agency=agency, period_start=date(2024, 4, 1), period_end=date(2026, 3, 31)
        )
        QuarterlyReportFactory(plan=plan, quarter="2024-25-Q1")
        action = ActionFactory(plan=plan, objective="respond")
        ActionUpdateFactory(action=action, quarter="2024-25-Q1", rag=rag)
        ActionFactory(plan=plan, objective="evaluate")  # never rated
    page = text(wg_client.get(reverse("dataset:indicator", args=[SLUG, "ACTIONS_BY_RAG"])))
    by_objective = page[page.index("By objective") : page.index("By agency")]
    assert "Respond 1 0 1 0 0" in by_objective and "Evaluate 0 0 0 0 2" in by_objective
    assert "Recognise 0 0 0 0 0" in by_objective
    by_agency = page[page.index("By agency") :]
    assert "Community Health Trust 1 0 0 0 1" in by_agency
    assert "Social Care 0 0 1 0 1" in by_agency


def test_the_dataset_opens_on_the_latest_complete_quarter(wg_client):
    response = wg_client.get(reverse("dataset:dashboard_latest"))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "dataset:dashboard", args=[Quarter.latest_complete().slug]
    )


def test_the_quarter_picker_goes_to_the_chosen_quarter(wg_client):
    response = wg_client.get(reverse("dataset:choose_quarter"), {"quarter": "2023-24-Q2"})
    assert response["Location"] == reverse("dataset:dashboard", args=["2023-24-Q2"])
    assert (
        wg_client.get(reverse("dataset:choose_quarter"), {"quarter": "2023-25-Q2"}).status_code
        == 404
    )
    assert wg_client.get(reverse("dataset:choose_quarter"))["Location"] == reverse(
        "dataset:dashboard_latest"
    )


@pytest.mark.parametrize("slug", ["2024-26-Q1", "2024-25-Q5", "2024-25-Q0", "24-25-Q1"])
def test_a_quarter_that_does_not_exist_is_not_found(wg_client, slug):
    assert wg_client.get(f"/dataset/{slug}/").status_code == 404


def test_an_unknown_indicator_is_not_found(wg_client):
    assert wg_client.get(reverse("dataset:indicator", args=[SLUG, "NOPE"])).status_code == 404
    url = reverse("dataset:members", args=[SLUG, "TOOLKIT_CHILDREN", "denominator"])
    assert wg_client.get(url).status_code == 404  # a count has no denominator


@pytest.mark.parametrize("children", [2, 20])
def test_the_dashboard_needs_the_same_queries_however_many_children(
    wg_client, children, django_assert_max_num_queries
):
    for i in range(children):
        cp_plan(ChildFactory(), date(2024, 1, 1 + i))
    dashboard(wg_client)  # the worker has stored the eight quarters' figures
    # The eight quarters' stored figures (two queries), one look for published snapshots and
    # one for agency returns covering all eight, one for the targets in force for every card
    # (dataset/targets.py), the action plans' counts, when the figures were calculated, the
    # session, the user and their agency: constant whatever the number of children, and no
    # figure computed. Two more for the indicators agencies submit: their definitions, and
    # every quarter's submissions.
    with django_assert_max_num_queries(15):
        assert dashboard(wg_client).status_code == 200


def test_a_published_quarters_dashboard_reads_its_snapshots(
    wg_client, administrator, django_assert_max_num_queries
):
    from dataset.services import quarter_publish
    from neglect_portal.quarters import Quarter

    child = ChildFactory()
    cp_plan(child, date(2024, 1, 1))
    quarter = Quarter.parse(SLUG)
    for each in quarter.last(8):
        quarter_publish(quarter=each, user=administrator)
    cp_plan(ChildFactory(), date(2024, 1, 2))  # a later change: published figures stand
    with django_assert_max_num_queries(15):
        response = dashboard(wg_client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Published" in html


def test_the_dashboard_query_count_does_not_grow_with_the_data(client, working_group_member):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(working_group_member)
    counts = []
    for batch in (2, 18):
        for _ in range(batch):
            cp_plan(ChildFactory(), date(2024, 2, 1))
        dashboard(client)  # the worker has stored the figures
        with CaptureQueriesContext(connection) as queries:
            dashboard(client)
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    "url",
    [
        reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"]),
        reverse("dataset:indicator", args=[SLUG, "TOOLKIT_CHILDREN"]),
        reverse("dataset:indicator", args=[SLUG, "CHRONOLOGY_ENTRIES_WEEKLY"]),
        reverse("dataset:indicator", args=[SLUG, "SDQ_RAISED"]),
        reverse("dataset:indicator", args=[SLUG, "AUDIT_GOOD_OR_BETTER"]),
        reverse("dataset:themes", args=[SLUG]),
        reverse("dataset:dashboard_csv", args=[SLUG]),
    ],
)
def test_the_other_dataset_pages_need_the_same_queries_however_many_records(
    client, health_lead, health, url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(health_lead)
    nurse = UserFactory(agency=health)
    counts = []
    for batch in (2, 18):
        for _ in range(batch):
            child = ChildFactory()
            cp_plan(child, date(2024, 2, 1))
            InvolvementFactory(child=child, agency=health, start_date=date(2024, 1, 1))
            tool(SDQ, child, nurse, date(2024, 5, 1), informant="parent")
        client.get(url)  # the worker has stored the figures
        # The stored figures and records behind them, one look each for published snapshots,
        # agency returns and the targets in force, the session, the user and their agency;
        # and two for the indicators agencies submit (their definitions and submissions).
        with django_assert_max_num_queries(15), CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The indicator page ------------------------------------------------------------------------


def test_the_indicator_page_shows_its_definition_and_an_accessible_trend_table(wg_client, plans):
    response = wg_client.get(reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"]))
    page = text(response)
    assert "the percentage with an open plan whose latest category of abuse is neglect" in page
    html = response.content.decode()
    assert '<svg class="portal-trend-chart" aria-hidden="true"' in html
    trend = html[html.index('id="trend"') :]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", trend, flags=re.S)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).split() for row in rows[1:9]]
    # 7 and 8 children: fewer than ten, so marked; no cases is not.
    small = " (fewer than 10 children: read with care)"
    assert " ".join(cells[-2]) == "2023-24 Q4 4 7 57.1%" + small
    assert " ".join(cells[-1]) == "2024-25 Q1 5 8 62.5%" + small
    assert cells[0] == ["2022-23", "Q2", "0", "0", "no", "cases"]


def test_the_chronology_page_lists_each_week_and_the_toolkit_page_its_running_total(
    wg_client, health
):
    from tests.dataset.builders import chronology_entry

    nurse = UserFactory(agency=health)
    child = ChildFactory()
    for day in (date(2024, 5, 13), date(2024, 5, 19), date(2024, 5, 20)):
        chronology_entry(child, nurse, day)
    tool(SDQ, child, nurse, date(2023, 11, 2), informant="parent")  # before the quarter
    tool(SDQ, ChildFactory(), nurse, date(2024, 5, 2), informant="parent")
    weekly = wg_client.get(reverse("dataset:indicator", args=[SLUG, "CHRONOLOGY_ENTRIES_WEEKLY"]))
    html = weekly.content.decode()
    weeks = html[html.index('id="weeks"') : html.index("</table>", html.index('id="weeks"'))]
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", weeks, flags=re.S)[1:]
    assert len(rows) == 13
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]
    assert "13 May to 19 May 2024 2" in cells and "20 May to 26 May 2024 1" in cells
    toolkit = text(wg_client.get(reverse("dataset:indicator", args=[SLUG, "TOOLKIT_CHILDREN"])))
    assert "completed for 2 children (as at 30 June 2024)" in toolkit


def test_toolkit_counts_are_broken_down_by_the_completing_agency(wg_client, health, csc):
    nurse = UserFactory(agency=health)
    worker = UserFactory(agency=csc)
    child = ChildFactory()
    tool(SDQ, child, nurse, date(2024, 4, 2), informant="parent")
    tool(SDQ, child, nurse, date(2024, 5, 2), informant="parent")
    tool(SDQ, ChildFactory(), worker, date(2024, 6, 30), informant="parent")
    tool(SDQ, ChildFactory(), worker, date(2024, 7, 1), informant="parent")  # next quarter
    response = wg_client.get(reverse("dataset:indicator", args=[SLUG, "SDQ_COMPLETED"]))
    html = response.content.decode()
    table = html[html.index('id="breakdown"') :]
    rows = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, flags=re.S)[1:]:
        cells = [c.strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        rows[cells[0]] = cells[1:]
    assert rows["Community Health Trust"] == ["2", "2"]
    assert rows["Children&#x27;s Social Care"] == ["1", "1"]


def test_case_record_indicators_other_than_toolkit_counts_have_no_agency_breakdown(
    wg_client, plans
):
    response = wg_client.get(reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"]))
    assert 'id="breakdown"' not in response.content.decode()


# Drill-down and visibility -----------------------------------------------------------------


def member_names(client, code="CP_NEGLECT_SHARE", which="numerator"):
    response = client.get(reverse("dataset:members", args=[SLUG, code, which]))
    assert response.status_code == 200
    html = response.content.decode()
    if 'id="members"' not in html:
        return None
    return sorted(re.findall(r'href="/children/\d+/">([^<]+)</a>', html))


def test_a_viewer_who_sees_every_child_gets_every_record(client, administrator, plans):
    client.force_login(administrator)  # children's social care sees every child
    assert member_names(client) == [f"Neglect{i} Child" for i in range(5)]
    assert len(member_names(client, which="denominator")) == 8


def test_an_agency_lead_sees_only_the_children_their_agency_is_involved_with(
    client, health_lead, plans
):
    client.force_login(health_lead)
    assert member_names(client) == ["Neglect0 Child", "Neglect1 Child"]
    page = text(
        client.get(reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"]))
    )
    assert "The figure counts 5 children. You may see 2 of them" in page
    indicator = text(client.get(reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])))
    assert "In the numerator : you may see 2 of 5" in indicator
    assert "In the denominator : you may see 2 of 8" in indicator


def test_drill_down_links_name_children_by_id_only(client, administrator, plans):
    client.force_login(administrator)
    html = client.get(
        reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"])
    ).content.decode()
    for href in re.findall(r'href="([^"]+)"', html):
        assert "Neglect" not in href and "DfE" not in href


def test_a_member_whose_agency_sees_no_children_gets_counts_only(wg_client, plans):
    indicator = text(wg_client.get(reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])))
    assert "You see the counts only" in indicator
    assert reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"]) not in indicator
    assert member_names(wg_client) is None
    page = text(
        wg_client.get(reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"]))
    )
    assert "The figure counts 5 children." in page and "Neglect0" not in page
    csv_url = reverse("dataset:members_csv", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"])
    assert wg_client.get(csv_url).status_code == 403


def test_the_drill_down_page_is_paginated_with_constant_queries(
    client, administrator, django_assert_max_num_queries
):
    client.force_login(administrator)
    for i in range(30):
        cp_plan(ChildFactory(), date(2024, 1, 1 + i))
    url = reverse("dataset:members", args=[SLUG, "CP_NEGLECT_SHARE", "denominator"])
    client.get(url)  # the worker has stored the figures
    with django_assert_max_num_queries(10):
        first = client.get(url)
    assert len(re.findall(r'href="/children/\d+/"', first.content.decode())) == 25
    second = client.get(url, {"page": 2})
    assert len(re.findall(r'href="/children/\d+/"', second.content.decode())) == 5


def test_the_drill_down_csv_lists_what_the_viewer_may_see_without_running_formulas(
    client, health_lead, plans, health
):
    attacker = ChildFactory(given_name='=HYPERLINK("http://evil")', family_name="-2+3")
    cp_plan(attacker, date(2024, 2, 1))
    InvolvementFactory(child=attacker, agency=health, start_date=date(2024, 1, 1))
    client.force_login(health_lead)
    response = client.get(
        reverse("dataset:members_csv", args=[SLUG, "CP_NEGLECT_SHARE", "numerator"])
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["LA child ID", "Child", "Record", "Dates", "Agency"]
    names = sorted(row[1] for row in rows[1:])
    assert names == ['\'=HYPERLINK("http://evil") -2+3', "Neglect0 Child", "Neglect1 Child"]
    assert all(row[2] == "Child" for row in rows[1:])


# Exports -----------------------------------------------------------------------------------


def test_the_dashboard_csv_has_one_row_per_indicator_with_its_definition(wg_client, plans):
    response = wg_client.get(reverse("dataset:dashboard_csv", args=[SLUG]))
    assert (
        response["Content-Disposition"] == 'attachment; filename="neglect-dataset-2024-25-Q1.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Quarter",
        "Code",
        "Title",
        "Definition",
        "Numerator",
        "Denominator",
        "Value",
        "Unit",
        "Note",
        "Target",
        "Target met",
    ]
    by_code = {row[1]: row for row in rows[1:]}
    assert list(by_code) == [i.code for i in INDICATORS]
    share = by_code["CP_NEGLECT_SHARE"]
    assert share[0] == "2024-25 Q1"
    assert share[3].startswith("Of the children with at least one child protection plan")
    assert share[4:8] == ["5", "8", "62.5", "Percentage"]
    assert by_code["CP_ENDED_2Y"][4:9] == ["0", "0", "", "Percentage", "no cases"]
    assert by_code["TRAINING_COVERAGE"][4:7] == ["", "", ""]
    assert by_code["TRAINING_COVERAGE"][8] == "No agency returns yet"


def test_the_dashboard_xlsx_keeps_numbers_as_numbers_and_holds_no_formula(wg_client, plans):
    response = wg_client.get(reverse("dataset:dashboard_xlsx", args=[SLUG]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Quarter", "Code", "Title")
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["CP_NEGLECT_SHARE"][4:7] == (5, 8, 62.5)
    assert by_code["CP_ENDED_2Y"][6] is None
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# Emerging themes ---------------------------------------------------------------------------


def test_emerging_themes_list_a_move_beyond_the_threshold_in_words(wg_client, plans):
    page = text(wg_client.get(reverse("dataset:themes", args=[SLUG])))
    assert "Child protection plans for neglect" in page
    assert "up 5.4 points from 57.1% to 62.5%" in page
    assert "moved more than 5.0 percentage points" in page
    # 3 of 7 to 3 of 8 physical-abuse plans moves CP_OPEN_15M by nothing: not a theme.
    assert "Child protection plans open 15 months or more" not in page


def test_emerging_themes_say_so_when_nothing_moved(wg_client):
    page = text(wg_client.get(reverse("dataset:themes", args=[SLUG])))
    assert "No indicator moved by more than the thresholds" in page


# Navigation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona_name", "shown"),
    [
        ("working_group_member", True),
        ("health_lead", True),
        ("administrator", True),
        ("csc_social_worker", False),
        ("csc_team_manager", False),
    ],
)
def test_the_dataset_is_in_the_navigation_and_on_the_home_page_for_its_readers(
    client, request, persona_name, shown
):
    client.force_login(request.getfixturevalue(persona_name))
    html = client.get(reverse("home")).content.decode()
    assert (html.count(f'href="{reverse("dataset:dashboard_latest")}"') >= 2) is shown
    assert (f'href="{reverse("dataset:dashboard_latest")}"' in html) is shown


@pytest.fixture
def rereferral_target(administrator):
    """REREFERRALS_12M (lower is better) with a target of at most 25% from 2023-24 Q4."""
    from decimal import Decimal

    from dataset.services import target_set

    return target_set(
        code="REREFERRALS_12M",
        applies_from=Q1.previous(),
        value=Decimal("25.0"),
        reason="Agreed by the Working Group",
        user=administrator,
        expected_version=0,
    )


@pytest.fixture
def rereferred(plans):
    """2023-24 Q4: 7 referrals, none a re-referral (0.0%). 2024-25 Q1: the May referral and a
    second referral of a child first referred in January: 1 of 2, 50.0%."""
    from tests.dataset.builders import referral

    neglect, _ = plans
    referral(neglect[0], date(2024, 5, 2))


def test_a_card_shows_its_status_against_the_target_in_words(
    wg_client, rereferred, rereferral_target
):
    shown = card(dashboard(wg_client), "REREFERRALS_12M")
    assert "Target at most 25.0%" in shown
    assert "Not met: target 25.0%" in shown
    html = dashboard(wg_client).content.decode()
    assert '<strong class="govuk-tag govuk-tag--red">Not met: target 25.0%</strong>' in html


def test_a_card_without_a_target_says_nothing_about_one(wg_client, plans):
    assert "target" not in card(dashboard(wg_client), "REREFERRALS_12M").lower()


def test_crossing_a_target_is_an_emerging_theme(wg_client, rereferred, rereferral_target):
    page = text(wg_client.get(reverse("dataset:themes", args=[SLUG])))
    assert "no longer meets its target (at most 25.0%)" in page
    assert "Not met: target 25.0%" in page


def test_emerging_themes_show_n_of_d_for_both_quarters_and_mark_a_small_base(wg_client, rereferred):
    response = wg_client.get(reverse("dataset:themes", args=[SLUG]))
    html = response.content.decode()
    start = html.index('id="theme-REREFERRALS_12M"')
    theme = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</li>", start)]))
    assert "up 50.0 points from 0.0% to 50.0%" in theme
    assert "0 of 7 referrals → 1 of 2 referrals (2023-24 Q4 to 2024-25 Q1)" in theme
    assert "Fewer than 10 referrals: read with care" in theme


def test_a_theme_on_ten_or_more_on_both_sides_is_not_marked(wg_client, health):
    # CP_NEGLECT_SHARE: 10 of 12 children at 31 March 2024, 10 of 10 at 30 June (the two
    # physical-abuse plans ended in April).
    for i in range(12):
        end = date(2024, 4, 15) if i >= 10 else None
        cp_plan(ChildFactory(), date(2024, 1, 10), end, initial="NEG" if i < 10 else "PHY")
    page = text(wg_client.get(reverse("dataset:themes", args=[SLUG])))
    assert "10 of 12 children → 10 of 10 children" in page
    assert "read with care" not in page


def test_a_card_marks_a_percentage_of_fewer_than_ten(wg_client, plans):
    shown = card(dashboard(wg_client), "CP_NEGLECT_SHARE")
    assert "5 of 8 children (fewer than 10 children: read with care)" in shown
    # No cases is not a small base: there is nothing to read.
    assert "read with care" not in card(dashboard(wg_client), "CP_ENDED_2Y")


def test_the_indicator_page_marks_a_small_base(wg_client, plans):
    url = reverse("dataset:indicator", args=[SLUG, "CP_NEGLECT_SHARE"])
    html = wg_client.get(url).content.decode()
    assert 'id="small-base">(fewer than 10 children: read with care)' in html


def test_a_published_figure_that_the_records_no_longer_match_is_shown_as_restated(
    wg_client, administrator
):
    from dataset.services import quarter_publish

    cp_plan(ChildFactory(), date(2024, 1, 1))
    quarter_publish(quarter=Q1, user=administrator)
    url = reverse("dataset:indicator", args=[SLUG, "CP_OPEN_15M"])
    assert "Restated since publication" not in wg_client.get(url).content.decode()
    cp_plan(ChildFactory(), date(2024, 1, 2))
    html = wg_client.get(url).content.decode()
    assert "Restated since publication" in html
    assert "the records now give" in html and "(0 of 1)" in html and "(0 of 2)" in html


# NEXT_STEPS_OVERDUE ----------------------------------------------------------------------------


def test_overdue_next_steps_drill_down_to_each_step_and_break_down_by_agency(
    client, administrator, health_lead, health
):
    from tests.factories import NextStepFactory, NextStepsFactory

    quarter = Q1
    author = UserFactory(agency=health)
    child = ChildFactory(given_name="Late", family_name="Steps")
    InvolvementFactory(child=child, agency=health, start_date=date(2024, 1, 1))
    analysis = NextStepsFactory(
        child=child, author=author, started_on=date(2024, 4, 1), completed_on=date(2024, 4, 2)
    )
    NextStepFactory(analysis=analysis, due_on=date(2024, 5, 1))
    NextStepFactory(analysis=analysis, due_on=quarter.end)
    hidden = NextStepsFactory(started_on=date(2024, 4, 1), completed_on=date(2024, 4, 2))
    NextStepFactory(analysis=hidden, due_on=date(2024, 5, 1))

    client.force_login(administrator)
    page = text(client.get(reverse("dataset:indicator", args=[SLUG, "NEXT_STEPS_OVERDUE"])))
    assert "Next steps overdue" in page and "66.7%" in page
    rows = client.get(
        reverse("dataset:members_csv", args=[SLUG, "NEXT_STEPS_OVERDUE", "numerator"])
    ).content.decode()
    assert "Late Steps,Next step,due 1 May 2024,Community Health Trust" in rows
    client.force_login(health_lead)  # sees only the children health works with
    assert member_names(client, "NEXT_STEPS_OVERDUE") == ["Late Steps"]
    assert len(member_names(client, "NEXT_STEPS_OVERDUE", "denominator")) == 2
