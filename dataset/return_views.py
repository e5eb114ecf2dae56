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
from neglect_portal.records.stale import refuse_stale
from neglect_portal.records.versions import StaleEdit

from . import confidence, presentation, selectors, services
from .forms import AgencyReturnForm
from .indicators import Unit
from .models import AgencyReturn
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


@require_http_methods(["GET", "POST"])
def agency_return(request, quarter, agency_id):
    agency = get_object_or_404(Agency, pk=agency_id)
    if not access.submits_agency_return(request.user, agency):
        raise PermissionDenied
    if quarter.start > today():
        raise Http404("No return is due for a quarter that has not started")
    current = (
        AgencyReturn.objects.filter(agency=agency, quarter=quarter)
        .select_related("submitted_by")
        .first()
    )
    form = AgencyReturnForm(request.POST if request.method == "POST" else None, current=current)
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agency_return_submit(
                agency=agency,
                quarter=quarter,
                staff_trained=data["staff_trained"],
                target_workforce=data["target_workforce"],
                narrative=data["narrative"],
                user=request.user,
                expected_version=data["version"],
            )
        except StaleEdit as refused:
            current = refused.current
            saved = AgencyReturnForm(current=current)
            stale = refuse_stale(form, saved, version=current.version, thing="return")
        except ValidationError as invalid:
            form.add_error(None, invalid.messages)
        else:
            messages.success(request, f"{agency}'s return for {quarter} saved")
            return redirect("dataset:training_coverage", quarter=quarter)
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
            "form": form,
            "stale": stale,
            "quarter": quarter,
            "agency": agency,
            "current": current,
            "page": history,
        },
        status=409 if stale else 200,
    )


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
