"""The GOV.UK timeout warning: a dialog before the session ends, "Stay signed in" (issue 11)."""

import re

import pytest
from playwright.sync_api import expect

from neglect_portal.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_warning_offers_to_stay_signed_in(
    page, live_server, settings, demo_users, sign_in, assert_accessible
):
    settings.SESSION_IDLE_SECONDS = 125  # the warning opens 5 seconds after the page
    sign_in("practitioner", DEMO_PASSWORD)
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(dialog).to_contain_text(
        re.compile(r"we will sign you out in 2 minutes unless you choose")
    )
    assert_accessible(page)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Children", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Children")


def test_the_page_signs_out_when_the_session_ends(page, live_server, settings, demo_users, sign_in):
    settings.SESSION_IDLE_SECONDS = 8
    sign_in("practitioner", DEMO_PASSWORD)
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in to the Neglect Portal", timeout=15_000
    )
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "You were signed out because you had not used the portal"
    )


def test_near_the_limit_from_signing_in_the_warning_says_staying_is_not_possible(
    page, live_server, settings, demo_users, sign_in
):
    settings.SESSION_COOKIE_AGE = 125  # ten hours, shortened: the warning opens after 5 seconds
    sign_in("practitioner", DEMO_PASSWORD)
    dialog = page.get_by_role("dialog", name="You are about to be signed out")
    expect(dialog).to_be_visible(timeout=10_000)
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_contain_text("You have been signed in for the longest time allowed")
    expect(dialog.get_by_role("button", name="Stay signed in")).to_be_hidden()
