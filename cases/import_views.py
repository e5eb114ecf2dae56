"""The census pages for administrators: upload a file, follow its import, read past imports.

The upload only keeps the file and queues the import (cases.tasks), answering at once; the
run page shows its progress until it has finished, then its result.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from neglect_portal.access import can_use_admin, only_for
from neglect_portal.forms import GovukForm

from . import census_runs
from .models import CensusImportRun

RUNS_PER_PAGE = 25
PROBLEMS_PER_PAGE = 100


def _too_large_message():
    return f"The selected file must be smaller than {settings.CENSUS_UPLOAD_MAX_MB} MB"


class CensusUploadForm(GovukForm):
    submit_label = "Import file"

    census_file = forms.FileField(
        label="Upload a census file",
        error_messages={
            "required": "Select a census XML file",
            "empty": "The selected file is empty",
            "invalid": "Select a census XML file",
        },
    )

    allow_older = forms.BooleanField(
        label="Import an older file",
        required=False,
        help_text=(
            "Only when you mean to: a file for an earlier census year than the newest one "
            "imported sets records back to its older values."
        ),
    )
    reason = forms.CharField(
        label="Why are you importing an older file?",
        required=False,
        max_length=CensusImportRun._meta.get_field("reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if you chose to import an older file. The reason is kept with the import.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["census_file"]
        field.help_text = (
            f"The Children in Need census XML file, up to {settings.CENSUS_UPLOAD_MAX_MB} MB."
        )
        field.widget.attrs["accept"] = ".xml,application/xml,text/xml"

    def clean_census_file(self):
        upload = self.cleaned_data["census_file"]
        if upload.size > settings.CENSUS_UPLOAD_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(_too_large_message())
        if not upload.name.lower().endswith(".xml"):
            raise forms.ValidationError("The selected file must be an XML file")
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("allow_older") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter why you are importing an older file")
        return cleaned


# Exempt here only so that the size is checked before anything reads the body (the CSRF
# check reads the form, and with it the whole upload); the page is then CSRF-protected as
# every other (Django's documented pattern for upload handling in a view).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def census_upload(request):
    if not can_use_admin(request.user):
        raise PermissionDenied
    if request.method == "POST" and _declared_size(request) > (
        settings.CENSUS_UPLOAD_MAX_MB + 1
    ) * (1024 * 1024):
        form = CensusUploadForm(data={})
        form.errors["census_file"] = form.error_class([_too_large_message()])
        response = _upload_page(request, form, status=413)
        # The body was never read: the connection cannot be used for another request.
        response["Connection"] = "close"
        return response
    return _census_upload(request)


def _upload_page(request, form, status=200):
    context = {"form": form, "la_code": settings.CENSUS_LA_CODE}
    return render(request, "cases/census_upload.html", context, status=status)


def _declared_size(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_protect
def _census_upload(request):
    if request.method != "POST":
        return _upload_page(request, CensusUploadForm())
    form = CensusUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form)
    run = census_runs.keep_upload(
        form.cleaned_data["census_file"],
        user=request.user,
        allow_older=form.cleaned_data["allow_older"],
        reason=form.cleaned_data["reason"].strip(),
    )
    census_runs.queue(run)
    return redirect("cases:census_run", pk=run.pk)


@require_GET
@only_for(can_use_admin)
def census_runs_list(request):
    runs = CensusImportRun.objects.select_related("run_by").defer("problems", "queries", "counts")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/census_runs.html", {"page": page})


@require_GET
@only_for(can_use_admin)
def census_run(request, pk):
    # Administrators only, refused before the lookup as the upload page is (403): run ids
    # name no child and the runs are no secret from anyone who may see them at all.
    run = get_object_or_404(CensusImportRun.objects.select_related("run_by", "identical_to"), pk=pk)
    context = {
        "run": run,
        "counts": census_runs.counts_rows(run),
        "percent": census_runs.progress_percent(run),
        # WCAG 2.2.1: a page that refreshes itself must let its reader stop it.
        "refreshing": not run.is_finished and request.GET.get("updates") != "off",
    }
    if run.is_finished:
        problems = Paginator(run.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("problems"))
        queries = Paginator(run.queries, PROBLEMS_PER_PAGE).get_page(request.GET.get("queries"))
        children = Paginator(
            census_runs.children_changed(run), census_runs.CHILDREN_PER_PAGE
        ).get_page(request.GET.get("page"))
        context.update(
            problems=problems,
            queries=queries,
            children=children,
            changed=census_runs.changes_for(run, list(children)),
        )
    return render(request, "cases/census_run.html", context)
