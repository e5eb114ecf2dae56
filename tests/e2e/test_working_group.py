"""Issue 14's journey in a browser, axe-core on every page: a Working Group member challenges
an agency's indicator, the health lead answers, the chair closes it as needing a new action in
health's plan and records a decision, and the quarter's meeting pack shows all of it with the
agencies' own indicators and their gaps; then an administrator sets a target and publishes the
quarter, which keeps the partner figures and target as published after a late return."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from actionplans.demo_data import load_action_plan_demo
from actionplans.models import Action, ActionPlan, Challenge, Decision
from actionplans.services import challenge_raise
from dataset import targets
from dataset.indicators import Kind, Unit
from dataset.models import PartnerIndicator
from dataset.services import partner_figure_submit, partner_indicator_add, target_set
from neglect_portal import dates
from neglect_portal.demo import COMMUNITY_HEALTH, DEMO_PASSWORD, POLICE
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from tests.dataset.builders import cp_plan
from tests.factories import ChildFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUARTER = Quarter.latest_complete()
# The indicator challenged: a computed one (see the defect test at the end for an agency's).
SDQ = "SDQ_COMPLETED"
SDQ_TITLE = "Strengths and Difficulties Questionnaires completed"
HV = "AG_HV_WAS_NOT_BROUGHT"
HV_TITLE = "Health visitor contacts missed: was not brought"
CRIMES = "AG_POLICE_NEGLECT_CRIMES"
CRIMES_TITLE = "Neglect and cruelty crimes recorded"
# A child on a neglect plan in the quarter, counted in the pack's figures but never named there.
GIVEN, FAMILY = "Tallulah", "Fairweather-Quince"
LABEL = f"{SDQ_TITLE}, {QUARTER.label}"  # what the challenge is on, as its pages name it
CHALLENGE = "Why do health visitors complete so few SDQs for children on neglect plans?"
ANSWER = "Health visitors were not trained in the SDQ; training starts next month."
NEW_ACTION = "Train every health visitor to complete the SDQ with the child's carer"
DECISION = "Health to report the health visitors' SDQs completed at the next meeting"


def _define(code, agency, title, unit, counts, higher_is_better, admin):
    return partner_indicator_add(
        code=code,
        title=title,
        definition=f"{title}, counted in the quarter.",
        agency=agency,
        kind=Kind.FLOW,
        unit=unit,
        counts=counts,
        higher_is_better=higher_is_better,
        user=admin,
    )


@pytest.fixture
def partnership(demo_users):
    """The demo people and plans; health submits its own indicator for the quarter (31 of
    400 contacts missed) and the police have not submitted theirs; one child on a neglect
    plan, so the pack has figures from the records."""
    load_action_plan_demo()
    admin = User.objects.get(username="admin")
    health = Agency.objects.get(name=COMMUNITY_HEALTH)
    hv = _define(HV, health, HV_TITLE, Unit.PERCENTAGE, "contacts", False, admin)
    _define(
        CRIMES, Agency.objects.get(name=POLICE), CRIMES_TITLE, Unit.COUNT, "crimes", True, admin
    )
    partner_figure_submit(
        indicator=hv,
        quarter=QUARTER,
        numerator=31,
        denominator=400,
        user=User.objects.get(username="lead"),
    )
    cp_plan(ChildFactory(given_name=GIVEN, family_name=FAMILY), QUARTER.start)
    return health


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def _fill_date(page, group_name, day):
    group = page.get_by_role("group", name=group_name)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_challenge_on_an_indicator_is_answered_closed_with_a_new_action_and_in_the_pack(
    page, live_server, partnership, sign_in, assert_accessible
):
    health = partnership
    # A Working Group member reads the quarter's dataset and challenges a figure to health.
    sign_in("working-group", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dataset").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Neglect dataset: {QUARTER.label}")
    assert_accessible(page)
    page.locator(f"#card-{SDQ}").get_by_role("link", name=SDQ_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SDQ_TITLE)
    expect(page.get_by_text("No challenges have been raised on this indicator")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Raise a challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a challenge")
    expect(page.locator("#subject")).to_have_text(LABEL)
    assert_accessible(page)
    page.get_by_role("button", name="Raise the challenge").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the agency the challenge is addressed to")
    expect(summary).to_contain_text("Enter the challenge")
    assert_accessible(page)
    page.get_by_label("Which agency is it addressed to?").select_option(label=COMMUNITY_HEALTH)
    page.get_by_label("What is the challenge?").fill(CHALLENGE)
    page.get_by_role("button", name="Raise the challenge").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Challenge raised with {COMMUNITY_HEALTH}"
    )
    expect(page.locator("#challenge")).to_contain_text(CHALLENGE)
    expect(page.locator("#answer")).to_have_text("Not answered yet")
    assert_accessible(page)
    challenge = Challenge.objects.get()
    assert (challenge.agency, challenge.indicator_code, challenge.quarter) == (
        health,
        SDQ,
        QUARTER.slug,
    )
    _sign_out(page)

    # The health lead sees it on their home page and answers it.
    sign_in("lead", DEMO_PASSWORD)
    open_to_health = page.get_by_role("table", name="Open challenges from the Working Group")
    expect(open_to_health).to_contain_text(LABEL)
    assert_accessible(page)
    open_to_health.get_by_role("link", name=LABEL, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LABEL)
    expect(page.get_by_role("heading", name="Close the challenge")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your agency's answer")
    assert_accessible(page)
    page.get_by_label("Your agency's answer").fill(ANSWER)
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Answer sent to the Working Group"
    )
    expect(page.locator("#answer")).to_contain_text(ANSWER)
    assert_accessible(page)
    _sign_out(page)

    # The chair closes it as needing a new action in health's plan.
    sign_in("chair", DEMO_PASSWORD)
    page.get_by_role("link", name="Challenges to agencies").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Challenges")
    assert_accessible(page)
    page.get_by_role("link", name=LABEL, exact=True).click()
    expect(page.locator("#answer")).to_contain_text(ANSWER)
    close = page.locator("form", has=page.get_by_role("button", name="Close the challenge"))
    close.get_by_role("radio", name="Needs action").check()
    close.get_by_role("button", name="Close the challenge").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the new action's strategic objective")
    expect(summary).to_contain_text("Enter what the new action will do, or select one")
    assert_accessible(page)
    close = page.locator("form", has=page.get_by_role("button", name="Close the challenge"))
    close.get_by_role("group", name="New action: strategic objective").get_by_label(
        "Respond"
    ).check()
    close.get_by_label("New action: what will be done").fill(NEW_ACTION)
    close.get_by_label("New action: owner (name, team or post)").fill("Named Nurse")
    due = dates.today() + timedelta(days=90)
    _fill_date(close, "New action: due date", due)
    close.get_by_role("button", name="Close the challenge").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Challenge closed")
    expect(page.locator("#challenge")).to_contain_text("Needs action")
    expect(page.locator("#linked-action")).to_contain_text(NEW_ACTION[:40])
    assert_accessible(page)
    plan = ActionPlan.objects.get(agency=health, status=ActionPlan.Status.ACTIVE)
    action = Action.objects.get(plan=plan, description=NEW_ACTION)
    assert Challenge.objects.get().action == action

    # The action is in health's plan, linked back to the challenge.
    page.locator("#linked-action").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(plan.title)
    row = page.get_by_role("row").filter(has_text=NEW_ACTION)
    expect(row).to_contain_text("Named Nurse")
    expect(row.get_by_role("link", name=f"challenge on {LABEL}")).to_be_visible()
    assert_accessible(page)

    # The chair records a decision for the quarter's meeting.
    page.goto(f"{live_server.url}/action-plans/working-group/{QUARTER.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting for {QUARTER.label}")
    assert_accessible(page)
    decision_form = page.locator(
        "form", has=page.get_by_role("button", name="Add it to the record")
    )
    decision_form.get_by_role("button", name="Add it to the record").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter what was decided or referred"
    )
    assert_accessible(page)
    decision_form = page.locator(
        "form", has=page.get_by_role("button", name="Add it to the record")
    )
    decision_form.get_by_label("Decision", exact=True).check()
    decision_form.get_by_label("What was decided or referred").fill(DECISION)
    decision_form.get_by_label("Owning agency").select_option(label=COMMUNITY_HEALTH)
    _fill_date(decision_form, "Due date", due)
    decision_form.get_by_role("button", name="Add it to the record").click()
    expect(page.get_by_text(DECISION)).to_be_visible()
    assert_accessible(page)
    assert Decision.objects.get().text == DECISION

    # The quarter's meeting pack shows the challenge, its answer and action, the agencies'
    # own indicators with the gap, the gaps in returns and the decision due.
    page.goto(f"{live_server.url}/dataset/")
    page.get_by_role("link", name=f"Meeting pack for {QUARTER.label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Meeting pack: {QUARTER.label}")
    assert_accessible(page)
    raised = page.locator(f"#pack-challenge-{challenge.pk}")
    expect(raised).to_contain_text(f"{LABEL}, to {COMMUNITY_HEALTH}")
    expect(raised).to_contain_text(CHALLENGE)
    expect(raised).to_contain_text(ANSWER)
    expect(raised).to_contain_text("Needs action")
    expect(raised).to_contain_text(action.short)
    expect(page.locator("section", has=page.locator("#challenges"))).to_contain_text(
        f"1 raised on {QUARTER.label}, 1 of them answered"
    )
    expect(page.locator(f"#pack-{HV}")).to_contain_text("7.8%")
    expect(page.locator(f"#pack-{HV}")).to_contain_text("31 of 400")
    expect(page.locator(f"#pack-{CRIMES}")).to_contain_text("Not submitted by Police")
    gaps = page.locator("section", has=page.locator("#gaps"))
    police_gaps = gaps.get_by_role("row").filter(has=page.get_by_role("rowheader", name=POLICE))
    expect(police_gaps).to_contain_text(CRIMES_TITLE)
    expect(police_gaps).to_contain_text("Training return")
    decisions = page.locator("section", has=page.locator("#decisions"))
    expect(decisions).to_contain_text(DECISION)
    expect(decisions).to_contain_text(COMMUNITY_HEALTH)
    body = page.locator("body").inner_text()
    assert GIVEN not in body and FAMILY not in body

    # Printed, the pack is only its content: no header or navigation.
    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Menu")).to_be_hidden()
    expect(page.locator(".portal-pack-contents")).to_be_hidden()
    expect(page.get_by_text("This pack names no child")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.locator(".govuk-header")).to_be_visible()


def test_a_published_quarter_keeps_the_agencies_figures_and_targets_after_a_late_return(
    page, live_server, partnership, sign_in, assert_accessible
):
    health = partnership
    member = User.objects.get(username="working-group")
    challenge_raise(
        user=member,
        subject=Challenge.Subject.INDICATOR,
        agency=health,
        text=CHALLENGE,
        due_date=dates.today() + timedelta(days=30),
        quarter=QUARTER,
        subject_label=LABEL,
        indicator_code=SDQ,
    )
    # An administrator sets health's indicator a target on the Targets page.
    sign_in("admin", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Dataset").click()
    page.get_by_role("link", name="Targets", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Targets")
    expect(page.locator(f"#target-{HV}")).to_contain_text("None set")
    assert_accessible(page)
    page.locator(f"#target-{HV}").get_by_role("link", name=f"Set target for {HV_TITLE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set or change the target")
    assert_accessible(page)
    page.get_by_label("Applies from").select_option(label=QUARTER.label)
    page.get_by_label("Target (%)").fill("8")
    page.get_by_label("Why is the target being set?").fill("Agreed by the Working Group")
    page.get_by_role("button", name="Save target").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Target for {HV_TITLE} set to"
    )
    expect(page.get_by_role("main")).to_contain_text("Agreed by the Working Group")
    assert_accessible(page)

    # Publishing lists the missing returns and the open challenge, and asks to confirm.
    page.goto(f"{live_server.url}/dataset/{QUARTER.slug}/")
    expect(page.locator(f"#card-{HV}")).to_contain_text("Met target of 8.0%")
    page.get_by_role("link", name="Publish this quarter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Publish {QUARTER.label}")
    missing = page.locator("#missing-returns")
    expect(missing).to_contain_text(f"{POLICE}: {CRIMES_TITLE}")
    expect(missing).to_contain_text(f"{POLICE}: training return")
    expect(missing).not_to_contain_text(f"{COMMUNITY_HEALTH}: {HV_TITLE}")
    open_challenges = page.get_by_role("table", name=f"Open challenges on {QUARTER.label}")
    expect(open_challenges.get_by_role("link", name=LABEL, exact=True)).to_be_visible()
    expect(page.locator(f'#figures tr[data-code="{CRIMES}"]')).to_contain_text("Not submitted")
    assert_accessible(page)
    page.get_by_role("button", name=f"Publish {QUARTER.label}").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you want to publish")
    assert_accessible(page)
    page.get_by_label("I have read what is missing").check()
    page.get_by_role("button", name=f"Publish {QUARTER.label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Neglect dataset: {QUARTER.label}")
    expect(page.get_by_text("Published on")).to_be_visible()
    assert_accessible(page)

    # The police send their figure late, and the target is lowered: the published quarter
    # keeps both as they were, and the late figure is a restatement.
    admin = User.objects.get(username="admin")
    crimes = PartnerIndicator.objects.get(code=CRIMES)
    partner_figure_submit(
        indicator=crimes, quarter=QUARTER, numerator=12, denominator=None, user=admin
    )
    target_set(
        code=HV,
        applies_from=QUARTER,
        value=Decimal(5),
        reason="Tightened",
        user=admin,
        expected_version=targets.schedule_version(HV),
    )
    page.reload()
    expect(page.locator(f"#card-{CRIMES}")).to_contain_text("Not submitted")
    expect(page.locator(f"#card-{HV}")).to_contain_text("7.8%")
    expect(page.locator(f"#card-{HV}")).to_contain_text("Met target of 8.0%")
    assert_accessible(page)
    page.locator(f"#card-{HV}").get_by_role("link", name=HV_TITLE).click()
    expect(page.locator("#target")).to_contain_text("as published")
    expect(page.locator("#target")).to_contain_text("Met target of 8.0%")
    assert_accessible(page)
    page.goto(f"{live_server.url}/dataset/{QUARTER.slug}/")
    page.get_by_role("link", name="Check for restatements").click()
    restated = page.locator(f'#figures tr[data-code="{CRIMES}"]')
    expect(restated).to_contain_text("Not submitted")
    expect(restated).to_contain_text("12")
    expect(restated).to_contain_text("Changed")
    expect(page.locator(f'#figures tr[data-code="{HV}"]')).to_have_count(0)
    assert_accessible(page)


def test_a_working_group_member_raises_a_challenge_on_an_agencys_own_indicator(
    page, live_server, partnership, sign_in, assert_accessible
):
    sign_in("working-group", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dataset/{QUARTER.slug}/indicators/{HV}/")
    page.get_by_role("link", name="Raise a challenge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a challenge", timeout=2000)
    expect(page.locator("#subject")).to_have_text(f"{HV_TITLE}, {QUARTER.label}")
    assert_accessible(page)


def test_a_working_group_member_raises_a_challenge_on_an_agencys_emerging_theme(
    page, live_server, partnership, sign_in, assert_accessible
):
    partner_figure_submit(  # 20.0% the quarter before, 7.8% now: an emerging theme
        indicator=PartnerIndicator.objects.get(code=HV),
        quarter=QUARTER.previous(),
        numerator=80,
        denominator=400,
        user=User.objects.get(username="lead"),
    )
    sign_in("working-group", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/dataset/{QUARTER.slug}/themes/")
    page.get_by_role("link", name=f"Raise a challenge on {HV_TITLE} as an emerging theme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise a challenge", timeout=2000)
    expect(page.locator("#subject")).to_have_text(f"Emerging theme: {HV_TITLE}, {QUARTER.label}")
    assert_accessible(page)
