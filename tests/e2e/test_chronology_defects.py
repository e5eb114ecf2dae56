"""Issue 13's chronology defects in the browser: an entry typed as the session ran out comes
back after signing in again, and its types of neglect show on the page and on the print page
with the child's identifiers and who printed it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from neglect_portal.demo import DEMO_PASSWORD, HEALTH_PRACTITIONER
from neglect_portal.models import Agency, User
from tests.factories import CPPlanFactory, InvolvementFactory
from toolkit.models import ChronologyEntry

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def child(demo_users):
    health = Agency.objects.get(name="Community Health Trust")
    child = CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name="Ruby",
        referral__child__family_name="Session",
        referral__child__date_of_birth=date(2022, 4, 9),
    ).referral.child
    InvolvementFactory(child=child, agency=health)
    return child


def _fill_entry(page):
    group = page.get_by_role("group", name="Date of the event")
    group.get_by_label("Day").fill("12")
    group.get_by_label("Month").fill("2")
    group.get_by_label("Year").fill("2025")
    page.get_by_label("What happened").fill("Not brought to the 2-year check")
    page.get_by_label("Negative").check()
    page.get_by_label("How it affected the child").fill("Speech delay not assessed")
    page.get_by_label("Medical").check()
    page.get_by_label("Emotional").check()


def test_an_entry_typed_as_the_session_ran_out_is_kept_through_signing_in(
    page, live_server, settings, child, sign_in, assert_accessible
):
    sign_in(HEALTH_PRACTITIONER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/chronology/add/")
    _fill_entry(page)
    # The server ends the session while the page sits open (a phone locked on a home visit):
    # the next request it sees has been idle for longer than allowed.
    settings.SESSION_IDLE_SECONDS = 0
    page.get_by_role("button", name="Add to chronology").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Neglect Portal")
    assert not ChronologyEntry.objects.exists()

    settings.SESSION_IDLE_SECONDS = 30 * 60
    page.get_by_label("Username").fill(HEALTH_PRACTITIONER)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to the chronology")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out before your answers were saved"
    )
    expect(page.get_by_label("What happened")).to_have_value("Not brought to the 2-year check")
    expect(page.get_by_label("How it affected the child")).to_have_value(
        "Speech delay not assessed"
    )
    expect(page.get_by_label("Negative")).to_be_checked()
    expect(page.get_by_label("Medical")).to_be_checked()
    expect(page.get_by_label("Nutritional")).not_to_be_checked()
    assert_accessible(page)

    page.get_by_role("button", name="Add to chronology").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Entry added to the chronology"
    )
    entry = ChronologyEntry.objects.get()
    assert entry.author == User.objects.get(username=HEALTH_PRACTITIONER)
    assert entry.neglect_types == ["medical", "emotional"]


def test_types_of_neglect_and_the_childs_identifiers_show_on_the_print_page(
    page, live_server, child, sign_in, assert_accessible
):
    sign_in(HEALTH_PRACTITIONER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/chronology/add/")
    _fill_entry(page)
    page.get_by_role("button", name="Add to chronology").click()
    timeline = page.locator(".moj-timeline")
    expect(timeline).to_contain_text("Types of neglect")
    expect(timeline).to_contain_text("Medical, Emotional")
    assert_accessible(page)

    page.get_by_role("link", name="Print-friendly page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact chronology")
    expect(page.locator(".moj-timeline")).to_contain_text("Medical, Emotional")
    identifiers = page.locator(".govuk-summary-list").first
    expect(identifiers).to_contain_text(child.la_child_id)
    expect(identifiers).to_contain_text("9 April 2022")
    expect(page.get_by_text("Printed by Amira Hussain on")).to_be_visible()
    expect(page.get_by_role("navigation")).to_have_count(0)
    assert_accessible(page)
