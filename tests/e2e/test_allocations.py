"""Browser tests for allocation: a team manager changes a child's allocated worker, saying why,
and the child's page shows the history; every page is checked with axe-core."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from cases.models import Allocation
from cases.services import allocation_change
from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import Agency, Team, User
from tests.factories import CPPlanFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TODAY = dates.today()


def child_with_a_worker():
    practitioner = User.objects.get(username="practitioner")
    child = CPPlanFactory(
        referral__child__given_name="Kai", referral__child__family_name="Allocated"
    ).referral.child
    allocation_change(
        child=child,
        worker=practitioner,
        started_on=TODAY - timedelta(days=90),
        reason=Allocation.Reason.FIRST,
    )
    return child


def test_a_team_manager_changes_the_allocated_worker_and_sees_the_history(
    page, live_server, demo_users, sign_in, assert_accessible
):
    child = child_with_a_worker()
    csc = Agency.objects.get(name="Children's Social Care")
    UserFactory(
        first_name="Nadia",
        last_name="Newworker",
        agency=csc,
        team=Team.objects.get(name="Family Support and Protection South"),
    )
    sign_in("manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    history = page.get_by_role("region", name="Allocated workers")
    expect(history).to_contain_text("Sam Okafor")
    expect(history).to_contain_text("Family Support and Protection North")
    expect(history).to_contain_text("First allocation")

    page.get_by_role("link", name="Change allocated worker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change allocated worker")
    expect(page.get_by_text("Now Sam Okafor, Family Support and Protection North")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("New allocated worker").select_option(
        label="Nadia Newworker (Children's Social Care)"
    )
    page.get_by_role("button", name="Change allocated worker").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the date of the change")
    expect(summary).to_contain_text("Select the reason for the change")
    assert_accessible(page)

    group = page.get_by_role("group", name="Date of the change")
    group.get_by_label("Day").fill(str(TODAY.day))
    group.get_by_label("Month").fill(str(TODAY.month))
    group.get_by_label("Year").fill(str(TODAY.year))
    page.get_by_label("Worker moved team").check()
    page.get_by_role("button", name="Change allocated worker").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kai Allocated")
    rows = page.get_by_role("region", name="Allocated workers").get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Nadia Newworker")
    expect(rows.nth(1)).to_contain_text("Family Support and Protection South")
    expect(rows.nth(1)).to_contain_text("Worker moved team")
    expect(rows.nth(2)).to_contain_text("Sam Okafor")
    expect(rows.nth(2)).to_contain_text(dates.long_date(TODAY))
    assert_accessible(page)


def test_the_allocation_history_scrolls_inside_its_box_on_a_phone(
    page, live_server, demo_users, sign_in
):
    child = child_with_a_worker()
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in("manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    region = page.get_by_role("region", name="Allocated workers")
    expect(region).to_be_visible()
    # The table is wider than a phone: it scrolls inside its own box...
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert region.evaluate("el => getComputedStyle(el).overflowX") == "auto"
    # ...and adds nothing to the page's width (whatever else on the page may do).
    width = "document.documentElement.scrollWidth"
    with_table = page.evaluate(width)
    region.evaluate("el => { el.style.display = 'none'; }")
    assert with_table == page.evaluate(width)
