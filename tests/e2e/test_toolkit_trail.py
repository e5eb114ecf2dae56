"""A tool's trail in the browser: a team manager reopens a completed checklist with a reason,
the practitioner sees who reopened it and completes it again, and its history shows both
completions; axe-core checks every page on the way."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import User
from neglect_portal.records.history import attributed
from tests.factories import CPPlanFactory
from toolkit.content import CHECKLIST_DOMAINS
from toolkit.models import AssessmentChecklist
from toolkit.services import tool_complete, tool_start

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _long_date(day):
    return f"{day.day} {day:%B %Y}"


def _checklist_row(page):
    return page.locator(".govuk-task-list__item").filter(has_text="Assessment checklist")


def test_a_reopened_tool_says_who_reopened_it_and_its_history_shows_both_completions(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    born = dates.today() - timedelta(days=round(365.25 * 7) + 120)
    child = CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name="Ada",
        referral__child__family_name="Trail",
        referral__child__date_of_birth=born,
        referral__child__allocated_worker=practitioner,
    ).referral.child
    first_completed = dates.today() - timedelta(days=12)
    checklist = tool_start(AssessmentChecklist, child=child, author=practitioner)
    checklist.ratings = {
        key: {"concern": "some_concern", "evidence": f"Seen at home ({key})"}
        for key in CHECKLIST_DOMAINS
    }
    checklist.overall_judgement = "Care is not consistently good enough"
    attributed(checklist, user=practitioner).save()
    tool_complete(checklist, user=practitioner, expected_version=1, on=first_completed)
    tool_url = f"{live_server.url}/tools/checklist/{checklist.pk}/"
    reason = "The evidence for home conditions was recorded against nutrition"

    sign_in("manager", DEMO_PASSWORD)
    page.goto(tool_url)
    page.get_by_role("link", name="Reopen").click()
    page.get_by_label("Why does the tool need reopening?").fill(reason)
    page.get_by_role("button", name="Reopen").click()
    reopened = f"Reopened by Priya Shah on {_long_date(dates.today())}: {reason}"
    expect(page.locator(".govuk-inset-text")).to_contain_text(reopened)
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        f"It was completed on {_long_date(first_completed)}"
    )
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    row = _checklist_row(page)
    expect(row).to_contain_text(reopened)
    expect(row).to_contain_text(f"It was completed on {_long_date(first_completed)}")
    expect(row).not_to_contain_text("Never completed")
    expect(row.locator(".govuk-tag")).to_have_text("Current")
    assert_accessible(page)

    page.goto(f"{live_server.url}/my-children/")
    expect(page.get_by_role("table")).to_contain_text(reopened)
    assert_accessible(page)

    page.goto(tool_url)
    expect(page.locator(".govuk-inset-text")).to_contain_text(reopened)
    page.get_by_role("group", name="Home conditions").get_by_label("Very concerned").check()
    page.get_by_role("button", name="Complete checklist").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("completed")
    expect(page.get_by_text("it was first completed on")).to_contain_text(
        _long_date(first_completed)
    )
    assert_accessible(page)

    page.get_by_role("link", name="History of this tool").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History: Assessment checklist")
    cards = page.locator(".govuk-summary-card")
    expect(cards.filter(has_text="Completed again")).to_have_count(1)
    expect(cards.filter(has_text="Very concerned")).to_contain_text(
        "Home conditions: level of concern"
    )
    reopening = cards.filter(has_text=f"Reopened: {reason}"[:99])
    expect(reopening).to_contain_text("Changed by Priya Shah")
    expect(reopening).to_contain_text(reason)  # the whole reason, as its field changed
    texts = cards.all_inner_texts()
    # Newest first: completed again, the reopening, the first completion.
    again = next(n for n, text in enumerate(texts) if "Completed again" in text)
    reopened_at = next(n for n, text in enumerate(texts) if "Reopened: " in text)
    first = next(n for n, text in enumerate(texts) if "\nCompleted\n" in text)
    assert again < reopened_at < first, texts
    assert _long_date(first_completed) in texts[first]
    assert_accessible(page)

    page.goto(f"{live_server.url}/children/{child.pk}/")
    expect(_checklist_row(page)).not_to_contain_text("Reopened by")
    expect(_checklist_row(page)).to_contain_text(f"Last completed {_long_date(dates.today())}")
