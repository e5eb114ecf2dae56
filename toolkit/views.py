"""*My children* and the tools' pages: start, save as a draft, complete, read back, reopen."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases.services import child_opened
from neglect_portal import access
from neglect_portal.dates import today
from neglect_portal.kept_answers import keeps_answers_through_sign_in, kept_answers
from neglect_portal.records import once
from neglect_portal.records.history import history_entries
from neglect_portal.records.stale import refuse_stale
from neglect_portal.records.versions import StaleEdit
from neglect_portal.records.views import RecordFormView, reopen_page

from .models import NextStep
from .oversight_forms import oversight_context
from .presentation import READ_CONTEXT, sdq_scores
from .selectors import caseload_page
from .services import (
    next_step_update_status,
    sdq_need_record,
    tool_complete,
    tool_reopen,
)
from .services import tool_start as tool_begin
from .status import MANDATORY_TOOLS
from .tool_forms import NextStepStatusForm, SDQNeedForm
from .tool_kinds import TOOL_KINDS
from .trail import HISTORY_PARTS


def my_children(request):
    if not access.works_with_children(request.user):
        raise PermissionDenied
    page = caseload_page(request.user, on=today(), number=request.GET.get("page"))
    return render(
        request,
        "toolkit/my_children.html",
        {
            "page": page,
            "tools": MANDATORY_TOOLS.values(),
            "for_agency": request.user.is_team_manager,
        },
    )


def _kind_or_404(kind):
    if kind not in TOOL_KINDS:
        raise Http404
    return TOOL_KINDS[kind]


def _tool_or_404(request, kind, pk):
    tools = _kind_or_404(kind).model.objects.select_related(
        "author", "author_agency", "reopened_by"
    )
    return get_object_or_404(access.records_visible_to(request.user, tools), pk=pk)


def tool_start(request, pk, kind):
    child = get_object_or_404(access.children_visible_to(request.user), pk=pk)
    tool_kind = _kind_or_404(kind)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.works_with_children(request.user):
        raise PermissionDenied
    done = once.submit_once(
        request,
        lambda: tool_begin(
            tool_kind.model, child=child, author=request.user, **tool_kind.start_fields(child)
        ),
        lambda tool: reverse("toolkit:tool", args=[kind, tool.pk]),
    )
    if done.again:
        return once.already_saved(request, done.url, "This tool was already started")
    return redirect(done.url)


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
        return read_page(request, kind, tool, context=context)
    form, response, stale = _save_tool(request, tool, tool_kind.form)
    if response:
        return response
    return render(
        request,
        f"{template}_form.html",
        {
            **context,
            "form": form,
            "stale": stale,
            "scores": sdq_scores(tool) if kind == "sdq" else None,
        },
        status=409 if stale else 200,
    )


def read_page(request, kind, tool, *, context=None, oversight_form=None):
    """A tool's read-only page, with its management oversight (and a manager's form for it,
    shown again with its errors as `oversight_form`)."""
    if context is None:
        context = {
            "tool": tool,
            "child": tool.child,
            "kind": kind,
            "editable": False,
            "can_reopen": access.can_reopen_tool(request.user, tool),
        }
    read = READ_CONTEXT[kind](tool)
    if kind == "next-steps":
        add_status_forms(read["steps"], request.user)
    return render(
        request,
        f"toolkit/{kind.replace('-', '_')}_read.html",
        {**context, **read, **oversight_context(request.user, kind, tool, oversight_form)},
    )


def _save_tool(request, tool, form_class):
    """(the form to show, the redirect once saved, the stale-edit refusal)."""
    kept = kept_answers(request)
    if kept is not None:
        messages.warning(
            request,
            "You were signed out before your answers were saved. They "
            "are below: check them and save again",
        )
        form = form_class(kept, tool=tool)
        form.is_valid()
        return form, None, None
    form = form_class(request.POST if request.method == "POST" else None, tool=tool)
    if request.method != "POST" or not form.is_valid():
        return form, None, None
    kind = request.resolver_match.kwargs["kind"]
    try:
        # The answers are saved first, so nothing typed is lost if completion finds gaps.
        tool = form.save_draft(
            tool, user=request.user, expected_version=form.cleaned_data["version"]
        )
        if request.POST.get("action") != "complete":
            messages.success(request, "Draft saved")
            return form, redirect("toolkit:tool", kind=kind, pk=tool.pk), None
        tool_complete(tool, user=request.user, expected_version=tool.version)
    except StaleEdit as stale:
        saved = form_class(tool=stale.current)
        return form, None, refuse_stale(form, saved, version=stale.current.version, thing="tool")
    except ValidationError as gaps:
        data = request.POST.dict() | {"version": tool.version} | form.saved_rows(tool)
        form = form_class(data, tool=tool)
        form.is_valid()
        for key, message in gaps.message_dict.items():
            form.add_error(form.field_for_problem(key), message)
        return form, None, None
    messages.success(request, f"{tool} completed")
    return form, redirect("toolkit:tool", kind=kind, pk=tool.pk), None


@require_http_methods(["GET", "POST"])
def tool_reopen_page(request, kind, pk):
    tool = _tool_or_404(request, kind, pk)
    if not access.can_reopen_tool(request.user, tool):
        raise PermissionDenied
    return reopen_page(
        request,
        what="tool",
        kept="This is kept in the tool's history",
        reopen=lambda reason: tool_reopen(
            tool, user=request.user, reason=reason, expected_version=tool.version
        ),
        reopened=f"{tool} reopened",
        back_to=reverse("toolkit:tool", args=[kind, tool.pk]),
        context={"title": f"Reopen the {str(tool).lower()}", "caption": str(tool.child)},
    )


def tool_history(request, kind, pk):
    """Who changed the tool, when and what, answer by answer: reopenings and their reasons,
    and each completion."""
    tool = _tool_or_404(request, kind, pk)
    child_opened(child=tool.child, user=request.user)
    return render(
        request,
        "toolkit/history.html",
        {
            "record": tool,
            "child": tool.child,
            "title": f"History: {tool}",
            "entries": history_entries(tool, parts=HISTORY_PARTS[kind]),
            "back_url": reverse("toolkit:tool", args=[kind, tool.pk]),
            "back_label": "Back to the tool",
        },
    )


@require_http_methods(["GET", "POST"])
def sdq_need_add(request, pk):
    """Record that the child needs an SDQ, and why (the form is also on the child's page)."""
    child = get_object_or_404(access.children_visible_to(request.user), pk=pk)
    if not access.can_record_sdq_need(request.user, child):
        raise PermissionDenied
    child_url = reverse("cases:child_detail", args=[child.pk])
    form = once.carry_token(SDQNeedForm(request.POST if request.method == "POST" else None))
    if request.method == "POST" and form.is_valid():
        done = once.submit_once(
            request,
            lambda: sdq_need_record(
                child=child, user=request.user, reason=form.cleaned_data["reason"]
            ),
            lambda need: child_url,
        )
        if done.again:
            return once.already_saved(request, done.url)
        messages.success(request, "Recorded that an SDQ is needed")
        return redirect(done.url)
    if request.method == "GET":
        child_opened(child=child, user=request.user)
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": "Record that an SDQ is needed",
            "caption": str(child),
            "cancel_url": child_url,
        },
    )


def add_status_forms(steps, user) -> None:
    """Give each step `user` may update its status form (`step.status_form`): no query."""
    for step in steps:
        if access.can_update_next_step(user, step):
            step.status_form = _status_form(None, step)


def _status_form(data, step: NextStep) -> NextStepStatusForm:
    form = NextStepStatusForm(data, instance=step, prefix=f"step-{step.pk}")
    form.helper.form_action = reverse("toolkit:next_step_status", args=[step.pk])
    return form


class NextStepStatus(RecordFormView):
    """A completed analysis's step marked done, no longer needed or open, by its owner or the
    author's team, without reopening the analysis. The analysis's page shows the form; this
    page shows it again when something needs correcting."""

    form_class = NextStepStatusForm
    stale_thing = "next step"
    success_message = "Next step updated"

    def get_object(self):
        steps = NextStep.objects.select_related(
            "analysis__author", "analysis__author_agency", "owner"
        )
        return get_object_or_404(
            access.records_visible_to(self.request.user, steps), pk=self.kwargs["pk"]
        )

    def may_change(self, user):
        return access.can_update_next_step(user, self.object)

    def form(self, data):
        return _status_form(data, self.object)

    def form_kwargs(self):
        return {"prefix": f"step-{self.object.pk}"}

    def save(self, form):
        data = form.cleaned_data
        return next_step_update_status(
            form.instance,
            user=self.request.user,
            status=data["status"],
            done_on=data["done_on"],
            reason=data["closed_reason"],
            expected_version=data["version"],
        )

    def opened(self):
        child_opened(child=access.child_of(self.object), user=self.request.user)

    def success_url(self, record):
        return reverse("toolkit:tool", args=["next-steps", record.analysis_id])

    def context(self):
        step = self.object
        return {
            "title": f"Update next step {step.position}",
            "caption": str(access.child_of(step)),
            "cancel_url": self.success_url(step),
        }


def next_step_history(request, pk):
    """Who changed a step and what: its text, owner, due date and every status change."""
    steps = NextStep.objects.select_related("analysis")
    step = get_object_or_404(access.records_visible_to(request.user, steps), pk=pk)
    child = access.child_of(step)
    child_opened(child=child, user=request.user)
    return render(
        request,
        "toolkit/next_step_history.html",
        {"step": step, "child": child, "entries": history_entries(step)},
    )
