"""The Working Group's meeting pack for a quarter: the page (printed to A4 or saved as PDF
from the browser) and its downloads."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.quarters import Quarter
from neglect_portal.spreadsheets import csv_response, xlsx_response

from . import pack as packs

reads_pack = access.only_for(access.reads_partnership_aggregates)


@require_GET
@reads_pack
def pack_latest(request):
    """The pack the next meeting reads: the last quarter to have ended."""
    return redirect("dataset:pack", quarter=Quarter.latest_complete())


@require_GET
@reads_pack
def pack(request, quarter):
    return render(
        request,
        "dataset/pack.html",
        {
            "quarter": quarter,
            "in_progress": quarter.end >= today(),
            "pack": packs.meeting_pack(quarter),
        },
    )


@require_GET
@reads_pack
def pack_csv(request, quarter):
    """The pack's headline indicators; the Excel download has every section."""
    return csv_response(
        f"meeting-pack-{quarter.slug}.csv",
        packs.INDICATOR_HEADER,
        packs.indicator_rows(packs.meeting_pack(quarter)),
    )


@require_GET
@reads_pack
def pack_xlsx(request, quarter):
    return xlsx_response(
        f"meeting-pack-{quarter.slug}.xlsx", packs.sheets(packs.meeting_pack(quarter))
    )
