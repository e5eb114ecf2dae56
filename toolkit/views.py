from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases.selectors import children_visible_to
from cases.services import StaleEdit, child_opened
from neglect_portal import access
from neglect_portal.models import Agency
from neglect_portal.spreadsheets import csv_response

from .chronology import merged_chronology
from .content import CHECKLIST_DOMAINS, Concern, NeglectType
from .forms import ChronologyEntryForm
from .models import AssessmentChecklist, Chronology, ChronologyEntry
from .selectors import caseload_with_status
from .services import (
    chronology_entry_add,
    chronology_mark_reviewed,
    tool_complete,
    tool_reopen,
    tool_save_draft,
)
from .services import (
    tool_start as tool_begin,
)
from .status import MANDATORY_TOOLS
from .tool_forms import ChecklistForm, ReopenForm


def my_children(request):
    if not access.works_with_children(request.user):
        raise PermissionDenied
    rows = caseload_with_status(request.user, on=date.today())
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "toolkit/my_children.html", {
        "page": page, "tools": MANDATORY_TOOLS.values(),
        "for_agency": request.user.is_team_manager,
    })


def _visible_child(request, pk):
    return get_object_or_404(children_visible_to(request.user), pk=pk)


def _chronology_filters(request):
    agencies = Agency.objects.filter(active=True)
    try:
        agency_id = int(request.GET["agency"]) if request.GET.get("agency") else None
    except ValueError:
        agency_id = None
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "all"
    oldest_first = request.GET.get("order") == "oldest"
    return {"agencies": agencies, "agency_id": agency_id, "show": show,
            "oldest_first": oldest_first}


NEGLECT_TYPES = dict(NeglectType.choices)
SHOW = {"all": "Everything", "entries": "Entries written by practitioners",
        "events": "Events from the case record", "significant": "Significant events only"}


def chronology(request, pk):
    child = _visible_child(request, pk)
    child_opened(child=child, user=request.user)
    filters = _chronology_filters(request)
    items = merged_chronology(child, agency_id=filters["agency_id"], show=filters["show"],
                              oldest_first=filters["oldest_first"])
    record = Chronology.objects.filter(child=child).select_related("reviewed_by").first()
    return render(request, "toolkit/chronology.html", {
        "child": child, "items": items, "record": record, "show_choices": SHOW, **filters,
        "can_review": access.works_with_children(request.user),
        "printing": request.resolver_match.url_name == "chronology_print",
    })


@require_http_methods(["GET", "POST"])
def chronology_add(request, pk):
    child = _visible_child(request, pk)
    form = ChronologyEntryForm(request.POST if request.method == "POST" else None,
                               instance=ChronologyEntry(
        author=request.user, source_agency=request.user.agency))
    if request.method == "POST" and form.is_valid():
        chronology_entry_add(child=child, entry=form.instance)
        messages.success(request, "Entry added to the chronology")
        return redirect("toolkit:chronology", pk=child.pk)
    return render(request, "cases/record_form.html", {
        "form": form, "title": "Add to the chronology", "child": child,
        "cancel_url": reverse("toolkit:chronology", args=[child.pk]),
    })


def chronology_review(request, pk):
    child = _visible_child(request, pk)  # outsiders learn nothing, not even the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.works_with_children(request.user):
        raise PermissionDenied
    chronology_mark_reviewed(child=child, user=request.user)
    messages.success(request, "Chronology marked as reviewed today")
    return redirect("toolkit:chronology", pk=child.pk)


CSV_HEADER = ["Date", "Agency", "Kind", "What happened", "Impact on the child", "Recorded",
              "Who was involved", "Impact", "Action or outcome", "Analysis", "Significant",
              "Types of neglect"]


def _csv_row(item):
    entry = item.entry
    if entry is None:
        return [item.day.isoformat(), item.agency, "Case record event", item.title, item.detail,
                "", "", "", "", "", "", ""]
    return [entry.event_date.isoformat(), item.agency, "Entry", entry.what_happened,
            entry.impact_description, entry.recorded_on.isoformat(), entry.who_was_involved,
            entry.get_impact_display(), entry.action, entry.analysis,
            "Yes" if entry.significant else "No",
            ", ".join(NEGLECT_TYPES.get(code, code) for code in entry.neglect_types)]


def chronology_csv(request, pk):
    child = _visible_child(request, pk)
    child_opened(child=child, user=request.user)
    rows = [_csv_row(item) for item in merged_chronology(child, oldest_first=True)]
    return csv_response(f"chronology-{child.pk}.csv", CSV_HEADER, rows)


# The tools: start, save as draft, complete, read back, reopen ------------------------------

TOOLS = {
    "checklist": (AssessmentChecklist, ChecklistForm),
}


def _tool_or_404(request, kind, pk):
    if kind not in TOOLS:
        raise Http404
    model = TOOLS[kind][0]
    visible = children_visible_to(request.user).values("pk")
    return get_object_or_404(model.objects.filter(child__in=visible)
                             .select_related("child", "author", "author_agency"), pk=pk)


def tool_start(request, pk, kind):
    child = _visible_child(request, pk)
    if kind not in TOOLS:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.works_with_children(request.user):
        raise PermissionDenied
    tool = tool_begin(TOOLS[kind][0], child=child, author=request.user)
    return redirect("toolkit:tool", kind=kind, pk=tool.pk)


@require_http_methods(["GET", "POST"])
def tool_page(request, kind, pk):
    tool = _tool_or_404(request, kind, pk)
    child_opened(child=tool.child, user=request.user)
    form_class = TOOLS[kind][1]
    editable = access.can_edit_tool(request.user, tool)
    context = {"tool": tool, "child": tool.child, "kind": kind, "editable": editable,
               "can_reopen": access.can_reopen_tool(request.user, tool)}
    if not editable:
        if request.method == "POST":
            raise PermissionDenied
        return render(request, f"toolkit/{kind}_read.html", {**context, "rows": _rows(tool)})
    form = form_class(request.POST if request.method == "POST" else None, tool=tool)
    if request.method == "POST" and form.is_valid():
        expected = form.cleaned_data["version"]
        try:
            # The answers are saved first, so nothing typed is lost if completion finds gaps.
            tool = tool_save_draft(form.apply(tool), user=request.user, expected_version=expected)
            if request.POST.get("action") != "complete":
                messages.success(request, "Draft saved")
                return redirect("toolkit:tool", kind=kind, pk=tool.pk)
            tool_complete(tool, user=request.user, expected_version=tool.version)
        except StaleEdit:
            form.add_error(None, "Someone else saved this tool after you opened it. Your "
                                 "answers are below: check them and save again")
            form.data = {**form.data.dict(), "version": _current_version(tool)}
        except ValidationError as gaps:
            form = form_class(request.POST.dict() | {"version": tool.version}, tool=tool)
            form.is_valid()
            for field, message in gaps.message_dict.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"{tool} completed")
            return redirect("toolkit:tool", kind=kind, pk=tool.pk)
    return render(request, f"toolkit/{kind}_form.html", {**context, "form": form})


def _rows(tool):
    """The checklist's answers as they read on screen."""
    concerns = dict(Concern.choices)
    return [{"label": label,
             "concern": concerns.get(tool.ratings.get(key, {}).get("concern"), "Not rated"),
             "evidence": tool.ratings.get(key, {}).get("evidence", "")}
            for key, label in CHECKLIST_DOMAINS.items()]


def _current_version(tool):
    return type(tool).objects.values_list("version", flat=True).get(pk=tool.pk)


@require_http_methods(["GET", "POST"])
def tool_reopen_page(request, kind, pk):
    tool = _tool_or_404(request, kind, pk)
    if not access.can_reopen_tool(request.user, tool):
        raise PermissionDenied
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        tool_reopen(tool, user=request.user, reason=form.cleaned_data["reason"],
                    expected_version=tool.version)
        messages.success(request, f"{tool} reopened")
        return redirect("toolkit:tool", kind=kind, pk=tool.pk)
    return render(request, "cases/record_form.html", {
        "form": form, "title": f"Reopen the {str(tool).lower()}", "child": tool.child,
        "cancel_url": reverse("toolkit:tool", args=[kind, tool.pk]),
    })
