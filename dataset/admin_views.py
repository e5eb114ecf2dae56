"""The dataset's writes: agency returns (and the coverage they feed) and publishing quarters.

Kept apart from views.py, which only reads figures.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cases.services import StaleEdit
from neglect_portal import access
from neglect_portal.models import Agency
from neglect_portal.quarters import latest_complete

from . import presentation, selectors, services
from .forms import AgencyReturnForm, RepublishForm
from .indicators import Unit
from .models import AgencyReturn
from .movements import format_value
from .services import PublishRefused

PAGE_SIZE = 50


def _may_read(request):
    if not access.reads_dataset(request.user):
        raise PermissionDenied


def _may_publish(request):
    if not access.publishes_dataset(request.user):
        raise PermissionDenied


# Agency returns ----------------------------------------------------------------------------


@require_GET
def my_return(request):
    """The agency lead's own return for the latest complete quarter (the home page's link)."""
    if not access.submits_agency_return(request.user, request.user.agency):
        raise PermissionDenied
    return redirect(
        "dataset:agency_return",
        quarter=latest_complete(date.today()),
        agency_id=request.user.agency_id,
    )


@require_http_methods(["GET", "POST"])
def agency_return(request, quarter, agency_id):
    agency = get_object_or_404(Agency, pk=agency_id)
    if not access.submits_agency_return(request.user, agency):
        raise PermissionDenied
    if quarter.start > date.today():
        raise Http404("No return is due for a quarter that has not started")
    current = (
        AgencyReturn.objects.filter(agency=agency, quarter=quarter)
        .select_related("submitted_by")
        .first()
    )
    form = AgencyReturnForm(request.POST if request.method == "POST" else None, current=current)
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
        except StaleEdit as stale:
            form.refuse_as_stale(stale.current)
            current = stale.current
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
            "quarter": quarter,
            "agency": agency,
            "current": current,
            "page": history,
        },
    )


@require_GET
def training_coverage_latest(request):
    _may_read(request)
    return redirect("dataset:training_coverage", quarter=latest_complete(date.today()))


@require_GET
def training_coverage(request, quarter):
    _may_read(request)
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
                access.submits_agency_return(request.user, own) and quarter.start <= date.today()
            ),
            "own_agency": own,
            "may_submit_any": access.publishes_dataset(request.user),
        },
    )


# Publishing --------------------------------------------------------------------------------


def _publish_context(quarter) -> dict:
    return {"quarter": quarter, "in_progress": quarter.end >= date.today()}


@require_http_methods(["GET", "POST"])
def publish(request, quarter):
    _may_publish(request)
    published = selectors.published_quarter(quarter)
    if published is not None:
        if request.method == "POST":  # someone published it after this page was opened
            messages.warning(
                request,
                f"{quarter} was published by {published.published_by} "
                "after you opened the page: nothing was changed",
            )
        return redirect("dataset:republish", quarter=quarter)
    error = None
    if request.method == "POST":
        try:
            services.quarter_publish(quarter=quarter, user=request.user)
        except PublishRefused as refused:
            error = str(refused)
        else:
            messages.success(request, f"{quarter} published")
            return redirect("dataset:dashboard", quarter=quarter)
    return render(
        request,
        "dataset/publish.html",
        {
            **_publish_context(quarter),
            "error": error,
            "rows": presentation.publication_rows(selectors.live_figures(quarter)),
        },
    )


@require_http_methods(["GET", "POST"])
def republish(request, quarter):
    _may_publish(request)
    published = selectors.published_quarter(quarter)
    if published is None:
        return redirect("dataset:publish", quarter=quarter)
    form = RepublishForm(
        request.POST if request.method == "POST" else None,
        initial={"publication": published.publication},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.quarter_republish(
                quarter=quarter,
                user=request.user,
                reason=form.cleaned_data["reason"],
                expected_publication=form.cleaned_data["publication"],
            )
        except StaleEdit as stale:
            published = selectors.published_quarter(quarter)
            form.add_error(
                None,
                (
                    f"Someone else published {quarter} again after you opened this page "
                    f"(publication {stale.current.publication}). Check the figures below and "
                    "republish again if they still need replacing"
                ),
            )
            form.data = form.data.copy()
            form.data["publication"] = stale.current.publication
        except PublishRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{quarter} published again")
            return redirect("dataset:dashboard", quarter=quarter)
    return render(
        request,
        "dataset/republish.html",
        {
            **_publish_context(quarter),
            "form": form,
            "published": published,
            "rows": presentation.publication_rows(
                selectors.live_figures(quarter), selectors.published_figures(published)
            ),
        },
    )


@require_GET
def restatements(request, quarter):
    """Deliberately asked for: a full live recomputation compared with the snapshot."""
    _may_read(request)
    published = selectors.published_quarter(quarter)
    rows = None
    if published is not None:
        rows = presentation.restatement_rows(selectors.restatements(published))
    return render(
        request,
        "dataset/restatements.html",
        {
            "quarter": quarter,
            "published": published,
            "rows": rows,
            "may_publish": access.publishes_dataset(request.user),
        },
    )
