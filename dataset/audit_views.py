"""The multi-agency case audit's working pages (issue 15 parts 1 and 2): rounds and their
sample and team, for those who run audits; each sampled child's audit form with the evidence
from the record, for the child's audit team while the round runs; moderation by the lead.

Who may do what is access.py's: a round is read by everyone who reads audit results (its pages
name a child only to someone who may see them), changed by those who run audits; a sampled
child's audit, evidence and history are looked up through access.audit_samples_visible_to, so
anyone outside the team, and the team itself before the round starts or after it ends, gets
404. Runners do not read the audit's evidence text or its history: it quotes the child's
record, which they may not be entitled to see.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Child
from cases.services import child_opened
from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.kept_answers import keeps_answers_through_sign_in, kept_answers
from neglect_portal.records import once
from neglect_portal.records.history import history_entries
from neglect_portal.records.stale import Difference, StaleRefusal, refuse_stale
from neglect_portal.records.versions import StaleEdit
from neglect_portal.records.views import show_validation_error

from . import audit_sampling, audit_services
from .audit_evidence import evidence_for
from .audit_forms import (
    AuditForm,
    AuditRoundForm,
    CriterionAddForm,
    DrawForm,
    ModerateForm,
    PickForm,
    RoundVersionForm,
    TeamForm,
)
from .audit_models import AuditAuditor, AuditRound, AuditSample

PAGE_SIZE = 25
reads_rounds = access.only_for(access.reads_audit_results)
runs_rounds = access.only_for(access.runs_audits)
audits = access.only_for(access.audits_case)
KEPT_MESSAGE = (
    "You were signed out before your audit was saved. Your answers are below: check them and "
    "save again"
)


# Rounds ------------------------------------------------------------------------------------


@require_GET
@reads_rounds
def audit_rounds(request: HttpRequest) -> HttpResponse:
    rounds = AuditRound.objects.annotate(
        children=Count("samples", distinct=True),
        moderated=Count(
            "samples", filter=Q(samples__status=AuditSample.Status.MODERATED), distinct=True
        ),
    ).order_by("-starts_on", "-pk")
    page = Paginator(rounds, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "dataset/audits/rounds.html",
        {"page": page, "may_run": access.runs_audits(request.user)},
    )


@keeps_answers_through_sign_in
@require_http_methods(["GET", "POST"])
@runs_rounds
def audit_round_add(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else kept_answers(request)
    if request.method == "GET" and data is not None:
        messages.warning(request, KEPT_MESSAGE.replace("your audit", "the round"))
    form = once.carry_token(AuditRoundForm(data))
    if request.method == "POST" and form.is_valid():
        try:
            done = once.submit_once(
                request,
                lambda: audit_services.audit_round_add(round=form.instance, user=request.user),
                lambda round: reverse("dataset:audit_round", args=[round.pk]),
            )
        except ValidationError as refused:
            show_validation_error(form, refused)
        else:
            if done.again:
                return once.already_saved(request, done.url)
            messages.success(request, "Round created. Now draw or pick its sample")
            return redirect(done.url)
    elif request.method == "POST" and (earlier := once.earlier_result(request)):
        return once.already_saved(request, earlier)
    return render(
        request,
        "dataset/audits/round_add.html",
        {"form": form, "cancel_url": reverse("dataset:audit_rounds")},
    )


def _round_or_404(pk: int) -> AuditRound:
    return get_object_or_404(AuditRound.objects.select_related("created_by"), pk=pk)


def _samples(round: AuditRound) -> list[AuditSample]:
    return list(
        round.samples.select_related("child", "lead_auditor").prefetch_related(
            "agencies",
            Prefetch("auditors", queryset=AuditAuditor.objects.select_related("auditor")),
        )
    )


def _pick_choices(round: AuditRound, user) -> list[tuple[int, str]]:
    """Eligible children the runner may see: only those can be picked by hand."""
    eligible = [one.child_id for one in audit_sampling.eligible_children(round.sample_date)]
    children = access.children_visible_to(user).filter(pk__in=eligible)
    return [
        (child.pk, f"{child} ({child.la_child_id})")
        for child in children.order_by("family_name", "given_name", "pk")
    ]


def _round_page(request: HttpRequest, round: AuditRound, *, status: int = 200, **forms):
    samples = _samples(round)
    visible = set(
        access.children_visible_to(request.user)
        .filter(pk__in=[s.child_id for s in samples])
        .values_list("pk", flat=True)
    )
    may_run = access.runs_audits(request.user)
    planning = round.status == AuditRound.Status.PLANNING
    context = {
        "round": round,
        "criteria": list(round.criteria.all()),
        "rows": [(s, s.child if s.child_id in visible else None) for s in samples],
        "may_run": may_run,
        "planning": planning,
        "stale": forms.pop("stale", None),
    }
    if may_run and planning:
        if round.method == AuditRound.Method.BY_HAND:
            context["pick_form"] = forms.get("pick_form") or PickForm(
                round=round,
                choices=_pick_choices(round, request.user),
                initial={"children": [s.child_id for s in samples]},
            )
        else:
            context["draw_form"] = forms.get("draw_form") or DrawForm(round=round)
        context["start_form"] = forms.get("start_form") or RoundVersionForm(round=round)
        context["criterion_form"] = forms.get("criterion_form") or CriterionAddForm(round=round)
    # The page's `form` is the one with errors, for the error summary above the heading.
    context["form"] = next((f for f in forms.values() if f is not None and f.errors), None)
    return render(request, "dataset/audits/round.html", context, status=status)


@require_GET
@reads_rounds
def audit_round(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_page(request, _round_or_404(pk))


def _round_change(request, round, form, name, change, done_message):
    """A POST that changes the round: refused with the page's error summary, or as stale."""
    if form.is_valid():
        try:
            change(form)
        except StaleEdit:
            messages.error(
                request,
                "Someone changed this round after you opened it, so nothing was changed. "
                "Check the round below and try again",
            )
            return redirect("dataset:audit_round", pk=round.pk)
        except ValidationError as refused:
            show_validation_error(form, refused)
        else:
            messages.success(request, done_message)
            return redirect("dataset:audit_round", pk=round.pk)
    round.refresh_from_db()
    return _round_page(request, round, **{name: form})


@require_POST
@runs_rounds
def audit_sample_draw(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round_or_404(pk)
    form = DrawForm(request.POST, round=round)
    return _round_change(
        request,
        round,
        form,
        "draw_form",
        lambda f: audit_services.audit_sample_draw(
            round=round,
            user=request.user,
            version=f.cleaned_data["version"],
            seed=f.cleaned_data["seed"],
        ),
        "Sample drawn. The seed is recorded below so the draw can be checked",
    )


@require_POST
@runs_rounds
def audit_sample_pick(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round_or_404(pk)
    form = PickForm(request.POST, round=round, choices=_pick_choices(round, request.user))
    return _round_change(
        request,
        round,
        form,
        "pick_form",
        lambda f: audit_services.audit_sample_pick(
            round=round,
            user=request.user,
            version=f.cleaned_data["version"],
            children=Child.objects.filter(pk__in=f.cleaned_data["children"]),
        ),
        "Sample saved",
    )


@require_POST
@runs_rounds
def audit_criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round_or_404(pk)
    form = CriterionAddForm(request.POST, round=round)
    return _round_change(
        request,
        round,
        form,
        "criterion_form",
        lambda f: audit_services.audit_criterion_add(
            round=round,
            user=request.user,
            version=f.cleaned_data["version"],
            title=f.cleaned_data["title"],
            question=f.cleaned_data["question"],
        ),
        "Criterion added",
    )


@require_POST
@runs_rounds
def audit_criterion_remove(request: HttpRequest, pk: int, criterion: int) -> HttpResponse:
    round = _round_or_404(pk)
    found = get_object_or_404(round.criteria.all(), pk=criterion)
    form = RoundVersionForm(request.POST, round=round)
    return _round_change(
        request,
        round,
        form,
        "start_form",
        lambda f: audit_services.audit_criterion_remove(
            criterion=found, user=request.user, version=f.cleaned_data["version"]
        ),
        f"{found.title} removed from the criteria",
    )


@require_POST
@runs_rounds
def audit_round_start(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round_or_404(pk)
    if round.is_in_progress:  # a second click: it has started already
        messages.info(request, "The round has already started")
        return redirect("dataset:audit_round", pk=round.pk)
    form = RoundVersionForm(request.POST, round=round)
    return _round_change(
        request,
        round,
        form,
        "start_form",
        lambda f: audit_services.audit_round_start(
            round=round, user=request.user, version=f.cleaned_data["version"]
        ),
        "Round started. Its auditors can now open their children's audits",
    )


@require_http_methods(["GET", "POST"])
@runs_rounds
def audit_round_close(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page, then the close: the auditors' reading of the records ends."""
    round = _round_or_404(pk)
    if round.is_closed:
        messages.info(request, "The round is closed")
        return redirect("dataset:audit_round", pk=round.pk)
    if not round.is_in_progress:
        raise Http404  # a round being planned has nothing to close
    form = RoundVersionForm(request.POST or None, round=round)
    if request.method == "POST" and form.is_valid():
        try:
            audit_services.audit_round_close(
                round=round, user=request.user, version=form.cleaned_data["version"]
            )
        except StaleEdit:
            messages.error(
                request,
                "Someone changed this round after you opened it, so it was not closed. "
                "Check the round and close it again",
            )
            return redirect("dataset:audit_round_close", pk=round.pk)
        except ValidationError as refused:
            show_validation_error(form, refused)
        else:
            messages.success(request, "Round closed. Its auditors can no longer open the records")
            return redirect("dataset:audit_round", pk=round.pk)
    return render(request, "dataset/audits/round_close.html", {"round": round, "form": form})


# A sampled child's audit team ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@runs_rounds
def audit_team(request: HttpRequest, pk: int, sample: int) -> HttpResponse:
    round = _round_or_404(pk)
    found = get_object_or_404(
        AuditSample.objects.select_related("child", "lead_auditor").prefetch_related(
            "agencies", "auditors"
        ),
        pk=sample,
        round=round,
    )
    if round.is_closed:
        raise PermissionDenied  # the round's record is final
    agency_ids = [agency.pk for agency in found.agencies.all()]

    def team_form(data):
        return TeamForm(
            data,
            sample=found,
            leads=access.audit_lead_candidates().order_by("last_name", "first_name", "pk"),
            auditors=access.auditor_candidates(agency_ids).order_by(
                "agency__name", "last_name", "first_name", "pk"
            ),
        )

    form = team_form(request.POST if request.method == "POST" else None)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            audit_services.audit_team_set(
                sample=found,
                user=request.user,
                version=form.cleaned_data["version"],
                lead=form.cleaned_data["lead_auditor"],
                auditors=form.cleaned_data["auditors"],
            )
        except StaleEdit as refusal:
            stale = _team_stale(form, refusal.current)
        except ValidationError as refused:
            show_validation_error(form, refused)
        else:
            messages.success(request, f"Audit team saved for {found.label}")
            return redirect("dataset:audit_round", pk=round.pk)
    visible = access.children_visible_to(request.user).filter(pk=found.child_id).exists()
    return render(
        request,
        "dataset/audits/team.html",
        {
            "round": round,
            "sample": found,
            "child": found.child if visible else None,
            "form": form,
            "stale": stale,
        },
        status=409 if stale else 200,
    )


def _team_stale(form: TeamForm, current: AuditSample) -> StaleRefusal:
    """The stale-edit page's differences by hand: the kernel's compare a single choice, and a
    team is a list of people."""
    data = form.data.copy()
    data["version"] = current.version
    form.data = data
    saved_lead = str(current.lead_auditor or "")
    saved = ", ".join(sorted(str(a.auditor) for a in current.auditors.select_related("auditor")))
    typed_lead = str(form.cleaned_data["lead_auditor"])
    typed = ", ".join(sorted(str(person) for person in form.cleaned_data["auditors"]))
    differences = [
        Difference(question, theirs, yours)
        for question, theirs, yours in [
            ("Lead auditor", saved_lead, typed_lead),
            ("Auditors", saved, typed),
        ]
        if theirs != yours
    ]
    return StaleRefusal("audit team", differences)


# The auditor's pages -------------------------------------------------------------------


@require_GET
@audits
def my_audits(request: HttpRequest) -> HttpResponse:
    samples = (
        access.audit_samples_visible_to(request.user)
        .select_related("round", "child", "lead_auditor")
        .order_by("round__ends_on", "round__pk", "number")
    )
    page = Paginator(samples, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dataset/audits/my_audits.html", {"page": page})


def _sample_or_404(request: HttpRequest, pk: int, sample: int) -> AuditSample:
    """The sample, only for its team while the round runs: 404 for everyone else."""
    return get_object_or_404(
        access.audit_samples_visible_to(request.user).select_related(
            "round", "child", "lead_auditor", "completed_by", "moderated_by"
        ),
        pk=sample,
        round_id=pk,
    )


def _ended_for_team(request: HttpRequest, pk: int, sample: int) -> HttpResponse | None:
    """An audit sent by its own team after the round closed or passed its end date: say so and
    give back what they typed, rather than a bare "not found" that loses it."""
    found = (
        access.audit_samples_on_team(request.user)
        .select_related("round")
        .filter(pk=sample, round_id=pk)
        .first()
    )
    if found is None:
        return None
    typed = [
        (c.title, request.POST.get(f"evidence_{c.pk}", ""), request.POST.get(f"better_{c.pk}", ""))
        for c in found.round.criteria.all()
    ]
    return render(
        request,
        "dataset/audits/round_ended.html",
        {"round": found.round, "sample": found, "typed": [t for t in typed if t[1] or t[2]]},
        status=409,
    )


def _judgements(sample: AuditSample) -> dict:
    return {j.criterion_id: j for j in sample.judgements.all()}


def _opened(request: HttpRequest, sample: AuditSample) -> None:
    child_opened(child=sample.child, user=request.user, reason=f"Audit: {sample.round.title}")


@keeps_answers_through_sign_in
@require_http_methods(["GET", "POST"])
def audit_form(request: HttpRequest, pk: int, sample: int) -> HttpResponse:
    try:
        found = _sample_or_404(request, pk, sample)
    except Http404:
        if request.method == "POST" and (ended := _ended_for_team(request, pk, sample)):
            return ended
        raise
    criteria = list(found.round.criteria.all())

    def audit_form_for(data):
        return AuditForm(data, sample=found, criteria=criteria, judgements=_judgements(found))

    stale = completed_meanwhile = None
    if found.is_locked and request.method == "POST":
        typed = audit_form_for(request.POST)
        if found.completed_by_id == request.user.pk or not typed.is_valid():
            # A second click on "Complete", or a form open in another tab: nothing to change.
            messages.info(request, "This audit has been completed, so it can no longer be changed")
            return redirect("dataset:audit_form", pk=pk, sample=found.pk)
        # A colleague completed it while this auditor typed: what they typed is shown beside
        # what was completed rather than lost, for the lead auditor to weigh at moderation.
        form = typed
        completed_meanwhile = refuse_stale(
            typed, audit_form_for(None), version=found.version, thing="audit"
        )
    elif request.method == "POST":
        form = audit_form_for(request.POST)
        if form.is_valid():
            complete = request.POST.get("action") == "complete"
            saved = None
            try:
                # Saved as a draft first, so gaps found at completion lose nothing typed.
                saved = audit_services.audit_save(
                    sample=found,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    answers=form.answers(),
                    complete=False,
                )
                if complete:
                    audit_services.audit_save(
                        sample=found,
                        user=request.user,
                        version=saved.version,
                        answers=form.answers(),
                        complete=True,
                    )
            except StaleEdit as refusal:
                found.refresh_from_db()
                stale = refuse_stale(
                    form, audit_form_for(None), version=refusal.current.version, thing="audit"
                )
            except ValidationError as gaps:
                version = saved.version if saved else form.cleaned_data["version"]
                found.refresh_from_db(fields=["status", "version"])  # now a draft
                form = audit_form_for(request.POST.dict() | {"version": version})
                form.is_valid()
                show_validation_error(form, gaps)
            else:
                if complete:
                    messages.success(request, f"Audit of {found.label} completed")
                else:
                    messages.success(request, f"Draft saved for {found.label}")
                return redirect("dataset:audit_form", pk=pk, sample=found.pk)
    else:
        kept = None if found.is_locked else kept_answers(request)
        if kept is not None:
            messages.warning(request, KEPT_MESSAGE)
        form = audit_form_for(kept)
        _opened(request, found)
    return render(
        request,
        "dataset/audits/audit_form.html",
        {
            "round": found.round,
            "sample": found,
            "child": found.child,
            "form": form,
            "locked": found.is_locked,
            "judgements": [(c, _judgements(found).get(c.pk)) for c in criteria]
            if found.is_locked
            else [],
            "evidence": evidence_for(found.child, on=today()),
            "may_moderate": access.can_moderate_audit(request.user, found),
            # The record's own pages are for those who see the child anyway (the lead, from
            # children's social care); an auditor from elsewhere reads the evidence here.
            "sees_record": access.children_visible_to(request.user)
            .filter(pk=found.child_id)
            .exists(),
            "stale": stale,
            "completed_meanwhile": completed_meanwhile,
        },
        status=409 if stale or completed_meanwhile else 200,
    )


@keeps_answers_through_sign_in
@require_http_methods(["GET", "POST"])
def audit_moderate(request: HttpRequest, pk: int, sample: int) -> HttpResponse:
    found = _sample_or_404(request, pk, sample)
    if found.status == AuditSample.Status.MODERATED:
        messages.info(request, "This audit has been moderated")
        return redirect("dataset:audit_form", pk=pk, sample=found.pk)
    if not access.can_moderate_audit(request.user, found):
        raise PermissionDenied
    criteria = list(found.round.criteria.all())

    def moderate_form(data):
        return ModerateForm(data, sample=found, criteria=criteria, judgements=_judgements(found))

    stale = None
    if request.method == "POST":
        form = moderate_form(request.POST)
        if form.is_valid():
            try:
                audit_services.audit_moderate(
                    sample=found,
                    user=request.user,
                    version=form.cleaned_data["version"],
                    changes=form.changes(),
                )
            except StaleEdit as refusal:
                found.refresh_from_db()
                stale = refuse_stale(
                    form, moderate_form(None), version=refusal.current.version, thing="audit"
                )
            except ValidationError as refused:
                show_validation_error(form, refused)
            else:
                messages.success(request, f"Audit of {found.label} moderated")
                return redirect("dataset:audit_form", pk=pk, sample=found.pk)
    else:
        kept = kept_answers(request)
        if kept is not None:
            messages.warning(request, KEPT_MESSAGE)
        form = moderate_form(kept)
        _opened(request, found)
    return render(
        request,
        "dataset/audits/moderate.html",
        {"round": found.round, "sample": found, "child": found.child, "form": form, "stale": stale},
        status=409 if stale else 200,
    )


@require_GET
def audit_history(request: HttpRequest, pk: int, sample: int) -> HttpResponse:
    """The sample's history and each criterion's (grades, evidence, moderation changes with
    their reasons): for the team while the round runs, as the audit form is."""
    found = _sample_or_404(request, pk, sample)
    _opened(request, found)
    judgements = found.judgements.select_related("criterion")
    return render(
        request,
        "dataset/audits/history.html",
        {
            "round": found.round,
            "sample": found,
            "child": found.child,
            "entries": history_entries(found),
            "criteria": [(j.criterion, history_entries(j)) for j in judgements],
        },
    )
