"""Administrators define the indicators agencies submit: the list, add, edit and history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from neglect_portal import access
from neglect_portal.records.history import history_entries
from neglect_portal.records.stale import StaleRefusal, differences
from neglect_portal.records.versions import StaleEdit
from neglect_portal.records.views import show_validation_error

from . import services
from .forms import PartnerIndicatorForm
from .models import PartnerIndicator

PAGE_SIZE = 25

defines = access.only_for(access.defines_partner_indicators)


@require_GET
@defines
def partner_indicators(request):
    indicators = PartnerIndicator.objects.select_related("agency").order_by("code")
    page = Paginator(indicators, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dataset/partner_indicators.html", {"page": page})


def _form_page(
    request, form, *, title, caption="Indicators submitted by agencies", stale=None, indicator=None
):
    return render(
        request,
        "records/form.html",
        {
            "form": form,
            "title": title,
            "caption": caption,
            "stale": stale,
            "cancel_url": reverse("dataset:partner_indicators"),
            "indicator": indicator,
        },
        status=409 if stale else 200,
    )


@require_http_methods(["GET", "POST"])
@defines
def partner_indicator_add(request):
    form = PartnerIndicatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            indicator = _add(request, data)
        except IntegrityError:  # the same code saved a moment ago, by a double post
            form.add_error("code", "Another indicator already has this code")
        except ValidationError as refused:  # ... or saved just before this one re-checked it
            show_validation_error(form, refused)
        else:
            messages.success(request, f"{indicator.title} ({indicator.code}) added")
            return redirect("dataset:partner_indicators")
    return _form_page(request, form, title="Add an indicator submitted by an agency")


def _add(request, data) -> PartnerIndicator:
    return services.partner_indicator_add(
        code=data["code"],
        title=data["title"],
        definition=data["definition"],
        agency=data["agency"],
        kind=data["kind"],
        unit=data["unit"],
        counts=data["counts"],
        higher_is_better=data["higher_is_better"],
        active=data["active"],
        user=request.user,
    )


@require_http_methods(["GET", "POST"])
@defines
def partner_indicator_edit(request, pk):
    indicator = get_object_or_404(PartnerIndicator.objects.select_related("agency"), pk=pk)
    mark = services.partner_indicator_edit_mark(indicator)
    form = PartnerIndicatorForm(
        request.POST if request.method == "POST" else None,
        current=indicator,
        initial={"mark": mark},
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.partner_indicator_update(
                indicator=indicator,
                user=request.user,
                expected_mark=data["mark"] or 0,
                changes={name: data[name] for name in form.fields if name != "mark"},
            )
        except StaleEdit as refused:
            current = refused.current
            stale = StaleRefusal(
                "indicator", differences(form, PartnerIndicatorForm(current=current))
            )
            form.data = form.data.copy()
            form.data["mark"] = services.partner_indicator_edit_mark(current)
        except services.IndicatorChangeRefused as refused:
            form.add_error(refused.field, str(refused))
        else:
            messages.success(
                request, f"{saved.title} ({saved.code}) saved, version {saved.version}"
            )
            return redirect("dataset:partner_indicators")
    return _form_page(
        request,
        form,
        title=f"Change {indicator.title}",
        caption=f"Indicators submitted by agencies: {indicator.code}",
        stale=stale,
        indicator=indicator,
    )


@require_GET
@defines
def partner_indicator_history(request, pk):
    indicator = get_object_or_404(PartnerIndicator.objects.select_related("agency"), pk=pk)
    return render(
        request,
        "dataset/partner_indicator_history.html",
        {"indicator": indicator, "entries": history_entries(indicator)},
    )
