from pathlib import Path

import pytest
from playwright.sync_api import expect

from actionplans.demo_data import load_action_plan_demo
from actionplans.models import ActionPlan, ActionUpdate, QuarterlyReport
from actionplans.services import Rating, quarter_save_draft, quarter_submit
from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CURRENT = Quarter.containing(dates.today())
LAST = CURRENT.previous()
REPORT = {
    "What we did": "Trained 120 more staff",
    "What difference it made for children": "Neglect recognised earlier in audited cases",
    "How we know": "Audit of 20 cases",
    "Next steps": "Train bank staff",
}


@pytest.fixture
def plans(demo_users):
    load_action_plan_demo()
    return ActionPlan.objects.get(agency__name="Community Health Trust")


def _last_ratings(plan):
    return dict(
        ActionUpdate.objects.filter(action__plan=plan, quarter=LAST.slug).values_list(
            "action_id", "rag"
        )
    )


def test_an_agency_lead_rates_the_quarter_saves_a_draft_and_submits(
    page, plans, sign_in, assert_accessible
):
    plan = plans
    sign_in("lead", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Action plans").click()
    assert_accessible(page)
    page.get_by_role("link", name="Your agency's plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    expect(page.get_by_role("heading", name="Recognise")).to_be_visible()
    expect(page.locator(".govuk-tag--red", has_text="Overdue").first).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=CURRENT.label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Quarterly update for {CURRENT.label}"
    )
    assert_accessible(page)

    last = _last_ratings(plan)
    actions = list(plan.actions.order_by("pk"))
    changed = next(a for a in actions if last[a.pk] != "complete")
    labels = {"red": "Red", "amber": "Amber", "green": "Green", "complete": "Complete"}
    for action in actions:  # the same as last quarter: no narrative needed
        page.get_by_role("group", name=f"RAG rating: {action.short}", exact=True).get_by_label(
            labels[last[action.pk]], exact=True
        ).check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Draft saved for {CURRENT.label}"
    )
    assert QuarterlyReport.objects.get(plan=plan, quarter=CURRENT.slug).status == "draft"

    new = "complete" if last[changed.pk] != "complete" else "red"
    page.get_by_role("group", name=f"RAG rating: {changed.short}", exact=True).get_by_label(
        labels[new], exact=True
    ).check()
    for label, text in REPORT.items():
        page.get_by_label(label, exact=True).fill(text)
    page.get_by_role("button", name=f"Submit {CURRENT.label}").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"Enter the progress on ‘{changed.short}’")
    expect(
        page.get_by_role("group", name=f"RAG rating: {changed.short}", exact=True).get_by_label(
            labels[new], exact=True
        )
    ).to_be_checked()  # nothing typed is lost
    expect(page.get_by_label("What we did", exact=True)).to_have_value(REPORT["What we did"])
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(f"Progress: {changed.short}", exact=True)).to_be_focused()

    page.get_by_label(f"Progress: {changed.short}", exact=True).fill(
        "Finished early thanks to the new champions"
    )
    page.get_by_role("button", name=f"Submit {CURRENT.label}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{CURRENT.label} submitted to the Working Group"
    )
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)  # locked
    expect(page.get_by_text("Finished early thanks to the new champions")).to_be_visible()
    assert_accessible(page)
    assert QuarterlyReport.objects.get(plan=plan, quarter=CURRENT.slug).is_submitted


def _submit_current_quarter(plan):
    lead = User.objects.get(username="lead")
    last = _last_ratings(plan)
    ratings = {
        pk: Rating("complete", "Done", "") if rag != "complete" else Rating(rag)
        for pk, rag in last.items()
    }
    report = quarter_save_draft(
        plan=plan,
        quarter=CURRENT,
        ratings=ratings,
        report_fields={
            "what_we_did": "A",
            "how_we_know": "B",
            "difference_for_children": "C",
            "next_steps": "D",
        },
        user=lead,
        expected_version=0,
    )
    quarter_submit(plan=plan, quarter=CURRENT, user=lead, expected_version=report.version)


def test_a_working_group_member_sees_the_matrix_change_and_opens_the_plan(
    page, live_server, plans, sign_in, assert_accessible
):
    sign_in("working-group", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Action plans").click()
    page.get_by_role("link", name="Working Group overview of the latest quarter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Action plans overview: {LAST.label}"
    )
    assert_accessible(page)

    page.get_by_role("link", name="Next quarter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CURRENT.label)
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Community Health Trust")
    )
    expect(row).to_contain_text("Not submitted")
    expect(row).not_to_contain_text("Complete")
    expect(page.locator("#not-submitted")).to_contain_text("Community Health Trust")

    _submit_current_quarter(plans)
    page.reload()
    expect(row).to_contain_text("Submitted")
    expect(row).not_to_contain_text("Not submitted")
    expect(row).to_contain_text("Complete")
    expect(page.locator("#not-submitted")).not_to_contain_text("Community Health Trust")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the quarter's submissions (CSV)").click()
    assert "Community Health Trust" in Path(download.value.path()).read_text(encoding="utf-8")
    page.get_by_role("link", name="Print-friendly page for the Working Group meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Action plans: {CURRENT.label}")
    assert_accessible(page)

    page.go_back()
    row.get_by_role("link", name="Community Health Trust").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(plans.title)
    expect(page.get_by_role("link", name="Add an action")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="History of the plan's details").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History of the plan")
    assert_accessible(page)
    page.go_back()
    page.get_by_role("link", name="History of the action").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History of the action")
    assert_accessible(page)


def test_another_agencys_lead_reads_the_plan_but_cannot_edit_it(
    page, live_server, plans, sign_in, assert_accessible
):
    UserFactory(
        username="police-lead", agency=Agency.objects.get(name="Police"), role=User.Role.AGENCY_LEAD
    )
    sign_in("police-lead", PASSWORD)
    page.goto(f"{live_server.url}/action-plans/")
    page.get_by_role("link", name=plans.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(plans.title)
    expect(page.get_by_role("link", name="Add an action")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit the plan's details")).to_have_count(0)

    response = page.goto(f"{live_server.url}/action-plans/{plans.pk}/edit/")
    assert response.status == 403
    response = page.goto(f"{live_server.url}/action-plans/{plans.pk}/quarters/{CURRENT.slug}/")
    assert response.status == 404  # a quarter still being written is not published
    page.goto(f"{live_server.url}/action-plans/{plans.pk}/quarters/{LAST.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quarterly update for {LAST.label}")
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    assert_accessible(page)

    page.goto(f"{live_server.url}/action-plans/mine/")  # Police has a plan of its own
    expect(page.get_by_role("heading", level=1)).to_have_text("Police neglect action plan")


def test_a_lead_adds_an_action_and_an_administrator_reopens_a_quarter(
    page, live_server, plans, sign_in, assert_accessible
):
    sign_in("lead", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/action-plans/mine/")
    page.get_by_role("link", name="Add an action").click()
    page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the strategic objective")
    assert_accessible(page)
    page.get_by_label("Evaluate").check()
    page.get_by_label("What will be done").fill("Survey practitioners' confidence again")
    group = page.get_by_role("group", name="Due date")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("3")
    group.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("table").filter(has_text="Survey practitioners")).to_be_visible()

    page.get_by_role("link", name="Edit the plan's details").click()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in("admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/action-plans/{plans.pk}/quarters/{LAST.slug}/")
    page.get_by_role("link", name="Reopen this quarter").click()
    page.get_by_role("button", name="Reopen the quarter").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the quarter is being reopened"
    )
    assert_accessible(page)
    page.get_by_label("Why does the quarter need reopening?").fill("Wrong training figure")
    page.get_by_role("button", name="Reopen the quarter").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("reopened")
    expect(page.get_by_text("Wrong training figure")).to_be_visible()
    expect(page.get_by_role("button", name="Save as draft")).to_be_visible()
    assert_accessible(page)


def test_a_lead_without_a_plan_is_offered_to_add_one(
    page, live_server, demo_users, sign_in, assert_accessible
):
    sign_in("lead", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/action-plans/mine/")
    expect(page.get_by_text("has no active or draft neglect action plan yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add an action plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action plan")
    assert_accessible(page)
