import pytest
from playwright.sync_api import expect

from neglect_portal.demo import DEMO_PASSWORD, USERS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HOME_HEADINGS = {
    "practitioner": "Your neglect work",
    "manager": "Your team's neglect work",
    "health-practitioner": "Your neglect work",
    "health-manager": "Your team's neglect work",
    "lead": "Community Health Trust neglect action plan",
    "working-group": "Neglect Working Group",
    "chair": "Neglect Working Group",
    "admin": "Portal administration",
}


@pytest.mark.parametrize("username", [username for username, *_ in USERS])
def test_each_demo_role_signs_in_and_sees_their_home_page(
    page, demo_users, sign_in, assert_accessible, username
):
    sign_in(username, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text(HOME_HEADINGS[username])
    expect(page.get_by_role("navigation", name="Menu")).to_contain_text("Home")
    assert_accessible(page)


def test_a_wrong_password_shows_the_error_summary(page, demo_users, sign_in, assert_accessible):
    sign_in("practitioner", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page).to_have_title("Error: Sign in – Neglect Portal")
    # GOV.UK Frontend moves focus to the summary so screen readers announce it.
    expect(summary).to_be_focused()
    assert_accessible(page)


def test_sign_out_returns_to_the_sign_in_page(page, demo_users, sign_in):
    sign_in("working-group", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Neglect Portal")
    page.goto(page.url.replace("/sign-in/", "/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Neglect Portal")


def test_a_user_changes_their_password(page, demo_users, sign_in, assert_accessible):
    sign_in("lead", DEMO_PASSWORD)
    page.get_by_role("link", name="Your account").click()
    assert_accessible(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your current password")
    assert_accessible(page)
    page.get_by_label("Current password").fill(DEMO_PASSWORD)
    page.get_by_label("New password", exact=True).fill("a-much-longer-new-passphrase")
    page.get_by_label("Confirm new password").fill("a-much-longer-new-passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/sign-in/", "/accessibility/", "/no-such-page/"])
def test_public_and_error_pages_are_accessible(
    page, live_server, demo_users, sign_in, assert_accessible, path
):
    if path == "/no-such-page/":
        sign_in("practitioner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_a_non_administrator_gets_the_styled_403_page(
    page, live_server, demo_users, sign_in, assert_accessible
):
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You do not have permission to do this"
    )
    assert_accessible(page)
