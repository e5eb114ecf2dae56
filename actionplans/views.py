from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases.record_history import history_entries
from cases.services import StaleEdit
from neglect_portal import access
from neglect_portal.kept_answers import keeps_answers_through_sign_in, kept_answers
from neglect_portal.quarters import Quarter
from neglect_portal.spreadsheets import csv_response, xlsx_response

from . import selectors, services
from .forms import ActionForm, ActionPlanForm, QuarterForm, ReopenForm
from .models import Action, ActionPlan, ActionUpdate, Objective, QuarterlyReport

OBJECTIVE_ORDER = {value: i for i, value in enumerate(Objective.values)}
STALE = (
    "Someone else saved this after you opened it. Your changes are below and have not "
    "been saved: check them and save again"
)


def _plan_or_404(request, pk) -> ActionPlan:
    return get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)


def _changeable_plan(request, pk) -> ActionPlan:
    """Outsiders get 404; those who may read but not change get 403."""
    plan = _plan_or_404(request, pk)
    if not access.can_change_action_plan(request.user, plan):
        raise PermissionDenied
    return plan


# Plans -------------------------------------------------------------------------------------


@require_GET
def plan_list(request):
    plans = selectors.plans_visible_to(request.user).order_by("agency__name", "-period_start")
    page = Paginator(plans, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "actionplans/plan_list.html",
        {
            "page": page,
            "can_add": access.can_add_action_plan(request.user, request.user.agency),
            "reads_all": access.reads_every_action_plan(request.user),
        },
    )


@require_GET
def my_plan(request):
    if not access.leads_agency_plan(request.user):
        raise PermissionDenied
    plan = selectors.current_plan_of(request.user.agency)
    if plan is not None:
        return redirect("actionplans:plan_detail", pk=plan.pk)
    return render(request, "actionplans/no_plan.html", {"agency": request.user.agency})


@require_http_methods(["GET", "POST"])
def plan_add(request):
    user = request.user
    may_choose = user.is_administrator
    if not access.can_add_action_plan(user, user.agency):
        raise PermissionDenied
    instance = ActionPlan(agency=None if may_choose else user.agency)
    form = ActionPlanForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        may_choose_agency=may_choose,
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.action_plan_add(plan=form.instance, user=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Plan added")
            return redirect("actionplans:plan_detail", pk=plan.pk)
    return render(
        request,
        "actionplans/form.html",
        {
            "form": form,
            "title": "Add an action plan",
            "cancel_url": reverse("actionplans:plan_list"),
        },
    )


@require_GET
def plan_detail(request, pk):
    plan = _plan_or_404(request, pk)
    can_change = access.can_change_action_plan(request.user, plan)
    reports = selectors.reports_by_quarter(plan)
    today = date.today()
    quarters = [q for q in plan.quarters if q.start <= today]
    quarter_rows = [(q, reports.get(q.slug)) for q in reversed(quarters)]
    # The RAG history shows the last four quarters the plan has run, oldest first.
    history_quarters = quarters[-4:]
    return render(
        request,
        "actionplans/plan_detail.html",
        {
            "plan": plan,
            "groups": selectors.plan_actions_by_objective(plan, on=today),
            "can_change": can_change,
            "quarter_rows": quarter_rows,
            "visible_quarters": {
                q.slug
                for q, report in quarter_rows
                if access.can_read_quarterly_report(request.user, plan, report)
            },
            "history_quarters": history_quarters,
        },
    )


def _stale_message(form, current_version):
    form.add_error(None, STALE)
    form.data = form.data.copy()
    form.data["version"] = current_version


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = _changeable_plan(request, pk)
    form = ActionPlanForm(request.POST if request.method == "POST" else None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_plan_update(
                form.instance, user=request.user, expected_version=form.cleaned_data["version"] or 0
            )
        except StaleEdit as stale:
            _stale_message(form, stale.current.version)
        else:
            messages.success(request, "Plan details saved")
            return redirect("actionplans:plan_detail", pk=plan.pk)
    return render(
        request,
        "actionplans/form.html",
        {
            "form": form,
            "title": "Edit the plan's details",
            "plan": plan,
            "cancel_url": reverse("actionplans:plan_detail", args=[plan.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def action_add(request, pk):
    plan = _changeable_plan(request, pk)
    form = ActionForm(
        request.POST if request.method == "POST" else None, plan=plan, instance=Action(plan=plan)
    )
    if request.method == "POST" and form.is_valid():
        services.action_add(action=form.instance, user=request.user)
        messages.success(request, "Action added")
        return redirect("actionplans:plan_detail", pk=plan.pk)
    return render(
        request,
        "actionplans/form.html",
        {
            "form": form,
            "title": "Add an action",
            "plan": plan,
            "cancel_url": reverse("actionplans:plan_detail", args=[plan.pk]),
        },
    )


@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    action = get_object_or_404(
        Action.objects.filter(
            plan__in=selectors.plans_visible_to(request.user).values("pk")
        ).select_related("plan__agency"),
        pk=pk,
    )
    plan = action.plan
    if not access.can_change_action_plan(request.user, plan):
        raise PermissionDenied
    form = ActionForm(
        request.POST if request.method == "POST" else None, plan=plan, instance=action
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                form.instance, user=request.user, expected_version=form.cleaned_data["version"] or 0
            )
        except StaleEdit as stale:
            _stale_message(form, stale.current.version)
        else:
            messages.success(request, "Action saved")
            return redirect("actionplans:plan_detail", pk=plan.pk)
    return render(
        request,
        "actionplans/form.html",
        {
            "form": form,
            "title": "Edit the action",
            "plan": plan,
            "cancel_url": reverse("actionplans:plan_detail", args=[plan.pk]),
        },
    )


# The quarter: ratings and the summary report ----------------------------------------------


def _quarter_context(request, pk, quarter: Quarter):
    plan = _plan_or_404(request, pk)
    # A quarter that has not started has nothing to report yet, so it cannot be rated or
    # submitted (the plan page lists only started quarters).
    if quarter not in plan.quarters or quarter.start > date.today():
        raise Http404
    report = (
        QuarterlyReport.objects.filter(plan=plan, quarter=quarter.slug)
        .select_related("submitted_by")
        .first()
    )
    if not access.can_read_quarterly_report(request.user, plan, report):
        raise Http404  # a quarter still being written is not published
    return plan, report


@keeps_answers_through_sign_in
@require_http_methods(["GET", "POST"])
def quarter_page(request, pk, quarter):
    plan, report = _quarter_context(request, pk, quarter)
    actions = sorted(
        plan.actions.select_related("owner"),
        key=lambda a: (OBJECTIVE_ORDER[a.objective], a.due_date, a.pk),
    )
    updates = {
        u.action_id: u for u in ActionUpdate.objects.filter(action__plan=plan, quarter=quarter.slug)
    }
    previous = services.previous_ratings(plan, quarter)
    context = {
        "plan": plan,
        "quarter": quarter,
        "report": report,
        "previous": previous,
        "can_reopen": access.can_reopen_quarter(request.user, report),
        "history": _report_history(report),
    }
    if not access.can_change_quarter(request.user, plan, report):
        if request.method == "POST":
            raise PermissionDenied
        rows = [(a, updates.get(a.pk)) for a in actions]
        return render(request, "actionplans/quarter_read.html", {**context, "rows": rows})
    kept = kept_answers(request)
    if kept is not None:
        messages.warning(
            request,
            "You were signed out before your ratings were saved. They "
            "are below: check them and save again",
        )
    form = QuarterForm(
        kept if kept is not None else request.POST if request.method == "POST" else None,
        actions=actions,
        updates=updates,
        report=report,
        previous=previous,
        quarter=quarter,
    )
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data["version"] or 0
        try:
            # Everything typed is saved first, so a gap found at submission loses nothing.
            report = services.quarter_save_draft(
                plan=plan,
                quarter=quarter,
                ratings=form.ratings(),
                report_fields=form.report_values(),
                user=request.user,
                expected_version=expected,
            )
            if request.POST.get("action") != "submit":
                messages.success(request, f"Draft saved for {quarter.label}")
                return redirect("actionplans:quarter", pk=plan.pk, quarter=quarter)
            services.quarter_submit(
                plan=plan, quarter=quarter, user=request.user, expected_version=report.version
            )
        except StaleEdit as stale:
            _stale_message(form, stale.current.version if stale.current else 0)
        except services.QuarterLocked:
            raise PermissionDenied from None
        except ValidationError as gaps:
            form = QuarterForm(
                request.POST.dict() | {"version": report.version},
                actions=actions,
                updates=updates,
                report=report,
                previous=previous,
                quarter=quarter,
            )
            form.is_valid()
            for name, problems in gaps.message_dict.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
            context["report"] = report
        else:
            messages.success(request, f"{quarter.label} submitted to the Working Group")
            return redirect("actionplans:quarter", pk=plan.pk, quarter=quarter)
    return render(request, "actionplans/quarter_form.html", {**context, "form": form})


def _report_history(report):
    """Submissions and reopenings, with the reasons given, newest first. One query."""
    if report is None:
        return []
    events, status = [], QuarterlyReport.Status.DRAFT
    for row in report.history.select_related("history_user").order_by("history_date", "history_id"):
        if row.status != status:
            events.append(
                {
                    "when": row.history_date,
                    "who": row.history_user or "System",
                    "what": "Submitted" if row.status == "submitted" else "Reopened",
                    "reason": row.history_change_reason or "",
                }
            )
        status = row.status
    return events[::-1]


@require_http_methods(["GET", "POST"])
def quarter_reopen(request, pk, quarter):
    plan, report = _quarter_context(request, pk, quarter)
    if not access.can_reopen_quarter(request.user, report):
        raise PermissionDenied
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.quarter_reopen(
            report,
            user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=report.version,
        )
        messages.success(request, f"{quarter.label} reopened for {plan.agency}")
        return redirect("actionplans:quarter", pk=plan.pk, quarter=quarter)
    return render(
        request,
        "actionplans/form.html",
        {
            "form": form,
            "title": f"Reopen {quarter.label}",
            "plan": plan,
            "cancel_url": reverse("actionplans:quarter", args=[plan.pk, quarter]),
        },
    )


# The Working Group's view of the partnership ----------------------------------------------


def _may_scrutinise(request):
    if not access.reads_every_action_plan(request.user):
        raise PermissionDenied


def reporting_quarter(today: date | None = None) -> Quarter:
    """The quarter the Working Group looks at by default: the last one to have ended."""
    return Quarter.containing(today or date.today()).previous()


@require_GET
def overview_latest(request):
    _may_scrutinise(request)
    return redirect("actionplans:overview", quarter=reporting_quarter())


@require_GET
def overview(request, quarter):
    _may_scrutinise(request)
    overdue = Paginator(selectors.overdue_actions(quarter), 25).get_page(request.GET.get("page"))
    current = Quarter.containing(date.today())
    return render(
        request,
        "actionplans/overview.html",
        {
            "quarter": quarter,
            **selectors.overview(quarter),
            "overdue": overdue,
            "page": overdue,
            "next_quarter": quarter.next() if quarter < current else None,
        },
    )


@require_GET
def overview_print(request, quarter):
    _may_scrutinise(request)
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
def submissions_csv(request, quarter):
    _may_scrutinise(request)
    return csv_response(
        f"action-plan-submissions-{quarter.slug}.csv",
        RATINGS_HEADER,
        _rating_rows(quarter, as_text=True),
    )


@require_GET
def submissions_xlsx(request, quarter):
    _may_scrutinise(request)
    return xlsx_response(
        f"action-plan-submissions-{quarter.slug}.xlsx",
        [
            ("Ratings", RATINGS_HEADER, _rating_rows(quarter, as_text=False)),
            ("Summary reports", REPORTS_HEADER, _report_rows(quarter)),
        ],
    )


# History ------------------------------------------------------------------------------------


@require_GET
def plan_history(request, pk):
    plan = _plan_or_404(request, pk)
    return render(
        request,
        "actionplans/history.html",
        {"plan": plan, "record": plan, "kind_label": "the plan", "entries": history_entries(plan)},
    )


@require_GET
def action_history(request, pk):
    action = get_object_or_404(
        Action.objects.filter(
            plan__in=selectors.plans_visible_to(request.user).values("pk")
        ).select_related("plan__agency"),
        pk=pk,
    )
    return render(
        request,
        "actionplans/history.html",
        {
            "plan": action.plan,
            "record": action.short,
            "kind_label": "the action",
            "entries": history_entries(action),
        },
    )
