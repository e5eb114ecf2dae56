"""The Working Group's meeting pack: one page per quarter with the figures, themes, plans and
gaps the meeting reads, printable, and the same content as downloads. It names no child."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from actionplans.models import Decision
from actionplans.services import (
    NewAction,
    challenge_answer,
    challenge_close,
    challenge_raise,
    decision_add,
    decision_update_status,
)
from dataset.indicators import INDICATORS, Source, Unit
from dataset.services import agency_return_submit, target_set
from neglect_portal.models import User
from tests.actionplans.factories import ActionFactory, ActionPlanFactory, QuarterlyReportFactory
from tests.dataset.builders import cp_plan
from tests.dataset.test_pages import Q1, SLUG, text
from tests.dataset.test_partner_indicators import define, submit
from tests.factories import AgencyFactory, ChildFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wg_client(client, working_group_member):
    client.force_login(working_group_member)
    return client


def pack(client, quarter=Q1):
    response = client.get(reverse("dataset:pack", args=[quarter.slug]))
    assert response.status_code == 200
    return response


def section(page: str, start: str, end: str | None = None) -> str:
    return page[page.index(start) : page.index(end) if end else None]


@pytest.fixture
def health_submitted_everything(health, health_lead):
    """Health sent its RAG update and its training return; nobody else did."""
    plan = ActionPlanFactory(
        agency=health, period_start=date(2024, 4, 1), period_end=date(2026, 3, 31)
    )
    ActionFactory(plan=plan)
    QuarterlyReportFactory(plan=plan, quarter=SLUG)
    agency_return_submit(
        agency=health,
        quarter=Q1,
        staff_trained=180,
        target_workforce=800,
        user=health_lead,
        today=date(2024, 7, 10),
    )
    return plan


def test_the_pack_shows_each_headline_figure_with_its_counts_and_change(wg_client, plans):
    page = text(pack(wg_client))
    indicators = section(page, "1. Headline indicators", "2. Emerging themes")
    assert "Child protection plans for neglect 62.5% 5 of 8 children" in indicators
    assert "up 5.4 points from 57.1% to 62.5%" in indicators


def test_the_pack_lists_every_indicator_with_a_single_figure(wg_client, plans):
    html = pack(wg_client).content.decode()
    for indicator in INDICATORS:
        if indicator.source != Source.ACTION_PLANS:
            assert f'id="pack-{indicator.code}"' in html


def test_the_pack_lists_the_emerging_themes(wg_client, plans):
    themes = section(text(pack(wg_client)), "2. Emerging themes", "3. Action plans")
    assert "Child protection plans for neglect" in themes
    assert "moved more than 5.0 percentage points" in themes


def test_the_pack_names_no_child(wg_client, plans):
    response = pack(wg_client)
    page = text(response)
    neglect, physical = plans
    for child in [*neglect, *physical]:
        assert child.given_name not in page
    # Not even a link to the records behind a figure: those open from the indicator page.
    for child in neglect:
        assert reverse("cases:child_detail", args=[child.pk]) not in response.content.decode()
    assert "/numerator/" not in response.content.decode()


def test_an_agency_that_sent_nothing_is_listed_as_a_gap_and_one_that_sent_all_is_not(
    wg_client, health, voluntary, health_submitted_everything
):
    gaps = section(text(pack(wg_client)), "4. Gaps in returns")
    assert "Voluntary and Community Sector No active plan Training return" in gaps
    assert "Community Health Trust" not in gaps


def test_an_agency_with_a_plan_but_no_update_is_named_in_the_action_plans_section(
    wg_client, health
):
    ActionFactory(
        plan=ActionPlanFactory(
            agency=health, period_start=date(2024, 4, 1), period_end=date(2026, 3, 31)
        )
    )
    page = text(pack(wg_client))
    assert "Not submitted for 2024-25 Q1: Community Health Trust." in section(
        page, "3. Action plans", "4. Gaps in returns"
    )
    assert "Community Health Trust Not submitted Training return" in section(
        page, "4. Gaps in returns"
    )


def test_the_pack_prints_each_section_on_a_new_page_without_the_service_furniture(
    wg_client,
):
    html = pack(wg_client).content.decode()
    assert html.count('class="portal-pack-section"') == 6
    assert "This pack names no child." in html
    with open("static/portal/portal.css") as styles:
        css = styles.read()
    assert "size: A4" in css and ".portal-pack-section { break-before: page; }" in css


def test_the_pack_csv_has_one_row_per_headline_indicator(wg_client, plans):
    response = wg_client.get(reverse("dataset:pack_csv", args=[SLUG]))
    assert response["Content-Disposition"] == ('attachment; filename="meeting-pack-2024-25-Q1.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["CP_NEGLECT_SHARE"][3:8] == [
        "5",
        "8",
        "62.5",
        "Percentage",
        "up 5.4 points from 57.1% to 62.5%",
    ]
    assert by_code["TRAINING_COVERAGE"][3:6] == ["", "", ""]


def test_the_pack_workbook_has_a_sheet_per_section_and_no_formula(wg_client, plans, voluntary):
    response = wg_client.get(reverse("dataset:pack_xlsx", args=[SLUG]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["Indicators", "Emerging themes", "Gaps in returns"]
    gaps = list(book["Gaps in returns"].iter_rows(values_only=True))
    assert (
        "2024-25 Q1",
        "Voluntary and Community Sector",
        "No active plan",
        "training return",
    ) in (gaps)
    themes = list(book["Emerging themes"].iter_rows(values_only=True))
    assert any(row[1] == "CP_NEGLECT_SHARE" for row in themes[1:])
    for sheet in book.worksheets:
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_pack_needs_the_same_queries_however_many_records(
    wg_client, health, django_assert_max_num_queries
):
    counts = []
    for batch in (2, 12):
        for _ in range(batch):
            cp_plan(ChildFactory(), date(2024, 2, 1))
        # Each read once for every section: the two quarters' agency returns and the
        # agencies' indicators (for the figures and the gaps), the snapshots, the stored
        # results and their figures (2), the targets in force (for the figures and the
        # themes); the plans' matrix (3: the agencies with their plans and submissions, both
        # quarters' ratings, the actions counted), the challenges, the decisions; the
        # session, the user and their agency: 13 measured on SQLite.
        pack(wg_client)  # the worker has stored the figures
        with (
            django_assert_max_num_queries(13),
            CaptureQueriesContext(connection) as queries,
        ):
            pack(wg_client)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_pack_shows_each_figure_against_the_target_in_force(wg_client, plans, administrator):
    target_set(
        code="TOOLKIT_CHILDREN",
        applies_from=Q1,
        value=Decimal(10),
        reason="Partnership ambition for the first year",
        user=administrator,
        expected_version=0,
    )
    page = text(pack(wg_client))
    row = section(page, "Children the neglect toolkit was used with", "Chronology")
    assert "Not met: target 10" in row
    rows = list(
        csv.reader(
            io.StringIO(wg_client.get(reverse("dataset:pack_csv", args=[SLUG])).content.decode())
        )
    )
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code["TOOLKIT_CHILDREN"][-2:] == ["10", "Not met"]
    assert by_code["CP_NEGLECT_SHARE"][-2:] == ["", ""]


def test_the_packs_themes_give_both_quarters_counts_and_mark_small_bases(wg_client, plans):
    themes = section(text(pack(wg_client)), "2. Emerging themes", "3. Action plans")
    assert "4 of 7 children → 5 of 8 children" in themes
    assert "Fewer than 10 children: read with care" in themes
    book = load_workbook(
        io.BytesIO(wg_client.get(reverse("dataset:pack_xlsx", args=[SLUG])).content)
    )
    share = next(
        row
        for row in book["Emerging themes"].iter_rows(values_only=True)
        if row[1] == "CP_NEGLECT_SHARE"
    )
    assert share[4:7] == (
        "4 of 7 children",
        "5 of 8 children",
        "fewer than 10 children: read with care",
    )


DUE = date.today() + timedelta(days=60)  # an answer is due today or later


@pytest.fixture
def chair(voluntary):
    return UserFactory(
        username="chair", agency=voluntary, role=User.Role.WORKING_GROUP, is_chair=True
    )


@pytest.fixture
def scrutiny(working_group_member, chair, health, health_lead, health_submitted_everything):
    """Two challenges on Q1 (one answered and closed as needing a new action, one open), one
    still open from the quarter before, and decisions: one of Q1, one carried forward open and
    one done before (not due)."""

    def raise_(label, quarter=Q1):
        return challenge_raise(
            user=working_group_member,
            subject="indicator",
            agency=health,
            text=f"Why has {label} moved?",
            due_date=DUE,
            quarter=quarter,
            subject_label=label,
            indicator_code="SDQ_COMPLETED",
        )

    answered = raise_("SDQs completed, 2024-25 Q1")
    challenge_answer(
        challenge=answered,
        user=health_lead,
        answer="Bank health visitors were not trained in the SDQ",
        version=answered.version,
    )
    answered.refresh_from_db()
    challenge_close(
        challenge=answered,
        user=chair,
        outcome="needs_action",
        note="Train them",
        new_action=NewAction(
            "respond", "Train bank health visitors in the SDQ", "Lead", date(2025, 3, 31)
        ),
        version=answered.version,
    )
    open_now = raise_("Referrals for neglect, 2024-25 Q1")
    earlier = raise_("Toolkit children, 2023-24 Q4", Q1.previous())
    ours = decision_add(
        quarter=Q1,
        kind="decision",
        text="Ask every agency for its SDQ figures",
        due_date=date(2024, 12, 31),
        user=chair,
        owner_agency=health,
    )
    carried = decision_add(
        quarter=Q1.previous(),
        kind="ipag",
        text="Refer the rise in re-referrals to IPAG",
        due_date=date(2024, 9, 30),
        user=chair,
        owner_agency=health,
    )
    done = decision_add(
        quarter=Q1.previous(),
        kind="decision",
        text="Finished before this meeting",
        due_date=date(2024, 6, 30),
        user=chair,
        owner_agency=health,
    )
    decision_update_status(
        decision=done, user=chair, status=Decision.Status.DONE, reason="", version=done.version
    )
    return answered, open_now, earlier, ours, carried, done


def test_the_pack_shows_the_quarters_challenges_with_their_answers_and_every_open_one(
    wg_client, scrutiny
):
    answered, open_now, earlier, *_ = scrutiny
    challenges = section(text(pack(wg_client)), "5. Challenges", "6. Decisions due")
    assert "2 raised on 2024-25 Q1, 1 of them answered; 2 not yet closed, from any quarter." in (
        challenges
    )
    raised = section(challenges, "Raised on 2024-25 Q1", "Not yet closed")
    assert "SDQs completed, 2024-25 Q1 , to Community Health Trust" in raised
    assert "Bank health visitors were not trained in the SDQ" in raised
    assert "Needs action" in raised and "Action: Train bank health visitors in the SDQ" in raised
    assert "Referrals for neglect, 2024-25 Q1" in raised and "Not answered yet" in raised
    still_open = section(challenges, "Not yet closed")
    assert earlier.subject_label in still_open and open_now.subject_label in still_open
    assert answered.subject_label not in still_open


def test_the_pack_lists_the_decisions_due_with_open_ones_carried_forward(wg_client, scrutiny):
    *_, ours, carried, done = scrutiny
    decisions = section(text(pack(wg_client)), "6. Decisions due")
    assert "Decision: Ask every agency for its SDQ figures" in decisions
    assert "IPAG referral: Refer the rise in re-referrals to IPAG" in decisions
    assert "Carried forward from 2023-24 Q4" in decisions
    assert done.text not in decisions


def test_the_pack_workbook_holds_the_challenges_and_decisions(wg_client, scrutiny):
    answered, open_now, earlier, ours, carried, done = scrutiny
    response = wg_client.get(reverse("dataset:pack_xlsx", args=[SLUG]))
    book = load_workbook(io.BytesIO(response.content))
    challenges = list(book["Challenges"].iter_rows(values_only=True))
    # The quarter's two, then the one still open from the quarter before.
    assert [row[2] for row in challenges[1:]][-1] == earlier.subject_label
    assert {row[2] for row in challenges[1:3]} == {open_now.subject_label, answered.subject_label}
    closed = next(row for row in challenges if row[2] == answered.subject_label)
    assert closed[7:11] == (
        "Bank health visitors were not trained in the SDQ",
        "Closed",
        "Needs action",
        "Train bank health visitors in the SDQ",
    )
    decisions = list(book["Decisions"].iter_rows(values_only=True))
    assert {row[3]: row[8] for row in decisions[1:]} == {ours.text: "No", carried.text: "Yes"}


def test_the_packs_queries_do_not_grow_with_challenges_and_decisions(
    wg_client, scrutiny, working_group_member, health
):
    pack(wg_client)  # the worker has stored the figures
    with CaptureQueriesContext(connection) as before:
        pack(wg_client)
    for n in range(5):
        challenge_raise(
            user=working_group_member,
            subject="indicator",
            agency=health,
            text="More",
            due_date=DUE,
            quarter=Q1,
            subject_label=f"More {n}",
            indicator_code="SDQ_COMPLETED",
        )
    pack(wg_client)  # the worker has stored the figures
    with CaptureQueriesContext(connection) as after:
        pack(wg_client)
    assert len(before) == len(after)


def test_the_pack_shows_the_indicators_agencies_submit_and_names_each_gap(wg_client, health):

    hv = define(health)
    police = define(
        AgencyFactory(name="Police", kind="police"),
        "AG_POLICE_NEGLECT_CRIMES",
        Unit.COUNT,
        title="Neglect crimes recorded",
        counts="crimes",
        higher_is_better=True,
    )
    submit(hv, Q1, 31, 400)
    page = text(pack(wg_client))
    indicators = section(page, "Indicators submitted by agencies", "2. Emerging themes")
    assert "Health visitor contacts missed: was not brought (Community Health Trust) 7.8%" in (
        indicators
    )
    assert "31 of 400 contacts" in indicators
    assert "Not submitted by Police: a gap, not zero" in indicators
    gaps = section(page, "4. Gaps in returns")
    assert "Police No active plan Training return Neglect crimes recorded" in gaps
    rows = list(
        csv.reader(
            io.StringIO(wg_client.get(reverse("dataset:pack_csv", args=[SLUG])).content.decode())
        )
    )
    by_code = {row[1]: row for row in rows[1:]}
    assert by_code[police.code][3:6] == ["", "", ""]
    assert by_code[police.code][8] == "Not submitted by Police"
    assert by_code[hv.code][3:6] == ["31", "400", "7.8"]


def test_the_latest_pack_is_the_last_quarter_to_have_ended_and_is_linked_for_the_group(
    wg_client,
):
    from neglect_portal.quarters import Quarter

    response = wg_client.get(reverse("dataset:pack_latest"))
    assert response["Location"] == reverse("dataset:pack", args=[Quarter.latest_complete().slug])
    home = wg_client.get(reverse("home")).content.decode()
    assert reverse("dataset:pack_latest") in home
