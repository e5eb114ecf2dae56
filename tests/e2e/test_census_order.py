"""An administrator imports an older census file on purpose: refused first, then imported
with the reason, which the run page keeps."""

import pytest
from playwright.sync_api import expect

from cases.models import CensusImportRun
from neglect_portal.demo import DEMO_PASSWORD
from tests.cases.census_xml import census_xml, child_xml

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def census_file(tmp_path, name, reference_date):
    path = tmp_path / name
    path.write_text(
        census_xml(child_xml("ORD1", reference_date=reference_date), reference_date=reference_date)
    )
    return path


def upload(page, live_server, path):
    page.goto(f"{live_server.url}/census/import/")
    page.get_by_label("Upload a census file").set_input_files(path)


def test_an_older_file_is_imported_only_with_a_reason(
    page, live_server, demo_users, sign_in, assert_accessible, tmp_path
):
    sign_in("admin", DEMO_PASSWORD)
    upload(page, live_server, census_file(tmp_path, "2025.xml", "2025-03-31"))
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("heading", name="Census imported")).to_be_visible()

    older = census_file(tmp_path, "2024.xml", "2024-03-31")
    upload(page, live_server, older)
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("heading", name="The file was not imported")).to_be_visible()
    expect(page.get_by_text("older than the newest file already imported")).to_be_visible()
    assert_accessible(page)

    upload(page, live_server, older)
    page.get_by_label("Import an older file").check()
    page.get_by_role("button", name="Import file").click()
    expect(
        page.get_by_role("link", name="Enter why you are importing an older file")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Upload a census file").set_input_files(older)
    page.get_by_label("Import an older file").check()
    page.get_by_label("Why are you importing an older file?").fill("The 2024 return was corrected")
    page.get_by_role("button", name="Import file").click()
    expect(page.get_by_role("heading", name="Census imported")).to_be_visible()
    expect(page.get_by_text("The 2024 return was corrected")).to_be_visible()
    assert_accessible(page)
    assert CensusImportRun.objects.filter(allow_older=True).count() == 1
