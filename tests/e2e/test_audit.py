"""Issue 15's journey in a browser, axe-core on every page: an administrator draws a sample of
10 children with a seed, and drawing it again with the same seed gives the same children; a
health auditor can open a sampled child only during the round; the audit is completed and
moderated; the results compare the round with the previous one, and an agreed action appears in
health's plan; the Impact Framework for the quarter shows the audit and names no child.

Each person keeps their own browser context, so each signs in once."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from actionplans.demo_data import load_action_plan_demo
from cases.models import Child
from dataset import audit_services
from dataset.audit_models import DEFAULT_CRITERIA, AuditRound, AuditSample
from neglect_portal.dates import today
from neglect_portal.demo import COMMUNITY_HEALTH, DEMO_PASSWORD, HEALTH_PRACTITIONER
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from tests.dataset.audit_builders import children_on_neglect_plans, running_round

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SEED = "4242"
SAMPLE_DATE = today() - timedelta(days=14)
PREVIOUS = "Summer neglect audit"
ROUND = "Winter neglect audit"
LEAD = "practitioner"  # Sam Okafor, children's social care: the lead auditor
TITLES = {code: title for code, title, _ in DEFAULT_CRITERIA}
# The health auditor's grades: good on all but the robustness of actions.
GRADES = {code: "Good" for code in TITLES} | {"actions": "Requires improvement"}
LEARNING = "Plans rarely recorded whether the child knew they were on one"
THEME = "The child's knowledge of their plan"
AGREED = "Health visitors ask every child of school age on a plan whether they know about it"


@pytest.fixture
def partnership(demo_users):
    """Health's active plan; 14 children on neglect plans known to health; and an earlier
    round, closed, whose 4 moderated audits graded most criteria requires improvement."""
    load_action_plan_demo()
    health = Agency.objects.get(name=COMMUNITY_HEALTH)
    children = children_on_neglect_plans(14, on=SAMPLE_DATE, agencies=[health])
    admin = User.objects.get(username="admin")
    lead = User.objects.get(username=LEAD)
    earlier = running_round(
        admin,
        lead=lead,
        size=4,
        title=PREVIOUS,
        starts_on=today() - timedelta(days=30),
        sample_date=SAMPLE_DATE,
    )
    criteria = list(earlier.criteria.all())
    for sample in earlier.samples.all():
        answers = {
            c.pk: audit_services.Answer(
                grade="good" if c.code == "promptness" else "requires_improvement",
                evidence="Read in the chronology",
                better="",
            )
            for c in criteria
        }
        done = audit_services.audit_save(
            sample=sample, user=lead, version=sample.version, answers=answers, complete=True
        )
        audit_services.audit_moderate(sample=done, user=lead, version=done.version, changes={})
    earlier.refresh_from_db()
    audit_services.audit_round_close(round=earlier, user=admin, version=earlier.version)
    return children


def _signed_in(browser, live_server, username, refused):
    """A page in a context of its own, signed in as `username`; Content-Security-Policy
    refusals on its console go into `refused`."""
    page = browser.new_context().new_page()
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    return page


def _date(page, group_name, day):
    group = page.get_by_role("group", name=group_name)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def _sampled(page):
    return sorted(
        page.locator("#audit-sample tbody tr").evaluate_all(
            "rows => rows.map(row => Number(row.dataset.child))"
        )
    )


def _grade(page, code, grade):
    page.get_by_role("group", name=f"Grade: {TITLES[code]}", exact=True).get_by_label(
        grade, exact=True
    ).check()


def _names(children):
    return [f"{child.given_name} {child.family_name}" for child in children]


def test_a_round_is_drawn_audited_moderated_and_its_findings_reach_healths_plan(
    page, browser, live_server, partnership, sign_in, assert_accessible
):
    refused = []
    # 1. The administrator starts a round, draws its sample twice with one seed, names the team.
    sign_in("admin", DEMO_PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Multi-agency case audits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit rounds")
    expect(page.locator("#audit-rounds")).to_contain_text(PREVIOUS)
    assert_accessible(page)
    page.get_by_role("button", name="Start a new round").click()
    assert_accessible(page)
    page.get_by_label("Title of the round").fill(ROUND)
    _date(page, "Start date", today())
    _date(page, "End date", today() + timedelta(days=30))
    _date(page, "Sample date", SAMPLE_DATE)
    page.get_by_label("Number of children").fill("10")
    page.get_by_label("At random", exact=True).check()
    page.get_by_role("button", name="Create the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND)
    assert_accessible(page)

    page.get_by_label("Seed (optional)").fill(SEED)
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator("#seed")).to_contain_text(SEED)
    first_draw = _sampled(page)
    assert len(first_draw) == 10
    assert_accessible(page)
    page.get_by_label("Seed (optional)").fill(SEED)
    page.get_by_role("button", name="Draw the sample").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sample drawn")
    assert _sampled(page) == first_draw
    assert_accessible(page)

    round = AuditRound.objects.get(title=ROUND)
    audited = AuditSample.objects.select_related("child").get(round=round, number=1)
    page.get_by_role("link", name="Audit team for Child 1", exact=True).click()
    assert_accessible(page)
    page.get_by_label("Lead auditor (children's social care)").select_option(label="Sam Okafor")
    page.get_by_label("Amira Hussain").check()
    page.get_by_role("button", name="Save the audit team").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Audit team saved for Child 1"
    )
    assert_accessible(page)
    lead = User.objects.get(username=LEAD)
    admin = User.objects.get(username="admin")
    for sample in round.samples.exclude(pk=audited.pk):
        audit_services.audit_team_set(
            sample=sample, user=admin, version=sample.version, lead=lead, auditors=[]
        )
    form_url = f"{live_server.url}/dataset/audits/{round.pk}/children/{audited.pk}/"
    other = round.samples.exclude(pk=audited.pk).first()  # a child she does not audit

    # Named, but the round has not started: the health auditor cannot open the child yet.
    health = _signed_in(browser, live_server, HEALTH_PRACTITIONER, refused)
    assert_accessible(health)
    assert health.goto(form_url).status == 404
    assert_accessible(health)
    others_url = form_url.replace(f"/{audited.pk}/", f"/{other.pk}/")

    page.reload()
    expect(page.locator(f'#audit-sample tr[data-child="{audited.child_id}"]')).to_contain_text(
        "Amira Hussain"
    )
    page.get_by_role("button", name="Start the round").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Round started")
    assert_accessible(page)

    # During the round she opens only the child she audits.
    assert health.goto(others_url).status == 404

    # 2. The health auditor drafts, is told of the gaps without losing a word, and completes.
    health.goto(f"{live_server.url}/")
    assert_accessible(health)
    health.get_by_role("link", name="My audits", exact=False).first.click()
    expect(health.get_by_role("heading", level=1)).to_have_text("My audits")
    assert_accessible(health)
    health.locator("#my-audits").get_by_role("link", name=str(audited.child)).click()
    expect(health.get_by_role("heading", level=1)).to_have_text(f"Audit of {audited.child}")
    expect(health.get_by_role("complementary", name="Evidence from the record")).to_be_visible()
    assert_accessible(health)
    _grade(health, "promptness", GRADES["promptness"])
    health.get_by_label(f"Evidence: {TITLES['promptness']}").fill("Referred within a week")
    health.get_by_role("button", name="Save as draft").click()
    expect(health.locator(".govuk-notification-banner")).to_contain_text("Draft saved")
    expect(health.get_by_label(f"Evidence: {TITLES['promptness']}")).to_have_value(
        "Referred within a week"
    )
    assert_accessible(health)

    typed = "The chronology was read at the first review"
    health.get_by_label(f"Evidence: {TITLES['history']}").fill(typed)
    health.get_by_role("button", name="Complete the audit").click()
    summary = health.locator(".govuk-error-summary")
    expect(summary).to_contain_text(f"Select a grade for {TITLES['history']}")
    expect(summary).to_contain_text(f"Enter the evidence for {TITLES['voice']}")
    expect(health.get_by_label(f"Evidence: {TITLES['history']}")).to_have_value(typed)
    expect(
        health.get_by_role("group", name=f"Grade: {TITLES['promptness']}").get_by_label(
            "Good", exact=True
        )
    ).to_be_checked()
    assert_accessible(health)

    for code, grade in GRADES.items():
        _grade(health, code, grade)
        if code not in ("promptness", "history"):
            health.get_by_label(f"Evidence: {TITLES[code]}").fill(f"Seen in the record: {code}")
    health.get_by_role("button", name="Complete the audit").click()
    expect(health.locator(".govuk-notification-banner")).to_contain_text(
        "Audit of Child 1 completed"
    )
    expect(health.locator("main")).to_contain_text("Completed, waiting for moderation")
    expect(health.get_by_role("button", name="Complete the audit")).to_have_count(0)
    assert_accessible(health)

    # 3. The lead auditor moderates, changing one grade with a reason.
    moderator = _signed_in(browser, live_server, LEAD, refused)
    assert_accessible(moderator)
    moderator.goto(f"{live_server.url}/dataset/audits/mine/")
    assert_accessible(moderator)
    moderator.locator("#my-audits").get_by_role("link", name=str(audited.child)).click()
    assert_accessible(moderator)
    moderator.get_by_role("button", name="Moderate this audit").click()
    expect(moderator.get_by_role("heading", level=1)).to_have_text(
        f"Moderate the audit of {audited.child}"
    )
    assert_accessible(moderator)
    reason = "The child's own words are not in the plan"
    moderator.get_by_role(
        "group", name=f"Moderated grade: {TITLES['voice']}", exact=True
    ).get_by_label("Requires improvement", exact=True).check()
    moderator.get_by_label(f"Why the grade is changed: {TITLES['voice']}").fill(reason)
    moderator.get_by_role("button", name="Agree and moderate").click()
    expect(moderator.locator(".govuk-notification-banner")).to_contain_text(
        "Audit of Child 1 moderated"
    )
    expect(moderator.locator("main")).to_contain_text(
        f"the team graded it good; changed at moderation: {reason}"
    )
    assert_accessible(moderator)

    # 4. The administrator reads the results against the previous round and acts on them.
    page.get_by_role("link", name="Results of this round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {ROUND}")
    expect(page.locator("#moderated")).to_have_text("1")
    expect(page.locator("#not-yet-moderated")).to_have_text("9")
    expect(page.locator("#previous")).to_contain_text(PREVIOUS)
    travelled = page.locator("#distance-travelled-table")
    # History: good or better in the 1 audit now, in none of the 4 before; promptness in all.
    for code, now, before in [("history", "100.0%", "0.0%"), ("promptness", "100.0%", "100.0%")]:
        cells = travelled.get_by_role("row", name=TITLES[code]).get_by_role("cell")
        expect(cells.nth(0)).to_have_text(now)
        expect(cells.nth(1)).to_have_text(before)
    # The grade changed at moderation is the one counted.
    expect(page.locator("#travelled-voice")).to_contain_text("0.0% (0 of 1)")
    expect(page.locator("#travelled-impact")).to_contain_text("100.0% (1 of 1)")
    for name in _names(partnership):
        expect(page.locator("main")).not_to_contain_text(name)
    assert_accessible(page)

    page.get_by_role("link", name="Learning and themes").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning and themes")
    assert_accessible(page)
    page.get_by_role("textbox", name="Learning point").fill(LEARNING)
    page.get_by_label("About one child (optional)").select_option(label="Child 1")
    page.get_by_role("button", name="Add the learning point").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Learning point added")
    assert_accessible(page)
    page.locator("#theme-title").fill(THEME)
    page.get_by_role("button", name="Add the theme").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Theme ‘{THEME}’ added")
    assert_accessible(page)
    row = page.locator("#learning-points ~ .app-table-wrapper tbody tr").filter(has_text=LEARNING)
    row.get_by_role("combobox", name="Theme").select_option(label=THEME)
    row.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Learning point grouped under ‘{THEME}’"
    )
    assert_accessible(page)

    page.get_by_role("link", name="round's results").click()
    assert_accessible(page)
    page.get_by_role("link", name=f"Add an agreed action for {THEME}").click()
    expect(page.locator("#theme")).to_have_text(THEME)
    assert_accessible(page)
    page.get_by_label("Which agency's plan is it added to?").select_option(label=COMMUNITY_HEALTH)
    page.get_by_label("Respond", exact=True).check()
    page.get_by_label("What will be done").fill(AGREED)
    page.get_by_label("Owner").fill("Head of health visiting")
    _date(page, "Due date", today() + timedelta(days=90))
    page.get_by_role("button", name="Add the agreed action").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Agreed action added to {COMMUNITY_HEALTH}'s action plan"
    )
    expect(page.get_by_role("heading", name=THEME)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=f"{COMMUNITY_HEALTH} action plan", exact=True).click()
    expect(page.locator("main")).to_contain_text(AGREED)
    expect(page.locator("main")).to_contain_text(f"Agreed at audit: {ROUND}, theme {THEME}")
    assert_accessible(page)
    page.get_by_role("link", name=ROUND, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {ROUND}")
    assert page.url.startswith(f"{live_server.url}/dataset/audits/{round.pk}/results/")
    assert_accessible(page)

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=ROUND).click()
    assert_accessible(page)
    page.get_by_role("button", name="Close the round").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to close this round?"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Close the round").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Round closed")
    expect(page.locator("main")).to_contain_text("Closed on")
    assert_accessible(page)

    # 5. The round is closed: the health auditor's form is not found.
    response = health.goto(form_url)
    assert response.status == 404
    expect(health.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(health)

    # 6. The Impact Framework for the quarter shows both rounds' audits and names no child.
    quarter = Quarter.containing(today())
    assert page.goto(f"{live_server.url}/dataset/{quarter.slug}/impact/").status == 200
    audit = page.locator('section[aria-labelledby="audit"]')
    expect(audit).to_contain_text("Multi-agency case audit")
    expect(audit.locator("#impact-rounds")).to_contain_text(ROUND)
    expect(audit.locator("#impact-rounds")).to_contain_text(PREVIOUS)
    main = page.locator("main").inner_text()
    assert [name for name in _names(Child.objects.all()) if name in main] == []
    assert_accessible(page)

    assert refused == [], "\n".join(refused)
    health.context.close()
    moderator.context.close()
