"""A new person sets up two-factor authentication and signs in with it (issue 11)."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def app_code(key: str, windows_ahead: int) -> str:
    """What an authenticator app given `key` shows, `windows_ahead` 30-second steps on (a code
    is good once, so each sign-in uses the next one)."""
    return f"{totp(b32decode(key.replace(' ', '')), t0=-30 * windows_ahead):06d}"


def test_a_new_person_sets_up_two_factor_and_signs_in_with_a_code_and_a_recovery_code(
    page, live_server, settings, sign_in, assert_accessible
):
    settings.MFA_REQUIRED = True
    UserFactory(username="new-starter", first_name="Nia", last_name="Okafor")

    sign_in("new-starter", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor authentication")
    expect(page.locator(".portal-qr-code svg")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("I cannot scan the QR code").click()
    key = page.locator("[data-key]").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})+", key)

    page.get_by_label("Security code").fill("000000")
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The security code is wrong or has run out")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    page.get_by_label("Security code").fill(app_code(key, 0))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor authentication is set up")
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your neglect work")
    page.get_by_role("button", name="Sign out").click()

    # Signing in again: the password, then a code from the app.
    sign_in("new-starter", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    expect(page.get_by_role("navigation", name="Menu")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Security code").fill("999999")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("wrong or has run out")
    page.get_by_label("Security code").fill(app_code(key, 1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your neglect work")
    page.get_by_role("button", name="Sign out").click()

    # And with a recovery code instead of the phone.
    sign_in("new-starter", PASSWORD)
    page.get_by_role("link", name="Use a recovery code instead").click()
    assert_accessible(page)
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your neglect work")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have 9 left")
