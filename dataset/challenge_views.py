"""Raising a Working Group challenge on an indicator or an emerging theme: the code is checked
against the registry and the label built from the indicator's title here, never taken from
the address; actionplans owns the form and the challenge."""

from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from actionplans.challenge_views import raise_challenge_page
from actionplans.models import Challenge
from neglect_portal import access

from . import selectors

raises = access.only_for(access.raises_challenges)


def _raise(request, quarter, code: str, subject: str, label: str, back_to: str):
    indicator = selectors.indicator_or_none(code)  # built in or an agency's
    if indicator is None:
        raise Http404("No such indicator")
    return raise_challenge_page(
        request,
        subject=subject,
        quarter=quarter,
        indicator_code=code,
        subject_label=label.format(title=indicator.title, quarter=quarter.label),
        back_to=back_to,
        breadcrumbs="dataset/_breadcrumbs.html",
    )


@require_http_methods(["GET", "POST"])
@raises
def challenge_indicator(request, quarter, code):
    return _raise(
        request,
        quarter,
        code,
        Challenge.Subject.INDICATOR,
        "{title}, {quarter}",
        reverse("dataset:indicator", args=[quarter, code]),
    )


@require_http_methods(["GET", "POST"])
@raises
def challenge_theme(request, quarter, code):
    return _raise(
        request,
        quarter,
        code,
        Challenge.Subject.THEME,
        "Emerging theme: {title}, {quarter}",
        reverse("dataset:themes", args=[quarter]),
    )
