"""A plan's quarter: every action's RAG rating and the summary report, saved, submitted,
read back and reopened."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.kept_answers import keeps_answers_through_sign_in, kept_answers
from neglect_portal.quarters import Quarter
from neglect_portal.records.stale import refuse_stale
from neglect_portal.records.versions import StaleEdit
from neglect_portal.records.views import reopen_page, show_validation_error

from . import selectors, services
from .forms import QuarterForm
from .models import ActionUpdate, Objective, QuarterlyReport

OBJECTIVE_ORDER = {value: i for i, value in enumerate(Objective.values)}


def _quarter_context(request, pk, quarter: Quarter):
    plan = selectors.plan_or_404(request.user, pk)
    # A quarter that has not started has nothing to report yet, so it cannot be rated or
    # submitted (the plan page lists only started quarters).
    if quarter not in plan.quarters or quarter.start > today():
        raise Http404
    report = (
        QuarterlyReport.objects.filter(plan=plan, quarter=quarter.slug)
        .select_related("submitted_by")
        .first()
    )
    if not access.can_read_quarterly_report(request.user, plan, report):
        raise Http404  # a quarter still being written is not published
    return plan, report


def _updates(plan, quarter: Quarter) -> dict:
    return {
        u.action_id: u for u in ActionUpdate.objects.filter(action__plan=plan, quarter=quarter.slug)
    }


@keeps_answers_through_sign_in
@require_http_methods(["GET", "POST"])
def quarter_page(request, pk, quarter):
    plan, report = _quarter_context(request, pk, quarter)
    actions = sorted(
        plan.actions.select_related("owner"),
        key=lambda a: (OBJECTIVE_ORDER[a.objective], a.due_date, a.pk),
    )
    updates = _updates(plan, quarter)
    previous = selectors.previous_ratings(plan, quarter)
    context = {
        "plan": plan,
        "quarter": quarter,
        "report": report,
        "previous": previous,
        "can_reopen": access.can_reopen_quarter(request.user, report),
        "may_raise": access.raises_challenges(request.user),
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

    def quarter_form(data, *, updates=updates, report=report):
        return QuarterForm(
            data,
            actions=actions,
            updates=updates,
            report=report,
            previous=previous,
            quarter=quarter,
        )

    form = quarter_form(
        kept if kept is not None else request.POST if request.method == "POST" else None
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
            saved = quarter_form(None, updates=_updates(plan, quarter), report=stale.current)
            version = stale.current.version if stale.current else 0
            context["stale"] = refuse_stale(form, saved, version=version, thing="quarter")
            return render(
                request, "actionplans/quarter_form.html", {**context, "form": form}, status=409
            )
        except services.QuarterLocked:
            raise PermissionDenied from None
        except ValidationError as gaps:
            form = quarter_form(request.POST.dict() | {"version": report.version})
            form.is_valid()
            show_validation_error(form, gaps)
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
                    # The report's row keeps the whole reason; the change reason holds 100
                    # characters of it.
                    "reason": f"Reopened: {row.reopen_reason}"
                    if row.reopen_reason
                    else row.history_change_reason or "",
                }
            )
        status = row.status
    return events[::-1]


@require_http_methods(["GET", "POST"])
def quarter_reopen(request, pk, quarter):
    plan, report = _quarter_context(request, pk, quarter)
    if not access.can_reopen_quarter(request.user, report):
        raise PermissionDenied
    return reopen_page(
        request,
        what="quarter",
        kept="This is kept in the report's history and shown on the quarter's page",
        reopen=lambda reason: services.quarter_reopen(
            report, user=request.user, reason=reason, expected_version=report.version
        ),
        reopened=f"{quarter.label} reopened for {plan.agency}",
        back_to=reverse("actionplans:quarter", args=[plan.pk, quarter]),
        context={
            "title": f"Reopen {quarter.label}",
            "plan": plan,
            "caption": plan.agency,
            "breadcrumbs": "actionplans/_plan_breadcrumbs.html",
        },
    )
