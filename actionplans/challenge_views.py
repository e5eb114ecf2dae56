"""The Working Group's challenges: raising one on a plan or a quarterly report (and, through
`raise_challenge_page`, on the dataset's indicators and themes), reading, answering and
closing it, its history and the list of every challenge the viewer may read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter
from neglect_portal.records import once
from neglect_portal.records.history import history_entries
from neglect_portal.records.stale import StaleRefusal, refuse_stale
from neglect_portal.records.versions import StaleEdit
from neglect_portal.records.views import show_validation_error

from . import selectors, services
from .challenge_forms import ChallengeAnswerForm, ChallengeCloseForm, ChallengeRaiseForm
from .models import ActionPlan, Challenge, QuarterlyReport

PAGE_SIZE = 25


def raise_challenge_page(
    request: HttpRequest,
    *,
    subject: str,
    quarter: Quarter,
    subject_label: str,
    back_to: str,
    indicator_code: str = "",
    plan: ActionPlan | None = None,
    breadcrumbs: str = "",
) -> HttpResponse:
    """The raise form for one subject, which the caller has found inside the viewer's scope
    and named (`subject_label`, never taken from the address). An indicator or a theme asks
    which agency it is addressed to; a plan's challenge goes to the plan's agency."""
    if not access.raises_challenges(request.user):
        raise PermissionDenied
    if quarter.start > today():
        # Nothing of a quarter not begun has been reported yet; the address would otherwise
        # name it in the challenge's label and put it on that quarter's meeting.
        raise Http404("That quarter has not started")
    due = selectors.challenge_due_default()
    data = request.POST if request.method == "POST" else None
    form = once.carry_token(ChallengeRaiseForm(data, due_default=due, asks_agency=plan is None))
    if form.is_bound:
        if not form.is_valid():
            earlier = once.earlier_result(request)
            if earlier:
                return once.already_saved(request, earlier)
        else:
            agency: Agency = plan.agency if plan is not None else form.cleaned_data["agency"]

            def create() -> Challenge:
                return services.challenge_raise(
                    user=request.user,
                    subject=subject,
                    agency=agency,
                    text=form.cleaned_data["text"],
                    due_date=form.cleaned_data["due_date"],
                    quarter=quarter,
                    subject_label=subject_label,
                    indicator_code=indicator_code,
                    plan=plan,
                )

            try:
                done = once.submit_once(request, create, _detail_url)
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                if done.again:
                    return once.already_saved(request, done.url)
                messages.success(request, f"Challenge raised with {agency}")
                return redirect(done.url)
    return render(
        request,
        "actionplans/challenge_raise.html",
        {
            "form": form,
            "subject_label": subject_label,
            "addressed_to": plan.agency if plan is not None else None,
            "cancel_url": back_to,
            "breadcrumbs": breadcrumbs,
            "plan": plan,
            "quarter": quarter,
        },
    )


def _detail_url(challenge: Challenge) -> str:
    return reverse("actionplans:challenge_detail", args=[challenge.pk])


def _quarter_param(value: str | None) -> Quarter:
    if not value:
        return Quarter.latest_complete()
    try:
        return Quarter.parse(value)
    except ValueError:
        raise Http404("No such quarter") from None


@require_http_methods(["GET", "POST"])
def challenge_raise(request):
    """A challenge on an agency's plan (?subject=plan&plan=<id>[&quarter=]) or on one of its
    quarterly reports (?subject=report&plan=<id>&quarter=<quarter>). The plan is looked up
    first, so that someone who may not see it learns nothing; a reader who may not raise a
    challenge is then refused (raise_challenge_page)."""
    subject = request.GET.get("subject")
    if subject not in (Challenge.Subject.PLAN, Challenge.Subject.REPORT):
        raise Http404("Raise a challenge from the page of what is challenged")
    try:
        plan_id = int(request.GET.get("plan", ""))
    except ValueError:
        raise Http404("No such plan") from None
    plan = selectors.plan_or_404(request.user, plan_id)
    quarter = _quarter_param(request.GET.get("quarter"))
    if subject == Challenge.Subject.REPORT:
        report = QuarterlyReport.objects.filter(plan=plan, quarter=quarter.slug).first()
        if quarter not in plan.quarters or not access.can_read_quarterly_report(
            request.user, plan, report
        ):
            raise Http404("No such report")
        label = f"{plan.agency}'s quarterly report, {quarter.label}"
        back_to = reverse("actionplans:quarter", args=[plan.pk, quarter])
    else:
        label = f"{plan.agency}'s action plan, {quarter.label}"
        back_to = reverse("actionplans:plan_detail", args=[plan.pk])
    return raise_challenge_page(
        request,
        subject=subject,
        quarter=quarter,
        subject_label=label,
        back_to=back_to,
        plan=plan,
        breadcrumbs="actionplans/_plan_breadcrumbs.html",
    )


def _kept(form, version: int, thing: str) -> StaleRefusal:
    """Keep what was typed, now carrying the saved version, for a save made knowingly."""
    data = form.data.copy()
    data[form.add_prefix("version")] = version
    form.data = data
    return StaleRefusal(thing, [])


@dataclass
class _Shown:
    """The challenge page shown again after a post: the form sent, with its errors or the
    stale-edit notice, and the challenge as it now stands."""

    challenge: Challenge
    form: Any
    stale: StaleRefusal | None = None
    status: int = 200


@require_http_methods(["GET", "POST"])
def challenge_detail(request, pk):
    challenge = selectors.challenge_or_404(request.user, pk)
    user = request.user
    plan = selectors.current_plan_of(challenge.agency)
    active_plan = plan if plan is not None and plan.status == ActionPlan.Status.ACTIVE else None
    answer_form = (
        ChallengeAnswerForm(None, challenge=challenge)
        if access.can_answer_challenge(user, challenge)
        else None
    )
    close_form = (
        ChallengeCloseForm(None, challenge=challenge, plan=active_plan)
        if access.can_close_challenge(user, challenge)
        else None
    )
    shown = _Shown(challenge, None)
    if request.method == "POST":
        step = request.POST.get("step")
        if step not in ("answer", "close"):
            return HttpResponseBadRequest("Unknown form")
        may = access.can_answer_challenge if step == "answer" else access.can_close_challenge
        if not may(user, challenge, even_if_closed=True):
            raise PermissionDenied
        if challenge.is_closed:
            if step == "close" and challenge.closed_by_id == user.pk:
                return once.already_saved(request, _detail_url(challenge))
            form_class = ChallengeAnswerForm if step == "answer" else ChallengeCloseForm
            kept = form_class(request.POST, challenge=challenge, **_plan_kwarg(step, active_plan))
            kept.is_valid()
            return _closed_meanwhile(request, challenge, kept)
        if step == "answer":
            result = _post_answer(request, challenge)
        else:
            result = _post_close(request, challenge, active_plan)
        if isinstance(result, HttpResponse):
            return result
        shown = result
        if step == "answer":
            answer_form = shown.form
        else:
            close_form = shown.form
    return render(
        request,
        "actionplans/challenge_detail.html",
        {
            "challenge": shown.challenge,
            "answer_form": answer_form,
            "close_form": close_form,
            # The page's error summary reads the form that was sent.
            "form": shown.form,
            "stale": shown.stale,
        },
        status=shown.status,
    )


def _post_answer(request, challenge: Challenge) -> HttpResponse | _Shown:
    form = ChallengeAnswerForm(request.POST, challenge=challenge)
    if not form.is_valid():
        return _Shown(challenge, form)
    typed = form.cleaned_data["answer"]
    try:
        services.challenge_answer(
            challenge=challenge,
            user=request.user,
            answer=typed,
            version=form.cleaned_data["version"],
        )
    except StaleEdit as refused:
        current = refused.current
        if current.answered_by_id == request.user.pk and current.answer == typed.strip():
            return once.already_saved(request, _detail_url(challenge))  # sent twice
        saved = ChallengeAnswerForm(None, challenge=current)
        stale = refuse_stale(form, saved, version=current.version, thing="challenge")
        return _Shown(selectors.challenge_or_404(request.user, challenge.pk), form, stale, 409)
    except services.ChallengeClosed:
        return _closed_meanwhile(request, challenge, form)
    except ValidationError as error:
        show_validation_error(form, error)
        return _Shown(challenge, form)
    messages.success(request, "Answer sent to the Working Group")
    return redirect(_detail_url(challenge))


def _post_close(request, challenge: Challenge, plan: ActionPlan | None) -> HttpResponse | _Shown:
    form = ChallengeCloseForm(request.POST, challenge=challenge, plan=plan)
    if not form.is_valid():
        return _Shown(challenge, form)
    data = form.cleaned_data
    try:
        services.challenge_close(
            challenge=challenge,
            user=request.user,
            outcome=data["outcome"],
            note=data["note"],
            action=data.get("action"),
            new_action=form.new_action(),
            version=data["version"],
        )
    except services.ChallengeClosed:
        if Challenge.objects.get(pk=challenge.pk).closed_by_id == request.user.pk:
            return once.already_saved(request, _detail_url(challenge))  # sent twice
        return _closed_meanwhile(request, challenge, form)
    except StaleEdit as refused:
        # Answered (again) meanwhile: read the answer, then close knowingly.
        stale = _kept(form, refused.current.version, "challenge")
        return _Shown(selectors.challenge_or_404(request.user, challenge.pk), form, stale, 409)
    except ValidationError as error:
        show_validation_error(form, error)
        return _Shown(challenge, form)
    messages.success(request, "Challenge closed")
    return redirect(_detail_url(challenge))


def _plan_kwarg(step: str, plan: ActionPlan | None) -> dict:
    return {"plan": plan} if step == "close" else {}


def _closed_meanwhile(request, challenge: Challenge, form) -> HttpResponse:
    """Closed by someone else after the page was opened: say so, keep what was typed."""
    current = selectors.challenge_or_404(request.user, challenge.pk)
    form.add_error(
        None,
        f"{current.closed_by or 'Someone'} closed this challenge after you opened the page, "
        "so it can no longer be answered or closed. What you typed is kept below",
    )
    return render(
        request,
        "actionplans/challenge_detail.html",
        {"challenge": current, "form": form, "kept_form": form},
        status=409,
    )


@require_GET
def challenge_history(request, pk):
    challenge = selectors.challenge_or_404(request.user, pk)
    return render(
        request,
        "actionplans/record_history.html",
        {
            "title": f"History of the challenge to {challenge.agency}",
            "caption": challenge.subject_label,
            "entries": history_entries(challenge),
            "back_to": _detail_url(challenge),
            "back_label": "Back to the challenge",
        },
    )


STATUS_FILTERS = {
    "open": ("Not yet closed", {"status__in": selectors.UNCLOSED}),
    "closed": ("Closed", {"status": Challenge.Status.CLOSED}),
    "all": ("All", {}),
}


@require_GET
@access.only_for(access.reads_every_action_plan)
def challenge_list(request):
    chosen = request.GET.get("status", "open")
    if chosen not in STATUS_FILTERS:
        chosen = "open"
    challenges = selectors.challenges_visible_to(request.user).filter(**STATUS_FILTERS[chosen][1])
    if chosen == "open":
        challenges = challenges.order_by("due_date", "pk")
    page = Paginator(challenges, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "actionplans/challenge_list.html",
        {
            "page": page,
            "challenges": page.object_list,
            "filters": [(key, label) for key, (label, _) in STATUS_FILTERS.items()],
            "chosen": chosen,
            "today": today(),
            "raises": access.raises_challenges(request.user),
        },
    )
