from pathlib import Path

import pytest
from playwright.sync_api import expect

from cases.models import CensusImportRun, Child
from neglect_portal.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FILES = Path(__file__).resolve().parent.parent / "cases" / "census_files"


def test_an_administrator_follows_an_import_from_upload_to_its_run_page(
    page, live_server, demo_users, sign_in, assert_accessible
):
    sign_in("admin", DEMO_PASSWORD)
    # A run still waiting for the worker: its progress page.
    queued = CensusImportRun.objects.create(file_name="waiting.xml")
    page.goto(f"{live_server.url}/census/runs/{queued.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Census import run {queued.pk}: queued"
    )
    expect(page.locator("progress")).to_be_visible()
    expect(page.get_by_role("link", name="come back to this run")).to_be_visible()
    # It refreshes itself, which axe-core refuses outright (WCAG 2.2.1) although the reader
    # can stop it, as 2.2.1 asks: the page is checked once stopped.
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(1)
    page.get_by_role("link", name="Stop updating this page").click()
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    expect(page.get_by_role("link", name="Check the progress again")).to_be_visible()
    assert_accessible(page)

    # An upload goes on to its run page; in the tests the import runs at once.
    page.goto(f"{live_server.url}/census/import/")
    page.get_by_label("Upload a census file").set_input_files(FILES / "valid.xml")
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("heading", name="Census imported")).to_be_visible()
    expect(page.get_by_role("link", name="DfEX0000001")).to_be_visible()
    assert_accessible(page)
    assert Child.objects.count() == 3

    page.get_by_role("link", name="All census imports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Census imports")
    expect(page.get_by_role("row")).to_have_count(3)  # the header and two runs
    assert_accessible(page)
