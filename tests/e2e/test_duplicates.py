"""Browser tests for possible duplicates: a team manager in children's social care finds a
pair on the list, compares the two children, and decides. Every page is checked with axe-core
(WCAG 2.2 A and AA)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from cases.duplicates import duplicates_flag
from cases.models import Child, PossibleDuplicate
from neglect_portal.demo import DEMO_PASSWORD
from tests.factories import ChildFactory, ReferralFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BORN = date(2015, 2, 28)


@pytest.fixture
def pair(demo_users):
    known = ChildFactory(
        la_child_id="DfEX0000101", given_name="Alfie", family_name="Ward", date_of_birth=BORN
    )
    referred = ChildFactory(
        la_child_id="NP0000AB12", given_name="ALFIE", family_name="Ward", date_of_birth=BORN
    )
    ReferralFactory(child=referred, referral_date=date(2024, 5, 1))
    duplicates_flag(child_ids=[referred.pk])
    return known, referred


def open_the_pair(page, sign_in, assert_accessible):
    sign_in("manager", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Possible duplicates"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Possible duplicates")
    expect(page.get_by_role("status")).to_have_text("1 pair to decide")
    assert_accessible(page)
    page.get_by_role("link", name="Alfie Ward and ALFIE Ward").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same child?")
    assert_accessible(page)


def test_a_manager_decides_a_pair_is_not_the_same_child(page, pair, sign_in, assert_accessible):
    open_the_pair(page, sign_in, assert_accessible)

    page.get_by_role("button", name="Not the same child").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "not the same child"
    )
    expect(page.locator(".govuk-inset-text")).to_contain_text("Not the same child: decided by")
    expect(page.get_by_role("button", name="Merge the children")).to_have_count(0)
    assert_accessible(page)
    assert PossibleDuplicate.objects.get().status == "not_the_same"


def test_a_manager_merges_a_pair_into_the_child_kept(page, pair, sign_in, assert_accessible):
    known, referred = pair
    open_the_pair(page, sign_in, assert_accessible)

    page.get_by_role("button", name="Merge the children").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select the child whose record you keep"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Select the child whose record you keep").click()
    page.get_by_label("Keep Alfie Ward, LA child ID DfEX0000101").check()
    page.get_by_role("button", name="Merge the children").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Children merged")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alfie Ward")
    expect(page.get_by_text("LA child ID DfEX0000101")).to_be_visible()
    assert_accessible(page)
    assert list(Child.objects.values_list("la_child_id", flat=True)) == ["DfEX0000101"]
    assert known.referrals.get().referral_date == date(2024, 5, 1)
