"""The dataset's writes in a browser: an agency lead's training return reaching the Working
Group's coverage page, and an administrator publishing a quarter. axe-core on each page."""

import pytest
from playwright.sync_api import expect

from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter
from tests.dataset.builders import cp_plan
from tests.factories import ChildFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_agency_lead_submits_a_return_and_the_working_group_sees_it(
    page, sign_in, demo_users, assert_accessible
):
    quarter = Quarter.latest_complete()
    sign_in("lead", DEMO_PASSWORD)
    page.get_by_role("link", name="Your agency's quarterly return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Quarterly return: {quarter.label}")
    assert_accessible(page)

    page.get_by_label("Staff trained in neglect to date").fill("120")
    page.get_by_label("Target workforce").fill("80")
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Staff trained in neglect to date")).to_have_value("120")
    assert_accessible(page)

    page.get_by_label("Target workforce").fill("160")
    page.get_by_label("Narrative").fill("Two sessions for health visitors")
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Training coverage: {quarter.label}")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in("working-group", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dataset").click()
    page.locator("#card-TRAINING_COVERAGE").get_by_role(
        "link", name="Training coverage by agency"
    ).click()
    health = Agency.objects.get(name="Community Health Trust")
    expect(page.locator(f'tr[data-agency="{health.pk}"]')).to_contain_text("75.0%")
    police = Agency.objects.get(name="Police")
    expect(page.locator(f'tr[data-agency="{police.pk}"]')).to_contain_text("Not submitted")
    expect(page.locator("#coverage-total")).to_contain_text("75.0% (120 of 160)")
    assert_accessible(page)


def test_an_administrator_publishes_a_quarter(page, sign_in, demo_users, assert_accessible):
    quarter = Quarter.latest_complete()
    cp_plan(ChildFactory(), quarter.start)
    sign_in("admin", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dataset").click()
    page.get_by_role("link", name="Publish this quarter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish {quarter.label}")
    expect(page.locator('tr[data-code="CP_NEGLECT_SHARE"]')).to_contain_text("100.0% (1 of 1)")
    assert_accessible(page)

    # No agency has sent its return: publishing waits until the administrator confirms.
    expect(page.locator("#missing-returns")).to_contain_text("Police: training return")
    page.get_by_role("button", name=f"Publish {quarter.label}").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you want to publish")
    assert_accessible(page)
    page.get_by_label("I have read what is missing").check()
    page.get_by_role("button", name=f"Publish {quarter.label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Neglect dataset: {quarter.label}")
    expect(page.get_by_text("Published on")).to_be_visible()
    assert_accessible(page)

    cp_plan(ChildFactory(), quarter.start, initial="PHY")  # recorded after publication
    page.get_by_role("link", name="Check for restatements").click()
    expect(page.locator('tr[data-code="CP_NEGLECT_SHARE"]')).to_contain_text("50.0% (1 of 2)")
    assert_accessible(page)

    page.get_by_role("link", name=f"Republish {quarter.label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Republish {quarter.label}")
    assert_accessible(page)
    page.get_by_label("Why is the quarter being published again?").fill("A plan recorded late")
    page.get_by_label("I have read what is missing").check()
    page.get_by_role("button", name="Republish quarter").click()
    expect(page.get_by_text("publication 2: A plan recorded late")).to_be_visible()


def test_a_lead_submits_one_of_their_agencys_indicators_and_leaves_the_training(
    page, sign_in, demo_users, assert_accessible
):
    from dataset.services import partner_indicator_add
    from neglect_portal.models import User

    quarter = Quarter.latest_complete()
    health = Agency.objects.get(name="Community Health Trust")
    police = Agency.objects.get(name="Police")
    admin = User.objects.get(username="admin")
    for code, agency, title, unit in [
        ("AG_HV_WAS_NOT_BROUGHT", health, "Contacts missed: was not brought", "percentage"),
        ("AG_POLICE_NEGLECT_CRIMES", police, "Neglect crimes recorded", "count"),
    ]:
        partner_indicator_add(
            code=code,
            title=title,
            definition=f"{title}, counted in the quarter.",
            agency=agency,
            kind="flow",
            unit=unit,
            counts="contacts" if unit == "percentage" else "crimes",
            higher_is_better=unit == "count",
            user=admin,
        )
    sign_in("lead", DEMO_PASSWORD)
    page.get_by_role("link", name="Your agency's quarterly return").click()
    part = page.locator("#part-AG_HV_WAS_NOT_BROUGHT")
    part.get_by_label("Numerator (contacts counted)").fill("31")
    page.get_by_role("button", name="Submit return").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(part.get_by_label("Numerator (contacts counted)")).to_have_value("31")
    assert_accessible(page)
    part.get_by_label("Denominator (all contacts it is out of)").fill("400")
    page.get_by_role("button", name="Submit return").click()
    expect(page.locator("#submitted-AG_HV_WAS_NOT_BROUGHT")).to_be_visible()
    expect(page.locator("#part-training")).to_contain_text("Not submitted")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in("working-group", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dataset").click()
    expect(page.locator("#card-AG_HV_WAS_NOT_BROUGHT")).to_contain_text("7.8%")
    expect(page.locator("#card-AG_POLICE_NEGLECT_CRIMES")).to_contain_text("Not submitted")
    assert_accessible(page)
    page.locator("#card-AG_HV_WAS_NOT_BROUGHT").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contacts missed: was not brought")
    expect(page.locator(f'#trend tr[data-quarter="{quarter.previous().slug}"]')).to_contain_text(
        "Not submitted"
    )
    assert_accessible(page)


def test_an_administrator_sees_when_the_figures_were_calculated_and_recalculates_them(
    page, sign_in, demo_users, assert_accessible
):
    quarter = Quarter.latest_complete()
    cp_plan(ChildFactory(), quarter.start)
    sign_in("admin", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dataset").click()
    page.locator("#card-CP_NEGLECT_SHARE").get_by_role("link").first.click()
    expect(page.locator("#figures-as-at")).to_contain_text("Figures as at")
    assert_accessible(page)

    page.get_by_role("button", name="Recalculate now").click()
    # Back on the same page, told the worker has been asked.
    expect(page.get_by_role("heading", level=1)).to_have_text("Child protection plans for neglect")
    expect(
        page.get_by_text(f"The figures for {quarter} are being calculated again")
    ).to_be_visible()
    assert_accessible(page)
