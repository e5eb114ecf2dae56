"""The Working Group's meeting for a quarter: its date, the decisions and IPAG referrals it
recorded, open ones carried forward from earlier meetings, and the quarter's challenges."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.quarters import Quarter
from neglect_portal.records import once
from neglect_portal.records.history import history_entries
from neglect_portal.records.stale import StaleRefusal
from neglect_portal.records.versions import StaleEdit
from neglect_portal.records.views import show_validation_error

from . import selectors, services
from .challenge_forms import DecisionForm, DecisionStatusForm, MeetingForm
from .models import Decision

reads_decisions = access.only_for(access.reads_decisions)


@require_GET
@reads_decisions
def meeting_latest(request):
    """The meeting that reads the latest complete quarter."""
    return redirect("actionplans:meeting", quarter=Quarter.latest_complete())


def _meeting_url(quarter: Quarter, anchor: str = "") -> str:
    url = reverse("actionplans:meeting", args=[quarter])
    return f"{url}#{anchor}" if anchor else url


def _kept(form, version: int) -> None:
    data = form.data.copy()
    data[form.add_prefix("version")] = version
    form.data = data


@require_http_methods(["GET", "POST"])
@reads_decisions
def meeting(request, quarter):
    # A quarter's meeting reads it after it ends; one not begun has no meeting yet.
    if quarter.start > today():
        raise Http404("That quarter has not started")
    user = request.user
    may_record = access.records_decisions(user)
    current = selectors.meeting_for(quarter)
    meeting_form = MeetingForm(None, meeting=current) if may_record else None
    decision_form = once.carry_token(DecisionForm(None)) if may_record else None
    decisions = selectors.decisions_due(quarter)
    status_forms = {d.pk: DecisionStatusForm(None, decision=d) for d in decisions}
    shown, stale, status = None, None, 200
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        step = request.POST.get("step")
        if step == "meeting":
            shown = meeting_form = MeetingForm(request.POST, meeting=current)
            if meeting_form.is_valid():
                try:
                    services.meeting_record(
                        quarter=quarter,
                        date=meeting_form.cleaned_data["date"],
                        user=user,
                        version=meeting_form.cleaned_data["version"],
                    )
                except StaleEdit as refused:
                    saved = refused.current
                    if saved is not None and saved.date == meeting_form.cleaned_data["date"]:
                        return once.already_saved(request, _meeting_url(quarter))
                    _kept(meeting_form, saved.version if saved else 0)
                    stale, status, current = StaleRefusal("meeting date", []), 409, saved
                else:
                    messages.success(request, f"Meeting date saved for {quarter.label}")
                    return redirect(_meeting_url(quarter))
        elif step == "decision":
            shown = decision_form = once.carry_token(DecisionForm(request.POST))
            if not decision_form.is_valid():
                earlier = once.earlier_result(request)
                if earlier:
                    return once.already_saved(request, earlier)
            else:
                data = decision_form.cleaned_data
                try:
                    done = once.submit_once(
                        request,
                        lambda: services.decision_add(
                            quarter=quarter,
                            kind=data["kind"],
                            text=data["text"],
                            due_date=data["due_date"],
                            owner_agency=data["owner_agency"],
                            owner_user=data["owner_user"],
                            user=user,
                        ),
                        lambda decision: _meeting_url(quarter, f"decision-{decision.pk}"),
                    )
                except ValidationError as error:
                    show_validation_error(decision_form, error)
                else:
                    if done.again:
                        return once.already_saved(request, done.url)
                    messages.success(request, "Added to the meeting's record")
                    return redirect(done.url)
        elif step == "status":
            decision_id = request.POST.get("decision", "")
            if not decision_id.isascii() or not decision_id.isdigit():
                raise Http404("No such decision")
            decision = get_object_or_404(Decision, pk=int(decision_id))
            shown = form = DecisionStatusForm(request.POST, decision=decision)
            status_forms[decision.pk] = form
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.decision_update_status(
                        decision=decision,
                        user=user,
                        status=data["status"],
                        reason=data["reason"],
                        version=data["version"],
                    )
                except StaleEdit as refused:
                    saved = refused.current
                    if saved.status == data["status"]:
                        return once.already_saved(
                            request, _meeting_url(quarter, f"decision-{decision.pk}")
                        )
                    _kept(form, saved.version)
                    form.add_error(
                        None,
                        f"Someone else marked it {saved.get_status_display().lower()} after "
                        "you opened the page. Save again to change it",
                    )
                    status = 409
                except ValidationError as error:
                    show_validation_error(form, error)
                else:
                    messages.success(request, "Status saved")
                    return redirect(_meeting_url(quarter, f"decision-{decision.pk}"))
        else:
            return HttpResponseBadRequest("Unknown form")
    rows = [(d, status_forms.get(d.pk) if may_record else None) for d in decisions]
    return render(
        request,
        "actionplans/meeting.html",
        {
            "quarter": quarter,
            "meeting": current,
            "meeting_form": meeting_form,
            "decision_form": decision_form,
            "this_quarter": [row for row in rows if not row[0].carried_forward],
            "carried_forward": [row for row in rows if row[0].carried_forward],
            "round": selectors.challenges_for_quarter(quarter, user=user),
            "may_record": may_record,
            "today": today(),
            "form": shown,
            "stale": stale,
            "previous_quarter": quarter.previous(),
            "next_quarter": quarter.next() if quarter.next().start <= today() else None,
        },
        status=status,
    )


@require_GET
@reads_decisions
def decision_history(request, pk):
    decision = get_object_or_404(Decision, pk=pk)
    quarter = Quarter.parse(decision.quarter)
    return render(
        request,
        "actionplans/record_history.html",
        {
            "title": f"History of the {decision.get_kind_display().lower()}",
            "caption": f"Working Group, {quarter.label}",
            "record": decision.short,
            "entries": history_entries(decision),
            "back_to": _meeting_url(quarter, f"decision-{decision.pk}"),
            "back_label": f"Back to the meeting for {quarter.label}",
        },
    )
