"""The DfE CIN census validation rules the portal checks, as data per collection year.

Each rule has the DfE's code (a code ending in Q is a query: it is listed in the report but
does not refuse the file) and a plain message saying what is wrong and what to do. The base
table is the 2022-23 collection's; later years add, change or drop rules in YEAR_CHANGES.

The checks are plain functions over the values one Child's reader has already validated
(cases.census_import._ChildReader): they report (code, element, line) through `report`, and
the reader turns each into a Problem with the year's message, or ignores a code the year
does not have. Checks against the census year need the header's ReferenceDate.

Working days (8670Q) are counted Monday to Friday, ignoring bank holidays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

Report = Callable[[str, str, "int | None"], None]


@dataclass(frozen=True)
class Rule:
    code: str
    message: str

    @property
    def query(self) -> bool:
        return self.code.endswith("Q")


def _table(*rules: Rule) -> dict[str, Rule]:
    return {rule.code: rule for rule in rules}


# 2022-23, the base for every later year.
BASE_RULES = _table(
    # Child
    Rule("8520", "PersonBirthDate must be on or before the census ReferenceDate"),
    Rule(
        "8525Q",
        "Check the child: give a PersonBirthDate or an ExpectedPersonBirthDate, not both",
    ),
    Rule(
        "8530Q",
        "Check ExpectedPersonBirthDate: it should be no more than 30 days before and no more "
        "than 9 months after the census ReferenceDate",
    ),
    Rule("8535Q", "Check PersonDeathDate: it is before the child's PersonBirthDate"),
    Rule("8545Q", "Check PersonDeathDate: it should be within the census year"),
    Rule("4220", "Enter an Ethnicity from the DfE's Ethnicity code list"),
    Rule("8540", "Enter each Disability from the DfE's Disability code list"),
    Rule("8790", "Disability NONE cannot be given with other Disability codes: remove one"),
    Rule("8794", "Each Disability code can be given only once for a child: remove the repeat"),
    Rule("8590", "Add a CINdetails for this child: every child needs an episode of need"),
    Rule("4180", "Enter the child's sex as one of the DfE's codes (GenderCurrent 0, 1, 2 or 9)"),
    Rule("8750", "An unborn child's sex must be not known (GenderCurrent 0)"),
    Rule("8775Q", "Check PersonBirthDate: the child was over 25 at the census ReferenceDate"),
    Rule("1510", "UPN is not valid: its first character is not the check letter its digits give"),
    Rule("1520", "Another child in the file has the same UPN: a UPN belongs to one child only"),
    Rule("1540", "UPN is not valid: characters 5 to 12 must all be digits"),
    Rule("1550", "UPN is not valid: character 13 must be a digit or a letter other than I, O or S"),
    # CINdetails (episode of need)
    Rule("8600", "CINreferralDate must be on or before the census ReferenceDate"),
    Rule(
        "8569Q",
        "Check ReferralNFA: a referral from before the census year (more than one working day "
        "before it began) should not be a referral with no further action",
    ),
    Rule(
        "8825Q",
        "Check ReasonForClosure: RC8 and RC9 mean the case closed after an assessment, but this "
        "CINdetails has no assessment",
    ),
    Rule(
        "2990",
        "A case closed after assessment (RC8 or RC9) cannot have a CIN plan or a child "
        "protection plan: check the ReasonForClosure",
    ),
    Rule(
        "8873Q",
        "Check ReasonForClosure: a CINdetails whose only assessment found no factors (21) "
        "would usually close as RC8 or RC9",
    ),
    Rule(
        "8863Q",
        "Check the assessments: this one starts while another assessment is still going on",
    ),
    Rule("8945Q", "Check AssessmentFactors: use 18B or 18C rather than 18A"),
    Rule("8950Q", "Check AssessmentFactors: use 19B or 19C rather than 19A"),
    Rule(
        "8606",
        "CINreferralDate cannot be more than 40 weeks before the child's PersonBirthDate or "
        "ExpectedPersonBirthDate",
    ),
    Rule("8555Q", "Check CINreferralDate: it is after the child's PersonDeathDate"),
    Rule("8620", "CINclosureDate must be within the census year"),
    Rule("8630", "CINclosureDate must be on or after CINreferralDate"),
    Rule("8640", "Enter a ReasonForClosure from the DfE's Reason for Closure code list"),
    Rule("8650", "Enter a PrimaryNeedCode from the DfE's Primary Need code list"),
    Rule("8866", "Enter a ReferralSource from the DfE's Source of Referral code list"),
    Rule("8610", "Enter a PrimaryNeedCode for a referral that led to further action"),
    Rule("8568", "ReferralNFA must be given as true, false, 1 or 0"),
    Rule("8805", "Enter a ReasonForClosure for a CINdetails with a CINclosureDate"),
    Rule("8810", "Enter a CINclosureDate for a CINdetails with a ReasonForClosure"),
    Rule(
        "8565",
        "This date is after the CINdetails' CINclosureDate: activity cannot be recorded after "
        "an episode closed",
    ),
    Rule("8585Q", "Check ReasonForClosure RC2 (died): the child has no PersonDeathDate"),
    Rule("8820", "This CINdetails' dates overlap another CINdetails for this child"),
    Rule(
        "8815",
        "This child has more than one open CINdetails (no CINclosureDate) that is not a "
        "referral with no further action: close all but the latest",
    ),
    Rule(
        "8816",
        "This open CINdetails (no CINclosureDate) is not the child's latest: close it or "
        "correct the CINreferralDate",
    ),
    Rule("8832", "A referral with no further action cannot have a child protection plan"),
    Rule("4000", "A referral with no further action cannot have a CIN plan"),
    Rule("8831", "A referral with no further action cannot have an assessment"),
    # Assessments
    Rule("1103", "AssessmentActualStartDate must be on or after the CINreferralDate"),
    Rule("8608", "AssessmentAuthorisationDate must be on or after AssessmentActualStartDate"),
    Rule("8696", "AssessmentAuthorisationDate must be within the census year"),
    Rule(
        "8736",
        "AssessmentActualStartDate must be within the census year for an assessment with no "
        "AssessmentAuthorisationDate",
    ),
    Rule(
        "8614",
        "AssessmentFactors can only be given for an assessment with an AssessmentAuthorisationDate",
    ),
    Rule("8869", "AssessmentFactors 21 (no factors) cannot be given with other factors"),
    Rule("8898", "Each AssessmentFactors code can be given only once for an assessment"),
    Rule("8897Q", "Check the assessment: it is authorised but has no AssessmentFactors"),
    Rule(
        "8896",
        "This CINdetails has more than one assessment with no AssessmentAuthorisationDate",
    ),
    Rule(
        "8867",
        "This CINdetails is closed but has an assessment with no AssessmentAuthorisationDate",
    ),
    Rule(
        "8670Q",
        "Check the assessment: it started more than 45 working days before the census "
        "ReferenceDate and has no AssessmentAuthorisationDate",
    ),
    # CIN plans
    Rule("4010", "CINPlanStartDate must be on or before the census ReferenceDate"),
    Rule("4011", "CINPlanEndDate must be on or after CINPlanStartDate"),
    Rule("4012Q", "Check the CIN plan: it starts and ends on the same day"),
    Rule("4013", "CINPlanEndDate must be within the census year"),
    Rule("4014", "This CIN plan's dates overlap another CIN plan for this child"),
    Rule("4015", "CINPlanStartDate must be on or after the CINreferralDate"),
    Rule("4004", "This child has more than one open CIN plan (no CINPlanEndDate)"),
    Rule("4008", "CINPlanStartDate must be on or before the child's PersonDeathDate"),
    Rule("4009Q", "Check CINPlanEndDate: it is after the child's PersonDeathDate"),
    # Child protection plans
    Rule("1105", "CPPstartDate must be on or after the CINreferralDate"),
    Rule("8720", "CPPstartDate must be on or before the census ReferenceDate"),
    Rule("8840", "A child protection plan cannot start and end on the same day"),
    Rule("8841", "CPPreviewDate must be after the plan's CPPstartDate"),
    Rule("8842Q", "Check the review: a Reviews group has no CPPreviewDate"),
    Rule(
        "8905",
        "Enter an InitialCategoryOfAbuse from the DfE's Category of Abuse code list",
    ),
    Rule("8910", "Enter a LatestCategoryOfAbuse from the DfE's Category of Abuse code list"),
    Rule("8915", "CPPstartDate must be on or before the child's PersonDeathDate"),
    Rule("8920", "CPPendDate must be on or before the child's PersonDeathDate"),
    Rule("8925", "CPPendDate must be on or after CPPstartDate"),
    Rule("8930", "CPPendDate must be within the census year"),
    Rule("8935", "This child has more than one open child protection plan (no CPPendDate)"),
    # CIN plans beside child protection plans: a CP plan replaces the CIN plan for its time
    Rule(
        "4001",
        "A CIN plan cannot be open at the same time as an open child protection plan in the "
        "same CINdetails",
    ),
    Rule("4003", "A CPPreviewDate cannot fall while a CIN plan is running"),
    Rule("4016", "A CIN plan cannot start while a child protection plan is running"),
    Rule("4017", "A child protection plan cannot start while a CIN plan is running"),
    Rule("8940", "This child protection plan's dates overlap another plan for this child"),
)

# Changes by collection year, named by the year its ReferenceDate falls in (2025 is 2024-25):
# a Rule adds or replaces a code, None drops it. Each year builds on the ones before.
YEAR_CHANGES: dict[int, dict[str, Rule | None]] = {
    2025: {
        "1570": Rule("1570", "LAchildID must be 20 characters or fewer"),
        "1580": Rule("1580", "LAchildID can only contain letters and numbers"),
    },
}


def collection_year(reference_date: date | None) -> int:
    """The year the collection ends in: the file for 2025-03-31 is the 2024-25 collection.
    Without a ReferenceDate (the header's problem already refuses the file), the newest."""
    if reference_date is None:
        return max(YEAR_CHANGES)
    return reference_date.year if reference_date.month <= 3 else reference_date.year + 1


def rules_for(reference_date: date | None) -> dict[str, Rule]:
    year = collection_year(reference_date)
    rules = dict(BASE_RULES)
    for changed_year in sorted(YEAR_CHANGES):
        if changed_year > year:
            break
        for code, rule in YEAR_CHANGES[changed_year].items():
            if rule is None:
                rules.pop(code, None)
            else:
                rules[code] = rule
    return rules


# Checks -----------------------------------------------------------------------------------


class _Record(Protocol):
    values: dict[str, Any]
    line: int | None


class _CPPlan(_Record, Protocol):
    reviews: list[date]


class _Referral(Protocol):
    values: dict[str, Any]
    line: int | None
    assessments: list[Any]
    cin_plans: list[Any]
    cp_plans: list[Any]


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # the ReferenceDate

    def __contains__(self, value: date) -> bool:
        return self.start <= value <= self.end


def spans_overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    """Two spans overlap when each starts before the other ends (an open one never ends): one
    may start the day another ends, as cases.census_import._overlap allows for plans."""
    return (end_b is None or start_a < end_b) and (end_a is None or start_b < end_a)


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end`; no bank holidays."""
    if end <= start:
        return 0
    weeks, extra = divmod((end - start).days, 7)
    days = weeks * 5
    for n in range(1, extra + 1):
        if (start + timedelta(days=n)).weekday() < 5:
            days += 1
    return days


# The UPN's letters, each worth its place here: I, O and S are never used (DfE UPN guidance).
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_LENGTH = 13


def upn_breaks(upn: str) -> list[str]:
    """The DfE UPN format rules `upn` breaks (1540, 1550, then 1510, the check letter)."""
    breaks = []
    if len(upn) != UPN_LENGTH or not upn[4:12].isascii() or not upn[4:12].isdigit():
        breaks.append("1540")
    last = upn[12:13]
    if not (last.isascii() and last.isdigit()) and (last == "" or last not in _UPN_LETTERS):
        breaks.append("1550")
    if breaks or not (upn[1:4].isascii() and upn[1:4].isdigit()):
        return breaks or ["1510"]
    # Characters 2 to 13 weighted 2 to 13; a letter in place 13 counts as its place above.
    values = [int(c) for c in upn[1:12]] + [
        int(last) if last.isdigit() else _UPN_LETTERS.index(last)
    ]
    total = sum(value * weight for value, weight in zip(values, range(2, 14), strict=True))
    if upn[0] != _UPN_LETTERS[total % 23]:
        breaks.append("1510")
    return breaks


def la_child_id_breaks_1580(la_child_id: str) -> bool:
    """DfE 1580 allows letters and numbers only; the portal's own rule also allows hyphens."""
    return not (la_child_id.isascii() and la_child_id.isalnum())


def check_child(
    child: dict[str, Any],
    child_line: int | None,
    referrals: list[_Referral],
    episodes: int,
    period: Period | None,
    report: Report,
) -> None:
    """The rules across one child's validated values (codes and single dates already read);
    `episodes` counts its CINdetails, readable or not."""
    born, expected, died = (
        child.get("date_of_birth"),
        child.get("expected_date_of_birth"),
        child.get("date_of_death"),
    )
    if born and expected:
        report("8525Q", "ExpectedPersonBirthDate", child_line)
    if expected and not born and child.get("sex") not in (None, "U"):
        report("8750", "GenderCurrent", child_line)
    if born and died and died < born:
        report("8535Q", "PersonDeathDate", child_line)
    if period is not None:
        if born and born > period.end:
            report("8520", "PersonBirthDate", child_line)
        if born and born < _months_later(period.end, -25 * 12):
            report("8775Q", "PersonBirthDate", child_line)
        if expected and not (
            period.end - timedelta(days=30) <= expected <= _months_later(period.end, 9)
        ):
            report("8530Q", "ExpectedPersonBirthDate", child_line)
        if died and died not in period:
            report("8545Q", "PersonDeathDate", child_line)
    disabilities = child.get("disabilities") or []
    if "NONE" in disabilities and len(disabilities) > 1:
        report("8790", "Disability", child_line)
    if not episodes:
        report("8590", "LAchildID", child_line)
    for referral in referrals:
        _check_referral(referral, born or expected, died, period, report)
    _check_episodes(referrals, report)
    _check_plans(referrals, report)


def _months_later(value: date, months: int) -> date:
    month = value.month - 1 + months
    year, month = value.year + month // 12, month % 12 + 1
    for day in (value.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(value)  # pragma: no cover - day 28 exists in every month


def _check_referral(
    referral: _Referral,
    birth: date | None,
    died: date | None,
    period: Period | None,
    report: Report,
) -> None:
    values, line = referral.values, referral.line
    referred, closed = values["referral_date"], values["closure_date"]
    nfa = values["no_further_action"]
    if birth and referred < birth - timedelta(days=280):
        report("8606", "CINreferralDate", line)
    if died and referred > died:
        report("8555Q", "CINreferralDate", line)
    if values["closure_reason"] == "RC2" and not died:
        report("8585Q", "ReasonForClosure", line)
    if period is not None:
        if referred > period.end:
            report("8600", "CINreferralDate", line)
        if closed and closed not in period:
            report("8620", "CINclosureDate", line)
    if not nfa and not values["primary_need"]:
        report("8610", "PrimaryNeedCode", line)
    if period is not None and nfa and working_days_between(referred, period.start) > 1:
        report("8569Q", "ReferralNFA", line)
    after_assessment = values["closure_reason"] in ("RC8", "RC9")
    if after_assessment and not referral.assessments:
        report("8825Q", "ReasonForClosure", line)
    if after_assessment and (referral.cin_plans or referral.cp_plans):
        report("2990", "ReasonForClosure", line)
    only = referral.assessments[0] if len(referral.assessments) == 1 else None
    if (
        only is not None
        and closed
        and not after_assessment
        and only.values["authorised_date"]
        and only.values["factors"] == ["21"]
    ):
        report("8873Q", "ReasonForClosure", line)
    _check_assessments_overlap(referral.assessments, report)
    if nfa:
        if referral.cin_plans:
            report("4000", "ReferralNFA", line)
        if referral.cp_plans:
            report("8832", "ReferralNFA", line)
        if referral.assessments:
            report("8831", "ReferralNFA", line)
    open_assessments = 0
    for assessment in referral.assessments:
        start, authorised = assessment.values["start_date"], assessment.values["authorised_date"]
        if start is None:
            continue
        if start < referred:
            report("1103", "AssessmentActualStartDate", assessment.line)
        if closed and start > closed:
            report("8565", "AssessmentActualStartDate", assessment.line)
        if authorised is None:
            open_assessments += 1
            if closed:
                report("8867", "AssessmentAuthorisationDate", assessment.line)
        if period is not None:
            if authorised and authorised not in period:
                report("8696", "AssessmentAuthorisationDate", assessment.line)
            if authorised is None and start not in period:
                report("8736", "AssessmentActualStartDate", assessment.line)
            if authorised is None and working_days_between(start, period.end) > 45:
                report("8670Q", "AssessmentAuthorisationDate", assessment.line)
        factors = assessment.values["factors"]
        if factors and authorised is None:
            report("8614", "AssessmentFactors", assessment.line)
        if "21" in factors and len(factors) > 1:
            report("8869", "AssessmentFactors", assessment.line)
        if "18A" in factors:
            report("8945Q", "AssessmentFactors", assessment.line)
        if "19A" in factors:
            report("8950Q", "AssessmentFactors", assessment.line)
        if authorised and not factors:
            report("8897Q", "AssessmentFactors", assessment.line)
    if open_assessments > 1:
        report("8896", "AssessmentAuthorisationDate", line)
    for plan in referral.cin_plans:
        _check_plan(plan, _CIN_PLAN, referred, closed, died, period, report)
    for plan in referral.cp_plans:
        _check_plan(plan, _CP_PLAN, referred, closed, died, period, report)


@dataclass(frozen=True)
class _PlanRules:
    """The checks both kinds of plan share, each kind with its own DfE codes."""

    start: str  # the start and end elements
    end: str
    before_referral: str
    same_day: str
    start_after_death: str
    end_after_death: str
    start_after_period: str
    end_outside_period: str


_CIN_PLAN = _PlanRules(
    "CINPlanStartDate", "CINPlanEndDate", "4015", "4012Q", "4008", "4009Q", "4010", "4013"
)
_CP_PLAN = _PlanRules("CPPstartDate", "CPPendDate", "1105", "8840", "8915", "8920", "8720", "8930")


def _check_plan(
    plan: Any,
    rules: _PlanRules,
    referred: date,
    closed: date | None,
    died: date | None,
    period: Period | None,
    report: Report,
) -> None:
    start, end = plan.values["start_date"], plan.values["end_date"]
    if start is None:
        return
    if start < referred:
        report(rules.before_referral, rules.start, plan.line)
    if closed and start > closed:
        report("8565", rules.start, plan.line)
    if end and end == start:
        report(rules.same_day, rules.end, plan.line)
    if died and start > died:
        report(rules.start_after_death, rules.start, plan.line)
    if died and end and end > died:
        report(rules.end_after_death, rules.end, plan.line)
    if period is not None:
        if start > period.end:
            report(rules.start_after_period, rules.start, plan.line)
        if end and end not in period:
            report(rules.end_outside_period, rules.end, plan.line)


def _check_assessments_overlap(assessments: list[Any], report: Report) -> None:
    """8863Q: an assessment starting after another started and before it was authorised."""
    spans = [
        (a.values["start_date"], a.values["authorised_date"], a.line)
        for a in assessments
        if a.values["start_date"]
    ]
    for start, _, line in spans:
        if any(
            other_start < start and (other_end is None or start < other_end)
            for other_start, other_end, _ in spans
        ):
            report("8863Q", "AssessmentActualStartDate", line)


def _check_episodes(referrals: list[_Referral], report: Report) -> None:
    """8815, 8816, 8820: a child's episodes of need, in referral date order."""
    episodes = sorted(referrals, key=lambda r: r.values["referral_date"])
    open_episodes = [
        r
        for r in episodes
        if r.values["closure_date"] is None and not r.values["no_further_action"]
    ]
    if len(open_episodes) > 1:
        for episode in open_episodes[:-1]:
            report("8815", "CINclosureDate", episode.line)
    elif open_episodes and open_episodes[0] is not episodes[-1]:
        report("8816", "CINclosureDate", open_episodes[0].line)
    for i, episode in enumerate(episodes):
        for other in episodes[:i]:
            if spans_overlap(
                episode.values["referral_date"],
                episode.values["closure_date"],
                other.values["referral_date"],
                other.values["closure_date"],
            ):
                report("8820", "CINreferralDate", episode.line)
                break


def _check_plans(referrals: list[_Referral], report: Report) -> None:
    """4004, 4014, 8935, 4001, 4016, 4017, 4003: a child's CIN and CP plans across its
    episodes."""
    cin_plans = [p for r in referrals for p in r.cin_plans if p.values["start_date"]]
    _check_open_and_overlaps(cin_plans, "CINPlanStartDate", "4004", "4014", report)
    cp_plans = [p for r in referrals for p in r.cp_plans if p.values["start_date"]]
    open_cp = [p for p in cp_plans if p.values["end_date"] is None]
    for plan in open_cp[1:]:
        report("8935", "CPPendDate", plan.line)
    for referral in referrals:
        if any(p.values["end_date"] is None for p in referral.cp_plans if p.values["start_date"]):
            for plan in referral.cin_plans:
                if plan.values["start_date"] and plan.values["end_date"] is None:
                    report("4001", "CINPlanEndDate", plan.line)
    _check_cin_beside_cp(cin_plans, cp_plans, report)


def _running_on(day: date, plan: _Record) -> bool:
    """A plan runs from its start up to the day before its end (or on, while open): the next
    plan may begin the day it ends."""
    end = plan.values["end_date"]
    return plan.values["start_date"] <= day and (end is None or day < end)


def _check_cin_beside_cp(cin_plans: list[_Record], cp_plans: list[_CPPlan], report: Report) -> None:
    """4016, 4017 and 4003, across the child's episodes."""
    for cin in cin_plans:
        if any(_running_on(cin.values["start_date"], cp) for cp in cp_plans):
            report("4016", "CINPlanStartDate", cin.line)
    for cp in cp_plans:
        if any(_running_on(cp.values["start_date"], cin) for cin in cin_plans):
            report("4017", "CPPstartDate", cp.line)
        ended = cp.values["end_date"]
        if any(
            review != ended and _running_on(review, cin)
            for review in cp.reviews
            for cin in cin_plans
        ):
            report("4003", "CPPreviewDate", cp.line)


def _check_open_and_overlaps(
    plans: Iterable[_Record], element: str, open_code: str, overlap_code: str, report: Report
) -> None:
    plans = list(plans)
    for plan in [p for p in plans if p.values["end_date"] is None][1:]:
        report(open_code, element.replace("Start", "End"), plan.line)
    for i, plan in enumerate(plans):
        for other in plans[:i]:
            if plan.values["start_date"] == other.values["start_date"]:
                continue  # the same start twice is its own problem, reported by the reader
            if spans_overlap(
                plan.values["start_date"],
                plan.values["end_date"],
                other.values["start_date"],
                other.values["end_date"],
            ):
                report(overlap_code, element, plan.line)
                break
