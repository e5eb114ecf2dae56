from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SDQBandTable
from .sdq import validate_band_table


class SDQBandTableForm(forms.ModelForm):
    class Meta:
        model = SDQBandTable
        fields = ["informant", "form_version", "provisional", "scales"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scales") is not None and cleaned.get("informant"):
            table = {"provisional": bool(cleaned.get("provisional")), "scales": cleaned["scales"]}
            try:
                validate_band_table(table, cleaned["informant"])
            except (ValueError, TypeError) as error:
                raise forms.ValidationError({"scales": str(error)}) from None
        return cleaned


@admin.register(SDQBandTable)
class SDQBandTableAdmin(SimpleHistoryAdmin):
    form = SDQBandTableForm
    list_display = ["informant", "form_version", "provisional"]
