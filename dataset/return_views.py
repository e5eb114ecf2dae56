"""Agency returns (the figures no case record holds) and the training coverage they feed."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.models import Agency
from neglect_portal.quarters import Quarter
from neglect_portal.records.stale import StaleRefusal, differences, refuse_stale

from . import confidence, presentation, selectors, services
from .forms import AgencyReturnForm, PartnerFigureForm
from .indicators import Unit
from .models import AgencyReturn, PartnerFigure, PartnerIndicator
from .movements import format_value

PAGE_SIZE = 50


@require_GET
def my_return(request):
    """The agency lead's own return for the latest complete quarter (the home page's link)."""
    if not access.submits_agency_return(request.user, request.user.agency):
        raise PermissionDenied
    return redirect(
        "dataset:agency_return",
        quarter=Quarter.latest_complete(),
        agency_id=request.user.agency_id,
    )


def _figure_histories(figures) -> dict[int, list]:
    """Every saved version of the submitted figures, newest first, by figure: one query."""
    histories: dict[int, list] = {}
    if not figures:
        return histories
    versions = (
        PartnerFigure.history.filter(id__in=[figure.pk for figure in figures])
        .select_related("history_user", "submitted_by")
        .order_by("-history_date", "-history_id")
    )
    for version in versions:
        histories.setdefault(version.id, []).append(version)
    return histories


def _return_parts(agency: Agency, quarter: Quarter):
    """The training return and each of the agency's active indicators' submissions for the
    quarter: three queries."""
    current = (
        AgencyReturn.objects.filter(agency=agency, quarter=quarter)
        .select_related("submitted_by")
        .first()
    )
    owned = list(PartnerIndicator.objects.filter(agency=agency, active=True).order_by("code"))
    figures = {
        row.indicator_id: row
        for row in PartnerFigure.objects.filter(
            indicator__in=owned, quarter=quarter
        ).select_related("submitted_by")
    }
    return current, [(indicator, figures.get(indicator.pk)) for indicator in owned]


def _parts_to_save(training_form, partner_forms):
    """The parts filled in and changed since the page was opened: a part left blank stays
    not submitted, and one saved again unchanged gets no new version in its history."""
    training = None
    data = training_form.cleaned_data
    saved = training_form.current
    unchanged = saved is not None and (
        (saved.staff_trained, saved.target_workforce, saved.narrative, saved.version)
        == (data["staff_trained"], data["target_workforce"], data["narrative"], data["version"])
    )
    if not training_form.left and not unchanged:
        training = services.TrainingPart(
            staff_trained=data["staff_trained"],
            target_workforce=data["target_workforce"],
            narrative=data["narrative"],
            expected_version=data["version"],
        )
    figures = []
    for form in partner_forms:
        if form.left:
            continue
        data = form.cleaned_data
        unchanged = form.current is not None and (
            (form.current.numerator, form.current.denominator, form.current.note)
            == (data["numerator"], data.get("denominator"), data["note"])
            and form.current.version == data["version"]
        )
        if unchanged:
            continue  # nothing new: no new version in its history
        figures.append(
            services.FigurePart(
                indicator=form.indicator,
                numerator=data["numerator"],
                denominator=data.get("denominator"),
                note=data["note"],
                expected_version=data["version"],
            )
        )
    return training, tuple(figures)


@require_http_methods(["GET", "POST"])
def agency_return(request, quarter, agency_id):
    """An agency's quarterly return: the training figures, and a part for each active
    indicator the agency owns. Each part may be submitted or left ("not submitted")."""
    agency = get_object_or_404(Agency, pk=agency_id)
    if not access.submits_agency_return(request.user, agency):
        raise PermissionDenied
    if quarter.start > today():
        raise Http404("No return is due for a quarter that has not started")
    current, owned = _return_parts(agency, quarter)
    data = request.POST if request.method == "POST" else None
    form = AgencyReturnForm(data, current=current, optional=bool(owned))
    partner_forms = [
        PartnerFigureForm(data, indicator=indicator, current=figure) for indicator, figure in owned
    ]
    histories = _figure_histories([figure for _, figure in owned if figure is not None])
    for each in partner_forms:
        each.versions = histories.get(each.current.pk, []) if each.current else []
    if owned:
        form.helper.form_tag = False
        form.helper.inputs = []
    every_form = [form, *partner_forms]
    stale = None
    if request.method == "POST" and all([each.is_valid() for each in every_form]):
        training, figures = _parts_to_save(form, partner_forms)
        if form.left and all(each.left for each in partner_forms):
            form.add_error(None, "Enter the figures for at least one part of the return")
        else:
            try:
                services.quarterly_return_submit(
                    agency=agency,
                    quarter=quarter,
                    user=request.user,
                    training=training,
                    figures=figures,
                )
            except services.PartStale as refused:
                stale = _refuse(refused, form, partner_forms)
            except ValidationError as invalid:
                form.add_error(None, invalid.messages)
            else:
                messages.success(request, f"{agency}'s return for {quarter} saved")
                if not owned:
                    return redirect("dataset:training_coverage", quarter=quarter)
                return redirect("dataset:agency_return", quarter=quarter, agency_id=agency.pk)
    history = None
    if current is not None:
        history = Paginator(
            current.history.select_related("submitted_by", "history_user").order_by(
                "-history_date"
            ),
            PAGE_SIZE,
        ).get_page(request.GET.get("page"))
    return render(
        request,
        "dataset/agency_return.html",
        {
            "training_form": form,
            "partner_forms": partner_forms,
            "forms_with_errors": [each for each in every_form if each.errors],
            "stale": stale,
            "quarter": quarter,
            "agency": agency,
            "current": current,
            "page": history,
        },
        status=409 if stale else 200,
    )


def _refuse(refused: services.PartStale, form, partner_forms) -> StaleRefusal:
    """The stale-edit page for the part someone else saved, now carrying their version;
    every part keeps what was typed."""
    if refused.part is None:
        saved = AgencyReturnForm(current=refused.current)
        return refuse_stale(form, saved, version=refused.current.version, thing="return")
    typed = next(each for each in partner_forms if each.indicator.code == refused.part)
    saved = PartnerFigureForm(indicator=typed.indicator, current=refused.current)
    data = typed.data.copy()
    data[typed.add_prefix("version")] = refused.current.version
    for each in [form, *partner_forms]:  # one POST, shared by every part's form
        each.data = data
    return StaleRefusal("return", differences(typed, saved))


@require_GET
@access.only_for(access.reads_dataset)
def training_coverage_latest(request):
    return redirect("dataset:training_coverage", quarter=Quarter.latest_complete())


@require_GET
@access.only_for(access.reads_dataset)
def training_coverage(request, quarter):
    coverage = selectors.training_coverage(quarter)
    page = Paginator(coverage.agencies, PAGE_SIZE).get_page(request.GET.get("page"))
    page.rows = [
        (row, None if row.is_gap else format_value(row.value, Unit.PERCENTAGE)) for row in page
    ]
    own = request.user.agency
    return render(
        request,
        "dataset/training_coverage.html",
        {
            "quarter": quarter,
            "coverage": coverage,
            "page": page,
            "total_text": presentation.figure_text("TRAINING_COVERAGE", coverage.total),
            "submits_own": (
                access.submits_agency_return(request.user, own) and quarter.start <= today()
            ),
            "own_agency": own,
            "may_submit_any": access.publishes_dataset(request.user),
            # The agencies are those the coverage table has read: one query more, not two.
            "confidence": confidence.confidence_by_agency(
                quarter, agencies=[row.agency for row in coverage.agencies]
            ),
        },
    )
