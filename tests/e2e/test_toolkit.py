from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import User
from tests.factories import CPPlanFactory
from toolkit.models import DayInMyLife

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_practitioner_sees_their_childrens_mandatory_tools(page, demo_users, sign_in,
                                                           assert_accessible):
    practitioner = User.objects.get(username="practitioner")
    child = CPPlanFactory(latest_category="NEG", referral__child__given_name="Maisie",
                          referral__child__family_name="Toolkit",
                          referral__child__allocated_worker=practitioner).referral.child
    DayInMyLife.objects.create(child=child, author=practitioner,
                               author_agency=practitioner.agency, status="completed",
                               completed_on=date.today() - timedelta(days=7),
                               day_version="school_age")
    sign_in("practitioner", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My children").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Maisie Toolkit"))
    expect(row).to_contain_text("Current")
    expect(row).to_contain_text("Never completed")
    assert_accessible(page)

    row.get_by_role("link", name="Maisie Toolkit").click()
    tools = page.locator(".govuk-task-list")
    expect(page.get_by_role("heading", name="Mandatory neglect tools")).to_be_visible()
    expect(tools.locator(".govuk-task-list__item").filter(has_text="Day in my life")) \
        .to_contain_text("Current")
    expect(tools.locator(".govuk-task-list__item").filter(has_text="Assessment checklist")) \
        .to_contain_text("Never completed")
    assert_accessible(page)
