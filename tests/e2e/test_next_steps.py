"""A practitioner follows an overdue next step through: marks it done on the completed
analysis, without reopening it, and sees it leave the child's overdue list."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import User
from tests.factories import CPPlanFactory, NextStepFactory, NextStepsFactory
from toolkit.models import NextStep

pytestmark = pytest.mark.django_db(transaction=True)


def _long_date(day):
    return f"{day.day} {day:%B %Y}"


def test_a_practitioner_marks_an_overdue_step_done_and_it_leaves_the_overdue_list(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    child = CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name="Owen",
        referral__child__family_name="Steps",
        referral__child__allocated_worker=practitioner,
    ).referral.child
    analysis = NextStepsFactory(child=child, author=practitioner)
    today = dates.today()
    late = NextStepFactory(
        analysis=analysis,
        position=1,
        what="Family group conference",
        owner=practitioner,
        owner_name="",
        owner_role="",
        due_on=today - timedelta(days=7),
    )
    NextStepFactory(analysis=analysis, position=2, what="Growth review", due_on=today)

    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    overdue = page.locator("#overdue-next-steps + p + ul")
    expect(overdue.get_by_role("listitem")).to_have_count(1)
    expect(overdue).to_contain_text("Family group conference")
    expect(overdue).not_to_contain_text("Growth review")
    assert_accessible(page)

    overdue.get_by_role("link", name="Family group conference").click()
    card = page.locator(f"#next-step-{late.pk}")
    expect(card.locator(".govuk-tag")).to_have_text("Overdue")
    expect(page.get_by_role("button", name="Reopen")).to_have_count(0)
    assert_accessible(page)

    # Done, but no date yet: the form comes back on its own page, with the choice kept.
    card.get_by_text("Update next step 1").click()
    card.get_by_label("Done").check()
    card.get_by_role("button", name="Save the status").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date it was done")
    expect(page.get_by_label("Done")).to_be_checked()
    assert_accessible(page)

    group = page.get_by_role("group", name="If it is done, the date it was done")
    group.get_by_label("Day").fill(str(today.day))
    group.get_by_label("Month").fill(str(today.month))
    group.get_by_label("Year").fill(str(today.year))
    page.get_by_role("button", name="Save the status").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Next step updated")
    card = page.locator(f"#next-step-{late.pk}")
    expect(card.locator(".govuk-tag")).to_have_text("Done")
    expect(card).to_contain_text(f"Done on {_long_date(today)}")
    expect(card).to_contain_text(f"Updated by {practitioner}")
    assert_accessible(page)

    page.goto(f"{live_server.url}/children/{child.pk}/")
    expect(page.get_by_role("heading", name="Overdue next steps")).to_have_count(0)
    late.refresh_from_db()
    analysis.refresh_from_db()
    assert late.status == NextStep.Status.DONE and analysis.is_completed
    assert late.history.first().history_user == practitioner
