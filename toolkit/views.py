from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_http_methods

from cases.selectors import children_visible_to
from cases.services import StaleEdit, child_opened
from cases.views import RecordFormView
from neglect_portal import access
from neglect_portal.kept_answers import keeps_answers_through_sign_in, kept_answers
from neglect_portal.models import Agency
from neglect_portal.spreadsheets import csv_response

from .chronology import merged_chronology
from .content import NeglectType
from .forms import ChronologyEntryChangeForm, ChronologyEntryForm
from .models import Chronology, ChronologyEntry
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
from .tool_display import READ_CONTEXT, sdq_scores
from .tool_forms import ReopenForm
from .tool_kinds import TOOL_KINDS


def my_children(request):
    if not access.works_with_children(request.user):
        raise PermissionDenied
    rows = caseload_with_status(request.user, on=date.today())
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "toolkit/my_children.html",
        {
            "page": page,
            "tools": MANDATORY_TOOLS.values(),
            "for_agency": request.user.is_team_manager,
        },
    )


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
    return {
        "agencies": agencies,
        "agency_id": agency_id,
        "show": show,
        "oldest_first": oldest_first,
    }


NEGLECT_TYPES = dict(NeglectType.choices)
SHOW = {
    "all": "Everything",
    "entries": "Entries written by practitioners",
    "events": "Events from the case record",
    "significant": "Significant events only",
}


def chronology(request, pk):
    child = _visible_child(request, pk)
    child_opened(child=child, user=request.user)
    filters = _chronology_filters(request)
    items = merged_chronology(
        child,
        agency_id=filters["agency_id"],
        show=filters["show"],
        oldest_first=filters["oldest_first"],
    )
    record = Chronology.objects.filter(child=child).select_related("reviewed_by").first()
    return render(
        request,
        "toolkit/chronology.html",
        {
            "child": child,
            "items": items,
            "record": record,
            "show_choices": SHOW,
            **filters,
            "changeable": {
                item.entry.pk
                for item in items
                if item.is_entry and access.can_change_chronology_entry(request.user, item.entry)
            },
            "can_review": access.works_with_children(request.user),
            "printing": request.resolver_match.url_name == "chronology_print",
        },
    )


@require_http_methods(["GET", "POST"])
def chronology_add(request, pk):
    child = _visible_child(request, pk)
    form = ChronologyEntryForm(
        request.POST if request.method == "POST" else None,
        instance=ChronologyEntry(author=request.user, source_agency=request.user.agency),
    )
    if request.method == "POST" and form.is_valid():
        chronology_entry_add(child=child, entry=form.instance)
        messages.success(request, "Entry added to the chronology")
        return redirect("toolkit:chronology", pk=child.pk)
    return render(
        request,
        "cases/record_form.html",
        {
            "form": form,
            "title": "Add to the chronology",
            "child": child,
            "cancel_url": reverse("toolkit:chronology", args=[child.pk]),
        },
    )


class ChronologyEntryChange(RecordFormView):
    form_class = ChronologyEntryChangeForm
    title = "Change a chronology entry"
    success_message = "Chronology entry saved"

    def dispatch(self, request, pk):
        visible = children_visible_to(request.user).values("pk")
        self.object = get_object_or_404(
            ChronologyEntry.objects.filter(chronology__child__in=visible).select_related(
                "chronology__child"
            ),
            pk=pk,
        )
        if not access.can_change_chronology_entry(request.user, self.object):
            raise PermissionDenied
        return View.dispatch(self, request, pk)

    def success_url(self, record):
        return reverse("toolkit:chronology", args=[record.child.pk])

    def cancel_url(self, child):
        return reverse("toolkit:chronology", args=[child.pk])


def chronology_review(request, pk):
    child = _visible_child(request, pk)  # outsiders learn nothing, not even the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.works_with_children(request.user):
        raise PermissionDenied
    chronology_mark_reviewed(child=child, user=request.user)
    messages.success(request, "Chronology marked as reviewed today")
    return redirect("toolkit:chronology", pk=child.pk)


CSV_HEADER = [
    "Date",
    "Agency",
    "Kind",
    "What happened",
    "Impact on the child",
    "Recorded",
    "Who was involved",
    "Impact",
    "Action or outcome",
    "Analysis",
    "Significant",
    "Types of neglect",
]


def _csv_row(item):
    entry = item.entry
    if entry is None:
        return [
            item.day.isoformat(),
            item.agency,
            "Case record event",
            item.title,
            item.detail,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]
    return [
        entry.event_date.isoformat(),
        item.agency,
        "Entry",
        entry.what_happened,
        entry.impact_description,
        entry.recorded_on.isoformat(),
        entry.who_was_involved,
        entry.get_impact_display(),
        entry.action,
        entry.analysis,
        "Yes" if entry.significant else "No",
        ", ".join(NEGLECT_TYPES.get(code, code) for code in entry.neglect_types),
    ]


def chronology_csv(request, pk):
    child = _visible_child(request, pk)
    child_opened(child=child, user=request.user)
    rows = [_csv_row(item) for item in merged_chronology(child, oldest_first=True)]
    return csv_response(f"chronology-{child.pk}.csv", CSV_HEADER, rows)


# The tools: start, save as draft, complete, read back, reopen ------------------------------


def _kind_or_404(kind):
    if kind not in TOOL_KINDS:
        raise Http404
    return TOOL_KINDS[kind]


def _tool_or_404(request, kind, pk):
    model = _kind_or_404(kind).model
    visible = children_visible_to(request.user).values("pk")
    return get_object_or_404(
        model.objects.filter(child__in=visible).select_related("child", "author", "author_agency"),
        pk=pk,
    )


def tool_start(request, pk, kind):
    child = _visible_child(request, pk)
    tool_kind = _kind_or_404(kind)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.works_with_children(request.user):
        raise PermissionDenied
    tool = tool_begin(
        tool_kind.model, child=child, author=request.user, **tool_kind.start_fields(child)
    )
    return redirect("toolkit:tool", kind=kind, pk=tool.pk)


@keeps_answers_through_sign_in
@require_http_methods(["GET", "POST"])
def tool_page(request, kind, pk):
    tool = _tool_or_404(request, kind, pk)
    child_opened(child=tool.child, user=request.user)
    tool_kind = TOOL_KINDS[kind]
    editable = access.can_edit_tool(request.user, tool)
    template = f"toolkit/{kind.replace('-', '_')}"
    context = {
        "tool": tool,
        "child": tool.child,
        "kind": kind,
        "editable": editable,
        "can_reopen": access.can_reopen_tool(request.user, tool),
        "complete_label": tool_kind.complete_label,
    }
    if not editable:
        if request.method == "POST":
            raise PermissionDenied
        return render(request, f"{template}_read.html", {**context, **READ_CONTEXT[kind](tool)})
    form, response = _save_tool(request, tool, tool_kind.form)
    if response:
        return response
    return render(
        request,
        f"{template}_form.html",
        {
            **context,
            "form": form,
            "scores": sdq_scores(tool) if kind == "sdq" else None,
        },
    )


def _save_tool(request, tool, form_class):
    """(the form to show, or the redirect once saved)."""
    kept = kept_answers(request)
    if kept is not None:
        messages.warning(
            request,
            "You were signed out before your answers were saved. They "
            "are below: check them and save again",
        )
        form = form_class(kept, tool=tool)
        form.is_valid()
        return form, None
    form = form_class(request.POST if request.method == "POST" else None, tool=tool)
    if request.method != "POST" or not form.is_valid():
        return form, None
    kind = request.resolver_match.kwargs["kind"]
    try:
        # The answers are saved first, so nothing typed is lost if completion finds gaps.
        tool = tool_save_draft(
            form.apply(tool), user=request.user, expected_version=form.cleaned_data["version"]
        )
        if request.POST.get("action") != "complete":
            messages.success(request, "Draft saved")
            return form, redirect("toolkit:tool", kind=kind, pk=tool.pk)
        tool_complete(tool, user=request.user, expected_version=tool.version)
    except StaleEdit:
        form.add_error(
            None,
            "Someone else saved this tool after you opened it. Your "
            "answers are below: check them and save again",
        )
        form.data = {**form.data.dict(), "version": _current_version(tool)}
    except ValidationError as gaps:
        form = form_class(request.POST.dict() | {"version": tool.version}, tool=tool)
        form.is_valid()
        for key, message in gaps.message_dict.items():
            form.add_error(form.field_for_problem(key), message)
    else:
        messages.success(request, f"{tool} completed")
        return form, redirect("toolkit:tool", kind=kind, pk=tool.pk)
    return form, None


def _current_version(tool):
    return type(tool).objects.values_list("version", flat=True).get(pk=tool.pk)


@require_http_methods(["GET", "POST"])
def tool_reopen_page(request, kind, pk):
    tool = _tool_or_404(request, kind, pk)
    if not access.can_reopen_tool(request.user, tool):
        raise PermissionDenied
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        tool_reopen(
            tool,
            user=request.user,
            reason=form.cleaned_data["reason"],
            expected_version=tool.version,
        )
        messages.success(request, f"{tool} reopened")
        return redirect("toolkit:tool", kind=kind, pk=tool.pk)
    return render(
        request,
        "cases/record_form.html",
        {
            "form": form,
            "title": f"Reopen the {str(tool).lower()}",
            "child": tool.child,
            "cancel_url": reverse("toolkit:tool", args=[kind, tool.pk]),
        },
    )
