"""Recording management oversight (POST only) on a tool's page or the chronology page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from neglect_portal import access
from neglect_portal.records.versions import StaleEdit
from neglect_portal.records.views import show_validation_error

from . import chronology_views, views
from .models import CHRONOLOGY_KIND, Chronology
from .oversight_forms import OversightForm
from .services import oversight_record


def _record(request, kind, tool, back_to, show_again):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not access.can_record_oversight(request.user, tool):
        raise PermissionDenied
    form = OversightForm(request.POST, tool=tool)
    if form.is_valid():
        try:
            oversight_record(
                kind=kind,
                tool=tool,
                manager=request.user,
                judgement=form.cleaned_data["judgement"],
                reason=form.cleaned_data["reason"],
                actions=form.cleaned_data["actions"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            form.add_error(
                None,
                "The tool was reopened or completed again after you opened this page. Read "
                "it again before recording your oversight",
            )
        except ValidationError as error:
            show_validation_error(form, error)
        else:
            messages.success(request, "Management oversight recorded")
            return redirect(back_to)
    return show_again(form)


def tool_oversight(request, kind, pk):
    tool = views._tool_or_404(request, kind, pk)
    return _record(
        request,
        kind,
        tool,
        reverse("toolkit:tool", args=[kind, tool.pk]),
        lambda form: views.read_page(request, kind, tool, oversight_form=form),
    )


def chronology_oversight(request, pk):
    child = get_object_or_404(access.children_visible_to(request.user), pk=pk)
    chronology = Chronology.objects.filter(child=child).select_related("reviewed_by").first()
    if chronology is None:
        raise Http404
    return _record(
        request,
        CHRONOLOGY_KIND,
        chronology,
        reverse("toolkit:chronology", args=[child.pk]),
        lambda form: chronology_views.chronology_page(request, child, oversight_form=form),
    )
