import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter
from tests.dataset.builders import cp_plan
from tests.factories import ChildFactory, InvolvementFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quarter_with_plans(demo_users):
    """Three children on CP plans at the end of the latest complete quarter, two for
    neglect; the police (the demo Working Group member's agency) know one of them."""
    quarter = Quarter.latest_complete()
    start = quarter.start - timedelta(days=40)
    known = ChildFactory(given_name="Ruby", family_name="Dataset")
    cp_plan(known, start)
    cp_plan(ChildFactory(given_name="Unknown", family_name="Tothepolice"), start)
    cp_plan(ChildFactory(), start, initial="PHY")
    InvolvementFactory(child=known, agency=Agency.objects.get(name="Police"), start_date=start)
    return quarter


def test_a_working_group_member_follows_a_figure_to_the_children_and_downloads_it(
    page, sign_in, quarter_with_plans, assert_accessible
):
    quarter = quarter_with_plans
    sign_in("working-group", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dataset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Neglect dataset: {quarter.label}")
    share = page.locator("#card-CP_NEGLECT_SHARE")
    expect(share).to_contain_text("66.7%")
    expect(share).to_contain_text("2 of 3 children")
    expect(page.locator("#card-TRAINING_COVERAGE")).to_contain_text("No agency returns yet")
    assert_accessible(page)

    share.get_by_role("link", name="Child protection plans for neglect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Child protection plans for neglect")
    expect(page.locator("#definition")).to_contain_text("latest category of abuse is neglect")
    expect(page.get_by_role("table").first).to_contain_text("66.7%")
    assert_accessible(page)

    page.get_by_role("link", name="In the numerator").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("In the numerator")
    expect(page.get_by_text("You may see 1 of them")).to_be_visible()
    rows = page.locator("#members tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ruby Dataset")
    expect(page.get_by_text("Tothepolice")).to_have_count(0)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this list (CSV)").click()
    names = [
        row[1]
        for row in csv.reader(
            io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))
        )
    ][1:]
    assert names == ["Ruby Dataset"]

    page.get_by_role("link", name=f"Neglect dataset {quarter.label}").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download the dataset for {quarter.label} (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"neglect-dataset-{quarter.slug}.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    share_row = next(row for row in rows if row["Code"] == "CP_NEGLECT_SHARE")
    assert (share_row["Numerator"], share_row["Denominator"], share_row["Value"]) == (
        "2",
        "3",
        "66.7",
    )


def test_the_emerging_themes_page_and_the_quarter_picker(
    page, sign_in, quarter_with_plans, assert_accessible
):
    quarter = quarter_with_plans
    sign_in("working-group", DEMO_PASSWORD)
    page.get_by_role("link", name="Dataset").first.click()
    page.get_by_role("link", name=f"Emerging themes for {quarter.label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Emerging themes: {quarter.label}")
    assert_accessible(page)

    page.get_by_role("link", name=f"Neglect dataset {quarter.label}").click()
    earlier = quarter.previous()
    page.get_by_label("Quarter", exact=True).select_option(earlier.slug)
    page.get_by_role("button", name="Show quarter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Neglect dataset: {earlier.label}")
    assert_accessible(page)
