"""One drill-down row per counted record, the same on the page and in the CSV: the child it
belongs to, what the record is, its date(s) and, for toolkit records, the agency.

The records come from `selectors.drill_down`, with what a row reads already fetched, so a
page of rows costs no query per row.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from cases.models import (
    Assessment,
    Child,
    ChildInNeedPlan,
    ChildProtectionPlan,
    CPReview,
    Referral,
)
from neglect_portal.dates import long_date
from neglect_portal.quarters import Quarter
from toolkit.models import (
    SDQ,
    AssessmentChecklist,
    ChronologyEntry,
    DayInMyLife,
    NextStep,
    ParentChildObservation,
)

from .audit_models import AuditJudgement

WHICH_LABELS = {"numerator": "In the numerator", "denominator": "In the denominator"}
# What a row reads besides the child (which neglect_portal.access fetches with the record).
ROW_READS = {
    ChronologyEntry: ("source_agency",),
    SDQ: ("author_agency",),
    NextStep: ("analysis__author_agency",),
    DayInMyLife: ("author_agency",),
    AssessmentChecklist: ("author_agency",),
    ParentChildObservation: ("author_agency",),
    AuditJudgement: ("criterion", "sample__round"),
}
MANDATORY_FORMS = (DayInMyLife, AssessmentChecklist, ParentChildObservation)


@dataclass(frozen=True)
class Row:
    child: Child
    record: str
    dates: str
    agency: str = ""


def _day(day: date | None) -> str:
    return long_date(day) if day else ""


def _span(start: date, end: date | None) -> str:
    return f"{_day(start)} to {_day(end)}" if end else f"from {_day(start)}"


def row(record) -> Row:
    if isinstance(record, Child):
        return Row(record, "Child", "")
    if isinstance(record, ChildProtectionPlan):
        return Row(
            record.child,
            f"Child protection plan ({record.get_latest_category_display()})",
            _span(record.start_date, record.end_date),
        )
    if isinstance(record, ChildInNeedPlan):
        return Row(record.child, "Child in need plan", _span(record.start_date, record.end_date))
    if isinstance(record, Referral):
        return Row(record.child, "Referral", _day(record.referral_date))
    if isinstance(record, Assessment):
        return Row(
            record.referral.child, "Assessment", f"authorised {_day(record.authorised_date)}"
        )
    if isinstance(record, ChronologyEntry):
        return Row(
            record.chronology.child,
            "Chronology entry",
            f"recorded {_day(record.recorded_on)}",
            record.source_agency.name,
        )
    if isinstance(record, SDQ):
        band = f", total difficulties {record.total_band.lower()}" if record.total_band else ""
        return Row(
            record.child,
            f"Strengths and Difficulties Questionnaire{band}",
            f"completed {_day(record.completed_on)}",
            record.author_agency.name,
        )
    if isinstance(record, NextStep):
        return Row(
            record.analysis.child,
            "Next step",
            _step_dates(record),
            record.analysis.author_agency.name,
        )
    if isinstance(record, CPReview):
        return Row(
            record.plan.child,
            f"Child protection review (plan from {_day(record.plan.start_date)})",
            _day(record.review_date),
        )
    if isinstance(record, AuditJudgement):
        # The child's sample number, as the round's pages name them, beside the child.
        return Row(
            record.sample.child,
            f"Audit judgement, {record.sample.round.title} (child {record.sample.number}): "
            f"{record.criterion.title}, {record.get_grade_display().lower()}",
            f"moderated {_day(timezone.localdate(record.sample.moderated_at))}",
        )
    if isinstance(record, MANDATORY_FORMS):
        return Row(
            record.child,
            str(record),
            f"completed {_day(record.completed_on)}",
            record.author_agency.name,
        )
    raise TypeError(f"No drill-down row for {type(record).__name__}")


def _step_dates(step: NextStep) -> str:
    due = f"due {_day(step.due_on)}" if step.due_on else "no due date"
    if step.done_on:
        return f"{due}, done {_day(step.done_on)}"
    if step.closed_on:
        return f"{due}, no longer needed from {_day(step.closed_on)}"
    return due


CSV_HEADER = ["LA child ID", "Child", "Record", "Dates", "Agency"]


def described(code: str, which: str, quarter: Quarter) -> str:
    """Which list this is, for the access log: "CP_NEGLECT_SHARE in the denominator, 2024-25 Q1"."""
    return f"{code} {WHICH_LABELS[which].lower()}, {quarter.label}"


def csv_rows(records, *, children: set[int]):
    """The CSV's rows. Each row's child is added to `children` as it is written, so the
    export's access-log entry can say how many children it named without a query of its own."""
    for record in records.iterator(chunk_size=2000):
        shown = row(record)
        children.add(shown.child.pk)
        yield [
            shown.child.la_child_id,
            shown.child.full_name,
            shown.record,
            shown.dates,
            shown.agency,
        ]
