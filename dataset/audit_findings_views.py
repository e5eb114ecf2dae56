"""A round's findings into action: its results (against the previous round), its learning
grouped into themes, agreed actions in agencies' plans, and the export for the Working Group.
None of these pages names a child."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from neglect_portal import access
from neglect_portal.records import once
from neglect_portal.records.views import show_validation_error
from neglect_portal.spreadsheets import csv_response, xlsx_response

from . import audit_results as findings
from . import audit_services
from .audit_findings_forms import AgreedActionForm, LearningAddForm, LearningGroupForm, ThemeAddForm
from .audit_models import AuditAgreedAction, AuditLearningPoint, AuditRound, AuditTheme

THEMES_PAGE_SIZE = 10
POINTS_PAGE_SIZE = 25
NOT_STARTED = "Learning is added once the round has started"

# Everyone who reads the dataset reads a round's results; those who run rounds are among them.
reads_results = access.only_for(access.reads_audit_results)
runs = access.only_for(access.runs_audits)


def _round_or_404(pk: int) -> AuditRound:
    # Rounds name no child: once the role allows it, every round is in the viewer's scope.
    return get_object_or_404(AuditRound, pk=pk)


def _results_url(round: AuditRound, anchor: str = "") -> str:
    url = reverse("dataset:audit_results", args=[round.pk])
    return f"{url}#{anchor}" if anchor else url


def _learning_url(round: AuditRound) -> str:
    return reverse("dataset:audit_learning", args=[round.pk])


@require_GET
@reads_results
def audit_results(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round_or_404(pk)
    themes = Paginator(findings.themes_of(round), THEMES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "dataset/audits/results.html",
        {
            "round": round,
            "results": findings.round_results(round),
            "page": themes,
            "ungrouped": findings.ungrouped_count(round),
            "runs_audits": access.runs_audits(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@runs
def audit_learning(request: HttpRequest, pk: int) -> HttpResponse:
    """Add learning points and themes, and group each point into a theme: while the round
    runs and after it closes."""
    round = _round_or_404(pk)
    user = request.user
    started = round.status != AuditRound.Status.PLANNING
    themes = list(round.themes.all())
    learning_form = once.carry_token(LearningAddForm(None, round=round))
    theme_form = once.carry_token(ThemeAddForm(None))
    page = Paginator(findings.learning_of(round), POINTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )

    def group_form(point: AuditLearningPoint, data=None) -> LearningGroupForm:
        return LearningGroupForm(data, point_id=point.pk, themes=themes, theme_id=point.theme_id)

    group_forms = {point.pk: group_form(point) for point in page}
    shown = None
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "learning":
            shown = learning_form = once.carry_token(LearningAddForm(request.POST, round=round))
            if not started:
                learning_form.add_error(None, NOT_STARTED)
            elif not learning_form.is_valid():
                earlier = once.earlier_result(request)
                if earlier:
                    return once.already_saved(request, earlier)
            else:
                data = learning_form.cleaned_data
                try:
                    done = once.submit_once(
                        request,
                        lambda: audit_services.learning_add(
                            round=round, user=user, text=data["text"], sample=data["sample"]
                        ),
                        lambda point: f"{_learning_url(round)}#point-{point.pk}",
                    )
                except ValidationError as error:
                    show_validation_error(learning_form, error)
                else:
                    if done.again:
                        return once.already_saved(request, done.url)
                    messages.success(request, "Learning point added")
                    return redirect(done.url)
        elif step == "theme":
            shown = theme_form = once.carry_token(ThemeAddForm(request.POST))
            if not started:
                theme_form.add_error(None, NOT_STARTED)
            elif not theme_form.is_valid():
                earlier = once.earlier_result(request)
                if earlier:
                    return once.already_saved(request, earlier)
            else:
                title = theme_form.cleaned_data["title"]
                try:
                    done = once.submit_once(
                        request,
                        lambda: audit_services.theme_add(round=round, user=user, title=title),
                        lambda theme: f"{_learning_url(round)}#themes",
                    )
                except ValidationError as error:
                    show_validation_error(theme_form, error)
                else:
                    if done.again:
                        return once.already_saved(request, done.url)
                    messages.success(request, f"Theme ‘{title}’ added")
                    return redirect(done.url)
        elif step == "group":
            point_id = request.POST.get("point", "")
            if not point_id.isascii() or not point_id.isdigit():
                return HttpResponseBadRequest("No such learning point")
            point = get_object_or_404(round.learning, pk=int(point_id))
            shown = form = group_form(point, request.POST)
            group_forms[point.pk] = form
            if not started:
                form.add_error(None, NOT_STARTED)
            elif form.is_valid():
                chosen = form.cleaned_data["theme"]
                theme = next((t for t in themes if t.pk == chosen), None)
                # Grouping again into the same theme changes nothing: a resend is harmless.
                audit_services.learning_group(point=point, user=user, theme=theme)
                if theme is None:
                    messages.success(request, "Learning point taken out of its theme")
                else:
                    messages.success(request, f"Learning point grouped under ‘{theme.title}’")
                return redirect(f"{request.get_full_path()}#point-{point.pk}")
        else:
            return HttpResponseBadRequest("Unknown form")
    return render(
        request,
        "dataset/audits/learning.html",
        {
            "round": round,
            "started": started,
            "themes": themes,
            "page": page,
            "rows": [(point, group_forms[point.pk]) for point in page],
            "learning_form": learning_form,
            "theme_form": theme_form,
            "form": shown,
        },
    )


def _agreed_url(link: AuditAgreedAction) -> str:
    return _results_url(link.theme.round, f"agreed-{link.pk}")


@require_http_methods(["GET", "POST"])
@runs
def audit_agreed_action(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    """From one of the round's themes, an agreed action in an agency's active plan."""
    round = _round_or_404(pk)
    theme: AuditTheme = get_object_or_404(round.themes, pk=theme_pk)
    form = once.carry_token(AgreedActionForm(request.POST if request.method == "POST" else None))
    if form.is_bound:
        if not form.is_valid():
            earlier = once.earlier_result(request)
            if earlier:
                return once.already_saved(request, earlier)
        else:
            data = form.cleaned_data
            new = audit_services.NewAgreedAction(
                agency=data["agency"],
                objective=data["objective"],
                description=data["description"],
                owner_name=data["owner_name"],
                due_date=data["due_date"],
            )
            try:
                done = once.submit_once(
                    request,
                    lambda: audit_services.agreed_action_add(
                        theme=theme, user=request.user, new=new
                    ),
                    _agreed_url,
                )
            except ValidationError as error:
                show_validation_error(form, error)
            else:
                if done.again:
                    return once.already_saved(request, done.url)
                messages.success(request, f"Agreed action added to {new.agency}'s action plan")
                return redirect(done.url)
    return render(
        request,
        "dataset/audits/agreed_action.html",
        {"round": round, "theme": theme, "form": form},
    )


@require_GET
@reads_results
def audit_results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round_or_404(pk)
    return csv_response(
        f"audit-results-{round.pk}.csv",
        findings.CSV_HEADER,
        findings.csv_rows(round),
    )


@require_GET
@reads_results
def audit_results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    round = _round_or_404(pk)
    return xlsx_response(f"audit-results-{round.pk}.xlsx", findings.sheets(round))
