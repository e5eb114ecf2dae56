"""The Working Group's view of the partnership: the overview of every agency's ratings, its
print page and the exports of the quarter's submissions."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.quarters import Quarter
from neglect_portal.spreadsheets import csv_response, xlsx_response

from . import selectors

scrutinises = access.only_for(access.reads_every_action_plan)


@require_GET
@scrutinises
def overview_latest(request):
    """The quarter the Working Group looks at by default: the last one to have ended."""
    return redirect("actionplans:overview", quarter=Quarter.latest_complete())


@require_GET
@scrutinises
def overview(request, quarter):
    overdue = Paginator(selectors.overdue_actions(quarter), 25).get_page(request.GET.get("page"))
    current = Quarter.containing(today())
    return render(
        request,
        "actionplans/overview.html",
        {
            "quarter": quarter,
            **selectors.overview(quarter),
            "overdue": overdue,
            "page": overdue,
            "next_quarter": quarter.next() if quarter < current else None,
            "challenge_round": selectors.challenges_for_quarter(quarter, user=request.user),
        },
    )


@require_GET
@scrutinises
def overview_print(request, quarter):
    return render(
        request,
        "actionplans/overview_print.html",
        {
            "quarter": quarter,
            **selectors.overview(quarter),
            "overdue": selectors.overdue_actions(quarter),
            "reports": selectors.submitted_reports(quarter),
        },
    )


RATINGS_HEADER = [
    "Quarter",
    "Agency",
    "Objective",
    "Action",
    "Owner",
    "Start date",
    "Due date",
    "RAG rating",
    "Progress",
    "Evidence of impact",
]
REPORTS_HEADER = [
    "Quarter",
    "Agency",
    "Submitted by",
    "Submitted on",
    "What we did",
    "What difference it made for children",
    "How we know",
    "Challenges",
    "Next steps",
]


def _rating_rows(quarter, *, as_text):
    for update in selectors.submissions(quarter):
        action = update.action
        dates = [action.start_date, action.due_date]
        if as_text:
            dates = [d.isoformat() if d else "" for d in dates]
        yield [
            quarter.label,
            action.plan.agency.name,
            action.get_objective_display(),
            action.description,
            action.owner_display,
            *dates,
            update.get_rag_display(),
            update.narrative,
            update.evidence_of_impact,
        ]


def _report_rows(quarter):
    for report in selectors.submitted_reports(quarter):
        yield [
            quarter.label,
            report.plan.agency.name,
            str(report.submitted_by or ""),
            # The day in the UK, not in UTC: late on 30 June is 1 July in summer time.
            timezone.localdate(report.submitted_at) if report.submitted_at else None,
            report.what_we_did,
            report.difference_for_children,
            report.how_we_know,
            report.challenges,
            report.next_steps,
        ]


@require_GET
@scrutinises
def submissions_csv(request, quarter):
    return csv_response(
        f"action-plan-submissions-{quarter.slug}.csv",
        RATINGS_HEADER,
        _rating_rows(quarter, as_text=True),
    )


@require_GET
@scrutinises
def submissions_xlsx(request, quarter):
    return xlsx_response(
        f"action-plan-submissions-{quarter.slug}.xlsx",
        [
            ("Ratings", RATINGS_HEADER, _rating_rows(quarter, as_text=False)),
            ("Summary reports", REPORTS_HEADER, _report_rows(quarter)),
        ],
    )
