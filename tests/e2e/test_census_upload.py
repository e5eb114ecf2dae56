from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import Child
from neglect_portal.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FILES = Path(__file__).resolve().parent.parent / "cases" / "census_files"


def test_an_administrator_imports_a_census_file(
    page, live_server, demo_users, sign_in, assert_accessible
):
    sign_in("admin", DEMO_PASSWORD)
    page.get_by_role("link", name="Import a CIN census file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import the CIN census")
    assert_accessible(page)

    page.get_by_role("button", name="Import file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select a census XML file")
    assert_accessible(page)

    # The tests run each queued import at once (tests/conftest.py), so the run page the
    # upload goes on to already shows the result.
    page.get_by_label("Upload a census file").set_input_files(FILES / "broken_after_good.xml")
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("heading", name="The file was not imported")).to_be_visible()
    assert_accessible(page)
    assert not Child.objects.exists()

    page.goto(f"{live_server.url}/census/import/")
    page.get_by_label("Upload a census file").set_input_files(FILES / "valid.xml")
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("heading", name="Census imported")).to_be_visible()
    assert_accessible(page)
    assert Child.objects.exists()
