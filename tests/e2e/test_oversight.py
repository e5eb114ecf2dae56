"""A team manager records oversight on a completed tool, and a practitioner records a CP review
with the tools that informed it (shared/domain.md §7)."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import User
from tests.factories import CPPlanFactory
from toolkit.models import AssessmentChecklist, DayInMyLife, Oversight, ToolInformed

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AWAITING = "Awaiting manager oversight"


def completed(model, child, author, days_ago, **extra):
    return model.objects.create(
        child=child,
        author=author,
        author_agency=author.agency,
        status="completed",
        completed_on=dates.today() - timedelta(days=days_ago),
        **extra,
    )


@pytest.fixture
def child(demo_users):
    practitioner = User.objects.get(username="practitioner")
    return CPPlanFactory(
        latest_category="NEG",
        start_date=dates.today() - timedelta(days=200),
        referral__referral_date=dates.today() - timedelta(days=210),
        referral__child__given_name="Ruby",
        referral__child__family_name="Oversight",
        referral__child__allocated_worker=practitioner,
    ).referral.child


def test_a_team_manager_records_oversight_and_the_tool_no_longer_awaits_it(
    page, live_server, child, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    checklist = completed(AssessmentChecklist, child, practitioner, 3)
    sign_in("manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    row = page.get_by_role("row").filter(has_text="Assessment checklist")
    expect(row).to_contain_text(AWAITING)
    row.get_by_role("link", name="Assessment checklist").click()
    expect(page.get_by_text(AWAITING)).to_be_visible()
    assert_accessible(page)

    # Agree with actions, but no actions: the error is shown and what was typed is kept.
    page.get_by_label("Agree with actions").check()
    page.get_by_label("Why?").fill("Ratings fit the evidence; home conditions need a fresh look")
    page.get_by_role("button", name="Record oversight").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the actions required")
    expect(page.get_by_label("Why?")).to_have_value(
        "Ratings fit the evidence; home conditions need a fresh look"
    )
    assert_accessible(page)

    page.get_by_label("Actions required").fill("Visit the home again within two weeks")
    page.get_by_role("button", name="Record oversight").click()
    expect(page.get_by_text("Management oversight recorded")).to_be_visible()
    expect(page.get_by_text(AWAITING)).to_have_count(0)
    expect(page.get_by_text("Visit the home again within two weeks")).to_be_visible()
    assert_accessible(page)
    assert Oversight.objects.get().tool_id == checklist.pk

    page.get_by_role("link", name="Ruby Oversight").first.click()
    row = page.get_by_role("row").filter(has_text="Assessment checklist")
    expect(row).not_to_contain_text(AWAITING)


def test_a_practitioner_records_a_cp_review_with_the_tools_that_informed_it(
    page, live_server, child, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    day = completed(DayInMyLife, child, practitioner, 10, day_version="school_age")
    completed(AssessmentChecklist, child, practitioner, 300)  # no longer current
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_role("link", name="Record a review").first.click()
    expect(page.get_by_role("heading", name="Record a child protection review")).to_be_visible()
    current = page.get_by_label("Day in my life, completed")
    older = page.get_by_label("Assessment checklist, completed")
    expect(current).to_be_checked()  # current today: ticked by default
    expect(older).not_to_be_checked()
    assert_accessible(page)

    today = dates.today()
    page.get_by_label("Day", exact=True).fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Record review").click()

    expect(page.get_by_role("heading", name="Child protection review")).to_be_visible()
    informed = page.locator("main")
    expect(informed.get_by_role("link", name="Day in my life")).to_be_visible()
    expect(informed).not_to_contain_text("Assessment checklist")
    assert_accessible(page)
    assert ToolInformed.objects.get().tool_id == day.pk

    page.get_by_role("link", name="Back to the child's record").click()
    expect(page.locator("main")).to_contain_text("Day in my life: informed the review")


def test_a_team_manager_records_oversight_of_a_chronology_review(
    page, live_server, child, sign_in, assert_accessible
):
    from toolkit.services import chronology_mark_reviewed

    chronology_mark_reviewed(child=child, user=User.objects.get(username="practitioner"))
    sign_in("manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/chronology/")
    expect(page.get_by_text(AWAITING)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Agree", exact=True).check()
    page.get_by_label("Why?").fill("The review picks out the pattern of missed health care")
    page.get_by_role("button", name="Record oversight").click()
    expect(page.get_by_text("Management oversight recorded")).to_be_visible()
    expect(page.get_by_text(AWAITING)).to_have_count(0)
    expect(page.locator("main")).to_contain_text("The review of")
    assert_accessible(page)
