"""The census upload page: administrators import a CIN census file, all or nothing."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from neglect_portal.access import can_use_admin
from neglect_portal.forms import GovukForm

from .census_import import import_census

MAX_UPLOAD_MB = 200


class CensusUploadForm(GovukForm):
    submit_label = "Import file"

    census_file = forms.FileField(
        label="Upload a census file",
        help_text=f"The Children in Need census XML file, up to {MAX_UPLOAD_MB} MB.",
        error_messages={
            "required": "Select a census XML file",
            "empty": "The selected file is empty",
            "invalid": "Select a census XML file",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["census_file"].widget.attrs["accept"] = ".xml,application/xml,text/xml"

    def clean_census_file(self):
        upload = self.cleaned_data["census_file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                f"The selected file must be smaller than {MAX_UPLOAD_MB} MB"
            )
        if not upload.name.lower().endswith(".xml"):
            raise forms.ValidationError("The selected file must be an XML file")
        return upload


@require_http_methods(["GET", "POST"])
def census_upload(request):
    if not can_use_admin(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "cases/census_upload.html", {"form": CensusUploadForm()})
    form = CensusUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "cases/census_upload.html", {"form": form})
    upload = form.cleaned_data["census_file"]
    # Large uploads are already on disk: the import streams from there, not from memory.
    source = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else upload
    result = import_census(source, user=request.user)
    return render(request, "cases/census_result.html", {"result": result})
