"""Browser tests for the cases area: finding children, recording their case, and who sees what.

Each journey is driven the way a practitioner would, by labels and roles; every page of the
area is also checked with axe-core (WCAG 2.2 A and AA), blank and with its error summary.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from cases.codes import CPCategory
from cases.models import Child, Referral
from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import Agency, User
from neglect_portal.records.versions import record_update
from tests.factories import (
    PASSWORD,
    AssessmentFactory,
    ChildFactory,
    CINPlanFactory,
    CPPlanFactory,
    CPReviewFactory,
    InvolvementFactory,
    ReferralFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEALTH = "Community Health Trust"
POLICE = "Police"


# Helpers ---------------------------------------------------------------------------------------


def open_children(page):
    menu = page.get_by_role("navigation", name="Menu")
    menu.get_by_role("link", name="Children", exact=True).click()


def heading(page):
    return page.get_by_role("heading", level=1)


def fill_date(page, legend, day, month, year):
    """Fill a GOV.UK date input, found by its fieldset's legend as a screen reader would."""
    group = page.get_by_role("group", name=legend, exact=True)
    group.get_by_label("Day").fill(str(day))
    group.get_by_label("Month").fill(str(month))
    group.get_by_label("Year").fill(str(year))


def date_parts(page, legend):
    group = page.get_by_role("group", name=legend, exact=True)
    return [group.get_by_label(part) for part in ("Day", "Month", "Year")]


def error_summary(page):
    return page.locator(".govuk-error-summary")


def assert_errors_link_to_their_fields(page):
    """Each error summary link must lead to its question, or following it goes nowhere."""
    links = error_summary(page).get_by_role("link")
    expect(links.first).to_be_visible()
    nowhere = [
        f"{link.inner_text()} ({link.get_attribute('href')})"
        for link in links.all()
        if page.locator(f"main form {link.get_attribute('href')}").count() != 1
    ]
    if nowhere:
        raise AssertionError(f"Error summary links lead nowhere: {nowhere}")


def success_banner(page):
    return page.locator(".govuk-notification-banner--success")


def table_row(scope, header):
    """The row whose row header is `header`, in the page or in one table of it."""
    page = getattr(scope, "page", scope)  # `has=` locators must start from the page
    return scope.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=header, exact=True)
    )


def summary_value(page, key):
    """The value beside `key` in a summary list."""
    return (
        page.locator(".govuk-summary-list__row")
        .filter(has=page.get_by_text(key, exact=True))
        .locator(".govuk-summary-list__value")
    )


def children_count(page):
    """The children list's live count: "27 children", "1 child matches your search"."""
    return page.get_by_role("status")


def url(live_server, name, *args):
    return f"{live_server.url}{reverse(name, args=args)}"


def partner_practitioner(agency_name, username):
    return UserFactory(
        username=username, agency=Agency.objects.get(name=agency_name), role=User.Role.PRACTITIONER
    )


def rich_child():
    """A child with two episodes of need, every kind of record, and a history to read.

    The older episode is closed with everything in it ended; the current one has an open
    CIN plan and an open CP plan whose category has since changed.
    """
    worker = User.objects.get(username="practitioner")
    child = ChildFactory(
        given_name="Ruby",
        family_name="Fielding",
        date_of_birth=date(2016, 5, 4),
        allocated_worker=worker,
        disabilities=["COMM"],
    )
    child.ethnicity = "MWBA"
    child = record_update(child, expected_version=child.version)

    closed = ReferralFactory(
        child=child,
        referral_date=date(2022, 5, 4),
        closure_date=date(2023, 6, 1),
        closure_reason="RC7",
    )
    AssessmentFactory(referral=closed)
    CINPlanFactory(referral=closed, end_date=date(2022, 9, 1))
    old_plan = CPPlanFactory(
        referral=closed,
        start_date=date(2022, 9, 1),
        end_date=date(2023, 5, 1),
        initial_category="EMO",
    )
    CPReviewFactory(plan=old_plan, review_date=date(2022, 12, 1))

    current = ReferralFactory(
        child=child, referral_date=date(2024, 2, 12), source="3B", recorded_by=worker
    )
    assessment = AssessmentFactory(referral=current, authorised_date=None, factors=["16A", "4B"])
    cin_plan = CINPlanFactory(referral=current)
    cp_plan = CPPlanFactory(referral=current, start_date=date(2024, 4, 2))
    review = CPReviewFactory(plan=cp_plan, review_date=date(2024, 7, 1))
    cp_plan.latest_category = "MUL"
    cp_plan = record_update(cp_plan, expected_version=cp_plan.version)

    health = Agency.objects.get(name=HEALTH)
    involvement = InvolvementFactory(
        child=child, agency=health, start_date=date(2024, 1, 8), lead_worker=worker
    )
    InvolvementFactory(
        child=child,
        agency=Agency.objects.get(name=POLICE),
        start_date=date(2022, 5, 4),
        end_date=date(2023, 1, 31),
    )
    return SimpleNamespace(
        child=child,
        referral=current,
        assessment=assessment,
        cin_plan=cin_plan,
        cp_plan=cp_plan,
        review=review,
        involvement=involvement,
    )


# 1. The journey ------------------------------------------------------------------------


def test_a_practitioner_finds_a_child_and_starts_a_child_protection_plan(page, demo_users, sign_in):
    child = ChildFactory(given_name="Maisie", family_name="Okonkwo")
    ChildFactory(given_name="Oliver", family_name="Brennan")
    ReferralFactory(child=child, referral_date=date(2025, 1, 10))
    sign_in("practitioner", DEMO_PASSWORD)

    open_children(page)
    expect(heading(page)).to_have_text("Children")
    expect(children_count(page)).to_have_text("2 children")

    page.get_by_label("Name, LA child ID or date of birth").fill("Maisie Okonkwo")
    with page.expect_request(lambda request: request.method == "POST") as search:
        page.get_by_role("button", name="Search", exact=True).click()
    assert "Okonkwo" in (search.value.post_data or "")
    expect(children_count(page)).to_have_text("1 child matches your search")
    expect(page.get_by_role("link", name="Oliver Brennan")).to_have_count(0)
    # Names are personal data: they travel in the POST body, never in the address.
    assert "Maisie" not in page.url and "Okonkwo" not in page.url

    page.get_by_role("link", name="Maisie Okonkwo").click()
    expect(heading(page)).to_have_text("Maisie Okonkwo")
    page.get_by_role("link", name="Start a CP plan for the referral of 10 January 2025").click()
    expect(heading(page)).to_have_text("Start a child protection plan")

    fill_date(page, "Start date", 3, 13, 2025)
    page.get_by_role("button", name="Start CP plan").click()
    expect(error_summary(page)).to_contain_text("There is a problem")
    expect(error_summary(page)).to_contain_text("Start date must be a real date")
    expect(error_summary(page)).to_contain_text("Select the category of abuse")
    day, month, year = date_parts(page, "Start date")
    expect(day).to_have_value("3")
    expect(month).to_have_value("13")
    expect(year).to_have_value("2025")

    next_year = dates.today().year + 1
    fill_date(page, "Start date", 3, 3, next_year)
    page.get_by_label("Neglect").check()
    page.get_by_role("button", name="Start CP plan").click()
    expect(error_summary(page)).to_contain_text("Start date must be today or in the past")
    expect(error_summary(page)).not_to_contain_text("Select the category of abuse")
    expect(year).to_have_value(str(next_year))
    expect(page.get_by_label("Neglect")).to_be_checked()

    fill_date(page, "Start date", 3, 3, 2025)
    page.get_by_role("button", name="Start CP plan").click()
    expect(heading(page)).to_have_text("Maisie Okonkwo")
    expect(success_banner(page)).to_contain_text("Child protection plan started")
    expect(summary_value(page, "Current plans")).to_contain_text(
        "Child protection plan since 3 March 2025: Neglect"
    )
    event = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Child protection plan started")
    )
    expect(event).to_contain_text("3 March 2025")
    expect(event).to_contain_text("Category: Neglect")

    page.get_by_role(
        "link", name="History of the child protection plan started 3 March 2025"
    ).click()
    expect(heading(page)).to_contain_text("History of child protection plan")
    expect(page.get_by_role("heading", level=2, name="Created by Sam Okafor")).to_be_visible()
    expect(table_row(page, "Start date")).to_contain_text("3 March 2025")
    expect(table_row(page, "Initial category")).to_contain_text("Neglect")


# 2. Stale edits --------------------------------------------------------------------------------


def test_a_stale_edit_is_refused_keeping_what_was_typed(
    page, live_server, demo_users, sign_in, assert_accessible
):
    child = ChildFactory(given_name="Leo", family_name="Hart")
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(url(live_server, "cases:child_detail", child.pk))
    page.get_by_role("link", name="Change child's details").click()
    expect(heading(page)).to_have_text("Change child's details")
    page.get_by_label("Family name").fill("Hartley")

    # Meanwhile a colleague corrects the given name and saves first.
    theirs = Child.objects.get(pk=child.pk)
    theirs.given_name = "Leon"
    record_update(theirs, expected_version=theirs.version)

    page.get_by_role("button", name="Save child").click()
    banner = page.get_by_role("region", name="Important")
    expect(banner).to_contain_text("Your changes have not been saved")
    differences = page.get_by_role("table", name="What is different")
    expect(table_row(differences, "Given name")).to_contain_text("Leon")
    expect(table_row(differences, "Family name")).to_contain_text("Hartley")
    expect(page.get_by_label("Family name")).to_have_value("Hartley")
    assert Child.objects.get(pk=child.pk).family_name == "Hart"
    assert_accessible(page)

    page.get_by_label("Given name").fill("Leon")
    page.get_by_role("button", name="Save child").click()
    expect(success_banner(page)).to_contain_text("Child's details saved")
    expect(heading(page)).to_have_text("Leon Hartley")
    assert Child.objects.get(pk=child.pk).version == 3


# 3. A partner's referral -----------------------------------------------------------------------


def test_a_partner_refers_a_new_child_without_gaining_sight_of_the_record(
    page, demo_users, sign_in, assert_accessible
):
    partner_practitioner(HEALTH, "health-visitor")
    sign_in("health-visitor", PASSWORD)
    open_children(page)
    page.get_by_role("link", name="Refer a child to children's social care").click()
    expect(heading(page)).to_have_text("Refer a child to children's social care")

    page.get_by_label("Given name").fill("Poppy")
    page.get_by_label("Family name").fill("Marsh")
    fill_date(page, "Date of birth", 14, 8, 2023)
    page.get_by_label("Female").check()
    fill_date(page, "Referral date", 2, 2, 2026)
    page.get_by_label("Referral source").select_option(label="Health: health visitor")
    page.get_by_label("Neglect").check()
    page.get_by_role("button", name="Send referral").click()

    expect(heading(page)).to_have_text("Referral sent")
    expect(page.get_by_role("link", name="Go to the child's record")).to_have_count(0)
    assert_accessible(page)
    referral = Referral.objects.get(child__given_name="Poppy", child__family_name="Marsh")
    assert referral.recorded_by.username == "health-visitor"
    assert referral.neglect_presenting

    page.get_by_role("link", name="Back to children").click()
    expect(children_count(page)).to_have_text("0 children")
    expect(page.get_by_role("link", name="Poppy Marsh")).to_have_count(0)


# 4. Other agencies -----------------------------------------------------------------------------


def test_another_agencys_practitioner_gets_not_found_for_a_child_they_do_not_work_with(
    page, live_server, demo_users, sign_in
):
    police = Agency.objects.get(name=POLICE)
    theirs = InvolvementFactory(agency=police).child
    not_theirs = InvolvementFactory(
        child__given_name="Harriet",
        child__family_name="Quill",
        agency=Agency.objects.get(name=HEALTH),
    ).child
    partner_practitioner(POLICE, "police-officer")
    sign_in("police-officer", PASSWORD)

    page.goto(url(live_server, "cases:child_detail", theirs.pk))
    expect(heading(page)).to_have_text(theirs.full_name)

    for path in (
        url(live_server, "cases:child_detail", not_theirs.pk),
        url(live_server, "cases:history", "child", not_theirs.pk),
    ):
        response = page.goto(path)
        assert response.status == 404, path
        expect(heading(page)).to_have_text("Page not found")
        expect(page.get_by_text("Quill")).to_have_count(0)


# 5. The children list --------------------------------------------------------------------------


def test_the_children_list_filters_clears_and_pages(page, demo_users, sign_in, assert_accessible):
    for n in range(1, 26):
        ChildFactory(given_name="Alex", family_name=f"Child{n:02d}")
    on_plan = CPPlanFactory(
        referral__child__given_name="Cara", referral__child__family_name="Protected"
    ).referral.child
    CPPlanFactory(
        referral__child__given_name="Eddie",
        referral__child__family_name="Ended",
        end_date=dates.today() - timedelta(days=30),
    )
    sign_in("practitioner", DEMO_PASSWORD)
    open_children(page)
    expect(children_count(page)).to_have_text("27 children")

    page.get_by_label("On a child protection plan").check()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(children_count(page)).to_have_text("1 child matches your search")
    expect(page.get_by_role("link", name=on_plan.full_name)).to_be_visible()
    expect(page.get_by_role("link", name="Eddie Ended")).to_have_count(0)
    expect(page.get_by_label("On a child protection plan")).to_be_checked()
    assert_accessible(page)

    page.get_by_role("button", name="Clear search").click()
    expect(children_count(page)).to_have_text("27 children")
    expect(page.get_by_label("On a child protection plan")).not_to_be_checked()

    pagination = page.get_by_role("navigation", name="Pagination")
    expect(page.get_by_role("link", name="Alex Child01")).to_be_visible()
    pagination.get_by_role("link", name="Page 2").click()
    expect(pagination.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    # 27 in name order: the last two are the only ones after the first 25.
    expect(page.get_by_role("link", name="Alex Child01")).to_have_count(0)
    expect(page.get_by_role("link", name="Cara Protected")).to_be_visible()
    assert_accessible(page)


# 6. The access log -----------------------------------------------------------------------------


def test_an_administrator_sees_who_opened_a_childs_record(
    page, live_server, demo_users, sign_in, assert_accessible
):
    child = ChildFactory(given_name="Isla", family_name="Grant")
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(url(live_server, "cases:child_detail", child.pk))
    expect(heading(page)).to_have_text("Isla Grant")
    expect(page.get_by_role("link", name="Who has opened this record")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    sign_in("admin", DEMO_PASSWORD)
    page.goto(url(live_server, "cases:child_detail", child.pk))
    page.get_by_role("link", name="Who has opened this record").click()
    expect(heading(page)).to_have_text("Who has opened this record")
    visit = page.get_by_role("row").filter(has_text="Sam Okafor")
    expect(visit).to_have_count(1)
    expect(visit).to_contain_text("Children's Social Care")
    assert_accessible(page)


# 7. Accessibility of every page ----------------------------------------------------------------


def test_the_children_list_is_accessible(page, demo_users, sign_in, assert_accessible):
    rich_child()
    ChildFactory(given_name="Noah", family_name="Price")
    sign_in("practitioner", DEMO_PASSWORD)
    open_children(page)
    expect(children_count(page)).to_have_text("2 children")
    assert_accessible(page)

    page.get_by_label("Name, LA child ID or date of birth").fill("Fielding")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name="Ruby Fielding")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name, LA child ID or date of birth").fill("Nobody")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("No children to show.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name, LA child ID or date of birth").fill("x" * 101)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(error_summary(page)).to_contain_text("There is a problem")
    expect(page.locator(".govuk-error-message")).to_contain_text("must be 100 characters or fewer")
    expect(page).to_have_title("Error: Children – Neglect Portal")
    assert_errors_link_to_their_fields(page)
    assert_accessible(page)


def test_a_child_page_with_every_kind_of_record_is_accessible(
    page, live_server, demo_users, sign_in, assert_accessible
):
    records = rich_child()
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(url(live_server, "cases:child_detail", records.child.pk))
    expect(heading(page)).to_have_text("Ruby Fielding")
    expect(page.get_by_role("heading", name="Category of abuse changed")).to_be_visible()
    expect(page.get_by_role("cell", name="Ongoing")).to_be_visible()
    assert_accessible(page)


def submit_blank(page):
    # The first button saves; a form may have others (the tools informing it: tick again).
    page.locator("main form").get_by_role("button").first.click()


def submit_emptied(page):
    """Empty every box the user can type in, then submit."""
    form = page.locator("main form")
    for box in form.locator("input[type=text]").all():
        box.fill("")
    form.get_by_role("button").first.click()


def submit_unchosen(page):
    # A radio choice cannot be taken back by a user; this is the only way to see the
    # category form's error state.
    form = page.locator("main form")
    form.locator("input[type=radio]:checked").evaluate("radio => { radio.checked = false; }")
    form.get_by_role("button").first.click()


@dataclass(frozen=True)
class FormPage:
    title: str
    url_name: str
    record: str | None  # which of rich_child()'s records the URL takes
    spoil: Callable[[Page], None] = submit_blank  # how to make the form show its errors


FORM_PAGES = {
    "add child": FormPage("Add a child", "cases:child_add", None),
    "edit child": FormPage("Change child's details", "cases:child_edit", "child", submit_emptied),
    "record referral": FormPage("Record a referral", "cases:referral_add", "child"),
    "edit referral": FormPage("Change referral", "cases:referral_edit", "referral", submit_emptied),
    "record assessment": FormPage("Record an assessment", "cases:assessment_add", "referral"),
    "edit assessment": FormPage(
        "Change assessment", "cases:assessment_edit", "assessment", submit_emptied
    ),
    "start CIN plan": FormPage("Start a child in need plan", "cases:cin_plan_start", "referral"),
    "end CIN plan": FormPage("End child in need plan", "cases:cin_plan_end", "cin_plan"),
    "start CP plan": FormPage("Start a child protection plan", "cases:cp_plan_start", "referral"),
    "end CP plan": FormPage("End child protection plan", "cases:cp_plan_end", "cp_plan"),
    "change category": FormPage(
        "Change the category of abuse", "cases:cp_plan_category", "cp_plan", submit_unchosen
    ),
    "record review": FormPage("Record a child protection review", "cases:cp_review_add", "cp_plan"),
    "add involvement": FormPage("Add an agency involved", "cases:involvement_add", "child"),
    "end involvement": FormPage(
        "End an agency's involvement", "cases:involvement_end", "involvement"
    ),
    "refer a child": FormPage(
        "Refer a child to children's social care", "cases:refer_new_child", None
    ),
}


@pytest.mark.parametrize(
    "form_page", [pytest.param(form_page, id=name) for name, form_page in FORM_PAGES.items()]
)
def test_each_form_page_is_accessible_blank_and_with_errors(
    page, live_server, demo_users, sign_in, assert_accessible, form_page
):
    records = rich_child()
    args = [getattr(records, form_page.record).pk] if form_page.record else []
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(url(live_server, form_page.url_name, *args))
    expect(heading(page)).to_have_text(form_page.title)
    assert_accessible(page)

    form_page.spoil(page)
    expect(error_summary(page)).to_contain_text("There is a problem")
    expect(page).to_have_title(f"Error: {form_page.title} – Neglect Portal")
    assert_accessible(page)
    assert_errors_link_to_their_fields(page)


def test_the_category_questions_offer_only_the_census_categories(
    page, live_server, demo_users, sign_in
):
    records = rich_child()
    sign_in("practitioner", DEMO_PASSWORD)
    for url_name, question in [
        ("cases:cp_plan_start", "Category of abuse"),
        ("cases:cp_plan_category", "Latest category of abuse"),
    ]:
        pk = records.referral.pk if url_name == "cases:cp_plan_start" else records.cp_plan.pk
        page.goto(url(live_server, url_name, pk))
        radios = page.get_by_role("group", name=question, exact=True).get_by_role("radio")
        expect(radios.first).to_be_visible()
        offered = [radio.evaluate("r => r.labels[0].textContent.trim()") for radio in radios.all()]
        if offered != [label for _, label in CPCategory.choices]:
            raise AssertionError(f"{question} offers {offered}")


def test_history_pages_are_accessible(page, live_server, demo_users, sign_in, assert_accessible):
    records = rich_child()
    sign_in("practitioner", DEMO_PASSWORD)
    page.goto(url(live_server, "cases:child_detail", records.child.pk))
    page.get_by_role("link", name="History of the child's details").click()
    expect(page.get_by_role("heading", level=2, name="Changed by")).to_be_visible()
    newest = page.get_by_role("table", name="What changed").first
    expect(table_row(newest, "Ethnicity")).to_contain_text("White and Black African")
    assert_accessible(page)

    for kind, record in [
        ("referral", records.referral),
        ("assessment", records.assessment),
        ("cin-plan", records.cin_plan),
        ("cp-plan", records.cp_plan),
        ("cp-review", records.review),
        ("involvement", records.involvement),
    ]:
        page.goto(url(live_server, "cases:history", kind, record.pk))
        expect(heading(page)).to_contain_text("History of")
        expect(page.get_by_role("heading", level=2, name="Created by")).to_be_visible()
        assert_accessible(page)
