"""Practitioner confidence in the browser: a practitioner completes a survey and reads it back,
an agency lead types in a paper one and never sees its answers again, and the Working Group
reads only totals. axe-core on every page."""

import pytest
from playwright.sync_api import expect

from neglect_portal.confidence import QUESTIONS
from neglect_portal.demo import DEMO_PASSWORD, HEALTH_PRACTITIONER
from neglect_portal.quarters import Quarter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _answer(page, scores):
    for question, score in zip(QUESTIONS.values(), scores, strict=True):
        page.get_by_role("group", name=question).get_by_label(str(score), exact=True).check()


def test_a_practitioner_completes_a_survey_and_only_they_read_it(
    page, live_server, demo_users, sign_in, assert_accessible
):
    sign_in(HEALTH_PRACTITIONER, DEMO_PASSWORD)
    page.get_by_role(
        "link", name="Your confidence surveys before and after neglect training"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your confidence surveys")
    assert_accessible(page)
    page.get_by_role("link", name="Complete a survey").click()
    page.get_by_role("button", name="Save survey").click()  # nothing answered
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select before or after training")
    assert_accessible(page)
    page.get_by_label("Before training").check()
    _answer(page, (4, 5, 3))
    page.get_by_role("button", name="Save survey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your survey of")
    assert_accessible(page)
    survey_url = page.url.removeprefix(live_server.url)
    page.get_by_role("link", name="Back to your surveys").click()
    expect(page.locator("#surveys")).to_contain_text("Before training")
    expect(page.locator("#surveys")).to_contain_text("4.0")  # the mean of 4, 5 and 3

    # Her agency's lead may not open it: only the respondent reads an individual's answers.
    page.get_by_role("button", name="Sign out").click()
    sign_in("lead", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}{survey_url}")
    assert response.status == 404


def test_a_lead_enters_a_paper_survey_and_is_not_shown_its_answers(
    page, live_server, demo_users, sign_in, assert_accessible
):
    sign_in("lead", DEMO_PASSWORD)
    page.get_by_role(
        "link", name="Enter a paper confidence survey for someone in your agency"
    ).click()
    assert_accessible(page)
    page.get_by_label("Whose survey is it?").select_option(label="Amira Hussain (practitioner)")
    page.get_by_label("After training").check() if page.get_by_label(
        "After training"
    ).count() else None
    _answer(page, (8, 7, 9))
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("10")
    page.get_by_label("Year").fill(str(Quarter.latest_complete().start.year))
    page.get_by_role("button", name="Save survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Paper survey saved")
    expect(page.locator("#not-shown")).to_contain_text("You will not see its answers again")
    for score in ("8", "7", "9"):
        expect(page.locator("main")).not_to_contain_text(f"{score} out of")
    assert_accessible(page)

    page.get_by_role("link", name="Training coverage and confidence by agency").click()
    expect(page.locator("#practitioner-confidence")).to_be_visible()
    assert_accessible(page)
