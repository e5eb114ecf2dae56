"""Browser journeys through the neglect tools: start from the child's page, save a draft, meet
the error summary, complete, read back, reopen; axe-core checks every page on the way."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from neglect_portal import dates
from neglect_portal.demo import DEMO_PASSWORD
from neglect_portal.models import Agency, User
from tests.factories import PASSWORD, CPPlanFactory, InvolvementFactory, UserFactory
from toolkit.content import CHECKLIST_DOMAINS, DAY_SECTIONS, OBSERVATION_DOMAINS
from toolkit.models import SDQ, AssessmentChecklist, DayInMyLife
from toolkit.sdq import ITEM_LABELS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _long_date(day):
    return f"{day.day} {day:%B %Y}"


# The parts of Daisy's school day that neither she nor her parent talked about.
UNTOLD_PARTS = [
    label for key, label in DAY_SECTIONS["school_age"].items() if key not in ("waking", "bedtime")
]


def _child_on_neglect_plan(given_name, *, age, allocated_worker=None):
    # Born a few months past the birthday, so the age holds whatever day the test runs.
    born = dates.today() - timedelta(days=round(365.25 * age) + 120)
    return CPPlanFactory(
        latest_category="NEG",
        referral__child__given_name=given_name,
        referral__child__family_name="Tools",
        referral__child__date_of_birth=born,
        referral__child__allocated_worker=allocated_worker,
    ).referral.child


def _open_child(page, live_server, child):
    page.goto(f"{live_server.url}/children/{child.pk}/")


def _start(page, start_label):
    page.get_by_text("Start a tool").click()
    page.get_by_role("button", name=start_label, exact=True).click()


def _mandatory(page, label):
    return page.locator(".govuk-task-list__item").filter(has_text=label)


def _error_summary(page):
    return page.locator(".govuk-error-summary")


def _expect_error_links_reach_fields(page):
    """Each link in the error summary jumps to a field that is on the page."""
    missing = page.eval_on_selector_all(
        ".govuk-error-summary a",
        "links => links.map(a => a.getAttribute('href'))"
        ".filter(href => !document.getElementById(href.slice(1)))",
    )
    assert missing == []


def _fill_date(page, group_name, day):
    group = page.get_by_role("group", name=group_name, exact=True)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def test_a_practitioner_completes_a_day_in_my_life_and_the_childs_status_becomes_current(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    child = _child_on_neglect_plan("Daisy", age=9, allocated_worker=practitioner)
    sign_in("practitioner", DEMO_PASSWORD)
    _open_child(page, live_server, child)
    expect(_mandatory(page, "Day in my life")).to_contain_text("Never completed")
    assert_accessible(page)

    _start(page, "Start a day in my life tool")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Day in my life (School-age child (5 to 12))"
    )
    expect(page.get_by_label("School-age child (5 to 12)")).to_be_checked()  # suggested
    waking = page.get_by_role("group", name="Waking and getting up", exact=True)
    waking.get_by_label("The parent's account").fill("Up at seven, breakfast together")
    waking.get_by_label("The child's account").fill("Mum was asleep, I got my own cereal")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved")
    waking = page.get_by_role("group", name="Waking and getting up", exact=True)
    expect(waking.get_by_label("The parent's account")).to_have_value(
        "Up at seven, breakfast together"
    )
    expect(waking.get_by_label("The child's account")).to_have_value(
        "Mum was asleep, I got my own cereal"
    )
    assert_accessible(page)

    bedtime = page.get_by_role("group", name="Bath and bedtime", exact=True)
    bedtime.get_by_label("The child's account").fill("I go to bed when I'm tired")
    page.get_by_label("The child's own words").fill("\u201cI make my own tea\u201d")
    page.get_by_label("Worries").fill("No adult routine in the mornings")
    page.get_by_label("Impact on the child").fill("Late for school twice a week")
    page.get_by_role("button", name="Complete day in my life").click()
    expect(_error_summary(page)).to_contain_text("Enter the strengths")
    expect(_error_summary(page)).to_contain_text(
        "Record the parent's or the child's account of night time: sleep and who is in the "
        "home, or select not known"
    )
    expect(page.get_by_label("Worries")).to_have_value("No adult routine in the mornings")
    expect(
        page.get_by_role("group", name="Bath and bedtime", exact=True).get_by_label(
            "The child's account"
        )
    ).to_have_value("I go to bed when I'm tired")
    expect(
        page.get_by_role("group", name="Waking and getting up", exact=True).get_by_label(
            "The parent's account"
        )
    ).to_have_value("Up at seven, breakfast together")
    _expect_error_links_reach_fields(page)
    assert_accessible(page)

    page.get_by_label("Strengths").fill("Daisy is proud of looking after herself")
    for part in UNTOLD_PARTS:
        page.get_by_role("group", name=part, exact=True).get_by_label("Not known").check()
    page.get_by_role("button", name="Complete day in my life").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("completed")
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    expect(page.get_by_role("button", name="Complete day in my life")).to_have_count(0)
    waking_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Waking and getting up", exact=True)
    )
    expect(waking_row.get_by_role("cell")).to_have_text(
        ["Up at seven, breakfast together", "Mum was asleep, I got my own cereal"]
    )
    bedtime_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Bath and bedtime", exact=True)
    )
    expect(bedtime_row.get_by_role("cell")).to_have_text(
        ["Not recorded", "I go to bed when I'm tired"]
    )
    night_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Night time: sleep and who is in the home")
    )
    expect(night_row.get_by_role("cell")).to_have_text(["Not known", "Not known"])
    expect(page.locator(".govuk-summary-list")).to_contain_text(
        "Daisy is proud of looking after herself"
    )
    assert_accessible(page)

    page.get_by_role("navigation", name="Breadcrumb").get_by_role(
        "link", name="Daisy Tools"
    ).click()
    day = _mandatory(page, "Day in my life")
    expect(day).to_contain_text("Current")
    expect(day).to_contain_text(f"Last completed {_long_date(dates.today())}")
    expect(_mandatory(page, "Assessment checklist")).to_contain_text("Never completed")
    assert_accessible(page)


# Parent's answers chosen to exercise reverse scoring on every scale that has it (7, 11, 14,
# 21, 25), worked by hand from shared/domain.md §4 (0 Not true, 1 Somewhat, 2 Certainly):
#   emotional 3 8 13 16 24 all Certainly          -> 2+2+2+2+2 = 10
#   conduct 5 7r 12 18 22 all Not true             -> 0+2+0+0+0 = 2
#   hyperactivity 2 10 15 21r 25r all Somewhat     -> 1+1+1+1+1 = 5
#   peer 6 11r 14r 19 23 all Certainly             -> 2+0+0+2+2 = 6
#   prosocial 1 4 9 17 20 all Certainly            -> 10
#   total 10+2+5+6 = 23, externalising 2+5 = 7, internalising 10+6 = 16
#   impact (definite difficulties): Quite a lot 1 + A great deal 2 + Not at all 0
#     + Only a little 0 + Quite a lot 1 = 4
# Bands from the parent 4-17 table (toolkit/sdq_bands.py).
SDQ_ANSWERS = {
    **dict.fromkeys((3, 8, 13, 16, 24), "Certainly true"),
    **dict.fromkeys((5, 7, 12, 18, 22), "Not true"),
    **dict.fromkeys((2, 10, 15, 21, 25), "Somewhat true"),
    **dict.fromkeys((6, 11, 14, 19, 23), "Certainly true"),
    **dict.fromkeys((1, 4, 9, 17, 20), "Certainly true"),
}
SDQ_IMPACT = {
    "Upset or distressed by the difficulties": "Quite a lot",
    "Interference with home life": "A great deal",
    "Interference with friendships": "Not at all",
    "Interference with classroom learning": "Only a little",
    "Interference with leisure activities": "Quite a lot",
}
SDQ_SCORES = {
    "Emotional symptoms": ["10", "Very high"],
    "Conduct problems": ["2", "Close to average"],
    "Hyperactivity and inattention": ["5", "Close to average"],
    "Peer relationship problems": ["6", "Very high"],
    "Total difficulties": ["23", "Very high"],
    "Externalising (conduct and hyperactivity)": ["7", "No band"],
    "Internalising (emotional and peer)": ["16", "No band"],
    "Prosocial behaviour": ["10", "Close to average"],
    "Impact": ["4", "Very high"],
}


def _expect_scores(page, caption, expected):
    table = page.get_by_role("table", name=caption, exact=True)
    for scale, cells in expected.items():
        row = table.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=scale, exact=True)
        )
        expect(row.get_by_role("cell")).to_have_text(cells)


def test_a_practitioner_scores_an_sdq_and_sees_the_bands(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    child = _child_on_neglect_plan("Sid", age=9, allocated_worker=practitioner)
    toddler = _child_on_neglect_plan("Tilly", age=3, allocated_worker=practitioner)
    sign_in("practitioner", DEMO_PASSWORD)
    _open_child(page, live_server, child)
    _start(page, "Start an SDQ")
    expect(page.get_by_role("heading", level=1)).to_have_text("SDQ (Parent or carer)")
    expect(page.get_by_label("Parent or carer")).to_be_checked()
    expect(page.get_by_label("The child's age in years when it was filled in")).to_have_value("9")

    for item, answer in SDQ_ANSWERS.items():
        page.get_by_role("group", name=f"{item}. {ITEM_LABELS[item]}", exact=True).get_by_label(
            answer, exact=True
        ).check()
    page.get_by_role("group", name="Overall, are there difficulties", exact=False).get_by_label(
        "Yes, definite difficulties"
    ).check()
    for question, answer in SDQ_IMPACT.items():
        page.get_by_role("group", name=question, exact=True).get_by_label(
            answer, exact=True
        ).check()
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Draft saved")
    _expect_scores(page, "Scores from the answers saved so far", SDQ_SCORES)
    expect(
        page.get_by_role("group", name="7. Compliance", exact=True).get_by_label(
            "Not true", exact=True
        )
    ).to_be_checked()
    expect(page.locator(".govuk-warning-text")).to_have_count(0)  # parent 4-17 is well sourced
    assert_accessible(page)

    page.get_by_role("button", name="Complete SDQ").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "SDQ (Parent or carer) completed"
    )
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    _expect_scores(page, "Scores", SDQ_SCORES)
    completed_total = page.locator(".govuk-summary-list__row").filter(
        has_text="Total difficulties when completed"
    )
    expect(completed_total).to_contain_text("23 (Very high)")
    answer_row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="11. Close friendship", exact=True)
    )
    expect(answer_row.get_by_role("cell")).to_have_text(["Certainly true"])
    assert_accessible(page)

    _open_child(page, live_server, toddler)
    _start(page, "Start an SDQ")
    expect(page.get_by_label("The child's age in years when it was filled in")).to_have_value("3")
    expect(page.locator(".govuk-warning-text")).to_contain_text(
        "The bands for this form (2-4) are provisional"
    )
    expect(page.get_by_role("group", name="18. Argumentativeness", exact=True)).to_be_visible()
    assert_accessible(page)


def test_a_practitioner_completes_an_observation_and_next_steps(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    child = _child_on_neglect_plan("Owen", age=6, allocated_worker=practitioner)
    sign_in("practitioner", DEMO_PASSWORD)
    _open_child(page, live_server, child)
    expect(_mandatory(page, "Parent–child observation")).to_contain_text("Never completed")
    _start(page, "Start a parent–child observation")
    expect(page.get_by_role("heading", level=1)).to_have_text("Parent–child observation")
    page.get_by_label("Setting").fill("The family home")
    page.get_by_role("button", name="Complete observation").click()
    expect(_error_summary(page)).to_contain_text("Enter the date of the observation")
    expect(_error_summary(page)).to_contain_text(
        "Select what you observed for warmth and affection"
    )
    expect(page.get_by_label("Setting")).to_have_value("The family home")
    _expect_error_links_reach_fields(page)
    assert_accessible(page)

    observed = dates.today() - timedelta(days=3)
    _fill_date(page, "Date of the observation", observed)
    page.get_by_label("Who was present").fill("Owen, his mother and his baby sister")
    page.get_by_label("Activity observed").fill("Tea time and getting ready for bed")
    for label in OBSERVATION_DOMAINS.values():
        page.get_by_role("group", name=label, exact=True).get_by_label("Adequate").check()
        page.get_by_label(f"Evidence about {label.lower()}").fill("Seen during tea time")
    page.get_by_role("group", name="Praise and criticism", exact=True).get_by_label(
        "Serious concern"
    ).check()
    page.get_by_label("Your analysis").fill("Mother warm but overwhelmed at tea time")
    page.get_by_role("button", name="Complete observation").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Parent–child observation completed"
    )
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    details = page.locator(".govuk-summary-list").first
    expect(details).to_contain_text(_long_date(observed))
    expect(details).to_contain_text("The family home")
    expect(details).to_contain_text("Owen, his mother and his baby sister")
    praise = page.locator(".govuk-summary-list__row").filter(has_text="Praise and criticism")
    expect(praise).to_contain_text("Serious concern")
    expect(
        page.locator(".govuk-summary-list__row").filter(has_text="Warmth and affection")
    ).to_contain_text("Adequate")
    expect(page.get_by_text("Mother warm but overwhelmed at tea time")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Owen Tools").click()
    expect(_mandatory(page, "Parent–child observation")).to_contain_text("Current")

    _start(page, "Start a \u201cSo what do we know? Next steps\u201d analysis")
    expect(page.get_by_role("heading", level=1)).to_have_text("So what do we know? Next steps")
    assert_accessible(page)
    page.get_by_label("Strengths").fill("Mother engages with the health visitor")
    page.get_by_label("Needs").fill("Regular meals and a bedtime routine")
    page.get_by_label("Risks").fill("Owen left to care for his sister")
    page.get_by_label("Impact on the child").fill("Tired and hungry at school")
    page.get_by_label("What we still do not know").fill("Who else lives in the home")
    what = page.get_by_label("Next step 1: what will be done")
    what.fill("Family group conference")
    page.get_by_role("button", name="Complete next steps").click()
    expect(_error_summary(page)).to_contain_text("Choose or enter who will do next step 1")
    expect(_error_summary(page)).to_contain_text("Enter the due date for next step 1")
    expect(what).to_have_value("Family group conference")
    _expect_error_links_reach_fields(page)
    assert_accessible(page)

    due = dates.today() + timedelta(days=28)
    page.get_by_label("Or the name of someone outside the portal who will do next step 1").fill(
        "Sam Okafor"
    )
    _fill_date(page, "Due date for next step 1", due)
    page.get_by_role("button", name="Complete next steps").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "So what do we know? Next steps completed"
    )
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    step = page.locator(".govuk-summary-card").filter(has_text="Family group conference")
    expect(step).to_contain_text("Sam Okafor")
    expect(step).to_contain_text(_long_date(due))
    expect(step.locator(".govuk-tag")).to_have_text("Open")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Who else lives in the home")
    assert_accessible(page)


def test_a_team_manager_reopens_a_tool_and_another_agency_only_reads_it(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    health = Agency.objects.get(name="Community Health Trust")
    child = _child_on_neglect_plan("Rosa", age=8, allocated_worker=practitioner)
    InvolvementFactory(child=child, agency=health)  # open: health can see Rosa
    completed_on = dates.today() - timedelta(days=10)
    day = DayInMyLife.objects.create(
        child=child,
        author=practitioner,
        author_agency=practitioner.agency,
        status="completed",
        completed_on=completed_on,
        day_version="school_age",
        sections={"waking": {"parent": "Rosa gets herself up", "child": "I set an alarm"}},
        strengths="Independent",
        worries="Often alone",
        impact_on_child="Tired",
    )
    draft = SDQ.objects.create(
        child=child,
        author=practitioner,
        author_agency=practitioner.agency,
        informant="parent",
        age=8,
    )
    UserFactory(username="school-nurse", agency=health, role=User.Role.PRACTITIONER)

    sign_in("school-nurse", PASSWORD)
    page.goto(f"{live_server.url}/tools/day/{day.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Day in my life (School-age child (5 to 12))"
    )
    expect(page.get_by_role("table")).to_contain_text("I set an alarm")
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    expect(page.get_by_role("link", name="Reopen")).to_have_count(0)
    assert_accessible(page)
    # Another agency's draft is read-only too: only the author's side edits it.
    page.goto(f"{live_server.url}/tools/sdq/{draft.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("SDQ (Parent or carer)")
    expect(page.get_by_role("button", name="Save as draft")).to_have_count(0)
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in("manager", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/tools/day/{day.pk}/")
    page.get_by_role("link", name="Reopen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Reopen the day in my life (school-age child (5 to 12))"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Reopen").click()
    expect(_error_summary(page)).to_contain_text("Enter why the tool is being reopened")
    _expect_error_links_reach_fields(page)
    assert_accessible(page)

    page.get_by_label("Why does the tool need reopening?").fill("The child's account was mixed up")
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("reopened")
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        f"Reopened by Priya Shah on {_long_date(dates.today())}: The child's account was mixed up"
    )
    expect(page.get_by_role("button", name="Save as draft")).to_be_visible()
    expect(
        page.get_by_role("group", name="Waking and getting up", exact=True).get_by_label(
            "The child's account"
        )
    ).to_have_value("I set an alarm")
    assert_accessible(page)
    day.refresh_from_db()
    assert day.status == "draft"
    assert day.history.filter(reopen_reason="The child's account was mixed up").exists()


def test_every_other_toolkit_page_is_accessible(
    page, live_server, demo_users, sign_in, assert_accessible
):
    practitioner = User.objects.get(username="practitioner")
    child = _child_on_neglect_plan("Ava", age=11, allocated_worker=practitioner)
    checklist = AssessmentChecklist.objects.create(
        child=child,
        author=practitioner,
        author_agency=practitioner.agency,
        status="completed",
        completed_on=dates.today() - timedelta(days=200),
        ratings={
            key: {"concern": "some_concern", "evidence": "Seen at the home visit"}
            for key in CHECKLIST_DOMAINS
        },
        overall_judgement="Needs not consistently met",
    )
    sign_in("practitioner", DEMO_PASSWORD)

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="My children").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Ava Tools"))
    expect(row).to_contain_text("Overdue")  # the checklist is past six months
    assert_accessible(page)

    page.goto(f"{live_server.url}/tools/checklist/{checklist.pk}/")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Seen at the home visit")
    assert_accessible(page)

    _open_child(page, live_server, child)
    expect(_mandatory(page, "Assessment checklist")).to_contain_text("Overdue")
    _start(page, "Start an assessment checklist")
    expect(page.get_by_role("button", name="Save as draft")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Ava Tools").click()
    page.get_by_role("link", name="Impact chronology").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact chronology")
    assert_accessible(page)
    page.get_by_role("link", name="Add to the chronology").click()
    page.get_by_role("button", name="Add to chronology").click()
    expect(_error_summary(page)).to_contain_text("Enter what happened")
    _expect_error_links_reach_fields(page)
    assert_accessible(page)
    page.goto(f"{live_server.url}/children/{child.pk}/chronology/print/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Impact chronology")
    expect(page.locator(".moj-timeline")).to_contain_text("Assessment checklist")
    assert_accessible(page)
