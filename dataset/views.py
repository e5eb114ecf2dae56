from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from cases.models import ChildListAccess
from cases.services import children_listed
from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.quarters import Quarter
from neglect_portal.spreadsheets import csv_response, xlsx_response

from . import breakdown, confidence, drilldown, presentation, results, selectors
from .indicators import Indicator, Source
from .movements import POINTS_THRESHOLD, RELATIVE_THRESHOLD

PAGE_SIZE = 25


reads_dataset = access.only_for(access.reads_dataset)


def _indicator_or_404(code: str) -> Indicator:
    found = selectors.indicator_or_none(code)
    if found is None:
        raise Http404("No such indicator")
    return found


def _case_record_indicator_or_404(code: str, which: str) -> Indicator:
    indicator = _indicator_or_404(code)
    if not indicator.lists_records or which not in drilldown.WHICH_LABELS:
        raise Http404("No such list")
    if which == selectors.DENOMINATOR and not indicator.has_denominator:
        raise Http404("No such list")
    return indicator


def _quarter_context(quarter: Quarter) -> dict:
    day = today()
    choices = presentation.quarter_choices(day)
    if quarter not in choices:  # an older (or later) quarter opened by its address
        choices = sorted([*choices, quarter], reverse=True)
    return {"quarter": quarter, "choices": choices, "in_progress": quarter.end >= day}


@require_GET
@reads_dataset
def dashboard_latest(request):
    return redirect("dataset:dashboard", quarter=Quarter.latest_complete())


@require_GET
@reads_dataset
def choose_quarter(request):
    """The quarter picker works without script: its form sends ?quarter= here."""
    if not request.GET.get("quarter"):
        return redirect("dataset:dashboard_latest")
    try:
        quarter = Quarter.parse(request.GET["quarter"])
    except ValueError:
        raise Http404("No such quarter") from None
    return redirect("dataset:dashboard", quarter=quarter)


@require_GET
@reads_dataset
def dashboard(request, quarter):
    return render(
        request,
        "dataset/dashboard.html",
        {
            **_quarter_context(quarter),
            **presentation.dashboard(quarter),
            "may_publish": access.publishes_dataset(request.user),
            "may_define": access.defines_partner_indicators(request.user),
        },
    )


@require_GET
@reads_dataset
def themes(request, quarter):
    return render(
        request,
        "dataset/themes.html",
        {
            **_quarter_context(quarter),
            "themes": presentation.emerging_themes(quarter),
            "points": POINTS_THRESHOLD,
            "relative": RELATIVE_THRESHOLD,
        },
    )


@require_GET
@reads_dataset
def indicator(request, quarter, code):
    indicator = _indicator_or_404(code)
    context = {**_quarter_context(quarter), "indicator": indicator}
    if indicator.lists_records:
        result = selectors.shown_result(quarter)
        sees_records = access.sees_any_child(request.user)
        # Counted only for those shown them: others see the figure's own counts.
        numerator, denominator = (
            selectors.visible_counts(code, request.user, result) if sees_records else (None, None)
        )
        context.update(
            {
                **presentation.indicator_trend(code, quarter),
                **presentation.indicator_series(code, quarter, result),
                "result": result,
                "breakdown": breakdown.agency_figures(
                    code, quarter, indicator.unit, results.agency_figures(result, code)
                )
                if result
                else None,
                "breakdown_heading": breakdown.agency_heading(code),
                "sees_records": sees_records,
                "visible_numerator": numerator,
                "visible_denominator": denominator,
            }
        )
    elif indicator.submitted_by_agency:
        # Submitted, not computed: no breakdown and no records behind it (no drill-down).
        context.update(presentation.indicator_trend(code, quarter))
    elif indicator.source == Source.CONFIDENCE_SURVEYS:
        # Per agency with small groups hidden, and no list of anyone: the survey is anonymous.
        context.update(
            {
                **presentation.indicator_trend(code, quarter),
                "confidence": confidence.confidence_by_agency(quarter),
            }
        )
    elif indicator.code == "ACTIONS_BY_RAG":
        context["rag_counts"] = selectors.actions_by_rag(quarter)
        context["rag_tables"] = selectors.actions_by_rag_table(quarter)
    return render(request, "dataset/indicator.html", context)


@require_GET
@reads_dataset
def members(request, quarter, code, which):
    indicator = _case_record_indicator_or_404(code, which)
    figure = selectors.figures_for(quarter, [code])[code]
    sees_records = access.sees_any_child(request.user)
    result = selectors.shown_result(quarter)
    page = None
    if sees_records and result is not None:
        records = selectors.drill_down(code, which, request.user, result)
        page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
        page.rows = [drilldown.row(record) for record in page]
        # Each page viewed is its own entry, as each names other children.
        children_listed(
            user=request.user,
            kind=ChildListAccess.Kind.DRILL_DOWN,
            what=f"{drilldown.described(code, which, quarter)}, page {page.number}",
            children=len({shown.child.pk for shown in page.rows}),
        )
    return render(
        request,
        "dataset/members.html",
        {
            **_quarter_context(quarter),
            "indicator": indicator,
            "figure": figure,
            "which": which,
            "which_label": drilldown.WHICH_LABELS[which],
            "total": figure.numerator if which == selectors.NUMERATOR else figure.denominator,
            "sees_records": sees_records,
            "result": result,
            "page": page,
        },
    )


@require_GET
@reads_dataset
def members_csv(request, quarter, code, which):
    _case_record_indicator_or_404(code, which)
    if not access.sees_any_child(request.user):
        raise PermissionDenied
    records = selectors.drill_down(code, which, request.user, selectors.shown_result(quarter))
    if records is None:
        # Not stored yet (the worker has been asked): nothing to download for now.
        raise Http404("The figures are being calculated")
    children: set[int] = set()
    response = csv_response(
        f"{code.lower()}-{which}-{quarter.slug}.csv",
        drilldown.CSV_HEADER,
        drilldown.csv_rows(records, children=children),
    )
    # csv_response has written every row by now, so `children` holds every child in the file.
    children_listed(
        user=request.user,
        kind=ChildListAccess.Kind.DRILL_DOWN_CSV,
        what=drilldown.described(code, which, quarter),
        children=len(children),
    )
    return response


@require_GET
@reads_dataset
def dashboard_csv(request, quarter):
    return csv_response(
        f"neglect-dataset-{quarter.slug}.csv",
        presentation.EXPORT_HEADER,
        presentation.export_rows(quarter),
    )


@require_GET
@reads_dataset
def dashboard_xlsx(request, quarter):
    return xlsx_response(
        f"neglect-dataset-{quarter.slug}.xlsx",
        [
            (
                f"Dataset {quarter.label}",
                presentation.EXPORT_HEADER,
                presentation.export_rows(quarter),
            )
        ],
    )
