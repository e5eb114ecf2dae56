from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import Agency, User
from tests.factories import PASSWORD, CPPlanFactory, InvolvementFactory, UserFactory
from toolkit.models import ChronologyEntry, DayInMyLife
from toolkit.services import chronology_entry_add

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_practitioner_sees_their_childrens_mandatory_tools(
    page, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    child = CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name="Maisie",
        referral__child__family_name="Toolkit",
        referral__child__allocated_worker=practitioner,
    ).referral.child
    DayInMyLife.objects.create(
        child=child,
        author=practitioner,
        author_agency=practitioner.agency,
        status="completed",
        completed_on=dates.today() - timedelta(days=7),
        day_version="school_age",
    )
    sign_in("practitioner", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My children").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Maisie Toolkit"))
    expect(row).to_contain_text("Current")
    expect(row).to_contain_text("Never completed")
    assert_accessible(page)

    row.get_by_role("link", name="Maisie Toolkit").click()
    tools = page.locator(".govuk-task-list")
    expect(page.get_by_role("heading", name="Mandatory neglect tools")).to_be_visible()
    expect(
        tools.locator(".govuk-task-list__item").filter(has_text="Day in my life")
    ).to_contain_text("Current")
    expect(
        tools.locator(".govuk-task-list__item").filter(has_text="Assessment checklist")
    ).to_contain_text("Never completed")
    assert_accessible(page)


def test_a_partner_adds_to_the_shared_chronology(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    health = Agency.objects.get(name="Community Health Trust")
    child = CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name="Leo",
        referral__child__family_name="Chronology",
    ).referral.child
    InvolvementFactory(child=child, agency=health)
    chronology_entry_add(
        child=child,
        entry=ChronologyEntry(
            author=practitioner,
            source_agency=practitioner.agency,
            event_date=date(2025, 1, 5),
            what_happened="Home visit: no food in the house",
            impact="negative",
            impact_description="Child hungry at school",
        ),
    )
    UserFactory(username="health-visitor", agency=health, role=User.Role.PRACTITIONER)

    sign_in("health-visitor", PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_role("link", name="Impact chronology").click()
    page.get_by_role("link", name="Add to the chronology").click()
    page.get_by_role("button", name="Add to chronology").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what happened")
    assert_accessible(page)

    group = page.get_by_role("group", name="Date of the event")
    group.get_by_label("Day").fill("12")
    group.get_by_label("Month").fill("2")
    group.get_by_label("Year").fill("2025")
    page.get_by_label("What happened").fill("Not brought to the 2-year check")
    page.get_by_label("Negative").check()
    page.get_by_label("How it affected the child").fill("Speech delay not assessed")
    page.get_by_label("Medical").check()
    page.get_by_role("button", name="Add to chronology").click()

    timeline = page.locator(".moj-timeline")
    expect(timeline).to_contain_text("Not brought to the 2-year check")
    expect(timeline).to_contain_text("Home visit: no food in the house")
    expect(timeline).to_contain_text("Child protection plan started")
    titles = timeline.locator(".moj-timeline__title").all_inner_texts()
    assert titles.index("Not brought to the 2-year check") < titles.index(
        "Home visit: no food in the house"
    )  # newest first
    expect(timeline).to_contain_text("Community Health Trust")
    expect(timeline).to_contain_text("Children's Social Care")
    assert_accessible(page)

    # The partner may change their own entry, not social care's.
    change_links = timeline.get_by_role("link", name="Change")
    expect(change_links).to_have_count(1)
    change_links.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change a chronology entry")
    page.get_by_label("What happened").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what happened")
    assert_accessible(page)
    page.get_by_label("What happened").fill("Not brought to the 2-year review")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".moj-timeline")).to_contain_text("Not brought to the 2-year review")

    page.get_by_role("link", name="Print-friendly page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact chronology")
    assert_accessible(page)


def test_a_practitioner_completes_an_assessment_checklist(
    page, live_server, demo_users, sign_in, assert_accessible
):
    from toolkit.content import CHECKLIST_DOMAINS

    practitioner = User.objects.get(username="practitioner")
    child = CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name="Ivy",
        referral__child__family_name="Checklist",
        referral__child__allocated_worker=practitioner,
    ).referral.child
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_text("Start a tool").click()
    page.get_by_role("button", name="Start an assessment checklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessment checklist")
    assert_accessible(page)

    nutrition = page.get_by_role("group", name="Nutrition")
    nutrition.get_by_label("Very concerned").check()
    page.get_by_role("button", name="Complete checklist").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the evidence for your concern about nutrition")
    expect(summary).to_contain_text("Select a level of concern for home conditions")
    expect(
        page.get_by_role("group", name="Nutrition").get_by_label("Very concerned")
    ).to_be_checked()  # nothing typed is lost
    assert_accessible(page)

    for label in CHECKLIST_DOMAINS.values():
        page.get_by_role("group", name=label, exact=True).get_by_label("Some concern").check()
        page.get_by_label(f"Evidence about {label.lower()}").fill("Seen at the home visit")
    page.get_by_label("Overall judgement").fill("Needs are not consistently met")
    page.get_by_role("button", name="Complete checklist").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Assessment checklist completed"
    )
    expect(page.get_by_role("button", name="Complete checklist")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Ivy Checklist").click()
    tools = page.locator(".govuk-task-list__item").filter(has_text="Assessment checklist")
    expect(tools).to_contain_text("Current")


def test_a_stale_tool_save_gets_the_one_stale_edit_page_and_a_second_save_lands(
    page, live_server, demo_users, sign_in, assert_accessible
):
    from toolkit.models import AssessmentChecklist
    from toolkit.services import tool_save_draft, tool_start

    practitioner = User.objects.get(username="practitioner")
    child = CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name="Rosa",
        referral__child__family_name="Stale",
        referral__child__allocated_worker=practitioner,
    ).referral.child
    tool = tool_start(AssessmentChecklist, child=child, author=practitioner)
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/tools/checklist/{tool.pk}/")
    page.get_by_label("Overall judgement").fill("Mine: needs are not met")

    # Meanwhile the team manager saves the draft first.
    theirs = AssessmentChecklist.objects.get(pk=tool.pk)
    theirs.overall_judgement = "Theirs: needs are mostly met"
    tool_save_draft(
        theirs, user=User.objects.get(username="manager"), expected_version=theirs.version
    )

    page.get_by_role("button", name="Save as draft").click()
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text(
        "Your changes have not been saved. Someone else saved this tool after you opened it."
    )
    row = (
        page.get_by_role("table", name="What is different")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name="Overall judgement"))
    )
    expect(row).to_contain_text("Theirs: needs are mostly met")
    expect(row).to_contain_text("Mine: needs are not met")
    expect(page.get_by_label("Overall judgement")).to_have_value("Mine: needs are not met")
    assert_accessible(page)

    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved")
    assert (
        AssessmentChecklist.objects.get(pk=tool.pk).overall_judgement == "Mine: needs are not met"
    )
