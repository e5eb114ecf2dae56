"""Publishing a closed quarter's figures, republishing with a reason, and checking a
published quarter for restatements."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.records.versions import StaleEdit

from . import live, presentation, readiness, selectors, services
from .forms import PublishForm, RepublishForm
from .services import PublishRefused

publishes = access.only_for(access.publishes_dataset)


def _publish_context(quarter) -> dict:
    return {"quarter": quarter, "in_progress": quarter.end >= today()}


def _readiness(quarter) -> readiness.Readiness | None:
    """Only a closed quarter can be published; an open one is refused before any gap."""
    return readiness.publication_readiness(quarter) if quarter.end < today() else None


@require_http_methods(["GET", "POST"])
@publishes
def publish(request, quarter):
    published = selectors.published_quarter(quarter)
    if published is not None:
        if request.method == "POST":  # someone published it after this page was opened
            messages.warning(
                request,
                f"{quarter} was published by {published.published_by} "
                "after you opened the page: nothing was changed",
            )
        return redirect("dataset:republish", quarter=quarter)
    gaps = _readiness(quarter)
    form = PublishForm(request.POST if request.method == "POST" else None, readiness=gaps)
    if request.method == "POST" and form.is_valid():
        try:
            services.quarter_publish(quarter=quarter, user=request.user)
        except PublishRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"{quarter} published")
            return redirect("dataset:dashboard", quarter=quarter)
    return render(
        request,
        "dataset/publish.html",
        {
            **_publish_context(quarter),
            "form": form,
            "readiness": gaps,
            "rows": presentation.publication_rows(
                selectors.live_figures(quarter), registry=selectors.indicators_by_code()
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@publishes
def republish(request, quarter):
    published = selectors.published_quarter(quarter)
    if published is None:
        return redirect("dataset:publish", quarter=quarter)
    gaps = _readiness(quarter)
    form = RepublishForm(
        request.POST if request.method == "POST" else None,
        initial={"publication": published.publication},
        readiness=gaps,
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
            # Not the record stale-edit page: what differs is the figures, shown below.
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
            "readiness": gaps,
            "published": published,
            "rows": presentation.publication_rows(
                selectors.live_figures(quarter),
                selectors.published_figures(published),
                registry=selectors.indicators_by_code(),
            ),
        },
    )


@require_GET
@access.only_for(access.reads_dataset)
def restatements(request, quarter):
    """Deliberately asked for: a full live recomputation compared with the snapshot."""
    published = selectors.published_quarter(quarter)
    rows = None
    if published is not None:
        rows = presentation.restatement_rows(
            selectors.restatements(published), registry=selectors.indicators_by_code()
        )
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


@require_POST
@publishes
def refresh(request, quarter):
    """Recalculate a quarter's live figures as soon as the worker is free, rather than within
    the minute after a change (or overnight, for an older quarter)."""
    live.request_refresh([quarter], settle=False)
    messages.success(
        request,
        f"The figures for {quarter} are being calculated again: reload the page in a minute",
    )
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("dataset:dashboard", quarter=quarter)
