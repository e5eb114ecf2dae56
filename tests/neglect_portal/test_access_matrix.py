"""Every URL name × every role: a new URL without a declared expectation fails this test.

Expectations are what a GET returns. `SIGN_IN` means "redirected to the sign-in page".
Each role is tried from children's social care ("csc") and from another agency ("other"),
since the statutory record is CSC's to change. URLs that take a record id are tried by a
viewer whose agency is involved with the record's child (the declared expectation) and by one
whose agency is not (always 404: outsiders learn nothing).

Action plan URLs are tried by a viewer from the plan's own agency ("own") and from another
agency ("other"), against an active plan with a submitted quarter; a draft plan is hidden
(404) from everyone outside its agency but administrators.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from neglect_portal.dates import today
from neglect_portal.models import User

SIGN_IN = "sign-in"
ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *User.Role.values]


CASE_WORKERS = [User.Role.PRACTITIONER, User.Role.TEAM_MANAGER]
# Agency leads, the Working Group and administrators scrutinise every agency's action plan.
PLAN_READERS = [User.Role.AGENCY_LEAD, User.Role.WORKING_GROUP, User.Role.ADMINISTRATOR]
QUARTER = "2026-27-Q1"


def everyone(status, *, anonymous=SIGN_IN):
    return {ANONYMOUS: anonymous, **{role: status for role in User.Role.values}}


def only(roles, status=200, *, others=403):
    expected = everyone(others)
    expected.update({role: status for role in roles})
    return expected


def by_agency(*, csc, other):
    return {"csc": csc, "other": other}


def for_viewer(expected, agency):
    """The expectation for a viewer from `agency` ("csc" or "other")."""
    return expected[agency] if set(expected) == {"csc", "other"} else expected


# Children's social care keeps the statutory record; other agencies read it.
STATUTORY = by_agency(csc=only(CASE_WORKERS), other=everyone(403))
# Possible duplicates name children: for CSC's case workers and administrators; its team
# managers and administrators decide (tests/cases/test_duplicates.py).
DUPLICATES = by_agency(csc=only([*CASE_WORKERS, User.Role.ADMINISTRATOR]), other=everyone(403))


EXPECTATIONS = {
    "home": everyone(200),
    "login": everyone(302, anonymous=200),  # signed-in users are sent on to their home page
    "logout": everyone(405),  # sign-out is POST only
    "password_change": everyone(200),
    "password_change_done": everyone(200),
    # With no second step waiting, its pages send a signed-in person on (test_two_factor.py
    # covers them with one waiting).
    "sign_in_code": everyone(302),
    "sign_in_recovery_code": everyone(302),
    "two_factor_set_up": everyone(200),  # anyone without it may set it up
    "recovery_codes_new": everyone(302),  # to set-up, for someone without two-factor
    "session_status": everyone(200, anonymous=200),  # the timeout warning asks how long is left
    "accessibility": everyone(200, anonymous=200),
    "health": everyone(200, anonymous=200),
    "cases:child_list": everyone(200),
    "cases:child_add": STATUTORY,
    "cases:refer_new_child": only(CASE_WORKERS),
    "cases:census_upload": only([User.Role.ADMINISTRATOR]),
    "cases:duplicate_list": DUPLICATES,
    "cases:census_runs": only([User.Role.ADMINISTRATOR]),
    "toolkit:my_children": only(CASE_WORKERS),
    "toolkit:my_tasks": only(CASE_WORKERS),
    "toolkit:caseload": only([User.Role.TEAM_MANAGER]),
    "toolkit:reminder_settings": only(CASE_WORKERS),
    # Lists only the plans the viewer may see (for a practitioner, those they own actions in).
    "actionplans:plan_list": everyone(200),
    "actionplans:my_plan": only([User.Role.AGENCY_LEAD]),  # no plan yet: the "add one" page
    "actionplans:plan_add": only([User.Role.AGENCY_LEAD, User.Role.ADMINISTRATOR]),
    "actionplans:overview_latest": only(PLAN_READERS, 302),  # on to the latest quarter
    "actionplans:overview": only(PLAN_READERS),
    "actionplans:overview_print": only(PLAN_READERS),
    "actionplans:submissions_csv": only(PLAN_READERS),
    "actionplans:submissions_xlsx": only(PLAN_READERS),
    # The quarterly dataset: figures for the scrutinising roles. The records behind a figure
    # are listed only for those who may see children (here, children's social care; the
    # other agency is involved with none), and the rest get counts only: no CSV.
    "dataset:dashboard_latest": only(PLAN_READERS, 302),  # on to the latest complete quarter
    "dataset:choose_quarter": only(PLAN_READERS, 302),  # the picker, on to the quarter chosen
    "dataset:dashboard": only(PLAN_READERS),
    "dataset:dashboard_csv": only(PLAN_READERS),
    "dataset:dashboard_xlsx": only(PLAN_READERS),
    "dataset:themes": only(PLAN_READERS),
    # The Working Group's meeting pack names no child: for everyone who scrutinises.
    "dataset:pack_latest": only(PLAN_READERS, 302),  # on to the latest complete quarter's
    "dataset:pack": only(PLAN_READERS),
    "dataset:pack_csv": only(PLAN_READERS),
    "dataset:pack_xlsx": only(PLAN_READERS),
    # The Impact Framework names no child either: for everyone who reads the dataset.
    "dataset:impact_latest": only(PLAN_READERS, 302),  # on to the latest complete quarter's
    "dataset:impact": only(PLAN_READERS),
    "dataset:indicator": only(PLAN_READERS),
    "dataset:members": only(PLAN_READERS),
    "dataset:members_csv": by_agency(csc=only(PLAN_READERS), other=everyone(403)),
    "dataset:training_coverage_latest": only(PLAN_READERS, 302),
    "dataset:training_coverage": only(PLAN_READERS),
    # On to the lead's own agency's return for the latest complete quarter.
    "dataset:my_return": only([User.Role.AGENCY_LEAD, User.Role.ADMINISTRATOR], 302),
    # Publishing is for administrators; QUARTER has ended and is not published, so
    # republishing sends them on to publish it first.
    "dataset:publish": only([User.Role.ADMINISTRATOR]),
    "dataset:republish": only([User.Role.ADMINISTRATOR], 302),
    "dataset:restatements": only(PLAN_READERS),
    "dataset:refresh": everyone(405),  # POST only: tests/dataset/test_live_figures.py
    # Confidence surveys: completed by those who work cases, typed in from paper by leads.
    "confidence:my_surveys": only(CASE_WORKERS),
    "confidence:survey_add": only(CASE_WORKERS),
    "confidence:paper_survey_add": only([User.Role.AGENCY_LEAD]),
    # Targets: read by everyone who reads the dataset, set and withdrawn by administrators.
    "dataset:targets": only(PLAN_READERS),
    "dataset:target_set": only([User.Role.ADMINISTRATOR]),
    "dataset:target_history": only(PLAN_READERS),
    # The Working Group's scrutiny (access.challenges_visible_q): everyone who reads plans
    # lists the challenges they may read and reads the meetings' decisions; only Working Group
    # members raise challenges on an indicator or a theme.
    "actionplans:challenge_list": only(PLAN_READERS),
    "actionplans:meeting_latest": only(PLAN_READERS, 302),  # on to the latest quarter's
    "actionplans:meeting": only(PLAN_READERS),
    "dataset:challenge_indicator": only([User.Role.WORKING_GROUP]),
    "dataset:challenge_theme": only([User.Role.WORKING_GROUP]),
    # Administrators define the indicators agencies submit (access.defines_partner_indicators).
    "dataset:partner_indicators": only([User.Role.ADMINISTRATOR]),
    "dataset:partner_indicator_add": only([User.Role.ADMINISTRATOR]),
    # The multi-agency case audit: rounds for everyone who reads audit results, run by the
    # Working Group and administrators; auditors (case workers) reach theirs from My audits.
    "dataset:audit_rounds": only(PLAN_READERS),
    "dataset:audit_round_add": only([User.Role.WORKING_GROUP, User.Role.ADMINISTRATOR]),
    "dataset:my_audits": only(CASE_WORKERS),
}
# Arguments for URLs above that take something other than a record id.
URL_ARGS = {
    name: [QUARTER]
    for name in [
        "actionplans:overview",
        "actionplans:overview_print",
        "actionplans:submissions_csv",
        "actionplans:submissions_xlsx",
        "dataset:dashboard",
        "dataset:dashboard_csv",
        "dataset:dashboard_xlsx",
        "dataset:themes",
        "dataset:pack",
        "dataset:pack_csv",
        "dataset:pack_xlsx",
        "dataset:impact",
        "dataset:training_coverage",
        "dataset:publish",
        "dataset:republish",
        "dataset:restatements",
        "dataset:refresh",
        "actionplans:meeting",
    ]
}
URL_ARGS["dataset:indicator"] = [QUARTER, "CP_NEGLECT_SHARE"]
URL_ARGS["dataset:members"] = [QUARTER, "CP_NEGLECT_SHARE", "numerator"]
URL_ARGS["dataset:members_csv"] = [QUARTER, "CP_NEGLECT_SHARE", "numerator"]
URL_ARGS["dataset:target_set"] = ["CIN_NEGLECT_OVER_12M"]
URL_ARGS["dataset:target_history"] = ["CIN_NEGLECT_OVER_12M"]
URL_ARGS["dataset:challenge_indicator"] = [QUARTER, "CP_NEGLECT_SHARE"]
URL_ARGS["dataset:challenge_theme"] = [QUARTER, "CP_NEGLECT_SHARE"]

# An agency's indicator's definition (its id in the URL) is for administrators; everyone else
# is refused before it is looked up (403), whichever indicator it is.
PARTNER_INDICATOR_EXPECTATIONS = {
    "dataset:partner_indicator_edit": only([User.Role.ADMINISTRATOR]),
    "dataset:partner_indicator_history": only([User.Role.ADMINISTRATOR]),
}

# A census import run names no child: administrators only, and everyone else is refused
# before the run is looked up (403, as on the upload page), whichever run it is.
RUN_EXPECTATIONS = {"cases:census_run": only([User.Role.ADMINISTRATOR])}

# URL name → (the record its id names, expectation for a viewer whose agency is involved).
OBJECT_EXPECTATIONS = {
    "cases:child_detail": ("child", everyone(200)),
    "cases:child_edit": ("child", STATUTORY),
    "cases:access_log": ("child", only([User.Role.ADMINISTRATOR])),
    "cases:referral_add": ("child", STATUTORY),
    # Who is allocated is CSC's record to keep (access.can_change_allocation).
    "cases:allocation_change": ("child", STATUTORY),
    # Partners record their own agency's involvement (the record's is the viewer's agency).
    "cases:involvement_add": ("child", only(CASE_WORKERS)),
    "cases:referral_edit": ("referral", STATUTORY),
    "cases:assessment_add": ("referral", STATUTORY),
    "cases:cin_plan_start": ("referral", STATUTORY),
    "cases:cp_plan_start": ("referral", STATUTORY),
    "cases:assessment_edit": ("assessment", STATUTORY),
    "cases:cin_plan_end": ("cin_plan", STATUTORY),
    "cases:cp_plan_end": ("cp_plan", STATUTORY),
    "cases:cp_plan_category": ("cp_plan", STATUTORY),
    "cases:cp_review_add": ("cp_plan", STATUTORY),
    "cases:cin_review_add": ("cin_plan", STATUTORY),
    # Plans and reviews, with the tools that informed them, are read by all who see the child.
    "cases:plan": ("plans", everyone(200)),
    "cases:review": ("reviews", everyone(200)),
    "cases:involvement_end": ("involvement", only(CASE_WORKERS)),
    "cases:history": ("history", everyone(200)),
    # A pair whose two children the involved agency sees: still CSC's to read and decide.
    "cases:duplicate_detail": ("duplicate", DUPLICATES),
    "cases:duplicate_not_the_same": ("duplicate", everyone(405)),  # POST only
    "cases:duplicate_merge": ("duplicate", everyone(405)),  # POST only
    "toolkit:chronology": ("child", everyone(200)),
    "toolkit:chronology_print": ("child", everyone(200)),
    "toolkit:chronology_csv": ("child", everyone(200)),
    # Anyone who can see the child adds to its chronology.
    "toolkit:chronology_add": ("child", everyone(200)),
    "toolkit:chronology_review": ("child", everyone(405)),  # POST only
    # An entry is changed by its author or a team manager of the agency it came from.
    "toolkit:chronology_entry_change": (
        "chronology_entry",
        by_agency(csc=everyone(403), other=only([User.Role.TEAM_MANAGER])),
    ),
    "toolkit:tool_start": ("tool_start", everyone(405)),  # POST only
    # A tool is read by anyone who can see the child; its author edits the draft.
    "toolkit:tool": ("tools", everyone(200)),
    # A tool's history and an entry's are read by anyone who can see the child.
    "toolkit:tool_history": ("tools", everyone(200)),
    "toolkit:chronology_entry_history": ("chronology_entry", everyone(200)),
    # Those who start tools for the child record that it needs an SDQ.
    "toolkit:sdq_need_add": ("child", only(CASE_WORKERS)),
    # Reopening is for a team manager of the author's agency, and only once completed.
    "toolkit:tool_reopen": (
        "checklist",
        by_agency(csc=everyone(403), other=only([User.Role.TEAM_MANAGER])),
    ),
    # A completed analysis's step: updated by its owner or the author's team (until teams are
    # recorded, a team manager of the author's agency); readers of the child get 403.
    "toolkit:next_step_status": (
        "next_step",
        by_agency(csc=everyone(403), other=only([User.Role.TEAM_MANAGER])),
    ),
    "toolkit:next_step_history": ("next_step", everyone(200)),
    # Management oversight is recorded by POST from the tool's or the chronology's page.
    "toolkit:tool_oversight": ("tools", everyone(405)),
    "toolkit:chronology_oversight": ("child", everyone(405)),
}


def plan_access(changers):
    """Readers who may not change get 403; anyone who cannot see the plan gets 404."""
    expected = everyone(404)
    expected.update({role: 403 for role in PLAN_READERS})
    expected.update({role: 200 for role in changers})
    return expected


def by_plan_agency(*, own, other):
    return {"own": own, "other": other}


# Only the plan's own agency lead (or an administrator) changes it; peers read it.
CHANGE_PLAN = by_plan_agency(
    own=plan_access([User.Role.AGENCY_LEAD, User.Role.ADMINISTRATOR]),
    other=plan_access([User.Role.ADMINISTRATOR]),
)
READ_PLAN = by_plan_agency(own=plan_access(PLAN_READERS), other=plan_access(PLAN_READERS))

# URL name → (what its arguments name, expectation by the viewer's agency).
PLAN_EXPECTATIONS = {
    "actionplans:plan_detail": ("plan", READ_PLAN),
    "actionplans:plan_edit": ("plan", CHANGE_PLAN),
    "actionplans:action_add": ("plan", CHANGE_PLAN),
    "actionplans:action_edit": ("action", CHANGE_PLAN),
    "actionplans:plan_history": ("plan", READ_PLAN),
    "actionplans:action_history": ("action", READ_PLAN),
    # A submitted quarter is published to every reader; it is read-only, even to its lead.
    "actionplans:quarter": ("quarter", READ_PLAN),
    "actionplans:quarter_reopen": (
        "quarter",
        by_plan_agency(
            own=plan_access([User.Role.ADMINISTRATOR]), other=plan_access([User.Role.ADMINISTRATOR])
        ),
    ),
    # Working Group members raise challenges on any plan and published quarterly report;
    # other readers of the plan are refused (403), and those who cannot see it get 404.
    "actionplans:challenge_raise": (
        "raise",
        by_plan_agency(
            own=plan_access([User.Role.WORKING_GROUP]),
            other=plan_access([User.Role.WORKING_GROUP]),
        ),
    ),
}

HISTORY_KINDS = [
    "child",
    "referral",
    "assessment",
    "cin-plan",
    "cp-plan",
    "cp-review",
    "involvement",
    "allocation",
    "cin-review",
]

# The Django admin is one area with one rule; these pages stand for all of it.
ADMIN_SAMPLES = [
    "admin:index",
    "admin:neglect_portal_agency_changelist",
    "admin:neglect_portal_user_changelist",
    "admin:neglect_portal_agency_add",
]
ADMIN_EXPECTATION = only([User.Role.ADMINISTRATOR])


def url_names(patterns=None, namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield namespace + (pattern.name or f"<unnamed {pattern.pattern}>")


def test_every_url_name_has_a_declared_expectation():
    undeclared = sorted(
        name
        for name in set(url_names())
        if name not in EXPECTATIONS
        and name not in OBJECT_EXPECTATIONS
        and name not in PLAN_EXPECTATIONS
        and name not in RETURN_EXPECTATIONS
        and name not in RUN_EXPECTATIONS
        and name not in SCRUTINY_EXPECTATIONS
        and name not in PARTNER_INDICATOR_EXPECTATIONS
        and name not in SURVEY_EXPECTATIONS
        and name not in AUDIT_FINDINGS_EXPECTATIONS
        and name not in AUDIT_EXPECTATIONS
        and not name.startswith("admin:")
    )
    assert undeclared == [], f"Declare access expectations for: {undeclared}"


def test_every_expectation_covers_every_role():
    declared = {
        **EXPECTATIONS,
        **RUN_EXPECTATIONS,
        **PARTNER_INDICATOR_EXPECTATIONS,
        **{name: expected for name, (_, expected) in AUDIT_FINDINGS_EXPECTATIONS.items()},
        "admin": ADMIN_EXPECTATION,
        **{name: expected for name, (_, expected) in OBJECT_EXPECTATIONS.items()},
    }
    for name, expected in declared.items():
        for agency in ("csc", "other"):
            assert set(for_viewer(expected, agency)) == set(ROLES), name
    for name, (_, expected) in [
        *PLAN_EXPECTATIONS.items(),
        *RETURN_EXPECTATIONS.items(),
        *SCRUTINY_EXPECTATIONS.items(),
        *SURVEY_EXPECTATIONS.items(),
        *AUDIT_EXPECTATIONS.items(),
    ]:
        assert set(expected) == {"own", "other"}, name
        for relation in ("own", "other"):
            assert set(expected[relation]) == set(ROLES), name


def _outcome(client, response):
    if response.status_code == 302:
        location = urlsplit(response["Location"]).path
        if location == reverse("login"):
            return SIGN_IN
        if location == reverse("admin:login"):  # the admin's own hop on to our sign-in page
            return _outcome(client, client.get(response["Location"]))
    return response.status_code


VIEWER_AGENCIES = ["csc", "other"]
CASES = [
    (name, role, agency)
    for name in [*EXPECTATIONS, *ADMIN_SAMPLES]
    for role in ROLES
    for agency in VIEWER_AGENCIES
    if role != ANONYMOUS or agency == "other"
]


def _viewer(role, agency, other_agency=None):
    from neglect_portal.models import Agency
    from tests.factories import AgencyFactory, UserFactory

    if agency == "csc":
        return UserFactory(
            role=role,
            agency=AgencyFactory(
                name="Children's Social Care", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE
            ),
        )
    return UserFactory(role=role, **({"agency": other_agency} if other_agency else {}))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "agency"), CASES)
def test_access(client, name, role, agency):
    if role != ANONYMOUS:
        client.force_login(_viewer(role, agency))
    expected = ADMIN_EXPECTATION if name.startswith("admin:") else EXPECTATIONS[name]
    url = reverse(name, args=URL_ARGS.get(name, []))
    assert _outcome(client, client.get(url)) == for_viewer(expected, agency)[role]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "agency"),
    [
        (name, role, agency)
        for name in RUN_EXPECTATIONS
        for role in ROLES
        for agency in VIEWER_AGENCIES
        if role != ANONYMOUS or agency == "other"
    ],
)
def test_access_to_a_census_import_run(client, name, role, agency):
    from cases.models import CensusImportRun

    run = CensusImportRun.objects.create(file_name="census.xml")
    if role != ANONYMOUS:
        client.force_login(_viewer(role, agency))
    expected = for_viewer(RUN_EXPECTATIONS[name], agency)[role]
    assert _outcome(client, client.get(reverse(name, args=[run.pk]))) == expected
    # A run that does not exist is refused just the same to those who may not see runs.
    missing = reverse(name, args=[run.pk + 1])
    assert _outcome(client, client.get(missing)) == (404 if expected == 200 else expected)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "agency"),
    [
        (name, role, agency)
        for name in PARTNER_INDICATOR_EXPECTATIONS
        for role in ROLES
        for agency in VIEWER_AGENCIES
        if role != ANONYMOUS or agency == "other"
    ],
)
def test_access_to_an_agency_indicator_definition(client, name, role, agency):
    from dataset.models import PartnerIndicator
    from tests.factories import AgencyFactory

    indicator = PartnerIndicator.objects.create(
        code="AG_MATRIX",
        title="Matrix indicator",
        definition="Counted",
        agency=AgencyFactory(name="Owning agency"),
        unit="count",
        counts="things",
        higher_is_better=True,
    )
    if role != ANONYMOUS:
        client.force_login(_viewer(role, agency))
    expected = for_viewer(PARTNER_INDICATOR_EXPECTATIONS[name], agency)[role]
    assert _outcome(client, client.get(reverse(name, args=[indicator.pk]))) == expected
    missing = reverse(name, args=[indicator.pk + 1])
    assert _outcome(client, client.get(missing)) == (404 if expected == 200 else expected)


@pytest.mark.django_db
def test_anonymous_redirect_keeps_where_they_were_going(client):
    response = client.get(reverse("password_change"))
    assert response["Location"] == f"{reverse('login')}?next={reverse('password_change')}"


@pytest.fixture
def records(db):
    from tests.factories import (
        AgencyFactory,
        AssessmentFactory,
        CINPlanFactory,
        CINPlanReviewFactory,
        CPPlanFactory,
        CPReviewFactory,
        InvolvementFactory,
        UserFactory,
    )

    agency = AgencyFactory(name="Involved agency")
    involvement = InvolvementFactory(agency=agency)
    child = involvement.child
    assessment = AssessmentFactory(referral__child=child)
    referral = assessment.referral
    cp_plan = CPPlanFactory(referral=referral)
    from toolkit.models import ChronologyEntry, NextStep
    from toolkit.services import chronology_entry_add
    from toolkit.tool_kinds import TOOL_KINDS

    # Completed by someone from the involved agency, so its team manager may reopen it.
    author = UserFactory(agency=agency)
    tools = {
        slug: kind.model.objects.create(
            child=child,
            author=author,
            author_agency=agency,
            status="completed",
            completed_on=referral.referral_date,
            **kind.start_fields(child),
        )
        for slug, kind in TOOL_KINDS.items()
    }
    child_date = referral.referral_date
    entry = chronology_entry_add(
        child=child,
        entry=ChronologyEntry(
            author=author,
            source_agency=agency,
            event_date=referral.referral_date,
            what_happened="Home visit",
            impact="neutral",
            impact_description="None seen",
        ),
    )
    from cases.models import Allocation, PossibleDuplicate

    allocation = Allocation.objects.create(
        child=child,
        worker=author,
        started_on=referral.referral_date,
        reason=Allocation.Reason.FIRST,
    )
    cin_plan = CINPlanFactory(referral=referral)

    twin = InvolvementFactory(
        agency=agency,
        child__given_name=child.given_name,
        child__family_name=child.family_name,
        child__date_of_birth=child.date_of_birth,
    ).child
    return {
        "duplicate": PossibleDuplicate.objects.create(
            child_a=child, child_b=twin, reason=PossibleDuplicate.Reason.NAME_AND_BIRTH
        ),
        "tools": tools,
        "checklist": tools["checklist"],
        "next_step": NextStep.objects.create(
            analysis=tools["next-steps"], what="GP check", owner_name="Dr A", due_on=child_date
        ),
        "chronology_entry": entry,
        "agency": agency,
        "child": child,
        "referral": referral,
        "assessment": assessment,
        "cin_plan": cin_plan,
        "cp_plan": cp_plan,
        "cp_review": CPReviewFactory(plan=cp_plan),
        "cin_review": CINPlanReviewFactory(plan=cin_plan),
        "involvement": involvement,
        "allocation": allocation,
    }


def _object_urls(name, records):
    key = OBJECT_EXPECTATIONS[name][0]
    if key == "tool_start":
        return [reverse(name, args=[records["child"].pk, "checklist"])]
    if key == "checklist":
        return [reverse(name, args=["checklist", records["checklist"].pk])]
    if key == "tools":
        return [reverse(name, args=[kind, tool.pk]) for kind, tool in records["tools"].items()]
    if key == "plans":
        return [
            reverse(name, args=["cp-plan", records["cp_plan"].pk]),
            reverse(name, args=["cin-plan", records["cin_plan"].pk]),
        ]
    if key == "reviews":
        return [
            reverse(name, args=["cp-review", records["cp_review"].pk]),
            reverse(name, args=["cin-review", records["cin_review"].pk]),
        ]
    if key == "history":
        return [
            reverse(name, args=[kind, records[kind.replace("-", "_")].pk]) for kind in HISTORY_KINDS
        ]
    return [reverse(name, args=[records[key].pk])]


OBJECT_CASES = [(name, role) for name in OBJECT_EXPECTATIONS for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "agency"),
    [
        (name, role, agency)
        for name, role in OBJECT_CASES
        for agency in VIEWER_AGENCIES
        if role != ANONYMOUS or agency == "other"
    ],
)
def test_access_to_records_of_a_child_the_agency_works_with(client, records, name, role, agency):
    if role != ANONYMOUS:
        # "other" is the agency involved with the child; CSC sees every child.
        client.force_login(_viewer(role, agency, other_agency=records["agency"]))
    expected = for_viewer(OBJECT_EXPECTATIONS[name][1], agency)[role]
    for url in _object_urls(name, records):
        assert _outcome(client, client.get(url)) == expected, url


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), [(n, r) for n, r in OBJECT_CASES if r != ANONYMOUS])
def test_outsiders_get_404_for_every_record(client, records, name, role):
    client.force_login(_viewer(role, "other"))  # an agency not involved with the child
    for url in _object_urls(name, records):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code in (404, 405), url


# Action plans ---------------------------------------------------------------------------------


@pytest.fixture
def plan_records(db):
    from tests.actionplans.factories import (
        ActionFactory,
        ActionPlanFactory,
        ActionUpdateFactory,
        QuarterlyReportFactory,
    )
    from tests.factories import AgencyFactory

    agency = AgencyFactory(name="Plan agency")
    plan = ActionPlanFactory(agency=agency)
    action = ActionFactory(plan=plan)
    ActionUpdateFactory(action=action, quarter=QUARTER)
    QuarterlyReportFactory(plan=plan, quarter=QUARTER)
    draft = ActionPlanFactory(agency=agency, status="draft", title="Next plan")
    draft_action = ActionFactory(plan=draft)
    return {
        "agency": agency,
        "plan": plan,
        "action": action,
        "draft": draft,
        "draft_action": draft_action,
    }


def _plan_urls(name, plan, action):
    key = PLAN_EXPECTATIONS[name][0]
    if key == "action":
        return [reverse(name, args=[action.pk])]
    if key == "quarter":
        return [reverse(name, args=[plan.pk, QUARTER])]
    if key == "raise":
        url = reverse(name)
        return [
            f"{url}?subject=plan&plan={plan.pk}",
            f"{url}?subject=report&plan={plan.pk}&quarter={QUARTER}",
        ]
    return [reverse(name, args=[plan.pk])]


PLAN_RELATIONS = ["own", "other"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "relation"),
    [
        (name, role, relation)
        for name in PLAN_EXPECTATIONS
        for role in ROLES
        for relation in PLAN_RELATIONS
        if role != ANONYMOUS or relation == "other"
    ],
)
def test_access_to_an_agency_action_plan(client, plan_records, name, role, relation):
    from tests.factories import UserFactory

    if role != ANONYMOUS:
        agency = plan_records["agency"] if relation == "own" else None
        client.force_login(UserFactory(role=role, **({"agency": agency} if agency else {})))
    expected = PLAN_EXPECTATIONS[name][1][relation][role]
    for url in _plan_urls(name, plan_records["plan"], plan_records["action"]):
        assert _outcome(client, client.get(url)) == expected, url


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role"),
    [
        (name, role)
        for name in PLAN_EXPECTATIONS
        for role in User.Role.values
        if role != User.Role.ADMINISTRATOR
    ],
)
def test_outsiders_to_a_draft_plan_get_404(client, plan_records, name, role):
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=role))  # another agency, no action owned
    for url in _plan_urls(name, plan_records["draft"], plan_records["draft_action"]):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code in (404, 405), url


# Agency returns -------------------------------------------------------------------------------
# A return is its agency's: its lead submits and corrects it, administrators may for any
# agency, and everyone else is refused (agencies are no secret, so 403 rather than 404).

RETURN_EXPECTATIONS = {
    "dataset:agency_return": (
        "agency",
        by_plan_agency(
            own=only([User.Role.AGENCY_LEAD, User.Role.ADMINISTRATOR]),
            other=only([User.Role.ADMINISTRATOR]),
        ),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "relation"),
    [
        (name, role, relation)
        for name in RETURN_EXPECTATIONS
        for role in ROLES
        for relation in PLAN_RELATIONS
        if role != ANONYMOUS or relation == "other"
    ],
)
def test_access_to_an_agency_return(client, name, role, relation):
    from tests.factories import AgencyFactory, UserFactory

    agency = AgencyFactory(name="Returning agency")
    if role != ANONYMOUS:
        client.force_login(
            UserFactory(role=role, **({"agency": agency} if relation == "own" else {}))
        )
    expected = RETURN_EXPECTATIONS[name][1][relation][role]
    url = reverse(name, args=[QUARTER, agency.pk])
    assert _outcome(client, client.get(url)) == expected, url


# The Working Group's challenges and decisions ----------------------------------------------
# A challenge and its answer are read by everyone who reads plans, the leads of other agencies
# too ("other"); anyone else gets 404. Decisions are the group's record, read by every reader
# of plans (others are refused before the decision is looked up).


def challenge_access(*readers):
    expected = everyone(404)
    expected.update({role: 200 for role in readers})
    return expected


READ_CHALLENGE = by_plan_agency(
    own=challenge_access(*PLAN_READERS), other=challenge_access(*PLAN_READERS)
)
SCRUTINY_EXPECTATIONS = {
    "actionplans:challenge_detail": ("challenge", READ_CHALLENGE),
    "actionplans:challenge_history": ("challenge", READ_CHALLENGE),
    "actionplans:decision_history": (
        "decision",
        by_plan_agency(own=only(PLAN_READERS), other=only(PLAN_READERS)),
    ),
}


@pytest.fixture
def scrutiny_records(db):
    from actionplans.models import Challenge, Decision
    from tests.factories import AgencyFactory, UserFactory

    agency = AgencyFactory(name="Challenged agency")
    member = UserFactory(role=User.Role.WORKING_GROUP)
    challenge = Challenge.objects.create(
        subject=Challenge.Subject.INDICATOR,
        quarter=QUARTER,
        indicator_code="CP_NEGLECT_SHARE",
        subject_label="Child protection plans for neglect, 2026-27 Q1",
        agency=agency,
        text="Why did it rise?",
        due_date="2027-03-31",
        raised_by=member,
    )
    decision = Decision.objects.create(
        quarter=QUARTER, text="Audit neglect cases", owner_agency=agency, due_date="2027-03-31"
    )
    return {"agency": agency, "challenge": challenge, "decision": decision}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "relation"),
    [
        (name, role, relation)
        for name in SCRUTINY_EXPECTATIONS
        for role in ROLES
        for relation in PLAN_RELATIONS
        if role != ANONYMOUS or relation == "other"
    ],
)
def test_access_to_the_working_groups_challenges_and_decisions(
    client, scrutiny_records, name, role, relation
):
    from tests.factories import UserFactory

    if role != ANONYMOUS:
        agency = scrutiny_records["agency"] if relation == "own" else None
        client.force_login(UserFactory(role=role, **({"agency": agency} if agency else {})))
    key = SCRUTINY_EXPECTATIONS[name][0]
    expected = SCRUTINY_EXPECTATIONS[name][1][relation][role]
    url = reverse(name, args=[scrutiny_records[key].pk])
    assert _outcome(client, client.get(url)) == expected, url


# Confidence surveys ---------------------------------------------------------------------------
# A survey's answers are its respondent's alone ("own": the viewer answered it), whatever their
# role; the confirmation of a paper survey is for the person who typed it in ("own": the viewer
# entered it) and shows no answers. Everyone else learns nothing (404).

SURVEY_EXPECTATIONS = {
    "confidence:survey": ("respondent", by_plan_agency(own=everyone(200), other=everyone(404))),
    "confidence:paper_survey_saved": (
        "entered_by",
        by_plan_agency(own=everyone(200), other=everyone(404)),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "relation"),
    [
        (name, role, relation)
        for name in SURVEY_EXPECTATIONS
        for role in ROLES
        for relation in PLAN_RELATIONS
        if role != ANONYMOUS or relation == "other"
    ],
)
def test_access_to_a_confidence_survey(client, name, role, relation):
    from neglect_portal.models import ConfidenceSurvey
    from tests.factories import AgencyFactory, UserFactory

    agency = AgencyFactory(name="Surveyed agency")
    practitioner = UserFactory(agency=agency)
    viewer = UserFactory(role=role if role != ANONYMOUS else User.Role.PRACTITIONER, agency=agency)
    who = SURVEY_EXPECTATIONS[name][0]
    people = {"respondent": practitioner, "entered_by": practitioner}
    if relation == "own":
        people[who] = viewer
    if who == "entered_by" and people["respondent"] == people["entered_by"]:
        people["respondent"] = UserFactory(agency=agency)  # a paper survey is someone else's
    survey = ConfidenceSurvey.objects.create(
        agency=agency,
        stage="before",
        completed_on="2024-05-01",
        recognising=5,
        responding=5,
        using_tools=5,
        **people,
    )
    if role != ANONYMOUS:
        client.force_login(viewer)
    expected = SURVEY_EXPECTATIONS[name][1][relation][role]
    url = reverse(name, args=[survey.pk])
    assert _outcome(client, client.get(url)) == expected, url


# The multi-agency audit's findings ----------------------------------------------------------
# A round's results name no child: read by everyone who reads the dataset, whichever agency
# (children's social care or another) they are in. Those who run rounds (the Working Group and
# administrators) add its learning and themes and agree actions. Everyone else is refused
# before the round is looked up (403), whichever round it is; a round or theme that does not
# exist is 404 to those who may see rounds.

AUDIT_FINDINGS_EXPECTATIONS = {
    "dataset:audit_results": ("round", only(PLAN_READERS)),
    "dataset:audit_results_csv": ("round", only(PLAN_READERS)),
    "dataset:audit_results_xlsx": ("round", only(PLAN_READERS)),
    "dataset:audit_learning": (
        "round",
        only([User.Role.WORKING_GROUP, User.Role.ADMINISTRATOR]),
    ),
    "dataset:audit_agreed_action": (
        "theme",
        only([User.Role.WORKING_GROUP, User.Role.ADMINISTRATOR]),
    ),
}


@pytest.fixture
def audit_findings_records(db):
    from datetime import timedelta

    from dataset import audit_services
    from neglect_portal.dates import today
    from neglect_portal.models import Agency
    from tests.dataset.audit_builders import children_on_neglect_plans, running_round
    from tests.factories import AgencyFactory, UserFactory

    csc = AgencyFactory(name="Auditing CSC", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)
    health = AgencyFactory(name="Audited health", kind=Agency.Kind.HEALTH)
    children_on_neglect_plans(2, on=today() - timedelta(days=14), agencies=[health])
    runner = UserFactory(role=User.Role.ADMINISTRATOR, agency=csc)
    round = running_round(runner, lead=UserFactory(agency=csc), size=2)
    theme = audit_services.theme_add(round=round, user=runner, title="Chronologies")
    return {"round": round, "theme": theme}


def _audit_findings_urls(name, records, *, missing=False):
    round, theme = records["round"], records["theme"]
    if AUDIT_FINDINGS_EXPECTATIONS[name][0] == "theme":
        return reverse(name, args=[round.pk, theme.pk + 1 if missing else theme.pk])
    return reverse(name, args=[round.pk + 1 if missing else round.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "agency"),
    [
        (name, role, agency)
        for name in AUDIT_FINDINGS_EXPECTATIONS
        for role in ROLES
        for agency in VIEWER_AGENCIES
        if role != ANONYMOUS or agency == "other"
    ],
)
def test_access_to_an_audits_findings(client, audit_findings_records, name, role, agency):
    if role != ANONYMOUS:
        client.force_login(_viewer(role, agency))
    expected = for_viewer(AUDIT_FINDINGS_EXPECTATIONS[name][1], agency)[role]
    url = _audit_findings_urls(name, audit_findings_records)
    assert _outcome(client, client.get(url)) == expected, url
    missing = _audit_findings_urls(name, audit_findings_records, missing=True)
    assert _outcome(client, client.get(missing)) == (404 if expected == 200 else expected)


# The multi-agency case audit ------------------------------------------------------------------
# Against a running round of one sampled child. A round's pages are read by everyone who reads
# audit results and changed by those who run audits, whoever the viewer is ("own" and "other"
# alike). A sampled child's audit, its history and its moderation are for the child's audit
# team while the round runs ("own": the viewer is on the team; for moderation, the lead auditor
# of a completed audit): only case workers can be, and everyone else learns nothing (404).

RUNS_AUDITS = [User.Role.WORKING_GROUP, User.Role.ADMINISTRATOR]
AUDIT_TEAM = by_plan_agency(own=only(CASE_WORKERS, others=404), other=everyone(404))
AUDIT_EXPECTATIONS = {
    "dataset:audit_round": (
        "round",
        by_plan_agency(own=only(PLAN_READERS), other=only(PLAN_READERS)),
    ),
    # POST only; GET is refused before anything is looked up.
    "dataset:audit_sample_draw": ("round", by_plan_agency(own=everyone(405), other=everyone(405))),
    "dataset:audit_sample_pick": ("round", by_plan_agency(own=everyone(405), other=everyone(405))),
    "dataset:audit_round_start": ("round", by_plan_agency(own=everyone(405), other=everyone(405))),
    "dataset:audit_criterion_add": (
        "round",
        by_plan_agency(own=everyone(405), other=everyone(405)),
    ),
    "dataset:audit_criterion_remove": (
        "criterion",
        by_plan_agency(own=everyone(405), other=everyone(405)),
    ),
    # The confirmation page, then the POST that closes the round.
    "dataset:audit_round_close": (
        "round",
        by_plan_agency(own=only(RUNS_AUDITS), other=only(RUNS_AUDITS)),
    ),
    "dataset:audit_team": (
        "sample",
        by_plan_agency(own=only(RUNS_AUDITS), other=only(RUNS_AUDITS)),
    ),
    "dataset:audit_form": ("sample", AUDIT_TEAM),
    "dataset:audit_chronology": ("sample", AUDIT_TEAM),
    "dataset:audit_history": ("sample", AUDIT_TEAM),
    "dataset:audit_moderate": ("sample", AUDIT_TEAM),
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role", "relation"),
    [
        (name, role, relation)
        for name in AUDIT_EXPECTATIONS
        for role in ROLES
        for relation in PLAN_RELATIONS
        if role != ANONYMOUS or relation == "other"
    ],
)
def test_access_to_an_audit_round_and_a_sampled_childs_audit(client, name, role, relation):
    from dataset.audit_models import AuditAuditor, AuditSample
    from neglect_portal.models import Agency
    from tests.dataset.audit_builders import children_on_neglect_plans, running_round
    from tests.factories import AgencyFactory, UserFactory

    csc = AgencyFactory(name="Children's Social Care", kind=Agency.Kind.CHILDRENS_SOCIAL_CARE)
    partner = AgencyFactory(name="Audited partner")
    runner = UserFactory(role=User.Role.ADMINISTRATOR, agency=csc)
    lead = UserFactory(role=User.Role.PRACTITIONER, agency=csc)
    children_on_neglect_plans(1, on=today() - timedelta(days=14), agencies=[partner])
    round = running_round(runner, lead=lead, size=1)
    sample = round.samples.get()
    viewer = UserFactory(role=role if role != ANONYMOUS else User.Role.PRACTITIONER, agency=partner)
    if relation == "own":
        if name == "dataset:audit_moderate":
            AuditSample.objects.filter(pk=sample.pk).update(
                lead_auditor=viewer, status=AuditSample.Status.COMPLETED
            )
        else:
            AuditAuditor.objects.create(sample=sample, auditor=viewer)
    if role != ANONYMOUS:
        client.force_login(viewer)
    key, expected = AUDIT_EXPECTATIONS[name]
    args = {
        "round": [round.pk],
        "sample": [round.pk, sample.pk],
        "criterion": [round.pk, round.criteria.first().pk],
    }[key]
    url = reverse(name, args=args)
    assert _outcome(client, client.get(url)) == expected[relation][role], url
