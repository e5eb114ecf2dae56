"""No page scrolls sideways on a phone (issue 13): at 375 px wide, every page with a table,
opened by someone who sees it, is no wider than the screen, and axe-core finds nothing.

The pages are those of `grep -l "<table" templates` (and the templates that include them),
with the demo partnership's data: one browser context per role, one set of data for them all.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from actionplans.models import Action, ActionPlan, Challenge, Decision
from actionplans.services import challenge_raise
from cases.demo_data import add_demo_duplicate, generate_demo_data
from cases.models import CensusImportRun, Child, PossibleDuplicate
from dataset import targets
from dataset.audit_models import AuditRound, AuditSample
from dataset.demo_audits import load_demo_audits
from dataset.models import AgencyReturn, PartnerIndicator
from dataset.services import agency_return_submit, quarter_publish, target_set
from neglect_portal.demo import DEMO_PASSWORD, HEALTH_PRACTITIONER, load_demo_data
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from neglect_portal.records.versions import record_update
from tests.e2e.conftest import WCAG_22_AA
from toolkit.models import SDQ, DayInMyLife, Tool
from toolkit.selectors import caseload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}
TARGETED = "TOOLKIT_MANDATORY_COMPLETE"  # an indicator with a better direction, to set a target
WIDTHS = "[document.documentElement.scrollWidth, window.innerWidth]"
# The innermost elements that reach past the screen's right edge, to say what to fix.
STICKING_OUT = """() => {
  const edge = window.innerWidth;
  // A table scrolling inside its container reaches past the edge without widening the page.
  const out = [...document.querySelectorAll("body *")].filter(
    (el) =>
      el.getBoundingClientRect().right > edge + 0.5 &&
      el.getClientRects().length &&
      !el.parentElement.closest(".app-table-wrapper")
  );
  return out
    .filter((el) => !out.some((other) => other !== el && el.contains(other)))
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}`);
}"""


def _completed(model, children):
    return model.objects.filter(child__in=children, status=Tool.Status.COMPLETED).first()


def _pages_by_role(site):
    """{username: [(what, path)]}: every page with a table, for someone who may open it."""
    load_demo_data()
    generate_demo_data(300, seed=1)
    add_demo_duplicate()
    # Last year's audit round, closed, and this year's in progress, with health auditing.
    load_demo_audits()
    today = timezone.localdate()
    practitioner = User.objects.get(username="practitioner")
    mine = caseload(practitioner, on=today)
    child = mine.order_by("pk").first()
    # A change in the child's history, so its history page has a table of what changed.
    child.given_name = f"{child.given_name}ie"
    child.save()
    day = _completed(DayInMyLife, Child.objects.all())
    sdq = _completed(SDQ, Child.objects.all())
    draft_sdq = SDQ.objects.create(
        child=child,
        author=practitioner,
        author_agency=practitioner.agency,
        informant="parent",
        age=SDQ.objects.filter(pk=sdq.pk).values_list("age", flat=True).get(),
        responses={str(item): 1 for item in range(1, 26)},
    )
    pair = PossibleDuplicate.objects.first()

    health = Agency.objects.get(name="Community Health Trust")
    lead = User.objects.get(username="lead")
    plan = ActionPlan.objects.get(agency=health, status="active")
    action = Action.objects.filter(plan=plan).first()
    quarter = Quarter.latest_complete()
    # The demo may have sent the quarter's return already: correct it twice either way, so
    # its history has rows.
    sent = AgencyReturn.objects.filter(agency=health, quarter=quarter).first()
    first = agency_return_submit(
        agency=health,
        quarter=quarter,
        staff_trained=40,
        target_workforce=55,
        user=lead,
        expected_version=sent.version if sent else None,
    )
    agency_return_submit(
        agency=health,
        quarter=quarter,
        staff_trained=42,
        target_workforce=55,
        user=lead,
        expected_version=first.version,
    )
    hv = PartnerIndicator.objects.get(code="AG_HV_WAS_NOT_BROUGHT")
    admin = User.objects.get(username="admin")
    run = CensusImportRun.objects.create(
        file_name="cin-census-2025-26-with-a-long-name.xml",
        status=CensusImportRun.Status.REFUSED,
        started_at=timezone.now() - timedelta(minutes=2),
        finished_at=timezone.now(),
        run_by=admin,
        problem_count=1,
        problems=[
            {
                "child": "DfEX0000001",
                "element": "<PersonBirthDate>",
                "rule": "8500",
                "message": "The date of birth is after the census reference date",
                "line": 1234,
            }
        ],
    )
    partner_child = caseload(User.objects.get(username=HEALTH_PRACTITIONER), on=today).first()
    # The demo's round of challenges and decisions is on the quarter; one more, still open, to
    # health, so the lead's home page lists it.
    challenge_raise(
        user=User.objects.get(username="working-group"),
        subject=Challenge.Subject.INDICATOR,
        agency=health,
        text="Why are fewer SDQs completed at the 2-year review?",
        due_date=today + timedelta(weeks=4),
        quarter=quarter,
        subject_label=f"Strengths and Difficulties Questionnaires completed, {quarter.label}",
        indicator_code="SDQ_COMPLETED",
    )
    challenge = Challenge.objects.filter(status=Challenge.Status.CLOSED).order_by("pk").first()
    decision = Decision.objects.order_by("pk").first()
    # A target set, then changed, so the targets page shows one and its history has rows.
    for value, reason in [(60, "Agreed by the Working Group"), (65, "Raised after the audit")]:
        target_set(
            code=TARGETED,
            applies_from=quarter.previous(),
            value=Decimal(value),
            reason=reason,
            user=admin,
            expected_version=targets.schedule_version(TARGETED),
        )

    audit = AuditRound.objects.get(status=AuditRound.Status.IN_PROGRESS)
    health_audit = AuditSample.objects.filter(
        round=audit, auditors__auditor__username=HEALTH_PRACTITIONER
    ).first()

    q = quarter.slug
    return {
        "practitioner": [
            ("Children", "/children/"),
            ("A child's page", f"/children/{child.pk}/"),
            ("My children", "/my-children/"),
            ("A completed day in my life", f"/tools/day/{day.pk}/"),
            ("A completed SDQ", f"/tools/sdq/{sdq.pk}/"),
            ("An SDQ with scores so far", f"/tools/sdq/{draft_sdq.pk}/"),
            ("My tasks", "/tasks/"),
            ("My confidence surveys", "/confidence/"),
            ("A child's history", f"/history/child/{child.pk}/"),
            ("Possible duplicates", "/duplicates/"),
            (
                "A change refused as stale",
                lambda page: _stale_edit(page, f"{site}/children/{child.pk}/edit/", child),
            ),
        ],
        "manager": [
            ("My children, for the agency", "/my-children/"),
            ("Your team's tasks", "/tasks/?team=all"),
            ("Caseload by worker", "/tasks/caseload/?team=all"),
            ("A possible duplicate", f"/duplicates/{pair.pk}/"),
        ],
        HEALTH_PRACTITIONER: [
            ("A partner's children", "/my-children/"),
            ("A partner's view of a child", f"/children/{partner_child.pk}/"),
            ("My audits", "/dataset/audits/mine/"),
            (
                "An audit form, with the evidence pane",
                f"/dataset/audits/{audit.pk}/children/{health_audit.pk}/",
            ),
        ],
        "lead": [
            ("Action plans", "/action-plans/"),
            ("An action plan", f"/action-plans/{plan.pk}/"),
            ("An action plan's history", f"/action-plans/{plan.pk}/history/"),
            ("An action's history", f"/action-plans/actions/{action.pk}/history/"),
            ("The action plans overview", f"/action-plans/overview/{q}/"),
            ("The overview's print page", f"/action-plans/overview/{q}/print/"),
            ("An agency return", f"/dataset/{q}/returns/{health.pk}/"),
            ("Training coverage", f"/dataset/{q}/training-coverage/"),
            ("Confidence change", f"/dataset/{q}/indicators/CONFIDENCE_CHANGE/"),
            ("An agency's own indicator", f"/dataset/{q}/indicators/{hv.code}/"),
            ("An indicator", f"/dataset/{q}/indicators/CP_NEGLECT_SHARE/"),
            (
                "The weekly chronology entries",
                f"/dataset/{q}/indicators/CHRONOLOGY_ENTRIES_WEEKLY/",
            ),
            ("An indicator's records", f"/dataset/{q}/indicators/CP_NEGLECT_SHARE/numerator/"),
            ("An agency lead's home page, with open challenges", "/"),
            ("Challenges", "/action-plans/challenges/"),
            ("Every challenge", "/action-plans/challenges/?status=all"),
            ("A challenge's history", f"/action-plans/challenges/{challenge.pk}/history/"),
            ("The Working Group's meeting", f"/action-plans/working-group/{q}/"),
            (
                "A decision's history",
                f"/action-plans/working-group/decisions/{decision.pk}/history/",
            ),
            ("The meeting pack", f"/dataset/{q}/pack/"),
            ("Targets", "/dataset/targets/"),
            ("The Impact Framework", f"/dataset/{q}/impact/"),
            ("A target's history", f"/dataset/targets/{TARGETED}/history/"),
        ],
        "chair": [
            ("The meeting, for the chair who records it", f"/action-plans/working-group/{q}/"),
            ("Challenges, for the chair", "/action-plans/challenges/"),
        ],
        "admin": [
            ("Census imports", "/census/runs/"),
            ("A refused census import", f"/census/runs/{run.pk}/"),
            ("Who opened a record", f"/children/{child.pk}/access-log/"),
            ("Publishing a quarter", f"/dataset/{q}/publish/"),
            (
                "Restatements",
                lambda page: (
                    _publish_then_correct(quarter, admin, health)
                    or page.goto(f"{site}/dataset/{q}/restatements/")
                ),
            ),
            ("Republishing", f"/dataset/{q}/republish/"),
            ("Indicators submitted by agencies", "/dataset/agency-indicators/"),
            ("An agency indicator's history", f"/dataset/agency-indicators/{hv.pk}/history/"),
            ("Targets, for an administrator who sets them", "/dataset/targets/"),
            ("A published quarter's meeting pack", f"/dataset/{q}/pack/"),
            ("Audit rounds", "/dataset/audits/"),
            ("An audit round and its sample", f"/dataset/audits/{audit.pk}/"),
            ("An audit round's results", f"/dataset/audits/{audit.pk}/results/"),
            ("An audit round's learning", f"/dataset/audits/{audit.pk}/learning/"),
        ],
    }


def _stale_edit(page, url, child):
    """The stale-edit page: someone else saves the child's details while the form is open."""
    page.goto(url)
    theirs = Child.objects.get(pk=child.pk)
    theirs.family_name = f"{theirs.family_name}-Smith"
    record_update(theirs, expected_version=theirs.version)
    with page.expect_response(lambda response: response.request.method == "POST") as sent:
        page.get_by_role("button", name="Save child").click()
    assert sent.value.status == 409
    return sent.value


def _publish_then_correct(quarter, admin, health):
    """Publish the quarter, then correct a return, so there is a restatement to show."""
    quarter_publish(quarter=quarter, user=admin)
    agency_return_submit(
        agency=health,
        quarter=quarter,
        staff_trained=50,
        target_workforce=55,
        user=admin,
        expected_version=AgencyReturn.objects.get(agency=health, quarter=quarter).version,
    )


# The select's width as shown, and as wide as its chosen quarter's text needs.
PICKER_WIDTHS = """() => {
  const select = document.getElementById("quarter-picker");
  const shown = select.getBoundingClientRect().width;
  select.style.maxWidth = "none";
  select.style.width = "max-content";
  const needed = select.getBoundingClientRect().width;
  select.removeAttribute("style");
  return [shown, needed];
}"""


def _sign_in(context, live_server, username):
    page = context.new_page()
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    return page


def test_the_quarter_pickers_text_fits_on_a_phone(
    browser, live_server, demo_users, assert_accessible
):
    context = browser.new_context(viewport=PHONE)
    page = _sign_in(context, live_server, "working-group")
    page.goto(f"{live_server.url}/dataset/")
    shown, needed = page.evaluate(PICKER_WIDTHS)
    assert needed <= shown <= PHONE["width"]
    assert page.evaluate(WIDTHS)[0] <= PHONE["width"]
    assert_accessible(page)
    context.close()


def test_no_page_with_a_table_scrolls_sideways_on_a_phone(browser, live_server, axe):
    pages = _pages_by_role(live_server.url)
    problems = []
    for username, role_pages in pages.items():
        context = browser.new_context(viewport=PHONE)
        page = _sign_in(context, live_server, username)
        for what, path in role_pages:
            if callable(path):
                response, path = path(page), "…"
            else:
                response = page.goto(f"{live_server.url}{path}")
            if response.status not in (200, 409) or page.locator("table").count() == 0:
                problems.append(f"{what} ({path}): {response.status}, no table to check")
                continue
            scroll_width, inner_width = page.evaluate(WIDTHS)
            if scroll_width > inner_width:
                problems.append(
                    f"{what} ({path}): {scroll_width} px wide on a {inner_width} px screen, "
                    f"from {', '.join(page.evaluate(STICKING_OUT))}"
                )
            results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
            for violation in results.response["violations"]:
                targets = ", ".join(str(node["target"]) for node in violation["nodes"])
                problems.append(
                    f"{what} ({path}): axe {violation['id']}: {violation['help']} at {targets}"
                )
        context.close()
    assert problems == [], "\n".join(problems)
