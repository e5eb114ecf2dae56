"""The Impact Framework page for a quarter: the evidence from every source in one place, for
the Working Group and the scrutiny event (printed to A4 or saved as PDF from the browser)."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.quarters import Quarter

from . import impact as impacts

reads_dataset = access.only_for(access.reads_dataset)


@require_GET
@reads_dataset
def impact_latest(request):
    """The framework the next meeting reads: the last quarter to have ended."""
    return redirect("dataset:impact", quarter=Quarter.latest_complete())


@require_GET
@reads_dataset
def impact(request, quarter):
    return render(
        request,
        "dataset/impact.html",
        {
            "quarter": quarter,
            "in_progress": quarter.end >= today(),
            "impact": impacts.impact_framework(quarter),
        },
    )
