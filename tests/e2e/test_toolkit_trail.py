"""A tool's trail in the browser: a team manager reopens a completed checklist with a reason,
the practitioner sees who reopened it and completes it again, and its history shows both
completions; an SDQ recorded as needed stays in the tool status until one is completed on the
form for the child's age. axe-core checks every page on the way."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import User
from neglect_portal.records.history import attributed
from tests.factories import CPPlanFactory
from toolkit.content import CHECKLIST_DOMAINS
from toolkit.models import AssessmentChecklist, ChronologyEntry
from toolkit.sdq import ITEM_LABELS
from toolkit.services import chronology_entry_add, tool_complete, tool_start

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

    # A chronology entry's history, from the chronology.
    chronology_entry_add(
        child=child,
        entry=attributed(
            ChronologyEntry(
                author=practitioner,
                source_agency=practitioner.agency,
                event_date=first_completed,
                what_happened="Missed the dentist",
                impact="negative",
                impact_description="Toothache for a week",
            ),
            user=practitioner,
        ),
    )
    page.goto(f"{live_server.url}/children/{child.pk}/chronology/")
    page.get_by_role("link", name=f"History of the entry of {_long_date(first_completed)}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"History of the chronology entry of {_long_date(first_completed)}"
    )
    expect(page.locator(".govuk-summary-card")).to_contain_text("Created by Sam Okafor")
    expect(page.locator(".govuk-summary-card")).to_contain_text("Missed the dentist")
    assert_accessible(page)

    page.goto(f"{live_server.url}/children/{child.pk}/")
    expect(_checklist_row(page)).not_to_contain_text("Reopened by")
    expect(_checklist_row(page)).to_contain_text(f"Last completed {_long_date(dates.today())}")


def test_an_sdq_recorded_as_needed_shows_until_one_is_completed_on_the_right_age_form(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    born = dates.today() - timedelta(days=round(365.25 * 16) + 120)
    child = CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name="Ben",
        referral__child__family_name="Trail",
        referral__child__date_of_birth=born,
        referral__child__allocated_worker=practitioner,
    ).referral.child
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_text("Record that an SDQ is needed", exact=True).click()
    page.get_by_role("button", name="Record the need").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why the child needs an SDQ")
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Record that an SDQ is needed")
    page.get_by_label("Why does the child need an SDQ?").fill("Angry outbursts at school")
    page.get_by_role("button", name="Record the need").click()
    needed = page.locator(".govuk-task-list__item").filter(has_text="(SDQ)")
    expect(needed).to_contain_text(
        f"SDQ needed since {_long_date(dates.today())}, Angry outbursts at school"
    )
    assert_accessible(page)

    page.get_by_text("Start a tool").click()
    page.get_by_role("button", name="Start an SDQ", exact=True).click()
    page.get_by_label("Teacher").check()
    age = page.get_by_label("The child's age in years when it was filled in")
    age.fill("3")
    for item, label in ITEM_LABELS.items():
        page.get_by_role("group", name=f"{item}. {label}", exact=True).get_by_label(
            "Somewhat true", exact=True
        ).check()
    page.get_by_role("group", name="Overall, are there difficulties", exact=False).get_by_label(
        "Yes, definite difficulties"
    ).check()
    page.get_by_role("group", name="Upset or distressed by the difficulties").get_by_label(
        "A great deal"
    ).check()
    page.get_by_role("button", name="Complete SDQ").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter 16: the child is 16 on")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_age")
    expect(age).to_have_value("3")  # nothing typed is lost
    expect(
        page.get_by_role("group", name="Upset or distressed by the difficulties").get_by_label(
            "A great deal"
        )
    ).to_be_checked()
    assert_accessible(page)

    age.fill("16")
    page.get_by_role("button", name="Complete SDQ").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("completed")
    impact = page.get_by_role("table", name="Impact supplement")
    expect(impact).to_contain_text("Yes, definite difficulties")
    expect(
        impact.get_by_role("row", name="Upset or distressed by the difficulties")
    ).to_contain_text("A great deal")
    assert_accessible(page)

    page.goto(f"{live_server.url}/children/{child.pk}/")
    expect(page.get_by_text("SDQ needed since")).to_have_count(0)
